from django.urls import path

from .views import coverage, home, letters, parents, placement, review

app_name = "enrollment"
urlpatterns = [
    path("parent/", home.parent_home, name="parent-home"),
    *letters.urlpatterns,
    *parents.urlpatterns,
    *review.urlpatterns,
    *placement.urlpatterns,
    *coverage.urlpatterns,
]
