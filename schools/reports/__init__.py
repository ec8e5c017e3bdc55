"""Rows for the schools app's Excel and PDF documents, one module per concern."""
