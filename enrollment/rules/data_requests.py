"""When a guardian's data request must be answered (issue #14, item 5): pure date arithmetic, no database.

The school answers within 15 working days of the day the request was sent (the day itself does not count). A working
day is Monday to Friday, except the county calendar's holidays (国庆节, 春节…); a make-up working day (调休) on a
Saturday or Sunday is a working day, as it is for the offices that answer. Exam days and other days without the
after-school service are still working days for the school's office, so they count.
"""

import datetime

from schools.models import CalendarDay

ANSWER_WITHIN_WORKING_DAYS = 15
# Far enough to hold 15 working days after the longest run of holidays (Spring Festival with its weekends).
LOOKAHEAD_DAYS = 60


def is_working_day(day: datetime.date, exceptions: dict) -> bool:
    """`exceptions` maps a date to its CalendarDay kind (the county calendar's exceptions to the week)."""
    kind = exceptions.get(day)
    if kind == CalendarDay.Kind.HOLIDAY:
        return False
    if kind == CalendarDay.Kind.MAKEUP_WORKDAY:
        return True
    return day.isoweekday() <= 5


def add_working_days(start: datetime.date, days: int, exceptions: dict) -> datetime.date:
    """The `days`-th working day after `start` (start itself not counted)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day, exceptions):
            counted += 1
    return day


def due_date(submitted: datetime.date, exceptions: dict) -> datetime.date:
    """The last day the school may answer a request sent on `submitted`."""
    return add_working_days(submitted, ANSWER_WITHIN_WORKING_DAYS, exceptions)


def is_overdue(today: datetime.date, due: datetime.date) -> bool:
    return today > due


def days_late(today: datetime.date, due: datetime.date) -> int:
    """Calendar days past the due date (0 while not overdue)."""
    return max((today - due).days, 0)


def remind_stage(today: datetime.date, due: datetime.date) -> str | None:
    """The reminder stage of an open request: "soon" 1 to 3 days before, "due" on the day, "overdue-N" in the N-th
    week after (told once each); None earlier."""
    left = (due - today).days
    if left < 0:
        return f"overdue-{(-left - 1) // 7}"
    if left == 0:
        return "due"
    if left <= 3:
        return "soon"
    return None
