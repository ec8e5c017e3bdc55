"""The school's safety board (安全看板, issue 11 §3): today's duty roster, the children still in school and who holds
each, open late pick-ups and those resolved today, and the school's open hazards and incidents (counts), in a fixed
number of queries whatever the number of children."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from schools.models import School, Student, User
from xiji_afterschool import permissions

from ..models import Hazard, Incident, LateAlert
from ..rules import hazards as hazards_rules
from . import alerts as alerts_selectors
from . import duty as duty_selectors


def board_school_list(*, viewer) -> QuerySet[School]:
    """Schools whose board the viewer may open: their own school (staff, the gate), their township's, the county's."""
    return permissions.scope(viewer, School.objects.all(), action="board.view")


@dataclass
class HolderGroup:
    holder: User | None
    children: list = field(default_factory=list)  # (Student, Session) pairs


def safety_board(*, viewer, school: School, day: datetime.date | None = None) -> dict:
    """Everything the board shows for `school` on `day` (today)."""
    day = day or timezone.localdate()
    held = alerts_selectors.custody_for_day(day=day, school_ids=[school.pk])
    still = [h for h in held.values() if h.holder_id is not None]
    students = Student.objects.select_related("admin_class").in_bulk([h.student_id for h in still])
    holders = User.objects.in_bulk({h.holder_id for h in still})
    groups: dict[int, HolderGroup] = {}
    for h in still:
        group = groups.setdefault(h.holder_id, HolderGroup(holders.get(h.holder_id)))
        group.children.append((students[h.student_id], h.session))
    for group in groups.values():
        group.children.sort(key=lambda pair: (str(pair[0].admin_class), pair[0].name))
    alerts = alerts_selectors.late_alert_list(viewer=viewer).filter(school=school)
    open_alerts = list(alerts.filter(status=LateAlert.Status.OPEN).order_by("date", "created_at", "pk"))
    resolved = list(
        alerts.filter(Q(date=day) | Q(resolved_at__date=day), status=LateAlert.Status.RESOLVED).order_by(
            "-resolved_at", "-pk"
        )
    )
    resolvable = set(
        permissions.scope(viewer, LateAlert.objects.filter(school=school, status=LateAlert.Status.OPEN),
                          action="late_alert.resolve").values_list("pk", flat=True)
    )  # fmt: skip
    # Counts only (no names): every member of staff should know that the fire exit is still blocked.
    hazards = Hazard.objects.filter(school=school, status__in=Hazard.ACTIVE).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=hazards_rules.overdue_q(day))
    )
    return {
        "day": day,
        "hazards": hazards,
        "incidents_open": Incident.objects.filter(school=school, status=Incident.Status.OPEN).count(),
        "roster": duty_selectors.duty_today(school=school, day=day),
        "groups": sorted(groups.values(), key=lambda g: str(g.holder or "")),
        "open_alerts": [(a, a.pk in resolvable) for a in open_alerts],
        "resolved_alerts": resolved,
        "counts": {
            "present": len(held),
            "handed_over": sum(1 for h in held.values() if h.final is not None),
            "in_school": len(still),
            "open": len(open_alerts),
        },
    }
