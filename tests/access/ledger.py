"""Access rows of the earmarked ledger (R24) and the spending plan (R25) of school_a for the world's school year."""

import datetime
from decimal import Decimal

from funding.models import Category, Fund, LedgerEntry, SpendingPlan
from schools.models import Stage

from ..funding.builders_settlement import claim
from .cases import Case, only
from .settlement import READERS, READERS_REFUSED, school_a_year

ACTS = {**READERS_REFUSED, "school_admin": 302}


def _entry(world, tmp_path):
    """A spending entry of school_a's fund, its totals matching its ledger (PostgreSQL checks them, funding 0006)."""
    claim(world, world.school_a, world.school_year, lines=((Stage.PRIMARY, 1, 2, 2),), approved="100.00", book=True)
    fund = Fund.objects.get(school=world.school_a, school_year=world.school_year)
    world.entry = LedgerEntry.objects.create(
        fund=fund, kind=LedgerEntry.Kind.SPENDING, category=Category.CONSUMABLES, amount=Decimal("10.00"),
        date=world.school_year.start_date, description="文具", recorded_by=world.school_admin,
    )  # fmt: skip
    Fund.objects.filter(pk=fund.pk).update(spent=Decimal("10.00"))


def _plan(world, tmp_path):
    (tmp_path / "minutes").mkdir()
    (tmp_path / "minutes" / "office.pdf").write_bytes(b"%PDF-1.4\n")
    world.spending_plan = SpendingPlan.objects.create(
        school=world.school_a, school_year=world.school_year, budget_teacher=Decimal("100.00"),
        office_meeting_date=datetime.date(2000, 1, 1), office_meeting_resolution="1",
        office_meeting_minutes="minutes/office.pdf", created_by=world.school_admin,
    )  # fmt: skip


MATRIX = {
    "funding:ledger-list": only("school_admin", "other_school_admin", "bureau", "finance", "inspector", "auditor"),
    "funding:ledger-detail": Case(args=school_a_year, ok=READERS, default=404),
    "funding:ledger-spend": Case(method="post", args=school_a_year, ok=ACTS, default=404),
    "funding:ledger-reverse": Case(method="post", args=lambda w: [w.entry.pk], ok=ACTS, default=404, setup=_entry),
    "funding:ledger-export": Case(args=school_a_year, ok=READERS, default=404),
    # The audit report (issue #12): auditor, bureau, finance, the school's own admin; the inspector does not see it.
    "funding:subsidy-report": Case(
        args=school_a_year, ok={a: 200 for a in ("school_admin", "bureau", "finance", "auditor")}, default=404
    ),
    "funding:spending-plan-detail": Case(args=school_a_year, ok=READERS, default=404),
    "funding:spending-plan-edit": Case(args=school_a_year, ok={**READERS_REFUSED, "school_admin": 200}, default=404),
    "funding:spending-plan-approve": Case(
        method="post", args=lambda w: [w.spending_plan.pk], ok=ACTS, default=404, setup=_plan
    ),
    "funding:spending-plan-minutes": Case(
        args=lambda w: [w.spending_plan.pk, "office"], ok=READERS, default=404, setup=_plan
    ),
}
