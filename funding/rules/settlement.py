"""What a settlement may pay for (issue #12, item 2): the class-hours of the session log that count, and those it
excludes with the reason. Pure arithmetic on sessions already read; no database.

A delivered class-hour counts only if its session
  (a) is confirmed, or recorded in time (a session waiting for the administrator, flagged or logged late, does not),
  (b) fell on a service day of the school's calendar (the stage's weekdays and make-up days, minus days without
      service),
  (c) had at least one child present,
  (d) fits within the county's class-hours a day for its service class: a class's sessions of one day are taken
      earliest first, and whatever goes past the limit is cut (a 4-hour span at 2 a day counts 2).
A session is excluded for the first of these it fails.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from schools.models import Session
from schools.rules import hours as hours_rules

FLAGGED = "flagged"
UNCONFIRMED = "unconfirmed"
OFF_TIMETABLE = "off_timetable"
NOBODY_PRESENT = "nobody_present"
OVER_DAILY_LIMIT = "over_daily_limit"

REASONS = {  # in the order they are checked, with the words the settlement page shows
    FLAGGED: _("Flagged for review and not confirmed by the school administrator"),
    UNCONFIRMED: _("Logged late and not confirmed yet"),
    OFF_TIMETABLE: _("Not a service day in the school's calendar"),
    NOBODY_PRESENT: _("No child present"),
    OVER_DAILY_LIMIT: _("Past the county's class-hours a day for the service class (cut)"),
}


@dataclass
class Excluded:
    reason: str
    sessions: int = 0
    class_hours: Decimal = hours_rules.ZERO

    @property
    def label(self) -> str:
        return str(REASONS[self.reason])


@dataclass
class Counted:
    session: Session
    class_hours: Decimal  # what counts: the session's class-hours, or less when the daily limit cut it


@dataclass
class Outcome:
    counted: list[Counted] = field(default_factory=list)
    excluded: dict[str, Excluded] = field(default_factory=dict)

    def exclude(self, reason: str, class_hours: Decimal) -> None:
        row = self.excluded.setdefault(reason, Excluded(reason))
        row.sessions += 1
        row.class_hours = hours_rules.hours(row.class_hours + class_hours)

    @property
    def excluded_rows(self) -> list[Excluded]:
        """The reasons that excluded something, in the order they are checked."""
        return [self.excluded[r] for r in REASONS if r in self.excluded]

    @property
    def excluded_class_hours(self) -> Decimal:
        return hours_rules.hours(sum((row.class_hours for row in self.excluded.values()), hours_rules.ZERO))


def first_failed(session: Session, *, is_service_day: bool) -> str | None:
    """The reason a session does not count at all, or None (the daily limit is checked across sessions)."""
    if session.status not in hours_rules.COUNTED:
        return FLAGGED if session.flag else UNCONFIRMED
    if not is_service_day:
        return OFF_TIMETABLE
    if session.present < 1:
        return NOBODY_PRESENT
    return None


def count_sessions(sessions: Iterable[Session], *, per_day: int, service_day: Callable[[Session], bool]) -> Outcome:
    """Split the sessions into what counts (with the class-hours that count) and what is excluded, per reason.

    `service_day(session)` says whether the session's day is a service day for its class; `per_day` is the
    county's class-hours a day (`CountySettings.class_hours_per_day`).
    """
    outcome = Outcome()
    limit = Decimal(per_day)
    used: dict[tuple[int, datetime.date], Decimal] = {}
    ordered = sorted(sessions, key=lambda s: (s.service_class_id, s.date, s.start_time, s.pk or 0))
    for session in ordered:
        reason = first_failed(session, is_service_day=service_day(session))
        if reason is not None:
            outcome.exclude(reason, session.class_hours)
            continue
        key = (session.service_class_id, session.date)
        room = max(limit - used.get(key, hours_rules.ZERO), hours_rules.ZERO)
        counts = min(session.class_hours, room)
        used[key] = used.get(key, hours_rules.ZERO) + counts
        if counts < session.class_hours:
            outcome.exclude(OVER_DAILY_LIMIT, session.class_hours - counts)
        if counts > 0:
            outcome.counted.append(Counted(session=session, class_hours=hours_rules.hours(counts)))
    return outcome
