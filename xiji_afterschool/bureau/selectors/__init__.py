"""Reads of the county console (none yet: it reads through the apps' selectors)."""
