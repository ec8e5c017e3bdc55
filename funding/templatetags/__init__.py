"""Template tags of the funding app shown on other apps' pages."""
