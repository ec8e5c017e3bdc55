"""Rows for safety's Excel and PDF documents (none yet), one module per concern."""
