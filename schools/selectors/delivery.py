"""Reads of delivery against plan (issue 5, item 5): planned vs delivered class-hours per class and school, and
the weeks behind the service mode, scoped to the viewer."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Min, Q, QuerySet, Sum

from xiji_afterschool import permissions

from ..models import (
    CountySettings,
    School,
    SchoolYear,
    ServiceClass,
    ServiceMode,
    Session,
    Stage,
)
from ..rules import calendar as calendar_rules
from ..rules import delivery as rules
from ..rules import hours as hours_rules


def _service_days(stage: str, semesters, exceptions) -> list[datetime.date]:
    return calendar_rules.service_days(semesters=semesters, mode=ServiceMode.for_stage(stage), exceptions=exceptions)


def planned_class_hours_to_date(school_year: SchoolYear, stage: str, today: datetime.date) -> int:
    """Planned class-hours of one service class of `stage` from the first semester's start up to and including
    `today`: the stage's service days in the year's semesters (weekdays of the mode and make-up days, minus the
    calendar's days without service), × the county's class-hours per day."""
    semesters = list(school_year.semesters.all())
    days = _service_days(stage, semesters, calendar_rules.calendar_exceptions(school_year))
    return sum(1 for day in days if day <= today) * CountySettings.current().class_hours_per_day


@dataclass
class ClassDelivery:
    service_class: ServiceClass
    stage: str
    planned: int
    delivered: Decimal

    @property
    def share(self) -> Decimal | None:
        return rules.share(self.delivered, self.planned)

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def idle(self) -> bool:
        """Planned hours to date and not one delivered."""
        return self.planned > 0 and not self.delivered


@dataclass
class SchoolDelivery:
    school: School
    classes: list[ClassDelivery]
    behind_weeks: list[dict]  # {"start", "end", "stage", "stage_label", "expected", "served"}

    @cached_property  # read by the sort and the template: summed once
    def planned(self) -> int:
        return sum(c.planned for c in self.classes)

    @cached_property  # read by the sort and the template: summed once
    def delivered(self) -> Decimal:
        return hours_rules.hours(sum((c.delivered for c in self.classes), hours_rules.ZERO))

    @cached_property  # read by the sort and the template: summed once
    def share(self) -> Decimal | None:
        return rules.share(self.delivered, self.planned)

    @property
    def behind(self) -> bool:
        return bool(self.behind_weeks)

    @property
    def behind_week_count(self) -> int:
        """Distinct weeks in which some class served fewer days than its mode asks."""
        return len({w["start"] for w in self.behind_weeks})

    @cached_property  # read by the sort and the template: summed once
    def idle_classes(self) -> list[ClassDelivery]:
        return [c for c in self.classes if c.idle]


def _deliveries(
    schools: list[School], school_year: SchoolYear, today: datetime.date, *, with_teacher: bool = False
) -> list[SchoolDelivery]:
    """Planned vs delivered per service class and school, and the weeks behind the mode: six queries in all.

    Made for the county's ~1,700 classes and a year of sessions: each class's stage comes from one Min() over its
    administrative classes (no prefetch), the sessions are read within the school year's dates (the session's
    date index, not every year ever recorded), and the 4-week check compares each class's served days with the
    stage's weeks computed once."""
    semesters = list(school_year.semesters.all())
    exceptions = calendar_rules.calendar_exceptions(school_year)
    per_day = CountySettings.current().class_hours_per_day
    days_of = {stage: _service_days(stage, semesters, exceptions) for stage in Stage.values}
    planned_of = {stage: sum(1 for d in days if d <= today) * per_day for stage, days in days_of.items()}
    weeks = rules.complete_weeks(today)

    by_pk = {s.pk: s for s in schools}
    classes = (
        ServiceClass.objects.filter(school__in=list(by_pk), school_year=school_year)
        .annotate(youngest_grade=Min("admin_classes__grade"))
        .order_by("school", "name")
    )
    # The school page names each class's teacher; the county table only counts classes.
    classes = classes.select_related("teacher") if with_teacher else classes.only("school_id", "name")
    expectations = {stage: rules.week_expectations(stage, weeks, set(days)) for stage, days in days_of.items()}
    # The weeks' service days of every stage, each distinct set counted once: a class's served days in a week are
    # the distinct dates of its counted sessions among them, counted by the query (no row per class and day).
    day_sets = sorted({frozenset(week) for exp in expectations.values() for _m, week, expected in exp if expected},
                      key=sorted)  # fmt: skip
    key_of = {days: f"served_{k}" for k, days in enumerate(day_sets)}
    # A session lies within its class's school year (the session service refuses others): bounding the dates lets
    # the date index pick this year's sessions out of every year's.
    sessions = Session.objects.filter(
        service_class__school__in=list(by_pk),
        service_class__school_year=school_year,
        status__in=hours_rules.COUNTED,
        date__gte=school_year.start_date,
    )
    delivered = {
        row["service_class_id"]: hours_rules.hours(row["h"])
        for row in sessions.filter(date__lte=today).values("service_class_id").annotate(h=Sum("class_hours")).order_by()
    }
    # Each class's served days in the weeks checked, counted by the query within them (no row per class and day).
    window = (weeks[0], weeks[-1] + datetime.timedelta(days=6)) if weeks else (today, today)
    served_counts = {
        row.pop("service_class_id"): row
        for row in sessions.filter(date__range=window)
        .values("service_class_id")
        .annotate(
            **{key: Count("date", distinct=True, filter=Q(date__in=sorted(days))) for days, key in key_of.items()}
        )
        .order_by()
    }

    rows = {pk: SchoolDelivery(school=school, classes=[], behind_weeks=[]) for pk, school in by_pk.items()}
    for service_class in classes:
        school = by_pk[service_class.school_id]
        service_class.school = school  # no query per class for the school
        stage = rules.stage_of_youngest(service_class.youngest_grade, school)
        figures = served_counts.get(service_class.pk, {})
        rows[service_class.school_id].classes.append(
            ClassDelivery(
                service_class=service_class,
                stage=stage,
                planned=planned_of[stage],
                delivered=delivered.get(service_class.pk, hours_rules.ZERO),
            )
        )
        # Each class keeps the mode, not the school as a whole: one class serving every day does not cover three
        # that served none.
        served = [
            figures.get(key_of[frozenset(week)], 0) if expected else 0 for _m, week, expected in expectations[stage]
        ]
        for week in rules.weeks_behind_counted(stage, expectations[stage], served):
            rows[service_class.school_id].behind_weeks.append({**week, "service_class": service_class})
    for row in rows.values():
        # A school with no class is behind in every week its first stage should have served.
        if not row.classes:
            stage = row.school.stages[0]
            row.behind_weeks += rules.weeks_behind(stage, weeks, set(), set(), expectations=expectations[stage])
        row.behind_weeks.sort(key=lambda w: (w["start"], w["stage"], str(w.get("service_class", ""))))
    return [rows[s.pk] for s in schools]


def year_weeks(*, school: School, school_year: SchoolYear) -> dict:
    """The weeks of service the calendar gives the school's (first) stage this year, and the plan's target."""
    stage = school.stages[0]
    days = _service_days(stage, list(school_year.semesters.all()), calendar_rules.calendar_exceptions(school_year))
    return {"weeks": rules.service_weeks(days), "target": ServiceMode.for_stage(stage).weeks}


def delivery_school(*, school: School, school_year: SchoolYear, today: datetime.date) -> SchoolDelivery:
    """One school's service classes of the year, planned vs delivered to date, and its weeks behind the mode.
    The caller fetched the school through the viewer's scope and checked "delivery.view" on it."""
    return _deliveries([school], school_year, today, with_teacher=True)[0]


def delivery_schools(*, viewer) -> QuerySet[School]:
    """Schools whose delivery the viewer may read, through the memberships allowed "delivery.view" only
    (so a school admin who is also a parent elsewhere sees only their own school here)."""
    return permissions.scope(viewer, School.objects.all(), action="delivery.view")


def delivery_county(*, viewer, school_year: SchoolYear, today: datetime.date) -> list[SchoolDelivery]:
    """Every school the viewer may read, planned vs delivered to date and the behind-mode flag, least delivered
    first (schools with nothing planned or no classes first); a fixed number of queries whatever the number of
    schools."""
    schools = list(delivery_schools(viewer=viewer).select_related("township").order_by("township__code", "code"))
    rows = _deliveries(schools, school_year, today)
    return sorted(rows, key=lambda r: (r.share is not None, r.share or 0, not r.behind))
