"""Access rows of the hours record (R21) and delivery against plan; and the ORM builders of service classes and
sessions that tests/schools/test_hours.py and test_delivery.py use (statuses set directly, not via the session log).
"""

import datetime
from decimal import Decimal

from schools.models import ActivityCategory, ServiceClass, Session, SessionAssistant

from .cases import Case

S = Session.Status
R = Session.TeacherRole


def make_service_class(school, *, school_year, teacher=None, name=None, admin_classes=(), created_by=None):
    """A regular service class of `school` taught by `teacher`, drawing from `admin_classes`."""
    service_class = ServiceClass.objects.create(
        school=school, school_year=school_year, name=name or f"作业辅导{ServiceClass.objects.count() + 1}班",
        activity=ActivityCategory.HOMEWORK, teacher=teacher, capacity=40, created_by=created_by or teacher,
    )  # fmt: skip
    if admin_classes:
        service_class.admin_classes.set(admin_classes)
    return service_class


def make_session(
    service_class,
    day: datetime.date,
    *,
    teacher=None,
    role=R.RESPONSIBLE,
    class_hours="2.0",
    status=S.RECORDED,
    start=datetime.time(16, 0),
    assistants=(),
    present: int = 0,
) -> Session:
    """One session as the session log would store it, with its assistants (and `present` children on the roll
    summary; settlement counts a session only with one present)."""
    teacher = teacher or service_class.teacher
    end = datetime.time(start.hour + 2, start.minute)
    session = Session.objects.create(
        service_class=service_class, date=day, start_time=start, end_time=end, class_hours=Decimal(class_hours),
        activity_category=service_class.activity, content_note="完成当天作业，订正错题", teacher=teacher,
        teacher_role=role, substitute_reason="任课教师病假" if role == R.SUBSTITUTE else "", status=status,
        late=status == S.NEEDS_CONFIRMATION, logged_by=teacher, present=present,
    )  # fmt: skip
    SessionAssistant.objects.bulk_create(SessionAssistant(session=session, person=p) for p in assistants)
    return session


# school_a's page for the viewers who see school_a: readers 200; seen but without the right 403; the rest 404.
SCHOOL_A_SEEN = {a: 403 for a in ("parent", "other_parent", "class_teacher", "service_teacher", "volunteer")}
SCHOOL_A_SEEN |= {"finance": 403, "hr": 403, "auditor": 403, "township": 403, "bureau": 403, "inspector": 403}
HOURS_READERS = {a: 200 for a in ("class_teacher", "service_teacher", "volunteer", "school_admin")}
HOURS_READERS |= {"township": 200, "bureau": 200, "inspector": 200}
DELIVERY_READERS = {"school_admin": 200, "township": 200, "bureau": 200, "inspector": 200}

MATRIX = {
    # Teachers and volunteers open their school's list but see only their own row (User scope).
    "schools:hours-school": Case(args=lambda w: [w.school_a.pk], ok={**SCHOOL_A_SEEN, **HOURS_READERS}, default=404),
    "schools:hours-export": Case(args=lambda w: [w.school_a.pk], ok={**SCHOOL_A_SEEN, **HOURS_READERS}, default=404),
    # The service teacher's own page: theirs, their school admin's, the township's and the county's; others 404.
    "schools:hours-person": Case(
        args=lambda w: [w.school_a.pk, w.service_teacher.pk],
        ok={a: 200 for a in ("service_teacher", "school_admin", "township", "bureau", "inspector")},
        default=404,
    ),
    # "My hours" in the menu: session staff land on their own month; other readers of hours have none of their own
    # and are sent home with a note (302 either way); everyone else is refused.
    "schools:hours-mine": Case(
        ok={a: 302 for a in ("class_teacher", "service_teacher", "volunteer", "school_admin", "township", "bureau")}
        | {"inspector": 302, "other_school_admin": 302},
        default=403,
    ),
    "schools:hours-close": Case(
        method="post", args=lambda w: [w.school_a.pk], ok={**SCHOOL_A_SEEN, "school_admin": 302}, default=404
    ),
    "schools:hours-adjust": Case(
        args=lambda w: [w.school_a.pk], ok={**SCHOOL_A_SEEN, "school_admin": 200}, default=404
    ),
    "schools:delivery-school": Case(
        args=lambda w: [w.school_a.pk], ok={**SCHOOL_A_SEEN, **DELIVERY_READERS}, default=404
    ),
    "schools:delivery-county": Case(ok={**DELIVERY_READERS, "other_school_admin": 200}, default=403),
}
