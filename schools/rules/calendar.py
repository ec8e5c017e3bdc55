"""Calendar arithmetic: planned service days and class-hours come from the calendar, never from assumptions."""

import datetime
from collections.abc import Iterable

from ..models import CalendarDay, CountySettings, SchoolYear, Semester, ServiceMode, Stage

NO_SERVICE_KINDS = {CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.EXAM, CalendarDay.Kind.NO_SERVICE}


def _days(start: datetime.date, end: datetime.date) -> Iterable[datetime.date]:
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


def service_days(*, semesters: Iterable[Semester], mode: ServiceMode, exceptions: dict) -> list[datetime.date]:
    """Days served in the semesters: the mode's weekdays and make-up working days (调休), minus days without service.

    `exceptions` maps a date to its CalendarDay kind.
    """
    served = []
    for semester in semesters:
        for day in _days(semester.start_date, semester.end_date):
            kind = exceptions.get(day)
            if kind in NO_SERVICE_KINDS:
                continue
            if day.isoweekday() in mode.weekdays or kind == CalendarDay.Kind.MAKEUP_WORKDAY:
                served.append(day)
    return served


def calendar_exceptions(school_year: SchoolYear) -> dict:
    return dict(school_year.calendar_days.values_list("date", "kind"))


def planned_days(school_year: SchoolYear, stage: str, *, semester: Semester | None = None) -> int:
    """Planned service days of a stage in a school year (or one of its semesters)."""
    semesters = [semester] if semester else list(school_year.semesters.all())
    mode = ServiceMode.for_stage(stage)
    return len(service_days(semesters=semesters, mode=mode, exceptions=calendar_exceptions(school_year)))


def planned_class_hours(school_year: SchoolYear, stage: str, *, semester: Semester | None = None) -> int:
    """Planned class-hours for one service class: service days × the county's class-hours per day."""
    return planned_days(school_year, stage, semester=semester) * CountySettings.current().class_hours_per_day


def year_summary(school_year: SchoolYear) -> list[dict]:
    """Per stage: mode, planned days and class-hours per semester and in total (for the calendar page and plans)."""
    exceptions = calendar_exceptions(school_year)
    hours_per_day = CountySettings.current().class_hours_per_day
    semesters = list(school_year.semesters.all())
    rows = []
    for stage in Stage:
        mode = ServiceMode.for_stage(stage)
        per_semester = [len(service_days(semesters=[s], mode=mode, exceptions=exceptions)) for s in semesters]
        rows.append(
            {
                "stage": stage,
                "mode": mode,
                "days_per_semester": per_semester,
                "days": sum(per_semester),
                "class_hours": sum(per_semester) * hours_per_day,
                "weeks_equivalent": round(sum(per_semester) / len(mode.weekdays), 1),
            }
        )
    return rows
