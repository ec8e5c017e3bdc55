from .views import calendar, homes, inspections, plans

app_name = "bureau"
urlpatterns = [
    *homes.urlpatterns,
    *calendar.urlpatterns,
    *plans.urlpatterns,
    *inspections.urlpatterns,
]
