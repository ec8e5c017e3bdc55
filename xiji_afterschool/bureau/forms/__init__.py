"""Input shapes of the county console (none yet)."""
