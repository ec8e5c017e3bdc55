"""Safety's pages: the views modules' urlpatterns, concatenated."""

from .views import gate

app_name = "safety"
urlpatterns = [*gate.urlpatterns]
