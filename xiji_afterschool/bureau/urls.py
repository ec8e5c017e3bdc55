from .views import calendar, homes, plans

app_name = "bureau"
urlpatterns = [
    *homes.urlpatterns,
    *calendar.urlpatterns,
    *plans.urlpatterns,
]
