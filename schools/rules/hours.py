"""Arithmetic of the hours record: exact one-decimal class-hours, months, tallies (no database)."""

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..models import (
    HoursAdjustment,
    Session,
)

COUNTED = (Session.Status.RECORDED, Session.Status.CONFIRMED)
WAITING = Session.Status.NEEDS_CONFIRMATION
ASSISTANT = "assistant"
ROLES = (Session.TeacherRole.RESPONSIBLE.value, Session.TeacherRole.SUBSTITUTE.value, ASSISTANT)
TENTH = Decimal("0.1")
ZERO = Decimal("0.0")


def hours(value) -> Decimal:
    """A sum of class-hours as an exact Decimal with one decimal place (SQLite returns float-made sums)."""
    if value is None:
        return ZERO
    if isinstance(value, float):  # never expected from Django, but a float must not leak into pay
        value = Decimal(repr(value))
    return Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)


def role_label(role: str) -> str:
    return dict(HoursAdjustment._meta.get_field("role").choices)[role]


# ---------------------------------------------------------------- months


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def shift_month(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return shift_month(month, 1) - datetime.timedelta(days=1)


_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def parse_month(text: str | None) -> datetime.date | None:
    """ "2026-03" -> 2026-03-01; anything else (or a year outside 2000–2099) -> None."""
    match = _MONTH.match(text or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2099 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


# ---------------------------------------------------------------- the hours record


@dataclass
class Tally:
    sessions: int = 0
    class_hours: Decimal = ZERO

    def add(self, sessions, class_hours) -> None:
        self.sessions += int(sessions or 0)
        self.class_hours = hours(self.class_hours + hours(class_hours))
