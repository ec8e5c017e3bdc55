"""Thin views of the enrollment app, one module per part of the journey; each module lists its own urlpatterns."""
