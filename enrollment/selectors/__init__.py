"""Reads of enrollment, one module per concern, always scoped to the viewer."""
