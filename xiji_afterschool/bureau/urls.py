from .views import calendar, console, feedback, homes, plans

app_name = "bureau"
urlpatterns = [
    *homes.urlpatterns,
    *console.urlpatterns,
    *calendar.urlpatterns,
    *plans.urlpatterns,
    *feedback.urlpatterns,
]
