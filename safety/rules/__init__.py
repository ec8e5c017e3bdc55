"""Pure rules and arithmetic of safety (none yet), one module per concern."""
