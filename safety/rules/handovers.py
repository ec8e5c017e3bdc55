"""Pure rules of the hand-over (R30, issue 11 §2, §9): dismissal order, the grade from which a child may go home
alone, what a guardian's code is, what a drawn signature may hold, and how long a correction or a paper sheet may
wait. No database, no request."""

import datetime
import re

# 自行离校: from grade 3 (about nine years old) with the guardian's signed permission; younger children are always
# collected. The county may lower or raise it here, in one place.
WALK_HOME_MIN_GRADE = 3

# A paper sheet filled when the phones failed is entered within three days (§9); later it goes to the school's file.
PAPER_ENTRY_DAYS = 3

# A signature is an SVG path ("M10 20L11 21…"), drawn on a small canvas: only path letters, numbers and separators,
# and at most this many characters (about two seconds of drawing; enough for a name, small enough for a slow link).
SIGNATURE_MAX_CHARS = 8000
_SIGNATURE = re.compile(r"^[MLml0-9 .,\-]+$")

# Dismissal groups (进出有统一组织): children collected at the gate go first, by grade and class, because their
# adults are waiting outside in the cold; bus riders next, walked to the bus together at its departure; boarders
# last, since the dormitory teacher takes them as one group once the gate is clear.
GROUP_COLLECTED, GROUP_BUS, GROUP_DORMITORY = 0, 1, 2


def dismissal_key(*, group: int, grade: int, class_number: int, route: str, name: str) -> tuple:
    """Sort key of one child on the dismissal page and the paper sheet."""
    if group == GROUP_BUS:
        return (group, route, grade, class_number, name)
    return (group, "", grade, class_number, name)


def guardian_code(mobile: str) -> str:
    """The code a roster guardian or a one-day delegate says at the gate: the last four digits of their mobile."""
    return (mobile or "")[-4:]


def code_matches(expected: str, given: str) -> bool:
    given = (given or "").strip()
    return bool(expected) and len(given) == len(expected) and given == expected


def clean_signature(path: str) -> str:
    """The signature's path data if acceptable, else "" (empty, too long, or anything but path data)."""
    path = " ".join((path or "").split())
    if not path or len(path) > SIGNATURE_MAX_CHARS or not _SIGNATURE.match(path) or not path.startswith("M"):
        return ""
    return path


def may_walk_home(*, grade: int, leave_by: datetime.time | None, at: datetime.time) -> bool:
    """Old enough, and (if the permission says so) not later than the time it allows."""
    return grade >= WALK_HOME_MIN_GRADE and (leave_by is None or at <= leave_by)


def paper_entry_open(*, day: datetime.date, today: datetime.date) -> bool:
    return day <= today <= day + datetime.timedelta(days=PAPER_ENTRY_DAYS)


def correction_open(*, day: datetime.date, today: datetime.date) -> bool:
    return day == today
