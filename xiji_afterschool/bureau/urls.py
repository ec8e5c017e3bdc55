from .views import calendar, homes, plans, school_reports

app_name = "bureau"
urlpatterns = [
    *homes.urlpatterns,
    *calendar.urlpatterns,
    *plans.urlpatterns,
    *school_reports.urlpatterns,
]
