"""Reads of emergency plans, drills and safety education, scoped by the viewer; what a school lacks this semester."""

import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from schools.models import School, Semester
from xiji_afterschool import permissions

from ..models import Drill, EmergencyPlan, PlanDuty, SafetyEducation
from ..rules import emergency as rules


def emergency_schools(*, viewer) -> QuerySet[School]:
    """The schools whose plans, drills and education the viewer reads."""
    return permissions.scope(viewer, School.objects.all(), action="emergency.view").select_related("township")


def manageable_school_ids(*, viewer) -> set[int]:
    return {m.school_id for m in permissions.memberships_for(viewer, "emergency.manage") if m.school_id}


def semester_on(day: datetime.date | None = None) -> Semester | None:
    """The semester `day` falls in, or the last one begun before it (the holidays count with the semester before)."""
    day = day or timezone.localdate()
    return Semester.objects.filter(start_date__lte=day).select_related("school_year").order_by("-start_date").first()


def _semester_range(semester: Semester | None) -> tuple[datetime.date, datetime.date]:
    if semester is None:
        return datetime.date.min, datetime.date.min  # no calendar yet: nothing counts as this semester
    return semester.start_date, semester.end_date


def plan_list(*, viewer) -> QuerySet[EmergencyPlan]:
    """Every version the viewer may read (for get_object_or_404)."""
    duties = PlanDuty.objects.select_related("person")
    return (
        permissions.scope(viewer, EmergencyPlan.objects.all(), action="emergency.view")
        .select_related("school", "created_by", "previous")
        .prefetch_related(Prefetch("duties", queryset=duties))
    )


def current_plans(*, viewer, school: School) -> list[EmergencyPlan]:
    """The school's plans in force: per scenario, the version nothing supersedes."""
    return list(plan_list(viewer=viewer).filter(school=school, next_version__isnull=True).order_by("scenario"))


def plan_versions(*, plan: EmergencyPlan) -> list[EmergencyPlan]:
    """Every version of the plan's scenario at its school, newest first."""
    return list(
        EmergencyPlan.objects.filter(school=plan.school_id, scenario=plan.scenario)
        .select_related("created_by")
        .order_by("-version")
    )


def school_overview(*, viewer, school: School, day: datetime.date | None = None) -> dict:
    """The school's page: current plans, this semester's drills and education sessions, and what is missing."""
    semester = semester_on(day)
    start, end = _semester_range(semester)
    plans = current_plans(viewer=viewer, school=school)
    drills = list(
        permissions.scope(viewer, Drill.objects.filter(school=school, date__range=(start, end)))
        .select_related("plan", "recorded_by")
        .order_by("-date")
    )
    education = list(
        permissions.scope(viewer, SafetyEducation.objects.filter(school=school, date__range=(start, end))).order_by(
            "-date"
        )
    )
    return {
        "semester": semester,
        "plans": plans,
        "drills": drills,
        "education": education,
        "missing": rules.missing(
            plan_scenarios={p.scenario for p in plans},
            drill_scenarios={d.scenario for d in drills},
            audiences={e.audience for e in education},
        ),
    }


def school_status_list(*, viewer) -> list[dict]:
    """Each school the viewer reads with what it lacks this semester (four queries, whatever the number)."""
    schools = list(emergency_schools(viewer=viewer).order_by("township__name", "name"))
    ids = [s.pk for s in schools]
    start, end = _semester_range(semester_on())
    plans, drills, audiences = {}, {}, {}
    for school_id, scenario in EmergencyPlan.objects.filter(school__in=ids).values_list("school_id", "scenario"):
        plans.setdefault(school_id, set()).add(scenario)
    for school_id, scenario in Drill.objects.filter(school__in=ids, date__range=(start, end)).values_list(
        "school_id", "scenario"
    ):
        drills.setdefault(school_id, set()).add(scenario)
    for school_id, audience in SafetyEducation.objects.filter(school__in=ids, date__range=(start, end)).values_list(
        "school_id", "audience"
    ):
        audiences.setdefault(school_id, set()).add(audience)
    return [
        {
            "school": s,
            "missing": rules.missing(
                plan_scenarios=plans.get(s.pk, set()),
                drill_scenarios=drills.get(s.pk, set()),
                audiences=audiences.get(s.pk, set()),
            ),
        }
        for s in schools
    ]


def plan_links(*, viewer, school: School) -> dict:
    """For the school plan's safety section: the current emergency plans and this semester's drills, each linkable
    by a viewer who may read them (an empty dict for anyone else)."""
    if not permissions.scope(viewer, School.objects.filter(pk=school.pk), action="emergency.view").exists():
        return {}
    overview = school_overview(viewer=viewer, school=school)
    return {"school": school, **overview}
