"""Safety's pages: the views modules' urlpatterns, concatenated."""

from .views import emergency, incidents

app_name = "safety"
urlpatterns = [*incidents.urlpatterns, *emergency.urlpatterns]
