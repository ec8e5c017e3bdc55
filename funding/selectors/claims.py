"""Reads of the claims (R23), always scoped to the viewer; beside each claim, what the school actually formed."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum, prefetch_related_objects

from schools.models import School, SchoolPlan, SchoolYear, ServiceClass, ServiceClassMember, Session, Stage
from schools.rules import delivery as delivery_rules
from schools.rules import hours as hours_rules
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


# ---------------------------------------------------------------- what was formed (issue #12, item 2)


@dataclass
class Formed:
    """One stage of a claim beside what the school formed for that year: service classes, the children in them
    now (active members) and the class-hours delivered so far (recorded or confirmed sessions)."""

    stage: str
    claimed: int  # service classes this claim claims for the stage
    claimed_in_total: int  # with the annual claim's, for a supplementary claim
    formed: int = 0
    children: int = 0
    sessions: int = 0
    class_hours: Decimal = hours_rules.ZERO

    @property
    def exceeds(self) -> bool:
        return self.claimed_in_total > self.formed

    def get_stage_display(self) -> str:
        return str(Stage(self.stage).label)


def _claimed_by_stage(claim: Claim) -> dict[str, int]:
    """Service classes per stage: a stage priced at two rates has two lines with the same classes (not added)."""
    claimed: dict[str, int] = {}
    for line in claim.lines.all():
        claimed[line.stage] = max(claimed.get(line.stage, 0), line.service_classes)
    return claimed


def claim_formed_figures(*, claims) -> dict[int, list[Formed]]:
    """For each claim (pk), per stage claimed or formed: classes claimed against the service classes formed at the
    school for the claim's year, their children and the class-hours delivered so far. The caller has the claims
    from a scoped selector. Six queries whatever the number of claims (lines, annual claims' lines, service
    classes with their admin classes, members, sessions)."""
    claims = list(claims)
    if not claims:
        return {}
    prefetch_related_objects(claims, "lines", "supplements__lines")
    pairs = {(c.school_id, c.school_year_id) for c in claims}
    wanted = Q()
    for school_id, year_id in pairs:
        wanted |= Q(school_id=school_id, school_year_id=year_id)
    service_classes = list(
        ServiceClass.objects.filter(wanted).select_related("school").prefetch_related("admin_classes")
    )
    ids = [sc.pk for sc in service_classes]
    children = dict(
        ServiceClassMember.objects.filter(service_class__in=ids, end_date__isnull=True)
        .values_list("service_class")
        .annotate(n=Count("pk"))
        .order_by()
    )
    delivered = {
        row["service_class"]: row
        for row in Session.objects.filter(service_class__in=ids, status__in=hours_rules.COUNTED)
        .values("service_class")
        .annotate(n=Count("pk"), h=Sum("class_hours"))
        .order_by()
    }
    per_pair: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, hours_rules.ZERO]))
    for sc in service_classes:
        row = per_pair[sc.school_id, sc.school_year_id][delivery_rules.service_class_stage(sc)]
        row[0] += 1
        row[1] += children.get(sc.pk, 0)
        row[2] += delivered.get(sc.pk, {}).get("n", 0)
        row[3] = hours_rules.hours(row[3] + hours_rules.hours(delivered.get(sc.pk, {}).get("h")))
    out = {}
    for claim in claims:
        claimed = _claimed_by_stage(claim)
        annual = _claimed_by_stage(claim.supplements) if claim.supplements_id else {}
        formed = per_pair.get((claim.school_id, claim.school_year_id), {})
        stages = [s for s in Stage.values if s in claimed or s in formed or s in annual]
        rows = []
        for stage in stages:
            made = formed.get(stage, [0, 0, 0, hours_rules.ZERO])
            rows.append(
                Formed(
                    stage=stage,
                    claimed=claimed.get(stage, 0),
                    claimed_in_total=claimed.get(stage, 0) + annual.get(stage, 0),
                    formed=made[0],
                    children=made[1],
                    sessions=made[2],
                    class_hours=made[3],
                )
            )
        out[claim.pk] = rows
    return out


def claims_exceeding(figures: dict[int, list[Formed]]) -> set[int]:
    """The claims (pk) that claim more service classes in some stage than the school formed."""
    return {pk for pk, rows in figures.items() if any(row.exceeds for row in rows)}
