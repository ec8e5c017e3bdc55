"""Feedback's pure rules (R33, R37): who answers it, its answer deadline in working days, its tracking code."""

import datetime
import secrets

# The answer is due within this many working days of receipt (Mon–Fri, minus the county's holidays).
ANSWER_WORKING_DAYS = 5
# Anonymous (and signed-in) senders may post at most this many in THROTTLE_SECONDS from one address / account.
THROTTLE_LIMIT = 5
THROTTLE_SECONDS = 3600
# Tracking codes: 12 characters without look-alikes (no 0/O, 1/I/L): about 58 bits, not guessable.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12

BUREAU = "bureau"
SCHOOL = "school"


def handler_for(*, kind: str, has_school: bool) -> str:
    """Routing: a fee complaint, or anything not about one school, goes to the bureau; the rest to the school."""
    if kind == "fee_complaint" or not has_school:
        return BUREAU
    return SCHOOL


def answer_deadline(received: datetime.date, *, holidays: frozenset = frozenset(), workdays: frozenset = frozenset()):
    """The day the answer is due: ANSWER_WORKING_DAYS working days after `received` (the day itself not counted).

    A working day is Monday–Friday not in `holidays`, or any day in `workdays` (a make-up working day, 调休)."""
    day, left = received, ANSWER_WORKING_DAYS
    while left:
        day += datetime.timedelta(days=1)
        if day in workdays or (day.weekday() < 5 and day not in holidays):
            left -= 1
    return day


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """What a sender types back: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())
