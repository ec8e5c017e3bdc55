"""Safety's pages: the views modules' urlpatterns, concatenated."""

from .views import hazards, venues

app_name = "safety"
urlpatterns = [*venues.urlpatterns, *hazards.urlpatterns]
