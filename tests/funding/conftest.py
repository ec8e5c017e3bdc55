"""Shared funding fixtures: school_a's fund for the world's school year (the 30-yuan `rate` is in tests/conftest.py)."""

from decimal import Decimal

import pytest
from django.db import transaction

from funding.models import Claim, ClaimLine, Fund, LedgerEntry
from schools.models import Stage


@pytest.fixture
def funded(world, rate):
    """school_a's fund holding one allocated annual claim of ¥9,960.00 (built directly, not through services)."""
    year = world.school_year
    claim = Claim.objects.create(
        school=world.school_a, school_year=year, status=Claim.Status.DRAFT, rate=Decimal("30.00"),
        rate_date=world.autumn.start_date, class_hours_per_day=2, from_date=world.autumn.start_date,
        requested_amount=Decimal("9960.00"), created_by=world.school_admin,
    )  # fmt: skip
    ClaimLine.objects.create(
        claim=claim, stage=Stage.PRIMARY, service_classes=1, planned_days=166, class_hours_per_day=2,
        rate=Decimal("30.00"), amount=Decimal("9960.00"),
    )  # fmt: skip
    Claim.objects.filter(pk=claim.pk).update(
        status=Claim.Status.ALLOCATED, approved_amount=Decimal("9960.00"), submitted_by=world.school_admin,
        first_reviewed_by=world.bureau, approved_by=world.finance, allocated_by=world.finance,
        allocated_on=world.autumn.start_date, voucher_no="XJCZ-TEST-0001",
    )  # fmt: skip
    claim.refresh_from_db()
    with transaction.atomic():  # on PostgreSQL the total must match the ledger at commit (funding 0006)
        fund = Fund.objects.create(school=world.school_a, school_year=year, allocated=Decimal("9960.00"))
        LedgerEntry.objects.create(
            fund=fund, kind=LedgerEntry.Kind.ALLOCATION, amount=Decimal("9960.00"), date=world.autumn.start_date,
            description="年度补助拨付", voucher_no="XJCZ-TEST-0001", claim=claim, recorded_by=world.finance,
        )  # fmt: skip
    world.claim_allocated = claim
    world.fund = fund
    return world
