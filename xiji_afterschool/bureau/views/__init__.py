"""The county console (bureau): homes, calendar and plan status; one module per concern, each with its urlpatterns."""
