"""Safety's pages: the views modules' urlpatterns, concatenated."""

from .views import alerts, board, duty

app_name = "safety"
urlpatterns = [*alerts.urlpatterns, *duty.urlpatterns, *board.urlpatterns]
