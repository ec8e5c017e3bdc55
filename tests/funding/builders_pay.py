"""Builders for teacher-pay tests (R27): an approved spending plan and pay scheme made directly (their own workflows
are tested elsewhere), and two closed months of sessions at school_a worked out by hand.

September and October of the world's school year, weights 1.00 / 1.00 / 0.50, factor range 0.80–1.20:

  service_teacher  responsible 4 × 2.0 (3 in Sept, 1 in Oct)         = 8.0 h  → workload 8.00
  teacher2         responsible 2 × 2.0 in Sept, substitute 1 × 2.0    = 6.0 h  → workload 6.00
  class_teacher    assistant 1 × 2.0 (a session of service_teacher)   = 2.0 h  → workload 1.00
  volunteer        assistant 1 × 2.0: not paid from the teacher pool
  a waiting session and a session at school_b: not counted

Pool 3000.00 over 15 points: 1600.00, 1200.00, 200.00.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from funding.models import PayRun, PayScheme, PayShare, SpendingPlan
from schools.models import HoursMonth, Role, Session

from ..access.hours import make_service_class, make_session
from ..factories import user_with_role

S = Session.Status
R = Session.TeacherRole


def months(world) -> tuple[datetime.date, datetime.date]:
    year = world.school_year.start_date.year
    return datetime.date(year, 9, 1), datetime.date(year, 10, 1)


def approved_spending_plan(world, school=None) -> SpendingPlan:
    school = school or world.school_a
    return SpendingPlan.objects.create(
        school=school, school_year=world.school_year, status=SpendingPlan.Status.APPROVED,
        budget_teacher=Decimal("6000.00"), budget_staff=Decimal("1960.00"), budget_running=Decimal("1000.00"),
        budget_consumables=Decimal("1000.00"), summary="教师补助按课时分配", office_meeting_date=world.autumn.start_date,
        office_meeting_resolution="校办〔2026〕3号", staff_congress_date=world.autumn.start_date,
        staff_congress_resolution="教代会〔2026〕1号", created_by=world.school_admin, approved_by=world.school_admin,
        approved_at=timezone.now(),
    )  # fmt: skip


def approved_scheme(world, school=None, **fields) -> PayScheme:
    school = school or world.school_a
    values = {
        "weight_responsible": Decimal("1.00"),
        "weight_substitute": Decimal("1.00"),
        "weight_assistant": Decimal("0.50"),
        "performance_min": Decimal("0.80"),
        "performance_max": Decimal("1.20"),
        "assessment": "按学生反馈与教学检查评定",
        **fields,
    }
    version = PayScheme.objects.filter(school=school, school_year=world.school_year).count() + 1
    return PayScheme.objects.create(
        school=school, school_year=world.school_year, version=version, status=PayScheme.Status.APPROVED,
        created_by=world.school_admin, submitted_by=world.school_admin, reviewed_by=world.hr,
        reviewed_at=timezone.now(), **values,
    )  # fmt: skip


def sessions(world) -> SimpleNamespace:
    """The sessions of the module docstring; returns the people."""
    sept, oct_ = months(world)
    w = world
    teacher2 = user_with_role(Role.SERVICE_TEACHER, school=w.school_a, full_name="第二老师")
    class_a = make_service_class(w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="A班")
    class_b = make_service_class(w.school_a, school_year=w.school_year, teacher=teacher2, name="B班")
    d = sept.replace
    make_session(class_a, d(day=7), assistants=[w.volunteer])
    make_session(class_a, d(day=8), status=S.CONFIRMED, assistants=[w.class_teacher])
    make_session(class_a, d(day=9))
    make_session(class_a, d(day=10), teacher=teacher2, role=R.SUBSTITUTE)
    make_session(class_b, d(day=7))
    make_session(class_b, d(day=8))
    make_session(class_a, d(day=14), status=S.NEEDS_CONFIRMATION)  # waiting: not counted
    make_session(class_a, oct_.replace(day=12))
    other = user_with_role(Role.SERVICE_TEACHER, school=w.school_b)
    make_session(make_service_class(w.school_b, school_year=w.school_year, teacher=other), d(day=7))
    return SimpleNamespace(teacher=w.service_teacher, teacher2=teacher2, assistant=w.class_teacher, class_a=class_a)


def close(world, *month_list, school=None) -> None:
    for month in month_list:
        HoursMonth.objects.create(school=school or world.school_a, month=month, closed_by=world.school_admin)


def ready(world) -> SimpleNamespace:
    """Everything a pay run needs at school_a (call with the `funded` world): plan, scheme, sessions, closed months."""
    people = sessions(world)
    close(world, *months(world))
    people.plan = approved_spending_plan(world)
    people.scheme = approved_scheme(world)
    people.sept, people.oct = months(world)
    return people


def approved_run_with_share(world, *, person, amount=Decimal("100.00")) -> tuple[PayRun, PayShare]:
    """An approved run holding one share of `person`, built directly (for access tests; no ledger entry)."""
    scheme = PayScheme.objects.filter(school=world.school_a, status=PayScheme.Status.APPROVED).first()
    scheme = scheme or approved_scheme(world)
    sept, _oct = months(world)
    run = PayRun.objects.create(
        school=world.school_a, school_year=world.school_year, scheme=scheme, first_month=sept, last_month=sept,
        pool=amount, created_by=world.school_admin,
    )  # fmt: skip
    share = PayShare.objects.create(
        run=run, person=person, responsible_hours=Decimal("2.0"), substitute_hours=Decimal("0.0"),
        assistant_hours=Decimal("0.0"), workload=Decimal("2.00"), points=Decimal("2.0000"), amount=amount,
    )  # fmt: skip
    # Approved by a conditional update (from draft, so the PostgreSQL trigger lets it through).
    PayRun.objects.filter(pk=run.pk).update(
        status=PayRun.Status.APPROVED, paid_on=timezone.localdate(), approved_by=world.school_admin,
        approved_at=timezone.now(),
    )  # fmt: skip
    run.refresh_from_db()
    return run, share


def draft_run(world) -> PayRun:
    """A draft run over September with the shares of `ready` (call `ready` first), built directly."""
    sept, _oct = months(world)
    scheme = PayScheme.objects.filter(school=world.school_a, status=PayScheme.Status.APPROVED).first()
    return PayRun.objects.create(
        school=world.school_a, school_year=world.school_year, scheme=scheme, first_month=sept, last_month=sept,
        pool=Decimal("100.00"), created_by=world.school_admin,
    )  # fmt: skip
