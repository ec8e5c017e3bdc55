"""Pure rules of who may take a child (R30, issue 11 §1): validity on a day, the grade for going home alone, how long
a permission to go home alone may last, dates a delegation may take, bus stops. No database, no request."""

import datetime

# 自行离校 only from grade 3 (about eight or nine years old). Younger children are handed to an adult: Xiji's winter
# evenings are dark by 18:00, many roads to the villages have no pavement, and a first or second grader cannot yet be
# expected to judge traffic on the way home alone. Kindergarten grades are below 1 and so below 3 as well.
MIN_GRADE_TO_GO_HOME_ALONE = 3

# A permission to go home alone lasts at most one semester (the family signs again each semester, when the route,
# the light and the timetable change). Without a known semester it lasts at most this many days.
WALK_HOME_MAX_DAYS_WITHOUT_SEMESTER = 183

# A one-off delegation is announced in advance, at most this many days ahead (a delegation is for a known day).
DELEGATION_MAX_DAYS_AHEAD = 60


def valid_on(day: datetime.date, valid_from: datetime.date, valid_until: datetime.date | None) -> bool:
    """True when `day` lies in [valid_from, valid_until] (an open end: from valid_from on)."""
    return valid_from <= day and (valid_until is None or day <= valid_until)


def ranges_overlap(a_from, a_until, b_from, b_until) -> bool:
    """Two validity ranges (None = open end) share at least one day."""
    return (a_until is None or b_from <= a_until) and (b_until is None or a_from <= b_until)


def may_go_home_alone(grade: int) -> bool:
    return grade >= MIN_GRADE_TO_GO_HOME_ALONE


def walk_home_latest_until(valid_from: datetime.date, semesters) -> datetime.date:
    """The last day a permission starting on `valid_from` may run to: the end of the semester it starts in (or of
    the next semester, when it starts in a holiday); without a known semester, WALK_HOME_MAX_DAYS_WITHOUT_SEMESTER.
    `semesters`: (first day, last day) pairs."""
    ordered = sorted(semesters)
    for start, end in ordered:
        if start <= valid_from <= end:
            return end
    for start, end in ordered:
        if valid_from < start:
            return end
    return valid_from + datetime.timedelta(days=WALK_HOME_MAX_DAYS_WITHOUT_SEMESTER)


def delegation_date_allowed(day: datetime.date, today: datetime.date) -> bool:
    """A delegation is for today or a later day, not more than DELEGATION_MAX_DAYS_AHEAD ahead."""
    return today <= day <= today + datetime.timedelta(days=DELEGATION_MAX_DAYS_AHEAD)


def delegation_cancellable(day: datetime.date, today: datetime.date) -> bool:
    """A delegation can be cancelled until its day ends (on the day itself too: the uncle may fall ill); a past one
    is history."""
    return day >= today


def stop_on_route(stop: str, stops: list[str]) -> bool:
    return stop.strip() in stops


def split_stops(raw: str) -> list[str]:
    """A route's stops as typed (commas, Chinese commas or new lines), trimmed, empty ones dropped, order kept."""
    for sep in ("，", "、", "\n", "\r"):
        raw = raw.replace(sep, ",")
    return [s.strip() for s in raw.split(",") if s.strip()]
