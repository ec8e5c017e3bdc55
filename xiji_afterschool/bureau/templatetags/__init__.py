"""Template tags of the county console shown on other apps ' pages."""
