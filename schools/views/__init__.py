"""Thin views of the schools app, one module per concern."""
