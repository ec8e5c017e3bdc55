"""Reads of hazards (R31), scoped to the viewer; the counts for the board and the county console."""

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from xiji_afterschool import permissions

from ..models import Hazard, HazardEvent, Rectification, RectificationPhoto
from ..rules.hazards import overdue_q


def hazard_list(*, viewer, status: str = "", school_id: int | None = None) -> QuerySet[Hazard]:
    """Hazards the viewer may see, closed ones last; for the county (bureau, inspector) escalated ones first; then
    the overdue, then those not yet assigned (no deadline), then by deadline, the newest first. Each row is annotated
    `is_overdue` (1 or 0)."""
    today = timezone.localdate()
    qs = permissions.scope(viewer, Hazard.objects.all(), action="hazard.view")
    if status:
        qs = qs.filter(status=status)
    if school_id:
        qs = qs.filter(school_id=school_id)
    county = permissions.roles(viewer) & {"bureau", "inspector"}
    qs = qs.annotate(
        closed_last=Case(
            When(status=Hazard.Status.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
        escalated_first=Case(
            When(Q(escalated_at__isnull=False) & ~Q(status=Hazard.Status.CLOSED), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        if county
        else Value(0, output_field=IntegerField()),
        is_overdue=Case(When(overdue_q(today), then=Value(1)), default=Value(0), output_field=IntegerField()),
    )
    return qs.select_related("school", "venue", "responsible").order_by(
        "closed_last", "escalated_first", "-is_overdue", F("deadline").asc(nulls_first=True), "-created_at", "-pk"
    )


def hazard_detail(*, viewer) -> QuerySet[Hazard]:
    return (
        hazard_list(viewer=viewer)
        .select_related("reported_by", "check_item__check_record")
        .prefetch_related(
            Prefetch("events", queryset=HazardEvent.objects.select_related("actor")),
            Prefetch(
                "rectifications",
                queryset=Rectification.objects.select_related("recorded_by").prefetch_related(
                    Prefetch("photos", queryset=RectificationPhoto.objects.order_by("pk"))
                ),
            ),
        )
    )


def open_hazards_count(*, school_ids) -> dict[int, int]:
    """{school id: hazards not yet closed} for the given schools (one grouped query). The caller has scoped the
    schools already (the board, the county console); schools without any are left out."""
    rows = (
        Hazard.objects.filter(school_id__in=list(school_ids), status__in=Hazard.ACTIVE)
        .values("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["school_id"]: row["n"] for row in rows}


def hazard_summary(*, viewer) -> dict[str, int]:
    """The viewer's hazards counted by status, plus `overdue`, `escalated` (still open) and `active` (one query)."""
    today = timezone.localdate()
    qs = permissions.scope(viewer, Hazard.objects.all(), action="hazard.view")
    counts = {status: Count("pk", filter=Q(status=status)) for status in Hazard.Status.values}
    counts["overdue"] = Count("pk", filter=overdue_q(today))
    counts["escalated"] = Count("pk", filter=Q(escalated_at__isnull=False, status__in=Hazard.ACTIVE))
    counts["active"] = Count("pk", filter=Q(status__in=Hazard.ACTIVE))
    return qs.aggregate(**counts)
