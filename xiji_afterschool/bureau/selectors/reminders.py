"""Deadlines that remind (issue #12, item 8): what is still due, for the daily reminders and the console.

Each kind of deadline has one function `(school_year, today) -> list[DueItem]` listing every item still open in the
whole county, due or not yet due: plan filing, the annual claim, school reports not submitted, inspection
rectifications not answered. `DUE` lists them; `overdue_items(viewer)` reads every kind and keeps what is overdue and
in the viewer's scope.
"""

import datetime
from collections.abc import Callable
from typing import NamedTuple

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from enrollment.selectors import data_requests as data_requests_selectors
from funding.models import Claim
from schools.models import Membership, Role, School, SchoolPlan, SchoolYear, User
from xiji_afterschool import permissions

from ..models import Inspection, Rectification, ReportWindow, SchoolReport
from ..rules import reminders as rules


class DueItem(NamedTuple):
    kind: str  # "plan_filing", "annual_claim", or a hooked kind
    school: School
    due: datetime.date
    url: str  # where the console's reader sees the rows behind it
    action: str  # what the reader needs to open `url` (the page shows the link only then)


# A claim counts as made once it has been submitted (a draft, or one returned to the school, is still to do).
CLAIM_MADE = (Claim.Status.SUBMITTED, Claim.Status.PASSED, Claim.Status.APPROVED, Claim.Status.ALLOCATED)


def schools_without_filed_plan(school_year: SchoolYear) -> QuerySet[School]:
    filed = SchoolPlan.objects.filter(school_year=school_year, status=SchoolPlan.Status.FILED)
    return School.objects.exclude(pk__in=filed.values("school")).select_related("township").order_by("code")


def schools_without_annual_claim(school_year: SchoolYear) -> QuerySet[School]:
    """Schools with a filed plan for the year (a claim is priced from it) and no submitted annual claim."""
    filed = SchoolPlan.objects.filter(school_year=school_year, status=SchoolPlan.Status.FILED)
    made = Claim.objects.filter(school_year=school_year, kind=Claim.Kind.ANNUAL, status__in=CLAIM_MADE)
    return (
        School.objects.filter(pk__in=filed.values("school"))
        .exclude(pk__in=made.values("school"))
        .select_related("township")
        .order_by("code")
    )


def claim_due_date(school_year: SchoolYear) -> datetime.date:
    first = min((s.start_date for s in school_year.semesters.all()), default=school_year.start_date)
    return rules.claim_due(first)


def plan_items(school_year: SchoolYear, today: datetime.date) -> list[DueItem]:
    url = reverse("schools:plan-list")
    return [
        DueItem("plan_filing", s, school_year.plan_deadline, url, "plan.view")
        for s in schools_without_filed_plan(school_year)
    ]


def claim_items(school_year: SchoolYear, today: datetime.date) -> list[DueItem]:
    due = claim_due_date(school_year)
    url = reverse("funding:claim-list")
    return [DueItem("annual_claim", s, due, url, "claim.view") for s in schools_without_annual_claim(school_year)]


def report_items(school_year: SchoolYear, today: datetime.date) -> list[DueItem]:
    """School reports of open windows not yet submitted (a returned one counts as submitted once: it is late only
    if never sent)."""
    reports = SchoolReport.objects.filter(
        window__school_year=school_year, window__status=ReportWindow.Status.OPEN, first_submitted_at__isnull=True
    ).select_related("school__township", "window")
    return [
        DueItem("school_report", r.school, r.window.deadline, reverse("bureau:school-report-detail", args=[r.pk]),
                "school_report.view")
        for r in reports
    ]  # fmt: skip


def rectification_items(school_year: SchoolYear, today: datetime.date) -> list[DueItem]:
    """Rectifications of issued findings still waiting for the school's answer."""
    waiting = Rectification.objects.filter(
        finding__inspection__school_year=school_year,
        finding__inspection__status__in=Inspection.ISSUED,
        status__in=(Rectification.Status.OPEN, Rectification.Status.REOPENED),
    ).select_related("finding__inspection__school__township")
    return [
        DueItem("rectification", r.finding.inspection.school, r.deadline,
                reverse("bureau:inspection-detail", args=[r.finding.inspection_id]), "inspection.view")
        for r in waiting
    ]  # fmt: skip


def data_request_items(school_year: SchoolYear, today: datetime.date) -> list[DueItem]:
    """Families' requests about their data (issue #14, item 5) still waiting for the school's answer, whatever the
    school year: the 15 working days run across years."""
    url = reverse("enrollment:data-request-overdue")
    return [
        DueItem("data_request", r.school, r.due_date, url, "data_request.overdue")
        for r in data_requests_selectors.open_requests_all()
    ]


DUE: tuple[tuple[str, Callable[[SchoolYear, datetime.date], list[DueItem]]], ...] = (
    ("plan_filing", plan_items),
    ("annual_claim", claim_items),
    ("school_report", report_items),
    ("rectification", rectification_items),
    ("data_request", data_request_items),
)


def responsible_people(school: School) -> list[User]:
    """Who is reminded for a school: its administrators; a school without one (a teaching point) is its township
    coordinators' to look after (R16)."""
    admins = Membership.objects.filter(role=Role.SCHOOL_ADMIN, school=school).values("user")
    people = list(User.objects.filter(pk__in=admins, is_active=True).order_by("pk"))
    if not people:
        coordinators = Membership.objects.filter(role=Role.TOWNSHIP_COORDINATOR, township=school.township_id)
        people = list(User.objects.filter(pk__in=coordinators.values("user"), is_active=True).order_by("pk"))
    return people


def school_year_of(today: datetime.date) -> SchoolYear | None:
    """The school year containing `today` (None between years: nothing is due then)."""
    years = SchoolYear.objects.filter(start_date__lte=today, end_date__gte=today).prefetch_related("semesters")
    return years.order_by("-start_date").first()


def overdue_items(viewer, today: datetime.date | None = None) -> list[DueItem]:
    """For the console: every overdue item of the school year containing today, at a school the viewer sees, the
    oldest deadline first."""
    today = today or timezone.localdate()
    school_year = school_year_of(today)
    if school_year is None or not permissions.can(viewer, "overdue.view"):
        return []
    visible = set(permissions.scope(viewer, School.objects.all(), action="overdue.view").values_list("pk", flat=True))
    items = [
        item
        for _name, find in DUE
        for item in find(school_year, today)
        if rules.is_overdue(today, item.due) and item.school.pk in visible
    ]
    return sorted(items, key=lambda i: (i.due, i.kind, i.school.code))
