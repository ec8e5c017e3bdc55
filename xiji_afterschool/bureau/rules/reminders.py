"""When a deadline reminds (issue #12, item 8): pure date arithmetic, no database.

A daily job asks, for each item still due, which reminder stage today is in. Each stage is told once (its stage
is part of the notification's dedupe key), so a job that runs twice, or misses a day, never tells twice and never
skips a stage for good:
- "week": 2 to 7 days before the deadline (told on the first of those days the job runs);
- "eve": the day before, or the day itself;
- "overdue-N": after the deadline, once a week (N = 0 the first week after, 1 the next…).
"""

import datetime

WEEK_BEFORE = 7
EVE_BEFORE = 1
# The county's rule for the annual claim (R23, "at the start of each school year"): SchoolYear has no claim
# deadline field, so the claim is due this many days after the first day of the first semester.
CLAIM_DUE_AFTER_SEMESTER_START = 30


def stage(today: datetime.date, due: datetime.date) -> str | None:
    """The reminder stage of an item due on `due`, as of `today`; None when it is too early to remind."""
    left = (due - today).days
    if left < 0:
        return f"overdue-{(-left - 1) // 7}"
    if left <= EVE_BEFORE:
        return "eve"
    if left <= WEEK_BEFORE:
        return "week"
    return None


def is_overdue(today: datetime.date, due: datetime.date) -> bool:
    return today > due


def claim_due(first_semester_start: datetime.date) -> datetime.date:
    """When a school's annual claim is due: 30 days after the first semester starts."""
    return first_semester_start + datetime.timedelta(days=CLAIM_DUE_AFTER_SEMESTER_START)
