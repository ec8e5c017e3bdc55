"""Reads of the audit trail (issue #13): the auditor's and the bureau's page and its workbook."""

import datetime

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from xiji_afterschool import permissions

from ..models import AuditRecord, School

EXPORT_LIMIT = 50_000  # rows in one workbook; the page says so


def audit_list(
    *,
    viewer,
    person: str = "",
    school_id: int | None = None,
    object_type: str = "",
    action: str = "",
    result: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditRecord]:
    """The records the viewer may read (auditor, bureau: all), filtered, newest first. `action` is an area (the part
    before the dot: "login") or a whole code; `person` is part of the actor's login or name, or of the login typed
    on a refused sign-in; dates are local days."""
    records = permissions.scope(viewer, AuditRecord.objects.all(), action="audit.view")
    if person:
        records = records.filter(
            Q(actor__username__icontains=person) | Q(actor__full_name__icontains=person) | Q(login__icontains=person)
        )
    if school_id:
        records = records.filter(school_id=school_id)
    if object_type:
        records = records.filter(object_type=object_type)
    if action:
        records = records.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if result:
        records = records.filter(result=result)
    zone = timezone.get_current_timezone()
    if date_from:
        records = records.filter(at__gte=datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone))
    if date_to:
        next_day = date_to + datetime.timedelta(days=1)
        records = records.filter(at__lt=datetime.datetime.combine(next_day, datetime.time.min, tzinfo=zone))
    return records.select_related("actor", "school").order_by("-at", "-pk")


def filter_schools(*, viewer) -> QuerySet[School]:
    return permissions.scope(viewer, School.objects.all()).order_by("township__name", "name")


def object_types() -> list[tuple[str, str]]:
    """(model label, its name) for every model of the project's apps, for the object filter."""
    out = []
    for model in apps.get_models():
        if model._meta.app_label in {"schools", "enrollment", "funding", "safety", "bureau"}:
            out.append((model._meta.label, str(model._meta.verbose_name)))
    return sorted(out, key=lambda pair: pair[1])
