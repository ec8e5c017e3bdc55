"""Duty roster arithmetic (issue 11 §2): which days of a month need a duty teacher and a gate keeper. Pure."""

import datetime
from collections.abc import Iterable

from schools.models import CalendarDay, Role
from schools.rules.calendar import NO_SERVICE_KINDS

# Who may be the duty teacher (值班教师): the school's staff who teach or run it, not volunteers or the gate keeper.
DUTY_TEACHER_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.SERVICE_TEACHER, Role.CLASS_TEACHER, Role.CARE_STAFF})


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the month containing `month`."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def school_days(
    first: datetime.date,
    last: datetime.date,
    *,
    terms: Iterable[tuple[datetime.date, datetime.date]] | None,
    exceptions: dict,
) -> list[datetime.date]:
    """School days from `first` to `last`: Monday to Friday, plus make-up working days (调休), minus the calendar's
    days without service; inside a semester (`terms`: (start, end) pairs; None when no school year covers the
    month, and then every weekday counts).
    `exceptions` maps a date to its CalendarDay kind."""
    terms = None if terms is None else list(terms)
    days = []
    day = first
    while day <= last:
        kind = exceptions.get(day)
        in_term = terms is None or any(start <= day <= end for start, end in terms)
        weekday = day.isoweekday() <= 5 or kind == CalendarDay.Kind.MAKEUP_WORKDAY
        if in_term and weekday and kind not in NO_SERVICE_KINDS:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of the week containing `day`."""
    return day - datetime.timedelta(days=day.isoweekday() - 1)


def editable(day: datetime.date, today: datetime.date) -> bool:
    """Today and later may be set or changed; past days are the record."""
    return day >= today
