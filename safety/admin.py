"""Every safety model for support staff, read-only: hand-overs, alerts, visitor entries, checks, hazards, incidents
and plans change only through the services (and the append-only records not even there)."""

from django.apps import apps
from django.contrib import admin

from schools.admin import ReadOnlyAdmin

from . import models


@admin.register(models.Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["date", "student", "sequence", "to", "recipient_name", "from_staff", "to_staff", "handed_at"]
    list_filter = ["to", "on_paper", "date"]
    search_fields = ["student__name", "recipient_name"]


@admin.register(models.LateAlert)
class LateAlertAdmin(ReadOnlyAdmin):
    list_display = ["date", "school", "student", "holder", "status", "resolution", "reminders"]
    list_filter = ["status", "resolution"]


@admin.register(models.Hazard)
class HazardAdmin(ReadOnlyAdmin):
    list_display = ["school", "category", "status", "responsible", "deadline"]
    list_filter = ["status", "category"]


@admin.register(models.Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["school", "occurred_at", "place", "status"]
    list_filter = ["status"]


# The rest, each with its default list.
for model in apps.get_app_config("safety").get_models():
    if model not in admin.site._registry:
        admin.site.register(model, ReadOnlyAdmin)
