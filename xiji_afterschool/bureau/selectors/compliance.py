"""Compliance flags at the county (issue #12): flagged sessions, where each one stands, and the console's counts.

A flagged session (schools.Session.flag, R12) is in one of four states, derived from the session and its review:
waiting for the school (not yet confirmed), waiting for the county (confirmed, not reviewed), accepted, violation.
"""

import datetime

from django.db.models import Case, CharField, Count, OuterRef, Q, QuerySet, Subquery, Value, When

from schools.models import School, SchoolYear, Session, SessionEvent, Township
from xiji_afterschool import permissions

from ..models import FlagReview, FlagState

State = FlagState

STATE_Q = {
    State.WAITING_SCHOOL: Q(status=Session.Status.NEEDS_CONFIRMATION),
    State.WAITING_COUNTY: Q(status=Session.Status.CONFIRMED, flag_review__isnull=True),
    State.ACCEPTED: Q(flag_review__outcome=FlagReview.Outcome.ACCEPTED),
    State.VIOLATION: Q(flag_review__outcome=FlagReview.Outcome.VIOLATION),
}


def flagged_sessions(*, viewer, action: str = "compliance.view") -> QuerySet[Session]:
    """Every flagged session the viewer may see for `action` (county readers: all; a township: its own)."""
    return permissions.scope(viewer, Session.objects.exclude(flag=""), action=action)


def flag_list(
    *,
    viewer,
    school_year: SchoolYear | None = None,
    township_id: int | None = None,
    school_id: int | None = None,
    state: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Session]:
    """The county's list: flagged sessions with their state, who confirmed them and when, and the county's review."""
    qs = flagged_sessions(viewer=viewer)
    if school_year is not None:
        qs = qs.filter(service_class__school_year=school_year)
    if township_id:
        qs = qs.filter(service_class__school__township_id=township_id)
    if school_id:
        qs = qs.filter(service_class__school_id=school_id)
    if state in STATE_Q:
        qs = qs.filter(STATE_Q[state])
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    confirmed = SessionEvent.objects.filter(session=OuterRef("pk"), action="confirm").order_by("-created_at")
    return (
        qs.annotate(
            confirmed_at=Subquery(confirmed.values("created_at")[:1]),
            state=Case(
                *(When(condition, then=Value(name)) for name, condition in STATE_Q.items()),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .select_related("service_class__school__township", "teacher", "confirmed_by", "flag_review__reviewed_by")
        .order_by("-date", "service_class__school__code", "start_time")
    )


def flag_detail(*, viewer, pk: int) -> Session:
    """One flagged session in the viewer's scope (Http404 outside it is the view's get_object_or_404)."""
    return flag_list(viewer=viewer).get(pk=pk)


def flag_counts(viewer, school_year: SchoolYear | None = None) -> dict[str, int]:
    """The console's numbers: {flagged, waiting_school, waiting_county, accepted, violations} in one query."""
    qs = flagged_sessions(viewer=viewer)
    if school_year is not None:
        qs = qs.filter(service_class__school_year=school_year)
    return qs.aggregate(
        flagged=Count("pk"),
        waiting_school=Count("pk", filter=STATE_Q[State.WAITING_SCHOOL]),
        waiting_county=Count("pk", filter=STATE_Q[State.WAITING_COUNTY]),
        accepted=Count("pk", filter=STATE_Q[State.ACCEPTED]),
        violations=Count("pk", filter=STATE_Q[State.VIOLATION]),
    )


def waiting_county_count() -> int:
    """For the system's daily digest (no viewer): flagged sessions the schools confirmed and the county has not
    reviewed yet, in the whole county."""
    return Session.objects.exclude(flag="").filter(STATE_Q[State.WAITING_COUNTY]).count()


def filter_schools(*, viewer) -> QuerySet[School]:
    """Schools the viewer may pick in the list's filter: those with a flagged session it may see."""
    return (
        School.objects.filter(pk__in=flagged_sessions(viewer=viewer).values("service_class__school"))
        .select_related("township")
        .order_by("township__name", "code")
    )


def filter_townships(*, viewer) -> QuerySet[Township]:
    """Townships the viewer may pick: those with a flagged session it may see."""
    return Township.objects.filter(
        pk__in=flagged_sessions(viewer=viewer).values("service_class__school__township")
    ).order_by("name")
