"""A dismissal to hand over, for the hand-over tests and their access rows: today's session of school_a's class,
taught by w.service_teacher, with `child` (guardian: parent, father), `other_child` (other_parent, mother) and
`child_a2` (grade 4) present and one absent child; a bus route with its escort (care_staff) and a dormitory."""

import datetime
from decimal import Decimal

from django.utils import timezone

from safety.models import BusRoute, Collector, Dormitory, TravelArrangement, WalkHomePermission
from schools.models import ActivityCategory, Attendance, ServiceClass, Session

from ..factories import StudentFactory


def make_session(w, *, day=None, students=None, absent=(), teacher=None) -> Session:
    day = day or timezone.localdate()
    service_class = ServiceClass.objects.create(
        school=w.school_a, school_year=w.school_year, name=f"作业辅导班{ServiceClass.objects.count() + 1}",
        activity=ActivityCategory.HOMEWORK, teacher=teacher or w.service_teacher, capacity=60,
        created_by=w.school_admin,
    )  # fmt: skip
    students = list(students if students is not None else (w.child, w.other_child, w.child_a2))
    session = Session.objects.create(
        service_class=service_class, date=day, start_time=datetime.time(16), end_time=datetime.time(17, 30),
        class_hours=Decimal("1.5"), activity_category=ActivityCategory.HOMEWORK, content_note="作业辅导",
        teacher=teacher or w.service_teacher, teacher_role=Session.TeacherRole.RESPONSIBLE,
        status=Session.Status.RECORDED, logged_by=teacher or w.service_teacher, present=len(students),
        absent=len(absent),
    )  # fmt: skip
    Attendance.objects.bulk_create(
        [Attendance(session=session, student=s, mark=Attendance.Mark.PRESENT) for s in students]
        + [Attendance(session=session, student=s, mark=Attendance.Mark.ABSENT) for s in absent]
    )
    return session


def dismissal_world(w) -> Session:
    """The session (cached on w as w.session), w.absent_child, w.route (escort care_staff), w.dormitory."""
    if getattr(w, "session", None) is not None:
        return w.session
    w.absent_child = StudentFactory(admin_class=w.class_a1, name="张小强")
    w.session = make_session(w, absent=[w.absent_child])
    w.route = BusRoute.objects.create(
        school=w.school_a, name="2路", stops="马莲,将台,兴隆", departs_at=datetime.time(17, 40), escort=w.care_staff
    )
    w.dormitory = Dormitory.objects.create(school=w.school_a, name="男生宿舍", teacher=w.care_staff)
    return w.session


def collector(w, student, **kw) -> Collector:
    values = {"name": "马桂花", "relation": "grandmother", "mobile": "13995401234",
              "valid_from": timezone.localdate() - datetime.timedelta(days=30), "source": "guardian",
              "added_by": w.school_admin, **kw}  # fmt: skip
    return Collector.objects.create(student=student, **values)


def bus_rider(w, student, stop="将台") -> TravelArrangement:
    return TravelArrangement.objects.create(
        student=student, kind="bus", bus_route=w.route, bus_stop=stop,
        valid_from=timezone.localdate() - datetime.timedelta(days=10), added_by=w.school_admin,
    )  # fmt: skip


def boarder(w, student) -> TravelArrangement:
    return TravelArrangement.objects.create(
        student=student, kind="dormitory", dormitory=w.dormitory,
        valid_from=timezone.localdate() - datetime.timedelta(days=10), added_by=w.school_admin,
    )  # fmt: skip


def walk_home(w, student, **kw) -> WalkHomePermission:
    today = timezone.localdate()
    values = {"route": "沿大路向东", "valid_from": today - datetime.timedelta(days=5),
              "valid_until": today + datetime.timedelta(days=60), "source": "paper", "paper_reference": "2025-017",
              "signer_name": "马文清", "signed_by": w.school_admin, "signed_at": timezone.now(), **kw}  # fmt: skip
    return WalkHomePermission.objects.create(student=student, **values)
