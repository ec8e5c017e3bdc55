from .views import calendar, feedback, homes, plans

app_name = "bureau"
urlpatterns = [
    *homes.urlpatterns,
    *calendar.urlpatterns,
    *plans.urlpatterns,
    *feedback.urlpatterns,
]
