"""Writes of the county calendar (bureau): school years with their semesters, and calendar days."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..models import (
    CalendarDay,
    SchoolYear,
    Semester,
)
from . import audit as audit_services

# ---------------------------------------------------------------- the county calendar (bureau)


@transaction.atomic
def school_year_save(*, actor, school_year: SchoolYear | None = None, semesters: list[dict], **fields) -> SchoolYear:
    """Create or change a school year with its two semesters and milestones. Bureau only."""
    permissions.require(actor, "calendar.manage")
    if len(semesters) != 2:
        raise DomainError(_("A school year has an autumn and a spring semester."))
    school_year = school_year or SchoolYear()
    for name, value in fields.items():
        setattr(school_year, name, value)
    _full_clean(school_year)
    school_year.save()
    for number, dates in enumerate(semesters, start=1):
        semester = school_year.semesters.filter(number=number).first() or Semester(
            school_year=school_year, number=number
        )
        semester.start_date, semester.end_date = dates["start_date"], dates["end_date"]
        _full_clean(semester)
        semester.save()
    first, second = school_year.semesters.order_by("number")[:2]
    if first.end_date >= second.start_date:
        raise DomainError(_("The spring semester must start after the autumn semester ends."))
    return school_year


@transaction.atomic
def calendar_day_set(*, actor, school_year: SchoolYear, date: datetime.date, kind: str, note: str = "") -> CalendarDay:
    """Mark a day as without service (holiday, exam) or as a make-up working day (调休). Bureau only."""
    permissions.require(actor, "calendar.manage")
    if kind not in CalendarDay.Kind.values:
        raise DomainError(_("Choose what kind of day this is."))
    if not school_year.start_date <= date <= school_year.end_date:
        raise DomainError(_("This date is outside the school year %(year)s.") % {"year": school_year})
    if kind == CalendarDay.Kind.MAKEUP_WORKDAY and date.isoweekday() < 6:
        raise DomainError(_("A make-up working day must fall on a Saturday or Sunday."))
    before = CalendarDay.objects.filter(school_year=school_year, date=date).values("kind", "note").first() or {}
    day, _created = CalendarDay.objects.update_or_create(
        school_year=school_year, date=date, defaults={"kind": kind, "note": note}
    )
    audit_services.record(
        action="calendar.day_set",
        obj=day,
        actor=actor,
        school=None,
        label=f"{school_year} {date.isoformat()}",
        changes=audit_services.diff(before, {"kind": kind, "note": note}),
    )
    return day


@transaction.atomic
def calendar_day_remove(*, actor, day: CalendarDay) -> None:
    permissions.require(actor, "calendar.manage")
    audit_services.record(
        action="calendar.day_remove",
        obj=day,
        actor=actor,
        school=None,
        label=f"{day.school_year} {day.date.isoformat()}",
        changes={"kind": [day.kind, None]},
    )
    day.delete()


def _full_clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(m for msgs in exc.message_dict.values() for m in msgs)) from None
