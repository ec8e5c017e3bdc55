"""Writes and state transitions of the schools app, one module per concern."""
