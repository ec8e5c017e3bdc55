"""Builders for the settlement, ledger and audit-report tests: a finished school year, claims allocated directly
(as the `funded` fixture does, not through the claim services), and the sessions the session log would store."""

import datetime
from decimal import Decimal

from funding.models import Claim, ClaimLine, Fund, LedgerEntry
from schools.models import SchoolYear, Semester, Stage

D = datetime.date


def past_year() -> SchoolYear:
    """2024–2025: autumn 2024-09-01 – 2025-01-20, spring 2025-02-20 – 2025-07-10 (ended before today)."""
    year = SchoolYear.objects.create(
        name="2024—2025学年", start_date=D(2024, 8, 1), end_date=D(2025, 7, 31), plan_deadline=D(2024, 8, 31),
        application_deadline=D(2024, 9, 10), refinement_deadline=D(2024, 10, 31),
    )  # fmt: skip
    Semester.objects.create(school_year=year, number=1, start_date=D(2024, 9, 1), end_date=D(2025, 1, 20))
    Semester.objects.create(school_year=year, number=2, start_date=D(2025, 2, 20), end_date=D(2025, 7, 10))
    return year


_vouchers = iter(range(1, 10_000))


def claim(
    w,
    school,
    school_year,
    *,
    lines=((Stage.PRIMARY, 1, 100, 2),),
    rate="30.00",
    approved=None,
    status=Claim.Status.ALLOCATED,
    supplements=None,
    book=False,
) -> Claim:
    """A claim with lines (stage, classes, planned days, class-hours a day) at `rate`, moved straight to `status`.

    `approved` defaults to the requested amount. With `book`, an allocated claim is also booked into the fund.
    """
    rate = Decimal(rate)
    amounts = [classes * days * per_day * rate for _stage, classes, days, per_day in lines]
    requested = sum(amounts, Decimal("0.00"))
    first_day = school_year.semesters.order_by("number").first().start_date
    made = Claim.objects.create(
        school=school, school_year=school_year, status=Claim.Status.DRAFT, rate=rate, rate_date=first_day,
        class_hours_per_day=lines[0][3], from_date=first_day, requested_amount=requested, created_by=w.school_admin,
        kind=Claim.Kind.SUPPLEMENTARY if supplements else Claim.Kind.ANNUAL, supplements=supplements,
        reason="学生人数增加" if supplements else "",
    )  # fmt: skip
    for (stage, classes, days, per_day), amount in zip(lines, amounts, strict=True):
        ClaimLine.objects.create(
            claim=made, stage=stage, service_classes=classes, planned_days=days, class_hours_per_day=per_day,
            rate=rate, amount=amount,
        )  # fmt: skip
    approved = requested if approved is None else Decimal(approved)
    fields = {"status": status}
    if status != Claim.Status.DRAFT:
        fields |= {
            "submitted_by": w.school_admin,
            "submitted_at": datetime.datetime(2024, 9, 5, 2, tzinfo=datetime.UTC),
        }
    if status in (Claim.Status.PASSED, *Claim.FIXED):
        fields |= {
            "first_reviewed_by": w.bureau,
            "first_reviewed_at": datetime.datetime(2024, 9, 8, 2, tzinfo=datetime.UTC),
        }
    if status in Claim.FIXED:
        approved_at = datetime.datetime(2024, 9, 10, 2, tzinfo=datetime.UTC)
        fields |= {"approved_amount": approved, "approved_by": w.finance, "approved_at": approved_at}
        if approved < requested:
            fields["reduction_reason"] = "按实际班数核减"
    if status == Claim.Status.ALLOCATED:
        fields |= {
            "allocated_by": w.finance, "allocated_on": first_day, "voucher_no": f"XJCZ-2024-{next(_vouchers):04d}",
        }  # fmt: skip
    Claim.objects.filter(pk=made.pk).update(**fields)
    made.refresh_from_db()
    if book and status == Claim.Status.ALLOCATED:
        fund, _created = Fund.objects.get_or_create(school=school, school_year=school_year)
        LedgerEntry.objects.create(
            fund=fund, kind=LedgerEntry.Kind.ALLOCATION, amount=approved, date=first_day, description="补助拨付",
            voucher_no=made.voucher_no, claim=made, recorded_by=w.finance,
        )  # fmt: skip
        Fund.objects.filter(pk=fund.pk).update(allocated=fund.allocated + approved)
    return made
