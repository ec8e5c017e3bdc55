"""Many people acting on one claim at the same moment (R23): exactly one approval, exactly one allocation,
exactly one booking into the fund. On PostgreSQL the calls run in real threads at once (tests/concurrency.py);
on SQLite they run one after the other, which checks the same outcome without the race.
"""

from decimal import Decimal

import pytest
from django.utils import timezone

from funding.models import Claim, ClaimEvent, Fund, LedgerEntry
from funding.services import claims as services
from schools.models import Role
from xiji_afterschool.workflow import TransitionNotAllowed

from ..concurrency import at_once
from ..factories import user_with_role
from .builders_claims import draft, passed

pytestmark = pytest.mark.usefixtures("english", "rate")


@pytest.mark.django_db(transaction=True)
def test_eight_approvers_and_eight_allocations_at_once_count_once(world):
    claim = passed(world, draft(world, classes={"primary": 4}))
    requested = claim.requested_amount
    approvers = [user_with_role(Role.FINANCE) for _i in range(8)]

    def approve(user):
        return lambda: services.claim_approve(actor=user, claim=Claim.objects.get(pk=claim.pk), amount=requested)

    results = at_once(*(approve(user) for user in approvers))
    assert results.count("ok") == 1, results
    refusals = [r for r in results if r != "ok"]
    assert len(refusals) == 7 and all(isinstance(r, TransitionNotAllowed) for r in refusals), results
    assert all("This cannot be done now" in r.message and "Approved by finance" in r.message for r in refusals)
    claim.refresh_from_db()
    winner = approvers[results.index("ok")]
    assert claim.status == Claim.Status.APPROVED and claim.approved_by == winner and claim.approved_amount == requested
    assert ClaimEvent.objects.filter(claim=claim, action="approve").count() == 1

    today = timezone.localdate()

    def allocate(user, n):
        return lambda: services.claim_allocate(
            actor=user, claim=Claim.objects.get(pk=claim.pk), allocated_on=today, voucher_no=f"XJCZ-2026-{n:04d}"
        )

    results = at_once(*(allocate(user, n) for n, user in enumerate(approvers)))
    assert results.count("ok") == 1, results
    refusals = [r for r in results if r != "ok"]
    assert len(refusals) == 7 and all(isinstance(r, TransitionNotAllowed) for r in refusals), results
    assert all("Allocated" in r.message for r in refusals)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.ALLOCATED and claim.voucher_no == f"XJCZ-2026-{results.index('ok'):04d}"
    assert ClaimEvent.objects.filter(claim=claim, action="allocate").count() == 1
    entries = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.ALLOCATION)
    assert entries.count() == 1 and entries.get().claim == claim and entries.get().voucher_no == claim.voucher_no
    fund = Fund.objects.get(school=world.school_a, school_year=world.school_year)
    assert fund.allocated == claim.approved_amount == requested
    assert fund.spent == Decimal("0.00")


@pytest.mark.django_db(transaction=True)
def test_two_claims_allocated_at_once_with_one_voucher_number_book_one(world):
    """The voucher number is unique: two clerks typing the same number for two claims — one is told to check it."""
    first = passed(world, draft(world))
    second = passed(
        world, draft(world, school=world.school_b, admin=world.other_school_admin), admin=world.other_school_admin
    )
    for claim in (first, second):
        services.claim_approve(actor=world.finance, claim=claim, amount=claim.requested_amount)
    clerk = user_with_role(Role.FINANCE)
    today = timezone.localdate()
    results = at_once(
        lambda: services.claim_allocate(
            actor=world.finance, claim=Claim.objects.get(pk=first.pk), allocated_on=today, voucher_no="XJCZ-SAME"
        ),
        lambda: services.claim_allocate(
            actor=clerk, claim=Claim.objects.get(pk=second.pk), allocated_on=today, voucher_no="XJCZ-SAME"
        ),
    )
    assert results.count("ok") == 1, results
    (refusal,) = [r for r in results if r != "ok"]
    assert "Voucher number XJCZ-SAME is already recorded" in refusal.message
    assert Claim.objects.filter(voucher_no="XJCZ-SAME").count() == 1
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.ALLOCATION).count() == 1
    loser = second if results[0] == "ok" else first
    loser.refresh_from_db()
    assert loser.status == Claim.Status.APPROVED and loser.voucher_no == ""
    assert not loser.events.filter(action="allocate").exists()
    winner = Claim.objects.get(pk=(first if results[0] == "ok" else second).pk)
    assert winner.status == Claim.Status.ALLOCATED and winner.voucher_no == "XJCZ-SAME"
    assert sum(Fund.objects.values_list("allocated", flat=True)) == winner.approved_amount


@pytest.mark.django_db(transaction=True)
def test_two_annual_claims_started_at_once_make_one(world):
    results = at_once(*(lambda: draft(world, classes={"primary": 2}) for _i in range(4)))
    assert results.count("ok") == 1, results
    assert all("already has an annual claim" in r.message for r in results if r != "ok")
    assert Claim.objects.filter(school=world.school_a, kind=Claim.Kind.ANNUAL).count() == 1
