"""The county console's records: summary figures, school reports, inspections, feedback, model classes."""
