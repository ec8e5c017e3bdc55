"""Access rows of the session log (issue 5): a teacher sees only the classes they teach; a school only its own."""

import datetime
from decimal import Decimal

from schools.models import ActivityCategory, ServiceClass, ServiceClassMember, Session

from .cases import Case, only

# Who sees school_a's service class or session but may not act on it.
COUNTY_READERS = {"township": 403, "bureau": 403, "inspector": 403}


def service_class_a(w) -> ServiceClass:
    """school_a's homework class, taught by w.service_teacher, with `child` and `other_child` (cached on w)."""
    if getattr(w, "_service_class_a", None) is None:
        service_class = ServiceClass.objects.create(
            school=w.school_a, school_year=w.school_year, name="三年级作业辅导班", activity=ActivityCategory.HOMEWORK,
            teacher=w.service_teacher, capacity=40, created_by=w.school_admin,
        )  # fmt: skip
        service_class.admin_classes.add(w.class_a1)
        ServiceClassMember.objects.bulk_create(
            ServiceClassMember(service_class=service_class, student=s, start_date=w.autumn.start_date, added_by=w.school_admin)
            for s in (w.child, w.other_child)
        )  # fmt: skip
        w._service_class_a = service_class
    return w._service_class_a


def session_a(w) -> Session:
    """A session of that class waiting for the administrator's confirmation (logged late)."""
    if getattr(w, "_session_a", None) is None:
        w._session_a = Session.objects.create(
            service_class=service_class_a(w), date=w.autumn.start_date, start_time=datetime.time(16),
            end_time=datetime.time(18), class_hours=Decimal("2"), activity_category=ActivityCategory.HOMEWORK,
            content_note="作业辅导", teacher=w.service_teacher, teacher_role=Session.TeacherRole.RESPONSIBLE,
            status=Session.Status.NEEDS_CONFIRMATION, late=True, logged_by=w.service_teacher, present=2,
        )  # fmt: skip
    return w._session_a


MATRIX = {
    # Everyone who may log a session has a today page (empty when they teach nothing).
    "schools:teacher-today": only("class_teacher", "service_teacher", "volunteer", "school_admin", "other_school_admin"),
    # The volunteer and the class teacher of school_a do not teach this class: 404, like another school.
    "schools:session-log": Case(
        args=lambda w: [service_class_a(w).pk], ok={"service_teacher": 200, "school_admin": 200, **COUNTY_READERS},
        default=404,
    ),
    "schools:session-detail": Case(
        args=lambda w: [session_a(w).pk],
        ok={"service_teacher": 200, "school_admin": 200, "township": 200, "bureau": 200, "inspector": 200},
        default=404,
    ),
    "schools:session-confirm": Case(
        method="post", args=lambda w: [session_a(w).pk],
        ok={"school_admin": 302, "service_teacher": 403, **COUNTY_READERS}, default=404,
    ),
    "schools:session-review": only("school_admin", "other_school_admin"),
    "schools:substitution-create": Case(
        args=lambda w: [service_class_a(w).pk], ok={"school_admin": 200, "service_teacher": 403, **COUNTY_READERS},
        default=404,
    ),
}  # fmt: skip
