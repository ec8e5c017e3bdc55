"""Reads of the school reports (直报): windows, reports, the late and missing ones, what is overdue, and the figures a
report is pre-filled with — computed by the selectors the rest of the system shows (coverage, delivery, claims,
ledger), so a report says what the console says."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from enrollment.selectors import coverage as coverage_selectors
from funding.models import Claim
from funding.selectors import claims as claims_selectors
from funding.selectors import ledger as ledger_selectors
from schools.models import Attendance, Membership, Role, School, SchoolYear
from schools.rules import hours as hours_rules
from schools.selectors import delivery as delivery_selectors
from xiji_afterschool import permissions

from ..models import ReportFigure, ReportWindow, SchoolReport, SchoolReportEvent
from ..models.school_reports import FIGURES
from ..rules import school_reports as rules

CLAIMED = (Claim.Status.SUBMITTED, Claim.Status.PASSED, Claim.Status.APPROVED, Claim.Status.ALLOCATED)
APPROVED = (Claim.Status.APPROVED, Claim.Status.ALLOCATED)


# ---------------------------------------------------------------- the pre-filled figures


def schools_that_report() -> QuerySet[School]:
    """Every school of the county offers the service (the county's plan makes it required everywhere), so every
    school reports."""
    return School.objects.select_related("township").order_by("township__code", "code")


def computed_figures(*, viewer, school_year: SchoolYear, start: datetime.date, end: datetime.date, schools) -> dict:
    """{school pk: {figure: value}} for the period, as `viewer` (the bureau, who sees every school) reads them:

    students, applicants and served (placed) from enrollment's coverage for the year; service classes from delivery;
    planned and delivered class-hours within the period = delivery to `end` minus delivery to the day before
    `start`; after-school teachers and volunteers at the school; attendance = present marks ÷ all marks on counted
    sessions in the period; subsidy claimed (submitted or later), approved, and spent from the claims and the fund.
    A fixed number of queries whatever the number of schools.
    """
    ids = [s.pk for s in schools]
    out = {pk: dict.fromkeys(FIGURES) for pk in ids}

    coverage = coverage_selectors.county_coverage(viewer=viewer, school_year=school_year)
    for row in coverage["schools"]:
        if row["school"].pk in out:
            figures = out[row["school"].pk]
            figures.update(students=row["students"], applicants=row["applicants"], served=row["placed"])

    to_end = {
        r.school.pk: r for r in delivery_selectors.delivery_county(viewer=viewer, school_year=school_year, today=end)
    }
    before = {
        r.school.pk: r
        for r in delivery_selectors.delivery_county(
            viewer=viewer, school_year=school_year, today=start - datetime.timedelta(days=1)
        )
    }
    for pk, row in to_end.items():
        if pk in out:
            earlier = before.get(pk)
            out[pk]["service_classes"] = len(row.classes)
            out[pk]["planned_hours"] = row.planned - (earlier.planned if earlier else 0)
            out[pk]["delivered_hours"] = hours_rules.hours(row.delivered - (earlier.delivered if earlier else 0))

    staff = (
        Membership.objects.filter(school__in=ids, role__in=(Role.SERVICE_TEACHER, Role.VOLUNTEER))
        .order_by()
        .values("school", "role")
        .annotate(n=Count("user", distinct=True))
    )
    for row in staff:
        name = "teachers" if row["role"] == Role.SERVICE_TEACHER else "volunteers"
        out[row["school"]][name] = row["n"]
    for pk in ids:
        out[pk]["teachers"] = out[pk]["teachers"] or 0
        out[pk]["volunteers"] = out[pk]["volunteers"] or 0

    marks = (
        Attendance.objects.filter(
            session__service_class__school__in=ids,
            session__service_class__school_year=school_year,
            session__status__in=hours_rules.COUNTED,
            session__date__range=(start, end),
        )
        .order_by()
        .values(school=F("session__service_class__school"))
        .annotate(all=Count("pk"), present=Count("pk", filter=Q(mark=Attendance.Mark.PRESENT)))
    )
    for row in marks:
        out[row["school"]]["attendance_rate"] = rules.percent(row["present"], row["all"])

    claimed, approved = defaultdict(Decimal), defaultdict(Decimal)
    for claim in claims_selectors.claim_list(viewer=viewer, school_year=school_year).filter(school__in=ids):
        if claim.status in CLAIMED:
            claimed[claim.school_id] += claim.requested_amount
        if claim.status in APPROVED:
            approved[claim.school_id] += claim.approved_amount or Decimal(0)
    spent = {f.school_id: f.spent for f in ledger_selectors.fund_list(viewer=viewer, school_year=school_year)}
    for pk in ids:
        out[pk]["subsidy_claimed"] = claimed[pk]
        out[pk]["subsidy_approved"] = approved[pk]
        out[pk]["subsidy_spent"] = spent.get(pk, Decimal(0))

    return {pk: {name: rules.normalise(name, value) for name, value in figures.items()} for pk, figures in out.items()}


# ---------------------------------------------------------------- windows and reports


def window_list(*, viewer) -> QuerySet[ReportWindow]:
    qs = permissions.scope(viewer, ReportWindow.objects.all(), action="report_window.view")
    return qs.select_related("school_year", "opened_by").annotate(
        report_count=Count("reports"),
        filed_count=Count("reports", filter=Q(reports__status=SchoolReport.Status.FILED)),
        submitted_count=Count("reports", filter=~Q(reports__status=SchoolReport.Status.DRAFT)),
    )


def window_detail(*, viewer) -> QuerySet[ReportWindow]:
    return permissions.scope(viewer, ReportWindow.objects.all(), action="report_window.view").select_related(
        "school_year", "opened_by"
    )


def report_list(*, viewer, window: ReportWindow | None = None, township_id: int | None = None, status: str = ""):
    """Reports the viewer may see: the school admin their school's, a township its schools', the county every one."""
    qs = permissions.scope(viewer, SchoolReport.objects.all(), action="school_report.view")
    if window is not None:
        qs = qs.filter(window=window)
    if township_id:
        qs = qs.filter(school__township_id=township_id)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("school", "school__township", "window", "submitted_by", "filed_by").order_by(
        "-window__period_end", "school__township__code", "school__code", "pk"
    )


def report_detail(*, viewer) -> QuerySet[SchoolReport]:
    return report_list(viewer=viewer).prefetch_related(
        "figures", Prefetch("events", queryset=SchoolReportEvent.objects.select_related("actor"))
    )


def township_queue(*, viewer) -> QuerySet[SchoolReport]:
    """Submitted reports of village schools and teaching points waiting for the viewer's township review."""
    qs = permissions.scope(viewer, SchoolReport.objects.all(), action="school_report.township_review")
    return (
        qs.filter(status=SchoolReport.Status.SUBMITTED, school__school_type__in=School.DEPENDENT_TYPES)
        .select_related("school", "school__township", "window")
        .order_by("window__deadline", "school__code")
    )


def bureau_queue(*, viewer) -> QuerySet[SchoolReport]:
    """Reports ready for the bureau to file: central and other schools once submitted, village schools and
    teaching points once the township reviewed them."""
    qs = permissions.scope(viewer, SchoolReport.objects.all(), action="school_report.file")
    ready = Q(status=SchoolReport.Status.TOWNSHIP_REVIEWED) | (
        Q(status=SchoolReport.Status.SUBMITTED) & ~Q(school__school_type__in=School.DEPENDENT_TYPES)
    )
    return qs.filter(ready).select_related("school", "school__township", "window").order_by("window__deadline", "pk")


def window_overview(*, viewer, window: ReportWindow, township_id: int | None = None) -> dict:
    """Every report of the window the viewer sees, counts per status, the late ones (first submitted after the
    deadline) and the missing ones (not yet submitted once the deadline has passed; before it, still due)."""
    reports = list(report_list(viewer=viewer, window=window, township_id=township_id))
    today = timezone.localdate()
    counts = {status: 0 for status in SchoolReport.Status.values}
    for report in reports:
        counts[report.status] += 1
    missing = [r for r in reports if r.first_submitted_at is None]
    return {
        "reports": reports,
        "counts": [(SchoolReport.Status(s).label, n) for s, n in counts.items()],
        "late": [r for r in reports if r.is_late],
        "missing": missing if today > window.deadline else [],
        "due": missing if today <= window.deadline else [],
    }


def overdue_reports(*, viewer, today: datetime.date | None = None) -> QuerySet[SchoolReport]:
    """Reports of open windows past their deadline that were never submitted, as the viewer may see them (the
    console's "overdue" list)."""
    today = today or timezone.localdate()
    return report_list(viewer=viewer).filter(
        window__status=ReportWindow.Status.OPEN, window__deadline__lt=today, first_submitted_at__isnull=True
    )


def reports_to_remind(*, today: datetime.date) -> QuerySet[SchoolReport]:
    """For the reminder job (no viewer: the system): unsubmitted reports of open windows whose deadline is within
    REMIND_DAYS_BEFORE days or past."""
    return (
        SchoolReport.objects.filter(
            window__status=ReportWindow.Status.OPEN,
            first_submitted_at__isnull=True,
            window__deadline__lte=today + datetime.timedelta(days=rules.REMIND_DAYS_BEFORE),
        )
        .select_related("school", "window")
        .order_by("pk")
    )


def school_admins(*, school_ids) -> dict[int, list]:
    """{school pk: [its administrators]} in one query."""
    out = defaultdict(list)
    for m in Membership.objects.filter(school__in=list(school_ids), role=Role.SCHOOL_ADMIN).select_related("user"):
        out[m.school_id].append(m.user)
    return out


def figure_table(*, reports) -> list[dict]:
    """{school report: [ReportFigure…] in FIGURES order} rows for the window's table and the exports: one query."""
    figures = defaultdict(dict)
    for figure in ReportFigure.objects.filter(report__in=[r.pk for r in reports]).order_by():
        figures[figure.report_id][figure.name] = figure
    return [{"report": r, "figures": figures.get(r.pk, {})} for r in reports]
