"""Who may take a child on a day (R30, issue 11 §1). The hand-over helper's minimal version of `allowed_today`:
the pickups concern keeps the full one (same signature, same dataclass) at merge."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from schools.models import StudentGuardian

from ..models import Collector, Delegation, TravelArrangement, WalkHomePermission


@dataclass
class Allowed:
    guardians: list = field(default_factory=list)  # [(Guardian, relation label)]
    collectors: list = field(default_factory=list)  # [Collector]
    delegations: list = field(default_factory=list)  # [Delegation]
    walk_home: WalkHomePermission | None = None
    bus: TravelArrangement | None = None
    dormitory: TravelArrangement | None = None


def _valid_on(date: datetime.date) -> Q:
    return Q(valid_from__lte=date) & (Q(valid_until__isnull=True) | Q(valid_until__gte=date))


def allowed_today(*, student_ids, date: datetime.date) -> dict[int, Allowed]:
    """Per child: the roster guardians, the listed adults valid that day and not removed, that day's delegations,
    a valid permission to go home alone, and a bus or dormitory arrangement. Five queries whatever the count."""
    ids = list(student_ids)
    allowed = {pk: Allowed() for pk in ids}
    links = (
        StudentGuardian.objects.filter(student_id__in=ids)
        .select_related("guardian")
        .order_by("student_id", "-is_primary", "pk")
    )
    for link in links:
        label = StudentGuardian.Relation.label_of(link.relation)
        allowed[link.student_id].guardians.append((link.guardian, label))
    for collector in Collector.objects.filter(_valid_on(date), student_id__in=ids, revoked_at__isnull=True):
        allowed[collector.student_id].collectors.append(collector)
    for delegation in Delegation.objects.filter(student_id__in=ids, date=date, cancelled_at__isnull=True):
        allowed[delegation.student_id].delegations.append(delegation)
    walk = WalkHomePermission.objects.filter(student_id__in=ids, valid_from__lte=date, valid_until__gte=date)
    for permission in walk.filter(revoked_at__isnull=True).order_by("student_id", "-valid_from"):
        allowed[permission.student_id].walk_home = allowed[permission.student_id].walk_home or permission
    travel = TravelArrangement.objects.filter(_valid_on(date), student_id__in=ids).select_related(
        "bus_route", "bus_route__escort", "dormitory", "dormitory__teacher"
    )
    for arrangement in travel.order_by("student_id", "-valid_from"):
        entry = allowed[arrangement.student_id]
        if arrangement.kind == TravelArrangement.Kind.BUS and entry.bus is None:
            entry.bus = arrangement
        elif arrangement.kind == TravelArrangement.Kind.DORMITORY and entry.dormitory is None:
            entry.dormitory = arrangement
    return allowed
