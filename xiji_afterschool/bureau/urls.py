from .views import (
    calendar,
    compliance,
    console,
    feedback,
    homes,
    inspections,
    plans,
    privacy,
    reminders,
    school_reports,
)

app_name = "bureau"
urlpatterns = [
    *homes.urlpatterns,
    *console.urlpatterns,
    *calendar.urlpatterns,
    *plans.urlpatterns,
    *feedback.urlpatterns,
    *compliance.urlpatterns,
    *reminders.urlpatterns,
    *inspections.urlpatterns,
    *school_reports.urlpatterns,
    *privacy.urlpatterns,
]
