"""Reads of safety (none yet), one module per concern, always scoped to the viewer."""
