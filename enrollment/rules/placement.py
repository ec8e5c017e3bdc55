"""The placement rules (组班, R14/R19), pure: the waiting-list order, which class suits a child, the suggestion,
and the day a place taken now starts. Used by the placement board (selectors) and by placing (services)."""

import datetime
from collections.abc import Iterable, Sequence

from django.utils import timezone

from schools.models import SchoolYear, ServiceClass

from ..models import Application

Status = Application.Status
PLACEABLE = (Status.APPROVED, Status.WAITING)
# The service a family applied for → the kind of service class that provides it.
KIND_FOR_SERVICE = {
    Application.ServiceKind.REGULAR: ServiceClass.Kind.REGULAR,
    Application.ServiceKind.EVENING: ServiceClass.Kind.EVENING,
    Application.ServiceKind.EXTENDED: ServiceClass.Kind.EXTENDED,
}


def waiting_order_key(application) -> tuple:
    """The waiting-list order: more priority groups first, then earlier application, then lower id."""
    return (-application.priority_groups, application.submitted_at, application.pk)


def is_suitable(service_class, application) -> bool:
    """Could the child go into this class? Kind matches the service wanted, the class has a responsible teacher
    and draws from the child's administrative class or from the whole school (`admin_class_ids` empty)."""
    drawn = service_class.admin_class_ids
    return (
        service_class.kind == KIND_FOR_SERVICE.get(application.service_kind)
        and service_class.teacher_id is not None
        and (not drawn or application.student.admin_class_id in drawn)
    )


def suggest_placements(applications: Iterable, classes: Sequence, occupancy: dict[int, int]) -> list[tuple]:
    """Fill classes by preference and priority: [(application, service class or None)] in waiting-list order.

    `classes` carry pk, kind, activity, capacity, teacher_id and admin_class_ids (a set; empty = whole school), in
    the order to try them; `occupancy` maps class pk → places already taken. Pure: reads attributes only.
    """
    free = {c.pk: c.capacity - occupancy.get(c.pk, 0) for c in classes}
    suggestion = []
    for application in sorted(applications, key=waiting_order_key):
        open_classes = [c for c in classes if free[c.pk] > 0 and is_suitable(c, application)]
        chosen = None
        for activity in application.preferences or []:
            chosen = next((c for c in open_classes if c.activity == activity), None)
            if chosen is not None:
                break
        if chosen is None and open_classes:
            chosen = open_classes[0]
        if chosen is not None:
            free[chosen.pk] -= 1
        suggestion.append((application, chosen))
    return suggestion


def suggestion_signature(suggestion: Iterable[tuple]) -> str:
    """The suggestion as text ("application:class,…"), posted back so a stale page is detected on apply."""
    return ",".join(f"{a.pk}:{c.pk if c is not None else ''}" for a, c in suggestion)


def placement_start_date(school_year: SchoolYear, today: datetime.date | None = None) -> datetime.date:
    """The day a place taken now starts: today during a semester, the next semester's first day before it."""
    today = today or timezone.localdate()
    for semester in sorted(school_year.semesters.all(), key=lambda s: s.start_date):
        if semester.end_date >= today:
            return max(semester.start_date, today)
    return today
