"""Reads of the funding app, always scoped by the viewer; one module per concern."""
