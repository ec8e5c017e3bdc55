"""The county console's records for support staff, read-only: a county review of a flag is never changed."""

from django.contrib import admin

from schools.admin import ReadOnlyAdmin

from . import models


@admin.register(models.FlagReview)
class FlagReviewAdmin(ReadOnlyAdmin):
    list_display = ["session", "outcome", "reviewed_by", "reviewed_at"]
    list_filter = ["outcome"]
