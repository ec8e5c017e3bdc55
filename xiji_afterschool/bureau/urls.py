from .views import calendar, compliance, homes, plans, reminders

app_name = "bureau"
urlpatterns = [
    *homes.urlpatterns,
    *calendar.urlpatterns,
    *plans.urlpatterns,
    *compliance.urlpatterns,
    *reminders.urlpatterns,
]
