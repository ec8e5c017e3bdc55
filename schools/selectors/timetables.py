"""Reads of the schools' timetables, scoped to the viewer."""

from django.db.models import QuerySet

from xiji_afterschool import permissions

from ..models import (
    School,
    SchoolYear,
    Timetable,
)


def timetable_list_qs(*, viewer) -> QuerySet[Timetable]:
    return permissions.scope(viewer, Timetable.objects.all()).prefetch_related("slots")


def timetable_list(*, viewer, school: School, school_year: SchoolYear) -> list[Timetable]:
    """Every version of the school's timetables for the year, newest first within (semester, stage)."""
    qs = permissions.scope(viewer, Timetable.objects.all()).filter(school=school, semester__school_year=school_year)
    return list(
        qs.select_related("semester").prefetch_related("slots").order_by("semester__number", "stage", "-version")
    )
