"""The subsidy standard (R22): set by the bureau from today or a later day; the past is never rewritten."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from schools.models import SubsidyRate
from schools.services import rates as services
from xiji_afterschool.errors import DomainError

pytestmark = pytest.mark.usefixtures("english", "rate")


def test_the_bureau_sets_a_new_standard_from_a_later_day(world):
    day = timezone.localdate() + datetime.timedelta(days=30)
    rate = services.rate_set(actor=world.bureau, amount=Decimal("35.00"), effective_from=day, note="宁教发〔2026〕1号")
    assert (rate.amount, rate.effective_from, rate.note) == (Decimal("35.00"), day, "宁教发〔2026〕1号")
    assert SubsidyRate.in_force(day) == Decimal("35.00")
    assert SubsidyRate.in_force(day - datetime.timedelta(days=1)) == Decimal("30.00")


def test_a_standard_may_start_today(world):
    rate = services.rate_set(actor=world.bureau, amount="32.5", effective_from=timezone.localdate())
    assert rate.amount == Decimal("32.50")


@pytest.mark.parametrize("who", ["finance", "school_admin", "inspector", "auditor", "parent"])
def test_only_the_bureau_sets_the_standard(world, who):
    with pytest.raises(PermissionDenied):
        services.rate_set(actor=getattr(world, who), amount=Decimal("35.00"), effective_from=timezone.localdate())
    assert SubsidyRate.objects.count() == 1


@pytest.mark.parametrize(
    "amount, days, message",
    [
        (Decimal("35.00"), -1, "cannot start in the past"),
        (Decimal("0"), 1, "more than zero"),
        (Decimal("-30"), 1, "more than zero"),
        (Decimal("30.005"), 1, "at most two decimal places"),
        ("abc", 1, "Enter the rate in yuan"),
        (30.0, 1, "Enter the rate in yuan"),
        (Decimal("1000000"), 1, "too large"),
    ],
)
def test_a_bad_standard_is_refused(world, amount, days, message):
    with pytest.raises(DomainError, match=message):
        services.rate_set(
            actor=world.bureau, amount=amount, effective_from=timezone.localdate() + datetime.timedelta(days=days)
        )
    assert SubsidyRate.objects.count() == 1


def test_a_day_that_already_has_a_rate_is_refused(world):
    day = timezone.localdate() + datetime.timedelta(days=5)
    services.rate_set(actor=world.bureau, amount=Decimal("31.00"), effective_from=day)
    with pytest.raises(DomainError, match="already takes effect on"):
        services.rate_set(actor=world.bureau, amount=Decimal("32.00"), effective_from=day)
    assert SubsidyRate.objects.get(effective_from=day).amount == Decimal("31.00")


def test_the_page_lists_the_standard_and_says_families_are_never_charged(client, world):
    client.force_login(world.finance)
    page = client.get(reverse("funding:rate-list")).content.decode()
    assert "¥30.00" in page and "Families are never charged" in page
    assert "Set a new standard" not in page  # finance reads, the bureau sets
    assert client.post(reverse("funding:rate-list"), {"amount": "40.00"}).status_code == 403
    assert SubsidyRate.objects.count() == 1


def test_the_bureau_adds_a_standard_on_the_page(client, world):
    client.force_login(world.bureau)
    assert "Set a new standard" in client.get(reverse("funding:rate-list")).content.decode()
    day = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        reverse("funding:rate-list"), {"amount": "36.00", "effective_from": day.isoformat(), "note": "调整标准"}
    )
    assert response.status_code == 302
    assert SubsidyRate.objects.get(effective_from=day).amount == Decimal("36.00")
    page = client.get(reverse("funding:rate-list")).content.decode()
    assert "¥36.00" in page and "调整标准" in page


@pytest.mark.parametrize(
    "data, text",
    [
        ({"amount": "30.123", "effective_from": "2030-01-01"}, "Ensure that there are no more than 2 decimal places"),
        ({"amount": "0", "effective_from": "2030-01-01"}, "greater than or equal to 0.01"),
        ({"amount": "30", "effective_from": "2030-02-30"}, "Enter a valid date"),
        ({"amount": "30", "effective_from": "2020-01-01"}, "cannot start in the past"),
        ({"amount": "30.00", "effective_from": "2021-09-01"}, "cannot start in the past"),
    ],
)
def test_the_page_refuses_bad_input_and_writes_nothing(client, world, data, text):
    client.force_login(world.bureau)
    response = client.post(reverse("funding:rate-list"), data)
    assert response.status_code == 200 and text in response.content.decode()
    assert SubsidyRate.objects.count() == 1
