"""Safety's pages: the views modules' urlpatterns, concatenated."""

from .views import alerts, board, duty, emergency, gate, handovers, hazards, incidents, pickups, venues

app_name = "safety"
urlpatterns = [
    *board.urlpatterns,
    *alerts.urlpatterns,
    *duty.urlpatterns,
    *pickups.urlpatterns,
    *handovers.urlpatterns,
    *gate.urlpatterns,
    *venues.urlpatterns,
    *hazards.urlpatterns,
    *incidents.urlpatterns,
    *emergency.urlpatterns,
]
