"""Reads of the applications, scoped to the viewer, and whether applications are open."""

import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from schools.models import (
    SchoolYear,
)
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
