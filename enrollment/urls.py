from .views import (
    agreements,
    applications,
    consents,
    coverage,
    data_requests,
    homes,
    letters,
    parents,
    placement,
    review,
)

app_name = "enrollment"
urlpatterns = [
    *homes.urlpatterns,
    *letters.urlpatterns,
    *parents.urlpatterns,
    *applications.urlpatterns,
    *agreements.urlpatterns,
    *review.urlpatterns,
    *placement.urlpatterns,
    *coverage.urlpatterns,
    *data_requests.urlpatterns,
    *consents.urlpatterns,
]
