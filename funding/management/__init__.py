"""Management commands of the funding app."""
