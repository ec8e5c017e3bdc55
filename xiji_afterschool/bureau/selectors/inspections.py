"""Reads of special inspections (R35), scoped by the viewer: the list, one inspection with its checklist, findings
and rectifications, the console's counts, open findings, rectifications waiting for a school, and the checklist's
hints computed from the school's own records."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from funding.models import Disclosure, PayRun
from safety.models import Handover, VenueCheck
from schools.models import School, SchoolPlan, SchoolYear, Session, Timetable
from xiji_afterschool import permissions

from ..models import CheckItem, Finding, FindingPhoto, Inspection, Rectification


def inspection_list(*, viewer, school_year: SchoolYear | None = None, status: str = "") -> QuerySet[Inspection]:
    """Inspections the viewer may see (a school: its own, issued or announced), soonest first."""
    qs = permissions.scope(viewer, Inspection.objects.all()).select_related("school__township", "school_year")
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        finding_count=Count("findings", distinct=True),
        open_count=Count(
            "findings",
            filter=~Q(findings__rectification__status=Rectification.Status.ACCEPTED),
            distinct=True,
        ),
    ).prefetch_related("inspectors")


def inspection_detail(*, viewer) -> QuerySet[Inspection]:
    return permissions.scope(viewer, Inspection.objects.all()).select_related(
        "school__township", "school_year", "scheduled_by"
    )


def findings_of(*, viewer, inspection: Inspection) -> QuerySet[Finding]:
    """The inspection's findings the viewer may see (a school: only once issued), with photos and rectification."""
    return (
        permissions.scope(viewer, Finding.objects.filter(inspection=inspection))
        .select_related("check_item", "rectification", "recorded_by")
        .prefetch_related(Prefetch("photos", queryset=FindingPhoto.objects.order_by("pk")))
        .order_by("pk")
    )


def rectification_list(*, viewer) -> QuerySet[Rectification]:
    return permissions.scope(viewer, Rectification.objects.all()).select_related(
        "finding__inspection__school", "finding__check_item"
    )


def rectifications_waiting(*, viewer, school: School | None = None) -> QuerySet[Rectification]:
    """Rectifications waiting for a school's answer (open or reopened) of inspections not closed, by deadline."""
    qs = rectification_list(viewer=viewer).filter(
        status__in=Rectification.PENDING, finding__inspection__status__in=Inspection.ISSUED
    )
    qs = qs.exclude(finding__inspection__status=Inspection.Status.CLOSED)
    if school is not None:
        qs = qs.filter(finding__inspection__school=school)
    return qs.order_by("deadline", "pk")


def rectifications_to_verify(*, viewer) -> QuerySet[Rectification]:
    """Answers of schools waiting for an inspector's verdict."""
    return rectification_list(viewer=viewer).filter(status=Rectification.Status.RESPONDED).order_by("responded_at")


def open_findings(*, viewer, school_year: SchoolYear | None = None) -> QuerySet[Finding]:
    """Issued findings whose rectification is not accepted yet (for the console and the inspector's home)."""
    qs = (
        permissions.scope(viewer, Finding.objects.all())
        .filter(inspection__status__in=Inspection.ISSUED)
        .exclude(inspection__status=Inspection.Status.CLOSED)
        .exclude(rectification__status=Rectification.Status.ACCEPTED)
        .select_related("inspection__school", "check_item", "rectification")
    )
    if school_year is not None:
        qs = qs.filter(inspection__school_year=school_year)
    return qs.order_by("rectification__deadline", "pk")


def inspection_counts(*, viewer, school_year: SchoolYear, today: datetime.date | None = None) -> dict:
    """The console's figures for a school year: inspections scheduled (not started), open findings, overdue
    rectifications, closed inspections — each one a link to its rows."""
    today = today or timezone.localdate()
    inspections = permissions.scope(viewer, Inspection.objects.filter(school_year=school_year))
    by_status = dict(inspections.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {
        "scheduled": by_status.get(Inspection.Status.SCHEDULED, 0),
        "in_progress": by_status.get(Inspection.Status.IN_PROGRESS, 0),
        "open_findings": open_findings(viewer=viewer, school_year=school_year).count(),
        "overdue_rectifications": rectifications_waiting(viewer=viewer)
        .filter(finding__inspection__school_year=school_year, deadline__lt=today)
        .count(),
        "closed": by_status.get(Inspection.Status.CLOSED, 0),
    }


def upcoming(*, viewer, today: datetime.date | None = None, days: int = 14) -> QuerySet[Inspection]:
    """Inspections to do: in progress, or scheduled from today to `days` ahead (and any scheduled one now late)."""
    today = today or timezone.localdate()
    return (
        inspection_list(viewer=viewer)
        .filter(
            Q(status=Inspection.Status.IN_PROGRESS)
            | Q(status=Inspection.Status.SCHEDULED, planned_date__lte=today + datetime.timedelta(days=days))
        )
        .order_by("planned_date", "pk")
    )


def check_hints(inspection: Inspection) -> dict[str, tuple[bool, str]]:
    """What the school's own records say about the checklist items, for the inspector to verify on site: item ->
    (looks right, sentence). Cheap existence queries; shown to the inspectors only."""
    school, year = inspection.school, inspection.school_year
    span = (year.start_date, year.end_date)
    filed = SchoolPlan.objects.filter(school=school, school_year=year, status=SchoolPlan.Status.FILED).exists()
    timetable = Timetable.objects.filter(school=school, semester__school_year=year).exists()
    flagged = Session.objects.filter(service_class__school=school, date__range=span).exclude(flag="").count()
    handovers = Handover.objects.filter(student__admin_class__school=school, date__range=span).exists()
    checks = VenueCheck.objects.filter(venue__school=school, checked_at__date__range=span).exists()
    pay = PayRun.objects.filter(school=school, school_year=year, status=PayRun.Status.APPROVED).exists()
    disclosed = Disclosure.objects.filter(school=school, semester__school_year=year).exists()
    return {
        CheckItem.PLAN_FILED: (filed, _("The plan is filed.") if filed else _("No filed plan this school year.")),
        CheckItem.TIMETABLE_KEPT: (
            timetable,
            _("A timetable is on record; compare it with the day.") if timetable else _("No timetable on record."),
        ),
        # R37: no record of the system can hold a fee; what families paid is asked on site.
        CheckItem.NO_FEES: (True, _("The system records no fees; ask the families.")),
        CheckItem.NO_NEW_CONTENT: (
            not flagged,
            _("%(count)s session(s) flagged as possible new lessons.") % {"count": flagged}
            if flagged
            else _("No session flagged."),
        ),
        CheckItem.HANDOVER_RECORDS: (
            handovers,
            _("Hand-overs are recorded.") if handovers else _("No hand-over recorded this school year."),
        ),
        CheckItem.SAFETY_CHECKS: (
            checks,
            _("Venue checks are recorded.") if checks else _("No venue check recorded this school year."),
        ),
        CheckItem.PAY_BY_WORKLOAD: (
            pay,
            _("A pay run is approved.") if pay else _("No approved pay run this school year."),
        ),
        CheckItem.DISCLOSURE: (
            disclosed,
            _("A disclosure is published.") if disclosed else _("No disclosure published this school year."),
        ),
    }
