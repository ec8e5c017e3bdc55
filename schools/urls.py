from .views import (
    activities,
    audit,
    classes,
    delivery,
    homes,
    hours,
    imports,
    notifications,
    passwords,
    plans,
    retention,
    roster,
    sessions,
    timetables,
)

app_name = "schools"
urlpatterns = [
    *homes.urlpatterns,
    *roster.urlpatterns,
    *timetables.urlpatterns,
    *plans.urlpatterns,
    *classes.urlpatterns,
    *imports.urlpatterns,
    *activities.urlpatterns,
    *sessions.urlpatterns,
    *hours.urlpatterns,
    *delivery.urlpatterns,
    *notifications.urlpatterns,
    *passwords.urlpatterns,
    *audit.urlpatterns,
    *retention.urlpatterns,
]
