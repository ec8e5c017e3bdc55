from .views import calendar, compliance, homes, plans

app_name = "bureau"
urlpatterns = [
    *homes.urlpatterns,
    *calendar.urlpatterns,
    *plans.urlpatterns,
    *compliance.urlpatterns,
]
