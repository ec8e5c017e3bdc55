"""Reads of the county calendar: the current school year and the years the viewer may see."""

from django.db.models import QuerySet
from django.utils import timezone

from xiji_afterschool import permissions

from ..models import (
    SchoolYear,
)

# ---------------------------------------------------------------- calendar, timetables, plans


def current_school_year() -> SchoolYear | None:
    """The school year containing today, else the latest one."""
    today = timezone.localdate()
    years = SchoolYear.objects.prefetch_related("semesters")
    return years.filter(start_date__lte=today, end_date__gte=today).first() or years.order_by("-start_date").first()


def school_year_list(*, viewer) -> QuerySet[SchoolYear]:
    return permissions.scope(viewer, SchoolYear.objects.all()).prefetch_related("semesters", "calendar_days")
