"""Safety's pages: the views modules' urlpatterns, concatenated."""

from .views import alerts, board, duty, emergency, gate, handovers, incidents, pickups

app_name = "safety"
urlpatterns = [
    *board.urlpatterns,
    *alerts.urlpatterns,
    *duty.urlpatterns,
    *pickups.urlpatterns,
    *handovers.urlpatterns,
    *gate.urlpatterns,
    *incidents.urlpatterns,
    *emergency.urlpatterns,
]
