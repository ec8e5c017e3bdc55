"""Rows for the county console's Excel and PDF documents (none yet)."""
