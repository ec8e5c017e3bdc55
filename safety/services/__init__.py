"""Writes and transitions of safety (none yet), one module per concern."""
