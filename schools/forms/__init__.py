"""Input shapes of the schools app, one module per concern."""
