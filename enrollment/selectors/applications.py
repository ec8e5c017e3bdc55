"""Reads of the applications, scoped to the viewer, and whether applications are open."""

import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from schools.models import Membership, Role, SchoolYear
from xiji_afterschool import permissions

from ..models import Application, ApplicationEvent
from . import consents as consents_selectors


def application_list(*, viewer, school_year=None, status: str = "", school=None) -> QuerySet[Application]:
    """Applications the viewer may see: a parent only their own children's, a class teacher their class's."""
    qs = permissions.scope(viewer, Application.objects.all())
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    if status:
        qs = qs.filter(status=status)
    if school is not None:
        qs = qs.filter(school=school)
    qs = qs.select_related("student", "student__admin_class", "school", "school_year", "service_class")
    return consents_selectors.with_consent_flags(qs)  # placement and the review pages use sensitive items under it


def application_detail(*, viewer) -> QuerySet[Application]:
    return (
        application_list(viewer=viewer)
        .select_related("agreement", "agreement__text", "applicant", "entered_by")
        .prefetch_related(Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")))
    )


# ---------------------------------------------------------------- what parents are told, and their home page


def applications_open(school_year: SchoolYear | None, today: datetime.date | None = None) -> bool:
    """Online applications are taken until the county's deadline (R18); the school can still enter paper ones."""
    today = today or timezone.localdate()
    return school_year is not None and today <= school_year.application_deadline


def late_contacts(*, student) -> dict:
    """Whom a parent asks about a late application (逾期申请 / 插班申请): the child's class teachers by name and the
    school's office telephone. Unscoped on purpose: a parent is told who to ask, nothing more."""
    teachers = (
        Membership.objects.filter(role=Role.CLASS_TEACHER, admin_class_id=student.admin_class_id)
        .select_related("user")
        .order_by("pk")
    )
    return {
        "class_teachers": "、".join(m.user.full_name for m in teachers if m.user.full_name),
        "school_phone": student.school.phone,
    }
