"""The service-driven factories (tests/factories_enrollment.py, tests/factories_funding.py) reach every status,
and the history they leave is the services' own: one event per step, in order."""

import pytest

from enrollment.models import Application
from funding.models import Claim, Fund, LedgerEntry
from schools.models import ServiceClassMember

from .factories_enrollment import STEPS as APPLICATION_STEPS
from .factories_enrollment import application
from .factories_funding import STEPS as CLAIM_STEPS
from .factories_funding import claim


@pytest.mark.parametrize("status", list(APPLICATION_STEPS))
def test_application_reaches_every_status_through_the_services(world, status):
    app = application(world.child_a2, status=status, dual_working=True)
    assert app.status == status and app.dual_working and app.school_year == world.school_year
    actions = list(app.events.order_by("pk").values_list("action", flat=True))
    assert actions == ["submit", *APPLICATION_STEPS[status]]  # each step is named after the event it writes
    placed = status in (Application.Status.PLACED, Application.Status.ACTIVE)
    assert ServiceClassMember.objects.filter(student=world.child_a2, end_date__isnull=True).exists() == placed
    assert (app.service_class is not None) == placed


@pytest.mark.parametrize("status", list(CLAIM_STEPS))
def test_claim_reaches_every_status_through_the_services(world, rate, status):
    made = claim(world.school_b, world.school_year, status=status)
    assert made.status == status and made.requested_amount > 0
    assert list(made.events.order_by("pk").values_list("action", flat=True)) == list(CLAIM_STEPS[status])
    allocated = status == Claim.Status.ALLOCATED
    assert LedgerEntry.objects.filter(claim=made).exists() == allocated
    if allocated:
        fund = Fund.objects.get(school=world.school_b, school_year=world.school_year)
        assert fund.allocated == made.approved_amount == made.requested_amount
        people = {made.submitted_by, made.first_reviewed_by, made.approved_by}
        assert len(people) == 3 and made.allocated_by == made.approved_by


def test_claim_approved_for_less_keeps_the_reason(world, rate):
    made = claim(world.school_b, world.school_year, status=Claim.Status.APPROVED, amount="100.00")
    assert str(made.approved_amount) == "100.00" and made.reduction_reason
