"""Builders for the claim tests: the issue's worked-example calendars and claims moved through the workflow by
the services (three different people: the school's admin submits, the bureau reviews, finance approves)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from funding.models import Claim
from funding.services import claims as services
from schools.models import CalendarDay, Role, School, SchoolYear, Semester

from ..factories import SchoolFactory, user_with_role

D = datetime.date
HOLIDAY, MAKEUP = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.MAKEUP_WORKDAY


def _year(name, autumn, spring, days) -> SchoolYear:
    year = SchoolYear.objects.create(
        name=name, start_date=D(2029, 8, 1), end_date=D(2030, 7, 31), plan_deadline=D(2029, 8, 31),
        application_deadline=D(2029, 9, 30), refinement_deadline=D(2029, 10, 31),
    )  # fmt: skip
    Semester.objects.create(school_year=year, number=1, start_date=autumn[0], end_date=autumn[1])
    Semester.objects.create(school_year=year, number=2, start_date=spring[0], end_date=spring[1])
    CalendarDay.objects.bulk_create(CalendarDay(school_year=year, date=d, kind=k) for d, k in days)
    return year


def year_200() -> SchoolYear:
    """5+2: autumn Mon 2029-09-03 to Fri 2030-01-25 (21 weeks, 105 days) less the National Day week (5) = 100;
    spring Mon 2030-02-25 to Fri 2030-07-12 (20 weeks, 100 days) less Labour Day (Wed) plus a make-up Sunday = 100.
    From 2030-03-01 on: 96 days."""
    national_day = [(D(2029, 10, d), HOLIDAY) for d in range(1, 6)]
    return _year(
        "2029–2030（算例）",
        (D(2029, 9, 3), D(2030, 1, 25)),
        (D(2030, 2, 25), D(2030, 7, 12)),
        [*national_day, (D(2030, 5, 1), HOLIDAY), (D(2030, 4, 28), MAKEUP)],
    )


def year_252() -> SchoolYear:
    """6+2 (senior high): 42 weeks × 6 days = 252 — autumn Mon 2029-09-03 to Sat 2030-01-26 (21 weeks), spring
    Mon 2030-02-25 to Sat 2030-07-20 (21 weeks); National Day (Mon) off, made up on Sunday 2029-09-30."""
    return _year(
        "2029–2030（高中算例）",
        (D(2029, 9, 3), D(2030, 1, 26)),
        (D(2030, 2, 25), D(2030, 7, 20)),
        [(D(2029, 10, 1), HOLIDAY), (D(2029, 9, 30), MAKEUP)],
    )


def school_with_admin(school_type=School.Type.PRIMARY, **kwargs):
    school = SchoolFactory(school_type=school_type, **kwargs)
    return school, user_with_role(Role.SCHOOL_ADMIN, school=school)


def draft(w, *, school=None, admin=None, year=None, classes=None) -> Claim:
    school = school or w.school_a
    admin = admin or w.school_admin
    return services.claim_create(
        actor=admin,
        school=school,
        school_year=year or w.school_year,
        classes=classes or dict.fromkeys(school.stages, 3),
    )


def submitted(w, claim: Claim, *, admin=None) -> Claim:
    return services.claim_submit(actor=admin or w.school_admin, claim=claim)


def passed(w, claim: Claim, *, admin=None, reviewer=None) -> Claim:
    claim = submitted(w, claim, admin=admin)
    return services.claim_pass(actor=reviewer or w.bureau, claim=claim)


def returned(w, claim: Claim, *, admin=None, reviewer=None, note="请核对班数") -> Claim:
    claim = submitted(w, claim, admin=admin)
    return services.claim_return(actor=reviewer or w.bureau, claim=claim, note=note)


def approved(w, claim: Claim, *, admin=None, approver=None, amount=None, reason="") -> Claim:
    claim = passed(w, claim, admin=admin)
    return services.claim_approve(
        actor=approver or w.finance,
        claim=claim,
        amount=claim.requested_amount if amount is None else amount,
        reason=reason,
    )


def allocated(w, claim: Claim, *, voucher="XJCZ-2026-0001", admin=None, amount=None, reason="") -> Claim:
    claim = approved(w, claim, admin=admin, amount=amount, reason=reason)
    return services.claim_allocate(actor=w.finance, claim=claim, allocated_on=timezone.localdate(), voucher_no=voucher)


def money(value: str) -> Decimal:
    return Decimal(value)
