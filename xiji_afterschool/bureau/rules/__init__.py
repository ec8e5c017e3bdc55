"""Pure rules and arithmetic of the county console (none yet)."""
