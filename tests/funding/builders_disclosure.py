"""ORM builders for the disclosure and home-page tests: a finished school year (so "today" never matters), claims,
ledger entries and approved pay runs stored as the services would leave them (not through the services)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from funding.models import Claim, Fund, LedgerEntry, PayRun, PayScheme, PayShare
from schools.models import Role, SchoolYear, Semester

from ..factories import user_with_role

D = datetime.date
TEACHER_NAMES = ("马晓燕", "杨建华", "周立新")


def past_year() -> SimpleNamespace:
    """The 2024–2025 school year with its two semesters, long over whatever today is."""
    year = SchoolYear.objects.create(
        name="2024–2025", start_date=D(2024, 8, 1), end_date=D(2025, 7, 31), plan_deadline=D(2024, 8, 31),
        application_deadline=D(2024, 9, 30), refinement_deadline=D(2024, 10, 31),
    )  # fmt: skip
    autumn = Semester.objects.create(school_year=year, number=1, start_date=D(2024, 9, 1), end_date=D(2025, 1, 17))
    spring = Semester.objects.create(school_year=year, number=2, start_date=D(2025, 2, 17), end_date=D(2025, 7, 4))
    return SimpleNamespace(year=year, autumn=autumn, spring=spring)


def claim(school, year, *, actor, amount, status=Claim.Status.ALLOCATED, annual=None, **fields) -> Claim:
    """A claim in `status`; approved and allocated ones carry the approved amount and three different people."""
    c = Claim.objects.create(
        school=school, school_year=year, kind=Claim.Kind.SUPPLEMENTARY if annual else Claim.Kind.ANNUAL,
        supplements=annual, rate=Decimal("30.00"), rate_date=year.start_date, class_hours_per_day=2,
        from_date=year.start_date, requested_amount=Decimal(amount), created_by=actor,
    )  # fmt: skip
    done = {"status": status, **fields}
    if status in (Claim.Status.APPROVED, Claim.Status.ALLOCATED):
        done.setdefault("approved_amount", Decimal(amount))
    Claim.objects.filter(pk=c.pk).update(**done)
    c.refresh_from_db()
    return c


def allocate(fund: Fund, c: Claim, day: datetime.date, *, actor) -> LedgerEntry:
    entry = LedgerEntry.objects.create(
        fund=fund, kind=LedgerEntry.Kind.ALLOCATION, amount=c.approved_amount, date=day, description="拨付",
        voucher_no=f"XJCZ-{c.pk}", claim=c, recorded_by=actor,
    )  # fmt: skip
    Fund.objects.filter(pk=fund.pk).update(allocated=fund.allocated + c.approved_amount)
    fund.refresh_from_db()
    return entry


def spend(fund: Fund, category: str, amount: str, day: datetime.date, *, actor, reverses=None) -> LedgerEntry:
    """A spending entry, or with `reverses` the reversal of one; keeps the fund's running total as the service does."""
    amount = Decimal(amount)
    entry = LedgerEntry.objects.create(
        fund=fund, kind=LedgerEntry.Kind.REVERSAL if reverses else LedgerEntry.Kind.SPENDING, category=category,
        amount=amount, date=day, description="支出", reverses=reverses, recorded_by=actor,
    )  # fmt: skip
    Fund.objects.filter(pk=fund.pk).update(spent=fund.spent + (-amount if reverses else amount))
    fund.refresh_from_db()
    return entry


def teachers(school, names=TEACHER_NAMES) -> list:
    return [user_with_role(Role.SERVICE_TEACHER, school=school, full_name=name) for name in names]


def pay_run(school, year, *, actor, amounts, paid_on, people, status=PayRun.Status.APPROVED, fund=None) -> PayRun:
    """A pay run with one share per amount (pool = their sum); an approved one is booked as teacher spending."""
    scheme, _created = PayScheme.objects.get_or_create(
        school=school, school_year=year, version=1,
        defaults={"status": PayScheme.Status.APPROVED, "created_by": actor},
    )  # fmt: skip
    amounts = [Decimal(a) for a in amounts]
    pool = sum(amounts, Decimal("0.00"))
    entry = None
    if status == PayRun.Status.APPROVED and fund is not None:
        entry = spend(fund, "teacher", str(pool), paid_on, actor=actor)
    run = PayRun.objects.create(
        school=school, school_year=year, scheme=scheme, first_month=paid_on.replace(day=1),
        last_month=paid_on.replace(day=1), pool=pool, created_by=actor,
    )  # fmt: skip
    for person, amount in zip(people, amounts, strict=False):
        PayShare.objects.create(
            run=run, person=person, responsible_hours=Decimal("40.0"), substitute_hours=Decimal("0.0"),
            assistant_hours=Decimal("0.0"), workload=Decimal("40.00"), points=Decimal("40.0000"), amount=amount,
        )  # fmt: skip
    if status == PayRun.Status.APPROVED:  # shares first: on PostgreSQL an approved run takes no new share
        PayRun.objects.filter(pk=run.pk).update(status=status, paid_on=paid_on, ledger_entry=entry, approved_by=actor)
        run.refresh_from_db()
    return run


def school_year_money(w, year) -> SimpleNamespace:
    """school_a's fund for `year` (a past_year()): the hand-checked figures of tests/funding/test_disclosure.py.

    Autumn: allocated 9,960.00 (annual claim, 10 Sep). Spent: staff 100.00 on 20 Aug (before the semester, in the
    year), teacher 3,000.00 (the pay run of 31 Oct: 1,234.56 + 1,000.00 + 765.44), consumables 456.78, running
    200.00 reversed three days later. Spring: a supplementary 1,200.00 (1 Mar) and consumables 50.00 (10 Mar).
    """
    fund = Fund.objects.create(school=w.school_a, school_year=year.year)
    annual = claim(w.school_a, year.year, actor=w.school_admin, amount="9960.00")
    allocate(fund, annual, D(2024, 9, 10), actor=w.finance)
    spend(fund, "staff", "100.00", D(2024, 8, 20), actor=w.school_admin)
    people = teachers(w.school_a)
    run = pay_run(
        w.school_a, year.year, actor=w.school_admin, amounts=["1234.56", "1000.00", "765.44"],
        paid_on=D(2024, 10, 31), people=people, fund=fund,
    )  # fmt: skip
    spend(fund, "consumables", "456.78", D(2024, 11, 5), actor=w.school_admin)
    running = spend(fund, "running", "200.00", D(2024, 12, 1), actor=w.school_admin)
    spend(fund, "running", "200.00", D(2024, 12, 3), actor=w.school_admin, reverses=running)
    extra = claim(w.school_a, year.year, actor=w.school_admin, amount="1200.00", annual=annual)
    allocate(fund, extra, D(2025, 3, 1), actor=w.finance)
    spend(fund, "consumables", "50.00", D(2025, 3, 10), actor=w.school_admin)
    return SimpleNamespace(fund=fund, run=run, people=people, annual=annual, extra=extra)
