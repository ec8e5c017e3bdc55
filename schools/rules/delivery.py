"""Arithmetic of delivery against plan: stages, shares, complete weeks and the weeks behind the mode."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from ..models import (
    Grade,
    ServiceClass,
    ServiceMode,
    Stage,
)
from . import hours as hours_rules

# ---------------------------------------------------------------- delivery against plan

# How many complete weeks (Monday to Sunday, ended before today) the behind-mode check looks at.
BEHIND_WEEKS_CHECKED = 4


def service_class_stage(service_class: ServiceClass) -> str:
    """The stage whose mode a service class follows: that of the youngest administrative class it draws from
    (classes mixing stages follow the younger one), or, drawing from none, the school's first stage.
    Uses prefetched `admin_classes` and `school`."""
    grades = [a.grade for a in service_class.admin_classes.all()]
    return stage_of_youngest(min(grades) if grades else None, service_class.school)


def stage_of_youngest(youngest_grade: int | None, school) -> str:
    """`service_class_stage` from the lowest grade the class draws from (None: from no administrative class), as a
    query's Min() gives it: no administrative class row loaded per service class."""
    if youngest_grade is not None:
        return Grade.stage_of(youngest_grade)
    return school.stages[0]


def share(delivered: Decimal, planned) -> Decimal | None:
    """Delivered as a percentage of planned, one decimal (half-up); None when nothing was planned yet."""
    if not planned:
        return None
    return (Decimal(delivered) * 100 / Decimal(planned)).quantize(hours_rules.TENTH, rounding=ROUND_HALF_UP)


def complete_weeks(today: datetime.date, count: int = BEHIND_WEEKS_CHECKED) -> list[datetime.date]:
    """The Mondays of the last `count` weeks that ended before today, oldest first."""
    this_monday = today - datetime.timedelta(days=today.isoweekday() - 1)
    return [this_monday - datetime.timedelta(weeks=k) for k in range(count, 0, -1)]


def week_expectations(stage: str, mondays, service_days: set) -> list[tuple]:
    """(monday, the week's service days, days expected) for each week: what `weeks_behind` compares a class's served
    days with. Computed once per stage, it makes the check of many classes a set intersection per week."""
    per_week = len(ServiceMode.for_stage(stage).weekdays)
    out = []
    for monday in mondays:
        week = {monday + datetime.timedelta(days=k) for k in range(7)} & service_days
        out.append((monday, week, min(per_week, len(week))))
    return out


def weeks_behind(stage: str, mondays, service_days: set, served: set, expectations: list | None = None) -> list[dict]:
    """Weeks in which the stage served fewer distinct service days than its mode asks (5, senior high 6), or than
    the calendar allowed that week (a holiday week asks only its service days). `expectations`: the stage's
    `week_expectations`, when the caller checks many classes."""
    if expectations is None:
        expectations = week_expectations(stage, mondays, service_days)
    return weeks_behind_counted(stage, expectations, [len(week & served) for _monday, week, _expected in expectations])


def weeks_behind_counted(stage: str, expectations: list, served_counts: list[int]) -> list[dict]:
    """`weeks_behind` from the number of the week's service days served, one per expectation (as a query counts
    them: the distinct dates of a class's counted sessions among the week's service days)."""
    out = []
    for (monday, _week, expected), got in zip(expectations, served_counts, strict=True):
        if expected and got < expected:
            out.append(
                {
                    "start": monday,
                    "end": monday + datetime.timedelta(days=6),
                    "stage": stage,
                    "stage_label": Stage(stage).label,
                    "expected": expected,
                    "served": got,
                }
            )
    return out


def service_weeks(service_days) -> int:
    """Weeks (Monday to Sunday) with at least one service day: what the plan's 每学年按40周 (senior high 42) counts."""
    return len({day - datetime.timedelta(days=day.isoweekday() - 1) for day in service_days})
