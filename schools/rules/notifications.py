"""Pure rules of notifications: quiet hours, the retry backoff of text messages, the default choices.

No database and no request: unit-tested directly (tests/schools/test_notifications.py)."""

import datetime

# Text messages: at most this many attempts; the wait before attempt n+1 is 60 s × 2^(n-1): 60, 120, 240, 480 s.
MAX_ATTEMPTS = 5
FIRST_RETRY_SECONDS = 60
# A queued text whose task is lost (a worker died, the broker restarted) is queued again after this long.
STUCK_AFTER = datetime.timedelta(minutes=10)
# While one worker talks to the provider, the text is leased to it for this long: a second task does nothing.
SENDING_LEASE = datetime.timedelta(minutes=2)

# Quiet hours for someone who never chose: 21:30 to 07:00 (the night; urgent kinds are sent anyway).
DEFAULT_QUIET_FROM = datetime.time(21, 30)
DEFAULT_QUIET_UNTIL = datetime.time(7, 0)


def retry_countdown(attempts: int) -> int | None:
    """Seconds to wait after `attempts` failed attempts, or None when no attempt is left (then it has failed)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return FIRST_RETRY_SECONDS * 2 ** (attempts - 1)


def in_quiet_hours(moment: datetime.time, quiet_from: datetime.time | None, quiet_until: datetime.time | None) -> bool:
    """Whether a local time falls in the quiet hours [from, until); a span over midnight (21:30–07:00) wraps."""
    if quiet_from is None or quiet_until is None or quiet_from == quiet_until:
        return False
    if quiet_from < quiet_until:
        return quiet_from <= moment < quiet_until
    return moment >= quiet_from or moment < quiet_until


def quiet_hours_end(
    moment: datetime.datetime, quiet_from: datetime.time | None, quiet_until: datetime.time | None
) -> datetime.datetime | None:
    """When the quiet hours `moment` (an aware local datetime) falls in end; None when it is not in them."""
    if not in_quiet_hours(moment.timetz().replace(tzinfo=None), quiet_from, quiet_until):
        return None
    end = moment.replace(hour=quiet_until.hour, minute=quiet_until.minute, second=0, microsecond=0)
    if end <= moment:
        end += datetime.timedelta(days=1)
    return end


# Which kinds also come as a text message for someone who never chose (decided for issue 11 §4):
# - a parent / guardian: what concerns the child's safety that day — handed over, late pick-up, absent, incident;
# - staff (every other role): a late pick-up they must act on, and safety work (hazards due or escalated, duty).
# Applications and agreements reach the inbox only unless the person chooses them on the settings page.
PARENT_TEXT_KINDS = ("handed_over", "late_pickup", "absent", "incident")
STAFF_TEXT_KINDS = ("late_pickup", "safety")


def default_text_kinds(roles: set[str]) -> set[str]:
    """The default text-message kinds for a person holding `roles` (a parent who is also a teacher: both sets)."""
    kinds = set()
    if "parent" in roles:
        kinds.update(PARENT_TEXT_KINDS)
    if roles - {"parent"}:
        kinds.update(STAFF_TEXT_KINDS)
    return kinds
