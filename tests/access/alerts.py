"""Access rows of late pick-up alerts (R30, issue 11 §3), and the builders the safety tests share.

A session of school_a ends at 17:30 with `child` and `other_child` present and never handed over; the scheduled
job, run at 19:00 that day, raises an alert for each, held by service_teacher. The alert page: school_a's people
and the school's supervisors read it; outsiders (parents, school_b, finance, HR, audit) get 404. Resolving: the
holder (service_teacher) and the school admin may (302); the rest of school_a's staff and the supervisors see it
but may not (403).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from safety.models import LateAlert
from safety.services import alerts as alerts_services
from schools.models import ActivityCategory, Attendance, Session

from .cases import Case
from .sessions import service_class_a

SCHOOL_A_PEOPLE = ("school_admin", "service_teacher", "volunteer", "class_teacher", "gate", "care_staff")
SUPERVISORS = ("township", "bureau", "inspector")


def at(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    """An aware moment of `day` in the county's time (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


def session_with_children(w, *, day, children, end=datetime.time(17, 30), start=datetime.time(16), teacher=None):
    """A logged session of school_a's class on `day` with `children` marked present (as the roll would)."""
    session = Session.objects.create(
        service_class=service_class_a(w), date=day, start_time=start, end_time=end, class_hours=Decimal("1.5"),
        activity_category=ActivityCategory.HOMEWORK, content_note="作业辅导", teacher=teacher or w.service_teacher,
        teacher_role=Session.TeacherRole.RESPONSIBLE, status=Session.Status.RECORDED, logged_by=w.service_teacher,
        present=len(children),
    )  # fmt: skip
    Attendance.objects.bulk_create(
        Attendance(session=session, student=child, mark=Attendance.Mark.PRESENT) for child in children
    )
    return session


def alert_a(w) -> LateAlert:
    """`child`'s open late pick-up alert at school_a, raised by the scheduled job (cached on w)."""
    if getattr(w, "_alert_a", None) is None:
        day = w.autumn.start_date
        session_with_children(w, day=day, children=[w.child, w.other_child])
        alerts_services.late_alerts_raise(now=at(day, 19))
        w._alert_a = LateAlert.objects.get(student=w.child)
    return w._alert_a


def _alert(w, tmp_path):
    alert_a(w)


def _on_school_a(status):
    return {a: status for a in (*SCHOOL_A_PEOPLE, *SUPERVISORS)}


MATRIX = {
    "safety:alert-detail": Case(args=lambda w: [w._alert_a.pk], ok=_on_school_a(200), default=404, setup=_alert),
    "safety:alert-resolve": Case(
        method="post",
        args=lambda w: [w._alert_a.pk],
        ok={**_on_school_a(403), "school_admin": 302, "service_teacher": 302},
        default=404,
        setup=_alert,
    ),
}
