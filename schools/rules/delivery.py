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
    if grades:
        return Grade.stage_of(min(grades))
    return service_class.school.stages[0]


def share(delivered: Decimal, planned) -> Decimal | None:
    """Delivered as a percentage of planned, one decimal (half-up); None when nothing was planned yet."""
    if not planned:
        return None
    return (Decimal(delivered) * 100 / Decimal(planned)).quantize(hours_rules.TENTH, rounding=ROUND_HALF_UP)


def complete_weeks(today: datetime.date, count: int = BEHIND_WEEKS_CHECKED) -> list[datetime.date]:
    """The Mondays of the last `count` weeks that ended before today, oldest first."""
    this_monday = today - datetime.timedelta(days=today.isoweekday() - 1)
    return [this_monday - datetime.timedelta(weeks=k) for k in range(count, 0, -1)]


def weeks_behind(stage: str, mondays, service_days: set, served: set) -> list[dict]:
    """Weeks in which the stage served fewer distinct service days than its mode asks (5, senior high 6), or than
    the calendar allowed that week (a holiday week asks only its service days)."""
    per_week = len(ServiceMode.for_stage(stage).weekdays)
    out = []
    for monday in mondays:
        week = {monday + datetime.timedelta(days=k) for k in range(7)}
        expected = min(per_week, len(week & service_days))
        got = len(week & service_days & served)
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
