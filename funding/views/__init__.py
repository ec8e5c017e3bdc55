"""Funding views, one module per concern; each module exports `urlpatterns` (collected in funding/urls.py)."""
