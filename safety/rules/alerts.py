"""Late pick-up arithmetic (R30, issue 11 §3): when an alert is due, when it is repeated, what a resolution needs.
Pure: no database, no request."""

import datetime

from django.utils import timezone

from ..models import LateAlert

# A resolution that does not say by itself what happened needs a note (who took the child home, or what else).
NOTE_REQUIRED = {LateAlert.Resolution.TAKEN_HOME, LateAlert.Resolution.OTHER}


def alert_due_at(day: datetime.date, end_time: datetime.time, minutes: int) -> datetime.datetime:
    """The moment a child still held after a session ending at `end_time` on `day` is late: the end plus the
    county's grace minutes, in local time (Asia/Shanghai). A session ending 17:30 with 15 minutes: 17:45:00."""
    end = timezone.make_aware(datetime.datetime.combine(day, end_time))
    return end + datetime.timedelta(minutes=minutes)


def is_late(now: datetime.datetime, day: datetime.date, end_time: datetime.time, minutes: int) -> bool:
    """True from the due moment on (17:45:00 is late, 17:44:59 is not)."""
    return now >= alert_due_at(day, end_time, minutes)


def reminder_due(now: datetime.datetime, last_told_at: datetime.datetime | None, repeat_minutes: int) -> bool:
    """An open alert is repeated once `repeat_minutes` have passed since people were last told."""
    if last_told_at is None:
        return True
    return now >= last_told_at + datetime.timedelta(minutes=repeat_minutes)


def note_required(resolution: str) -> bool:
    return resolution in NOTE_REQUIRED
