"""Who may take each child on a day (R30, issue 11 §1).

A minimal version written by the gate helper so the gate runs; the pickups helper's version (same signature) is
kept at merge."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from schools.models import Guardian, StudentGuardian

from ..models import Collector, Delegation, TravelArrangement, WalkHomePermission


@dataclass
class Allowed:
    """Everyone and everything that may take one child home on one day."""

    guardians: list[tuple[Guardian, str]] = field(default_factory=list)  # (guardian, relation label)
    collectors: list[Collector] = field(default_factory=list)
    delegations: list[Delegation] = field(default_factory=list)
    walk_home: WalkHomePermission | None = None
    bus: TravelArrangement | None = None
    dormitory: TravelArrangement | None = None


def _valid_on(date: datetime.date) -> Q:
    return Q(valid_from__lte=date) & (Q(valid_until__isnull=True) | Q(valid_until__gte=date))


def allowed_today(*, student_ids, date: datetime.date) -> dict[int, Allowed]:
    """Per child: the guardians, the listed adults valid that day (not removed), that day's delegations (not
    cancelled), the permission to go home alone, and the bus or dormitory arrangement valid that day."""
    ids = list(student_ids)
    allowed = {student_id: Allowed() for student_id in ids}
    links = StudentGuardian.objects.filter(student_id__in=ids).select_related("guardian").order_by("-is_primary", "pk")
    for link in links:
        allowed[link.student_id].guardians.append((link.guardian, link.get_relation_display()))
    for collector in Collector.objects.filter(_valid_on(date), student_id__in=ids, revoked_at__isnull=True):
        allowed[collector.student_id].collectors.append(collector)
    for delegation in Delegation.objects.filter(student_id__in=ids, date=date, cancelled_at__isnull=True):
        allowed[delegation.student_id].delegations.append(delegation)
    walks = WalkHomePermission.objects.filter(student_id__in=ids, revoked_at__isnull=True).filter(
        valid_from__lte=date, valid_until__gte=date
    )
    for permission in walks:
        allowed[permission.student_id].walk_home = permission
    travel = TravelArrangement.objects.filter(_valid_on(date), student_id__in=ids).select_related("bus_route")
    for arrangement in travel:
        if arrangement.kind == TravelArrangement.Kind.BUS:
            allowed[arrangement.student_id].bus = arrangement
        else:
            allowed[arrangement.student_id].dormitory = arrangement
    return allowed
