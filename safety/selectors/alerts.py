"""Reads of late pick-up alerts (R30, issue 11 §3) and of who holds each child at the end of the day, batched: a
fixed number of queries for a whole day of sessions, whatever the number of children."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from schools.models import Attendance, Session
from xiji_afterschool import permissions

from ..models import EarlyLeave, Handover, LateAlert
from . import handovers as handovers_selectors


def late_alert_list(*, viewer) -> QuerySet[LateAlert]:
    """Alerts the viewer may see: their school's (staff), their township's, the county's; never a parent's."""
    return permissions.scope(viewer, LateAlert.objects.all()).select_related(
        "student__admin_class", "session__service_class", "holder", "resolved_by", "school"
    )


def late_alert_history(*, alert: LateAlert) -> list:
    """The alert's events, oldest first (raised, reminders, resolved), with who did each."""
    return list(alert.events.select_related("actor").order_by("created_at", "pk"))


@dataclass
class Held:
    """One present child at the end of their last session of the day: who holds them now (None once handed over)."""

    student_id: int
    session: Session  # the child's last session of the day (the one an alert belongs to)
    holder_id: int | None
    final: Handover | None  # the hand-over that ended the school's custody, if any
    last: Handover | None


def custody_for_day(*, day: datetime.date, school_ids=None) -> dict[int, Held]:
    """Every child present in a session of `day` (of `school_ids`, or every school): who holds them now. Three
    queries. A child present in two sessions counts in the later one (an alert waits for the end of their day).
    The custody rule is `handovers.holder_after`, as for one session. A child who left early through the gate that
    day (an early leave, recorded by the gate with the adult) is not held by anyone."""
    sessions = Session.objects.filter(date=day).select_related("service_class")
    if school_ids is not None:
        sessions = sessions.filter(service_class__school__in=list(school_ids))
    by_id = {s.pk: s for s in sessions}
    if not by_id:
        return {}
    marks = Attendance.objects.filter(session__in=list(by_id), mark=Attendance.Mark.PRESENT).values_list(
        "student_id", "session_id"
    )
    last_session: dict[int, Session] = {}
    for student_id, session_id in marks:
        session = by_id[session_id]
        current = last_session.get(student_id)
        if current is None or (session.end_time, session.pk) > (current.end_time, current.pk):
            last_session[student_id] = session
    gone_early = set(
        EarlyLeave.objects.filter(
            date=day, status=EarlyLeave.Status.LEFT, student_id__in=list(last_session)
        ).values_list("student_id", flat=True)
    )
    for student_id in gone_early:
        del last_session[student_id]
    latest = handovers_selectors.latest_handovers(student_ids=list(last_session), date=day)
    return {
        student_id: Held(student_id, session, *handovers_selectors.holder_after(session, latest.get(student_id)),
                         latest.get(student_id))
        for student_id, session in last_session.items()
    }  # fmt: skip


def late_alert_counts(*, viewer, since: datetime.date) -> dict:
    """For the county console: the late pick-ups the viewer may see since `since` — how many, still open, and how
    many a person resolved (the rest were collected and resolved by the system). One query."""
    from django.db.models import Count, Q

    qs = permissions.scope(viewer, LateAlert.objects.filter(date__gte=since), action="late_alert.view")
    return qs.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=LateAlert.Status.OPEN)),
        by_person=Count("pk", filter=Q(resolved_by__isnull=False)),
    )
