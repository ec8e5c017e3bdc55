"""Safety's pages: the views modules' urlpatterns, concatenated."""

from .views import emergency, gate, incidents

app_name = "safety"
urlpatterns = [*gate.urlpatterns, *incidents.urlpatterns, *emergency.urlpatterns]
