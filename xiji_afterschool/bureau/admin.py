"""The county console's records for support staff, read-only: inspections, findings, rectifications and a county
review of a flag change only through the services; summary figures only through the refresh."""

from django.apps import apps
from django.contrib import admin

from schools.admin import ReadOnlyAdmin

from . import models


@admin.register(models.FlagReview)
class FlagReviewAdmin(ReadOnlyAdmin):
    list_display = ["session", "outcome", "reviewed_by", "reviewed_at"]
    list_filter = ["outcome"]


@admin.register(models.Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["school", "planned_date", "kind", "status", "school_year"]
    list_filter = ["status", "kind"]
    search_fields = ["school__name"]


@admin.register(models.Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["finding", "deadline", "status", "responded_at"]
    list_filter = ["status"]


# The rest, each with its default list.
for model in apps.get_app_config("bureau").get_models():
    if model not in admin.site._registry:
        admin.site.register(model, ReadOnlyAdmin)
