"""Safety's pages: the views modules' urlpatterns, concatenated."""

from .views import handovers

app_name = "safety"
urlpatterns = [*handovers.urlpatterns]
