"""Input shape of the funding forms, one module per concern; the services re-check every rule."""
