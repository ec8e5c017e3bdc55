"""Reads of the service classes (组班) and their members, scoped to the viewer."""

import datetime
from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xiji_afterschool import permissions

from ..models import (
    AdminClass,
    Grade,
    Membership,
    Role,
    School,
    SchoolYear,
    ServiceClass,
    ServiceClassMember,
    User,
)

# ---------------------------------------------------------------- service classes (组班) and roster imports

# Who may be a service class's responsible teacher: a teacher of that school — the plan: “每个班应安排1名教师” —,
# a retired teacher who volunteers included; other volunteers (students, parents) assist, never responsible.
TEACHER_ROLES = (Role.SERVICE_TEACHER, Role.CLASS_TEACHER, Role.SCHOOL_ADMIN)
TEACHING_VOLUNTEER = Q(role=Role.VOLUNTEER, volunteer_kind=Membership.VolunteerKind.RETIRED_TEACHER)


def occupying(day: datetime.date, prefix: str = "") -> Q:
    """Members holding a place on `day` or later: not left, or leaving after that day."""
    return Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": day})


def eligible_teachers(*, school: School) -> QuerySet[User]:
    """Active people who may be responsible for a service class of `school` (see TEACHER_ROLES)."""
    teaching = Membership.objects.filter(Q(role__in=TEACHER_ROLES) | TEACHING_VOLUNTEER, school=school)
    return User.objects.filter(is_active=True, pk__in=teaching.values("user_id")).order_by("full_name", "username")


def service_class_list(*, viewer, school: School | None = None, school_year: SchoolYear | None = None, day=None):
    """Service classes the viewer may see (a teacher: the ones they teach), each annotated with `occupied`:
    places taken on `day` (default: today). Teacher and drawn-from classes are loaded in the same two queries."""
    day = day or timezone.localdate()
    qs = permissions.scope(viewer, ServiceClass.objects.all())
    if school is not None:
        qs = qs.filter(school=school)
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    return (
        qs.select_related("school", "school_year", "teacher")
        .prefetch_related(Prefetch("admin_classes", queryset=AdminClass.objects.order_by("grade", "number")))
        .annotate(occupied=Count("members", filter=occupying(day, "members__")))
        .order_by("kind", "name", "pk")
    )


def service_class_members(*, service_class: ServiceClass) -> QuerySet[ServiceClassMember]:
    """Members of a class the caller has fetched through `service_class_list`, current ones first."""
    return service_class.members.select_related("student", "student__admin_class", "added_by").order_by(
        "end_date", "student__admin_class__grade", "student__admin_class__number", "student__name", "pk"
    )


def draws_from_labels(service_class: ServiceClass, school_classes: Iterable[AdminClass]) -> list[str]:
    """What a class draws from, in words: a whole grade is named once ("Grade 3"), single classes by name.

    `school_classes` are all administrative classes of the school (to tell a whole grade from part of it).
    """
    chosen = list(service_class.admin_classes.all())
    if not chosen:
        return [_("All classes of the school")]
    per_grade: dict[int, int] = {}
    for ac in school_classes:
        per_grade[ac.grade] = per_grade.get(ac.grade, 0) + 1
    chosen_per_grade: dict[int, list[AdminClass]] = {}
    for ac in chosen:
        chosen_per_grade.setdefault(ac.grade, []).append(ac)
    labels = []
    for grade, classes in sorted(chosen_per_grade.items()):
        if per_grade.get(grade) == len(classes):
            labels.append(_("%(grade)s (all classes)") % {"grade": Grade(grade).label})
        else:
            labels.extend(str(ac) for ac in classes)
    return labels
