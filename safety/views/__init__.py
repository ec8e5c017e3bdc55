"""Thin views of safety (none yet), one module per concern; each module ends with its urlpatterns."""
