"""Reads of the claims (R23), always scoped to the viewer."""

from django.db.models import Prefetch, QuerySet

from schools.models import School, SchoolPlan, SchoolYear, ServiceClass
from schools.rules import delivery as delivery_rules
from xiji_afterschool import permissions

from ..models import Claim, ClaimEvent


def claim_list(
    *, viewer, school_year: SchoolYear | None = None, status: str = "", township_id: int | None = None
) -> QuerySet[Claim]:
    """Claims the viewer may see: a school admin their school's, the county's departments every school's."""
    qs = permissions.scope(viewer, Claim.objects.all(), action="claim.view")
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    if status:
        qs = qs.filter(status=status)
    if township_id:
        qs = qs.filter(school__township_id=township_id)
    return qs.select_related("school", "school__township", "school_year", "supplements").order_by(
        "-school_year__start_date", "school__township__code", "school__code", "created_at", "pk"
    )


def claim_detail(*, viewer) -> QuerySet[Claim]:
    """The claims the viewer may open, with their lines, history and the people who acted (for get_object_or_404)."""
    return (
        claim_list(viewer=viewer)
        .select_related("created_by", "submitted_by", "first_reviewed_by", "approved_by", "allocated_by")
        .prefetch_related(
            "lines",
            Prefetch("events", queryset=ClaimEvent.objects.select_related("actor")),
            Prefetch("supplementary_claims", queryset=Claim.objects.order_by("created_at", "pk")),
        )
    )


def claim_queue(*, viewer) -> QuerySet[Claim]:
    """What waits for the viewer: first review for the bureau (submitted), approval or allocation for finance."""
    statuses = []
    if permissions.can(viewer, "claim.first_review"):
        statuses.append(Claim.Status.SUBMITTED)
    if permissions.can(viewer, "claim.approve"):
        statuses += [Claim.Status.PASSED, Claim.Status.APPROVED]
    return claim_list(viewer=viewer).filter(status__in=statuses)


def claim_prefill(*, school: School, school_year: SchoolYear) -> dict:
    """Service classes per stage to start a claim with: the school's newest filed plan's funding estimate, else
    the service classes formed for the year. Returns {"classes": {stage: count}, "source": "plan" | "classes"}.

    The caller has already checked the viewer may claim for the school.
    """
    plan = (
        SchoolPlan.objects.filter(school=school, school_year=school_year, status=SchoolPlan.Status.FILED)
        .order_by("-version")
        .first()
    )
    funding = plan.sections.filter(key="funding").values_list("data", flat=True).first() if plan else None
    if funding:
        classes = {}
        for stage in school.stages:
            try:
                classes[stage] = max(int(funding.get(f"classes_{stage}") or 0), 0)
            except (TypeError, ValueError):
                classes[stage] = 0
        return {"classes": classes, "source": "plan"}
    classes = dict.fromkeys(school.stages, 0)
    service_classes = ServiceClass.objects.filter(school=school, school_year=school_year).select_related("school")
    for service_class in service_classes.prefetch_related("admin_classes"):
        stage = delivery_rules.service_class_stage(service_class)
        if stage in classes:
            classes[stage] += 1
    return {"classes": classes, "source": "classes"}


def claimable_schools(*, viewer) -> list[School]:
    """The schools the viewer may claim for (a school admin's own)."""
    return [m.school for m in permissions.memberships_for(viewer, "claim.edit") if m.school_id]
