"""Safety's pages: the views modules' urlpatterns, concatenated."""

from .views import pickups

app_name = "safety"
urlpatterns = [*pickups.urlpatterns]
