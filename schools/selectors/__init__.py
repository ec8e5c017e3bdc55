"""Reads of the schools app, one module per concern, always scoped to the viewer."""
