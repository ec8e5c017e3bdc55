"""The money departments' homes (finance, HR, audit), the school's funding overview and the funding menu links."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import Claim, Disclosure, Fund, PayRun, PayScheme, Settlement
from schools.models import Role
from xiji_afterschool import navigation

from .. import factories_funding
from ..factories import SchoolFactory, user_with_role
from .builders_disclosure import allocate, claim, past_year, pay_run, spend, teachers

S = Claim.Status

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def queues(world, funded):
    """The current year's claims at every step, a filed and a confirmed settlement, submitted and draft schemes."""
    w = world
    year = w.school_year
    school_c, school_d, school_e = SchoolFactory(name="丙村小学"), SchoolFactory(name="丁村小学"), SchoolFactory()
    w.passed = claim(w.school_b, year, actor=w.other_school_admin, amount="5000.00", status=S.PASSED)
    w.approved = claim(school_c, year, actor=w.school_admin, amount="4000.00", status=S.APPROVED,
                       approved_amount=Decimal("3500.50"))  # fmt: skip
    w.submitted = claim(school_d, year, actor=w.school_admin, amount="1000.00", status=S.SUBMITTED)
    w.draft = claim(school_e, year, actor=w.school_admin, amount="777.00", status=S.DRAFT)
    w.filed = Settlement.objects.create(
        school=w.school_a, school_year=year, delivered_class_hours=Decimal("320.0"), delivered_amount=Decimal("9600.00"),
        allocated_amount=Decimal("9960.00"), difference=Decimal("-360.00"), outcome=Settlement.Outcome.SURPLUS,
        filed_by=w.school_admin,
    )  # fmt: skip
    w.confirmed = Settlement.objects.create(
        school=w.school_b, school_year=year, status=Settlement.Status.CONFIRMED, delivered_class_hours=Decimal("0"),
        delivered_amount=Decimal("0.00"), allocated_amount=Decimal("0.00"), difference=Decimal("0.00"),
        outcome=Settlement.Outcome.BALANCED, filed_by=w.other_school_admin,
    )  # fmt: skip
    w.scheme_submitted = PayScheme.objects.create(
        school=w.school_a, school_year=year, status=PayScheme.Status.SUBMITTED, created_by=w.school_admin
    )
    w.scheme_draft = PayScheme.objects.create(school=w.school_b, school_year=year, created_by=w.other_school_admin)
    return w


def test_finance_home_shows_the_claims_and_settlements_waiting_and_the_years_totals(client, queues):
    w = queues
    client.force_login(w.finance)
    response = client.get(reverse("funding:finance-home"))
    ctx = response.context
    assert ctx["to_approve"]["items"] == [w.passed] and ctx["to_approve"]["count"] == 1
    assert ctx["to_allocate"]["items"] == [w.approved] and ctx["to_allocate"]["count"] == 1
    assert ctx["to_confirm"]["items"] == [w.filed] and ctx["to_confirm"]["count"] == 1
    # Requested: submitted 1,000 + passed 5,000 + approved 4,000 + allocated 9,960 (the draft is not requested yet).
    assert ctx["totals"] == {
        "requested": Decimal("19960.00"),
        "approved": Decimal("13460.50"),  # 3,500.50 + 9,960.00
        "allocated": Decimal("9960.00"),
    }
    body = response.content.decode()
    assert "乙乡中心小学" in body and "丙村小学" in body and "¥3,500.50" in body and "¥19,960.00" in body
    assert "丁村小学" not in body  # awaiting the bureau's first review, not finance


def test_finance_queue_shows_ten_and_counts_all(client, world, rate):
    for _ in range(12):
        factories_funding.claim(SchoolFactory(), world.school_year, status=S.PASSED)
    client.force_login(world.finance)
    ctx = client.get(reverse("funding:finance-home")).context
    assert ctx["to_approve"]["count"] == 12 and len(ctx["to_approve"]["items"]) == 10


def test_hr_home_lists_only_submitted_schemes(client, queues):
    client.force_login(queues.hr)
    response = client.get(reverse("funding:hr-home"))
    assert response.context["to_review"] == {"count": 1, "items": [queues.scheme_submitted]}
    assert "甲乡中心小学" in response.content.decode()


def test_auditor_home_totals_the_county(client, world, funded):
    """school_a: allocated 9,960.00; spent teacher 1,500.00, consumables 60.50 and running 80.00 reversed.
    school_b: allocated 2,000.00, spent staff 300.00. County: 11,960.00 allocated, 1,860.50 spent."""
    w = world
    day = w.school_year.start_date
    spend(w.fund, "teacher", "1500.00", day, actor=w.school_admin)
    spend(w.fund, "consumables", "60.50", day, actor=w.school_admin)
    running = spend(w.fund, "running", "80.00", day, actor=w.school_admin)
    spend(w.fund, "running", "80.00", day, actor=w.school_admin, reverses=running)
    fund_b = Fund.objects.create(school=w.school_b, school_year=w.school_year)
    allocate(
        fund_b, claim(w.school_b, w.school_year, actor=w.other_school_admin, amount="2000.00"), day, actor=w.finance
    )
    spend(fund_b, "staff", "300.00", day, actor=w.other_school_admin)
    client.force_login(w.auditor)
    response = client.get(reverse("funding:auditor-home"))
    ctx = response.context
    assert ctx["allocated"] == Decimal("11960.00")
    assert [amount for _label, amount in ctx["spent_rows"]] == [
        Decimal("1500.00"),
        Decimal("300.00"),
        Decimal("0.00"),
        Decimal("60.50"),
    ]
    assert ctx["spent_total"] == Decimal("1860.50") and ctx["balance"] == Decimal("10099.50")
    assert reverse("funding:disclosure-county") in response.content.decode()


# ---------------------------------------------------------------- the school's funding overview


def test_school_funding_shows_this_years_money_and_links(client, queues):
    w = queues
    spend(w.fund, "consumables", "60.50", w.school_year.start_date, actor=w.school_admin)
    people = teachers(w.school_a, names=["赵老师"])
    run = pay_run(w.school_a, w.school_year, actor=w.school_admin, amounts=["300.00"],
                  paid_on=w.school_year.start_date, people=people, fund=w.fund)  # fmt: skip
    disclosure = Disclosure.objects.create(school=w.school_a, semester=w.autumn, data={}, published_by=w.school_admin)
    client.force_login(w.school_admin)
    response = client.get(reverse("funding:school-funding", args=[w.school_a.pk]))
    ctx = response.context
    assert ctx["claims"] == [w.claim_allocated]
    assert ctx["fund"] == w.fund and ctx["settlement"] == w.filed and ctx["pay_scheme"] == w.scheme_submitted
    assert ctx["pay_runs"] == [run] and ctx["disclosures"] == [disclosure]
    body = response.content.decode()
    assert "¥9,960.00" in body and "¥360.50" in body and "¥9,599.50" in body  # allocated, spent, balance
    assert reverse("funding:disclosure-list", args=[w.school_a.pk]) in body
    assert reverse("funding:disclosure-detail", args=[disclosure.pk]) in body
    assert reverse("funding:disclosure-preview", args=[w.school_a.pk, ctx["current_semester"].pk]) in body
    # Links into the other funding areas, by the agreed names.
    for name, args in [
        ("funding:claim-detail", [w.claim_allocated.pk]),
        ("funding:spending-plan-detail", [w.school_a.pk, w.school_year.pk]),
        ("funding:ledger-detail", [w.school_a.pk, w.school_year.pk]),
        ("funding:settlement-detail", [w.school_a.pk, w.school_year.pk]),
        ("funding:pay-scheme-detail", [w.school_a.pk, w.school_year.pk]),
        ("funding:pay-run-list", [w.school_a.pk]),
        ("funding:pay-run-detail", [run.pk]),
    ]:
        assert reverse(name, args=args) in body, name


def test_finance_reads_the_overview_without_the_pay_parts(client, queues):
    client.force_login(queues.finance)
    response = client.get(reverse("funding:school-funding", args=[queues.school_a.pk]))
    ctx = response.context
    assert ctx["claims"] == [queues.claim_allocated] and ctx["show_fund"]
    assert not ctx["show_pay_scheme"] and ctx["pay_runs"] is None
    assert 'data-part="pay-scheme"' not in response.content.decode()
    assert "Prepare this semester" not in response.content.decode()  # publishing is the school's


def test_auditor_reads_the_pay_runs_in_the_overview(client, queues):
    client.force_login(queues.auditor)
    ctx = client.get(reverse("funding:school-funding", args=[queues.school_a.pk])).context
    assert ctx["show_pay_scheme"] and ctx["pay_runs"] == []


def test_school_home_links_to_the_funding_overview(client, world):
    client.force_login(world.school_admin)
    body = client.get(reverse("schools:school-home")).content.decode()
    assert reverse("funding:school-funding", args=[world.school_a.pk]) in body


def test_an_admin_of_two_schools_opens_both_overviews_but_not_a_third(client, world):
    admin = user_with_role(Role.SCHOOL_ADMIN, school=world.school_a)
    user_with_role(Role.SCHOOL_ADMIN, user=admin, school=world.school_b)
    client.force_login(admin)
    assert client.get(reverse("funding:school-funding", args=[world.school_a.pk])).status_code == 200
    assert client.get(reverse("funding:school-funding", args=[world.school_b.pk])).status_code == 200
    assert client.get(reverse("funding:school-funding", args=[SchoolFactory().pk])).status_code == 404


# ---------------------------------------------------------------- menus


MENU_LINKS = {
    "bureau": ["funding:claim-list", "funding:rate-list", "funding:disclosure-county"],
    "finance": ["funding:claim-list", "funding:settlement-list", "funding:ledger-list", "funding:disclosure-county"],
    "hr": ["funding:pay-scheme-list"],
    "auditor": ["funding:claim-list", "funding:ledger-list", "funding:settlement-list", "funding:disclosure-county"],
    "inspector": ["funding:disclosure-county"],
}


@pytest.mark.parametrize("actor", sorted(MENU_LINKS))
def test_the_money_departments_menus_link_their_funding_pages(client, world, actor):
    user = getattr(world, actor)
    names = [item["name"] for item in navigation.menu(user)]
    assert set(MENU_LINKS[actor]) <= set(names)
    client.force_login(user)
    for name in MENU_LINKS[actor]:  # only pages the role can open
        assert client.get(reverse(name)).status_code == 200, name


def test_pay_run_of_another_year_is_not_in_the_overview(client, world, funded):
    """Only the current school year's records appear."""
    old = past_year()
    pay_run(world.school_a, old.year, actor=world.school_admin, amounts=["10.00"], paid_on=datetime.date(2024, 10, 31),
            people=teachers(world.school_a, names=["钱老师"]), status=PayRun.Status.APPROVED)  # fmt: skip
    client.force_login(world.school_admin)
    ctx = client.get(reverse("funding:school-funding", args=[world.school_a.pk])).context
    assert ctx["pay_runs"] == []
