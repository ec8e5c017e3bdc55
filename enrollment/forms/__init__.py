"""Input shapes of enrollment, one module per concern."""
