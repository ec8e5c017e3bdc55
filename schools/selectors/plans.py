"""Reads of the school plans, their attachments, the county's filing status and a school's milestones."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xiji_afterschool import permissions

from ..models import (
    PlanAttachment,
    School,
    SchoolPlan,
    SchoolPlanEvent,
    SchoolYear,
)
from . import roster as roster_selectors


def plan_list(
    *, viewer, school_year: SchoolYear | None = None, township_id=None, school_type="", status="", overdue=False
) -> QuerySet[SchoolPlan]:
    """Plans the viewer may see; the bureau's review queue is this list filtered by status."""
    qs = permissions.scope(viewer, SchoolPlan.objects.all())
    if school_year:
        qs = qs.filter(school_year=school_year)
    if township_id:
        qs = qs.filter(school__township_id=township_id)
    if school_type:
        qs = qs.filter(school__school_type=school_type)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.exclude(status=SchoolPlan.Status.FILED).filter(school_year__plan_deadline__lt=timezone.localdate())
    return qs.select_related("school", "school__township", "school_year").order_by(
        "school__township__code", "school__code", "-version"
    )


def review_queue(*, viewer, school_year: SchoolYear) -> QuerySet[SchoolPlan]:
    """The bureau's queue: the year's plans waiting for filing, the longest waiting first."""
    return plan_list(viewer=viewer, school_year=school_year, status=SchoolPlan.Status.AT_BUREAU).order_by(
        "submitted_at", "pk"
    )


def review_queue_neighbours(*, viewer, plan: SchoolPlan) -> dict:
    """Where a plan stands in the bureau's queue: how many wait and the next one after it (for the plan page's
    "next" link); {"waiting": 0, "next": None} for a plan of another year or status."""
    queue = list(review_queue(viewer=viewer, school_year=plan.school_year).values_list("pk", flat=True)[:500])
    others = [pk for pk in queue if pk != plan.pk]
    after = queue[queue.index(plan.pk) + 1 :] if plan.pk in queue else others
    next_pk = (after or others or [None])[0]
    next_plan = plan_list(viewer=viewer).filter(pk=next_pk).first() if next_pk else None
    return {"waiting": len(queue), "next": next_plan}


def plan_detail(*, viewer) -> QuerySet[SchoolPlan]:
    return (
        plan_list(viewer=viewer)
        .select_related("created_by", "previous")
        .prefetch_related(
            "sections", "attachments", Prefetch("events", queryset=SchoolPlanEvent.objects.select_related("actor"))
        )
    )


def plan_attachment_list(*, viewer) -> QuerySet[PlanAttachment]:
    return permissions.scope(viewer, PlanAttachment.objects.all()).select_related("plan", "plan__school")


def plan_status(
    *, viewer, school_year: SchoolYear, township_id=None, school_type="", only_missing=False, with_student_count=False
) -> list[dict]:
    """R3: every school the viewer sees with its latest plan version and its filed version, in three queries
    (`with_student_count`: each school's students too, for the township's home)."""
    schools = roster_selectors.school_list(
        viewer=viewer, township_id=township_id, school_type=school_type, with_student_count=with_student_count
    )
    plans = SchoolPlan.objects.filter(school_year=school_year, school__in=schools.values("pk")).order_by("version")
    latest, filed = {}, {}
    for plan in plans:
        latest[plan.school_id] = plan
        if plan.status == SchoolPlan.Status.FILED:
            filed[plan.school_id] = plan
    late = timezone.localdate() > school_year.plan_deadline
    rows = []
    for school in schools:
        row = {
            "school": school,
            "latest": latest.get(school.pk),
            "filed": filed.get(school.pk),
        }
        row["overdue"] = late and row["filed"] is None
        if not only_missing or row["filed"] is None:
            rows.append(row)
    return rows


def milestones(*, school: School, school_year: SchoolYear) -> list[dict]:
    """R18: what the school has due this year, and whether it is done or late."""
    today = timezone.localdate()
    plans = list(SchoolPlan.objects.filter(school=school, school_year=school_year).order_by("version"))
    filed = [p for p in plans if p.status == SchoolPlan.Status.FILED]
    items = [
        {
            "key": "plan",
            "label": _("School plan filed with the bureau"),
            "deadline": school_year.plan_deadline,
            "done": bool(filed),
        },
        {
            "key": "applications",
            "label": _("Parents' applications collected"),
            "deadline": school_year.application_deadline,
            "done": None,  # arrives with enrollment
        },
        {
            "key": "refinement",
            "label": _("Plan refined after the first weeks (second version filed)"),
            "deadline": school_year.refinement_deadline,
            "done": any(p.version >= 2 for p in filed),
        },
    ]
    for item in items:
        item["overdue"] = item["done"] is False and today > item["deadline"]
        item["due_soon"] = item["done"] is False and not item["overdue"] and (item["deadline"] - today).days <= 14
    return items
