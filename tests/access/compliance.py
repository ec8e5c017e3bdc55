"""Access rows of the county's compliance flags (issue #12): a flagged session of school_a the school confirmed."""

import datetime
from decimal import Decimal

from schools.models import ActivityCategory, Session

from .cases import Case, only
from .sessions import service_class_a

READERS = ("bureau", "inspector", "leadership", "township")


def flagged_a(w) -> Session:
    """school_a's session whose note read like a new lesson, confirmed by the school's administrator (cached)."""
    if getattr(w, "_flagged_a", None) is None:
        w._flagged_a = Session.objects.create(
            service_class=service_class_a(w), date=w.autumn.start_date, start_time=datetime.time(16),
            end_time=datetime.time(18), class_hours=Decimal("2"), activity_category=ActivityCategory.HOMEWORK,
            content_note="讲新课：分数的加减", teacher=w.service_teacher, teacher_role=Session.TeacherRole.RESPONSIBLE,
            status=Session.Status.CONFIRMED, flag="R12:新课", logged_by=w.service_teacher,
            confirmed_by=w.school_admin, present=2,
        )  # fmt: skip
    return w._flagged_a


def _setup(w, tmp_path):
    flagged_a(w)


MATRIX = {
    "bureau:compliance-list": only(*READERS),
    "bureau:compliance-export": only(*READERS),
    "bureau:compliance-detail": Case(args=lambda w: [flagged_a(w).pk], ok={a: 200 for a in READERS}),
    # Reviewing: the bureau and inspectors (a redirect with the outcome); the leadership and township read only.
    "bureau:compliance-review": Case(
        method="post", args=lambda w: [flagged_a(w).pk], ok={"bureau": 302, "inspector": 302}, setup=_setup
    ),
}
