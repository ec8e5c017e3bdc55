"""Input shapes of safety (none yet), one module per concern."""
