"""The gate's rules (issue 11 §5), pure: no database, no request. Each returns the cleaned value or raises
DomainError with a message the gate keeper can act on."""

import datetime
import re

from django.utils.translation import gettext as _

from schools.rules import roster as roster_rules
from xiji_afterschool.errors import DomainError

BACK_LIMIT = datetime.timedelta(hours=2)  # a live entry's time in: at most this far back (he forgot to tap)
CLOCK_SLACK = datetime.timedelta(minutes=1)  # two phones' clocks differ a little
PAPER_DAYS = 3  # a paper gate sheet is typed in within this many days
ID_LAST4 = re.compile(r"^[0-9A-Z]{4}$")


def id_last4(*, checked: bool, value: str) -> str:
    """The last four characters of the ID the gate looked at — and only those (the minimum personal data)."""
    value = roster_rules.normalize_id_number(value)  # ASCII digits and X, as the roster stores IDs
    if not checked:
        if value:
            raise DomainError(_("Tick “ID checked” when you looked at the ID card."))
        return ""
    if len(value) > 4:
        raise DomainError(_("Enter only the last 4 characters of the ID, never the whole number."))
    if not ID_LAST4.match(value):
        raise DomainError(_("Enter the last 4 characters of the ID (digits, or X at the end)."))
    return value


def live_time_in(*, time_in: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
    """A visitor entered now or a little earlier: never in the future, at most two hours back."""
    if time_in > now + CLOCK_SLACK:
        raise DomainError(_("The time in cannot be in the future."))
    if time_in < now - BACK_LIMIT:
        raise DomainError(_("The time in can be at most 2 hours ago; enter older visits from the paper sheet."))
    return time_in


def paper_day(*, day: datetime.date, today: datetime.date) -> datetime.date:
    """A paper gate sheet is typed in on its day or within the next three days."""
    if day > today:
        raise DomainError(_("A paper sheet cannot be for a day that has not come yet."))
    if (today - day).days > PAPER_DAYS:
        raise DomainError(_("A paper sheet is entered within 3 days; this one is older."))
    return day


def time_out(*, time_in: datetime.datetime, time_out: datetime.datetime | None, now: datetime.datetime):
    """The time out: after the time in, never in the future (None: still inside)."""
    if time_out is None:
        return None
    if time_out < time_in:
        raise DomainError(_("The time out must be after the time in."))
    if time_out > now + CLOCK_SLACK:
        raise DomainError(_("The time out cannot be in the future."))
    return time_out


def not_in_future(*, moment: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
    if moment > now + CLOCK_SLACK:
        raise DomainError(_("The time in cannot be in the future."))
    return moment


def early_leave_day(*, day: datetime.date, today: datetime.date) -> datetime.date:
    """An early leave is permitted for today or a coming day (within 30 days), never for the past."""
    if day < today:
        raise DomainError(_("An early leave cannot be permitted for a day that has passed."))
    if (day - today).days > 30:
        raise DomainError(_("An early leave can be permitted at most 30 days ahead."))
    return day
