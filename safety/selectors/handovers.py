"""Reads of hand-overs: who holds each child now (R30: at any moment one named adult holds each child)."""

import datetime
from dataclasses import dataclass

from schools.models import Attendance, Session, User

from ..models import Handover


@dataclass
class Custody:
    """Where one present child of a session is now: held by `holder` (a member of staff), or gone with `final`."""

    student_id: int
    holder_id: int | None  # the adult holding the child; None once handed over for the day
    final: Handover | None  # the hand-over that ended the school's custody, if any
    last: Handover | None  # the latest record of the day (its sequence + 1 is the next one's)


def latest_handovers(*, student_ids, date: datetime.date) -> dict[int, Handover]:
    """The latest hand-over of the day per child (highest sequence)."""
    latest: dict[int, Handover] = {}
    rows = Handover.objects.filter(student_id__in=list(student_ids), date=date).order_by("student_id", "sequence")
    for handover in rows:
        latest[handover.student_id] = handover
    return latest


def custody_for_session(session: Session) -> dict[int, Custody]:
    """Every child marked present in `session`: who holds them now. The session's teacher holds a present child
    until the first hand-over; a hand-over to staff moves the child to that person; a final one ends it."""
    present = list(
        Attendance.objects.filter(session=session, mark=Attendance.Mark.PRESENT).values_list("student_id", flat=True)
    )
    latest = latest_handovers(student_ids=present, date=session.date)
    custody = {}
    for student_id in present:
        last = latest.get(student_id)
        if last is None:
            custody[student_id] = Custody(student_id, session.teacher_id, None, None)
        elif last.is_final:
            custody[student_id] = Custody(student_id, None, last, last)
        else:
            custody[student_id] = Custody(student_id, last.to_staff_id, None, last)
    return custody


def holder_name(custody: Custody) -> str:
    if custody.holder_id is None:
        return ""
    user = User.objects.filter(pk=custody.holder_id).first()
    return str(user) if user else ""
