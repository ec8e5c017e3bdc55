"""Writes and transitions of the county console (none yet: it acts through the apps' services)."""
