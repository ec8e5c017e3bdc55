"""Reads of the console (R3, R34): the summary tables, scoped by the viewer, summed to township and county.

Every function reads `SchoolFigures`, `ClassFigures` and `WeekFigures` only — a fixed, small number of queries
whatever the number of sessions, roll marks or applications behind them (bench/console.py measures it). A period
(one semester) narrows the numbers that happen in weeks (hours, sessions, attendance, late pick-ups, incidents);
the others are the school year's as of the last computation.
"""

import datetime
from decimal import Decimal

from django.db.models import QuerySet, Sum

from enrollment.selectors import coverage as coverage_selectors
from schools.models import School, SchoolYear, ServiceClass, Township
from xiji_afterschool import permissions

from ..models import ClassFigures, ConsoleRefresh, SchoolFigures, WeekFigures
from ..rules import console as rules

ACTION = "console.view"
YEAR = "year"
WEEK_SUMS = {
    "planned_hours": Sum("planned_hours"),
    "delivered_hours": Sum("delivered_hours"),
    "sessions": Sum("sessions"),
    "present_marks": Sum("present_marks"),
    "roll_marks": Sum("roll_marks"),
    "late_pickups": Sum("late_pickups"),
    "incidents": Sum("incidents"),
}
FIELDS = [f.name for f in SchoolFigures._meta.concrete_fields if f.name not in ("id", "school_year", "school")]


def periods(school_year: SchoolYear) -> list[tuple[str, str, datetime.date | None, datetime.date | None]]:
    """(value, label, first day, last day) of the periods a page may show: the year, then each semester."""
    from django.utils.translation import gettext as _

    out = [(YEAR, _("The whole school year"), None, None)]
    for semester in school_year.semesters.order_by("number"):
        label = _("Autumn semester") if semester.number == 1 else _("Spring semester")
        out.append((str(semester.number), label, semester.start_date, semester.end_date))
    return out


def period_range(school_year: SchoolYear, period: str):
    """(first day, last day) of a period, or None for the year (or an unknown value)."""
    for value, _label, start, end in periods(school_year):
        if value == period and start:
            return start, end
    return None


def school_years() -> QuerySet[SchoolYear]:
    """Every school year, newest first (the console's year choice; the calendar itself is not secret)."""
    return SchoolYear.objects.order_by("-start_date")


def figures(*, viewer, school_year: SchoolYear) -> QuerySet[SchoolFigures]:
    """The school figures of the year the viewer may read through "console.view"."""
    return permissions.scope(viewer, SchoolFigures.objects.filter(school_year=school_year), action=ACTION)


def school_level_only(*, viewer) -> bool:
    """The viewer reads the console only as a school (no township or county role that reads it)."""
    return all(m.school_id for m in permissions.memberships_for(viewer, ACTION))


def visible_schools(*, viewer) -> QuerySet[School]:
    return permissions.scope(viewer, School.objects.all(), action=ACTION)


def visible_townships(*, viewer) -> QuerySet[Township]:
    return Township.objects.filter(pk__in=visible_schools(viewer=viewer).values("township")).order_by("code")


def visible_classes(*, viewer) -> QuerySet[ServiceClass]:
    return ServiceClass.objects.filter(school__in=visible_schools(viewer=viewer))


def last_refresh(*, school_year: SchoolYear) -> dict:
    """When the numbers were last computed for the whole county, and a later attempt that failed (if any)."""
    done = ConsoleRefresh.objects.filter(school_year=school_year, status=ConsoleRefresh.Status.DONE).first()
    failed = ConsoleRefresh.objects.filter(school_year=school_year, status=ConsoleRefresh.Status.FAILED)
    if done:
        failed = failed.filter(started_at__gt=done.started_at)
    return {"done": done, "failed": failed.first()}


def _rows(qs: QuerySet[SchoolFigures], school_year: SchoolYear, span) -> list[dict]:
    """Each school's figures as a dict (with its school and township), narrowed to the period's weeks."""
    rows = list(qs.select_related("school__township").order_by("school__township__code", "school__code"))
    out = []
    for figure in rows:
        row = {name: getattr(figure, name) for name in FIELDS}
        row.update(school=figure.school, township=figure.school.township)
        out.append(row)
    if span:
        weekly = {
            r.pop("school"): r
            for r in WeekFigures.objects.filter(
                school_year=school_year,
                service_class__isnull=True,
                school__in=[r["school"].pk for r in out],
                week__gte=rules.monday(span[0]),
                week__lte=span[1],
            )
            .order_by()
            .values("school")
            .annotate(**WEEK_SUMS)
        }
        for row in out:
            got = weekly.get(row["school"].pk, {})
            for name in rules.WEEKLY:
                row[name] = got.get(name) or (Decimal("0.0") if name == "delivered_hours" else 0)
    for row in out:
        rules.with_rates(row)
        row["attention"] = rules.needs_attention(row)
    return out


def _weeks(qs: QuerySet[WeekFigures], span) -> list[dict]:
    """Planned and delivered class-hours per week (summed over the rows of qs), oldest first."""
    if span:
        qs = qs.filter(week__gte=rules.monday(span[0]), week__lte=span[1])
    return list(qs.order_by("week").values("week").annotate(**WEEK_SUMS))


def _groups() -> list[tuple[str, str]]:
    return list(coverage_selectors.PRIORITY_GROUPS.items())


def county(*, viewer, school_year: SchoolYear, period: str = YEAR) -> dict:
    """The county (or, for a township coordinator, their township): totals, each township, the weekly series and
    the schools that need attention. Four queries."""
    return _county(figures(viewer=viewer, school_year=school_year), school_year, period)


def county_for_system(*, school_year: SchoolYear, period: str = YEAR, township: Township | None = None) -> dict:
    """The same, unscoped, for `county_report` (the statistics system runs on the server as the county)."""
    qs = SchoolFigures.objects.filter(school_year=school_year)
    if township is not None:
        qs = qs.filter(school__township=township)
    return _county(qs, school_year, period)


def _county(qs: QuerySet[SchoolFigures], school_year: SchoolYear, period: str) -> dict:
    span = period_range(school_year, period)
    rows = _rows(qs, school_year, span)
    groups = dict(coverage_selectors.PRIORITY_GROUPS)
    by_township = {}
    for row in rows:
        by_township.setdefault(row["township"].pk, (row["township"], []))[1].append(row)
    townships = [{"township": township, **rules.total(members, groups)} for township, members in by_township.values()]
    weeks = _weeks(
        WeekFigures.objects.filter(
            school_year=school_year, service_class__isnull=True, school__in=[r["school"].pk for r in rows]
        ),
        span,
    )
    return {
        "total": rules.total(rows, groups),
        "townships": townships,
        "schools": rows,
        "weeks": weeks,
        "attention": [r for r in rows if r["attention"]],
        "groups": _groups(),
    }


def township(*, viewer, school_year: SchoolYear, township: Township, period: str = YEAR) -> dict:
    """One township: totals and each of its schools."""
    span = period_range(school_year, period)
    rows = _rows(figures(viewer=viewer, school_year=school_year).filter(school__township=township), school_year, span)
    weeks = _weeks(
        WeekFigures.objects.filter(
            school_year=school_year, service_class__isnull=True, school__in=[r["school"].pk for r in rows]
        ),
        span,
    )
    return {
        "total": rules.total(rows, dict(coverage_selectors.PRIORITY_GROUPS)),
        "schools": rows,
        "weeks": weeks,
        "groups": _groups(),
    }


def school(*, viewer, school_year: SchoolYear, school: School, period: str = YEAR) -> dict | None:
    """One school: its figures, its classes and its weeks; None when nothing was computed for it yet."""
    span = period_range(school_year, period)
    rows = _rows(figures(viewer=viewer, school_year=school_year).filter(school=school), school_year, span)
    if not rows:
        return None
    classes = list(
        ClassFigures.objects.filter(school_year=school_year, school=school)
        .select_related("service_class__teacher")
        .order_by("service_class__name")
    )
    if span:
        weekly = {
            r.pop("service_class"): r
            for r in WeekFigures.objects.filter(
                school_year=school_year,
                school=school,
                service_class__isnull=False,
                week__gte=rules.monday(span[0]),
                week__lte=span[1],
            )
            .order_by()
            .values("service_class")
            .annotate(**WEEK_SUMS)
        }
        for figure in classes:
            got = weekly.get(figure.service_class_id, {})
            for name in ("planned_hours", "delivered_hours", "sessions", "present_marks", "roll_marks"):
                setattr(figure, name, got.get(name) or 0)
    for figure in classes:
        figure.delivery = rules.percent(figure.delivered_hours, figure.planned_hours)
        figure.attendance = rules.percent(figure.present_marks, figure.roll_marks)
        figure.idle = not figure.sessions and figure.planned_hours > 0
    weeks = _weeks(WeekFigures.objects.filter(school_year=school_year, school=school, service_class__isnull=True), span)
    return {"row": rows[0], "classes": classes, "weeks": weeks, "groups": _groups()}


def service_class(*, viewer, school_year: SchoolYear, service_class: ServiceClass, period: str = YEAR) -> dict | None:
    """One service class: its figures and weeks; None when nothing was computed for it yet."""
    span = period_range(school_year, period)
    if not figures(viewer=viewer, school_year=school_year).filter(school=service_class.school_id).exists():
        return None
    figure = ClassFigures.objects.filter(school_year=school_year, service_class=service_class).first()
    if figure is None:
        return None
    weeks = _weeks(WeekFigures.objects.filter(school_year=school_year, service_class=service_class), span)
    if span:
        for name in ("planned_hours", "delivered_hours", "sessions", "present_marks", "roll_marks"):
            setattr(figure, name, sum((w[name] or 0 for w in weeks), 0))
    figure.delivery = rules.percent(figure.delivered_hours, figure.planned_hours)
    figure.attendance = rules.percent(figure.present_marks, figure.roll_marks)
    return {"figure": figure, "weeks": weeks}
