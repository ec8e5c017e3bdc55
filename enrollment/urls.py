from .views import agreements, applications, coverage, homes, letters, parents, placement, review

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
]
