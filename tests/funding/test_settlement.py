"""The year-end settlement (决算): delivered class-hours × the rate in force on each day, against the allocation."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from funding.models import Claim, Settlement, SettlementEvent, SettlementLine
from funding.selectors.settlement import settlement_figures
from funding.services.settlement import settlement_confirm, settlement_file
from schools.models import Session, Stage, SubsidyRate
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..access.hours import make_service_class, make_session
from ..concurrency import at_once
from ..factories import AdminClassFactory, user_with_role
from .builders_settlement import claim, past_year

D = datetime.date
S = Session.Status


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def year(world, rate):
    """2024–2025 at school_a: three service classes, 30 yuan until 2025-03-01 and 35 yuan from then on.

    A (primary, class_a1):  3 × 2.0 h in September at 30 · 2 × 2.0 h in March at 35 · one session waiting for
                            confirmation (not counted)
    B (no admin class, so the school's first stage, primary): 4 × 1.0 h in September + 1 × 1.5 h on 25 February,
                            all at 30
    C (junior, grade 8):    2.0 h on 5 March + 1.0 h (confirmed) on 10 June, both at 35
    Sessions of school_b and of the current year at school_a are not counted.
    """
    SubsidyRate.objects.create(amount=Decimal("35.00"), effective_from=D(2025, 3, 1), note="提标")
    year = past_year()
    w = world
    w.year = year
    teacher = w.service_teacher
    grade8 = AdminClassFactory(school=w.school_a, grade=8, number=1)
    a = make_service_class(
        w.school_a, school_year=year, teacher=teacher, name="A班 作业辅导", admin_classes=[w.class_a1]
    )
    b = make_service_class(w.school_a, school_year=year, teacher=teacher, name="B班 阅读")
    c = make_service_class(w.school_a, school_year=year, teacher=teacher, name="C班 体育", admin_classes=[grade8])
    for day in (D(2024, 9, 10), D(2024, 9, 11)):
        make_session(a, day, present=25)
    make_session(a, D(2024, 9, 12), status=S.CONFIRMED, present=25)
    make_session(a, D(2024, 10, 15), status=S.NEEDS_CONFIRMATION, present=25)
    for day in (D(2025, 3, 3), D(2025, 3, 4)):
        make_session(a, day, present=25)
    for day in (D(2024, 9, 10), D(2024, 9, 11), D(2024, 9, 12), D(2024, 9, 13)):
        make_session(b, day, class_hours="1.0", present=25)
    make_session(b, D(2025, 2, 25), class_hours="1.5", present=25)
    make_session(c, D(2025, 3, 5), present=25)
    make_session(c, D(2025, 6, 10), class_hours="1.0", status=S.CONFIRMED, present=25)
    other_admin = w.other_school_admin
    elsewhere = make_service_class(w.school_b, school_year=year, teacher=other_admin, name="A班 作业辅导")
    make_session(elsewhere, D(2024, 9, 10), present=25)
    now = make_service_class(w.school_a, school_year=w.school_year, teacher=teacher, name="A班 作业辅导")
    make_session(now, w.autumn.start_date, present=25)
    w.classes = (a, b, c)
    return w


EXPECTED_LINES = [  # (class, stage, sessions, class-hours, rate, amount) — worked by hand
    ("A班 作业辅导", Stage.PRIMARY, 3, Decimal("6.0"), Decimal("30.00"), Decimal("180.00")),
    ("A班 作业辅导", Stage.PRIMARY, 2, Decimal("4.0"), Decimal("35.00"), Decimal("140.00")),
    ("B班 阅读", Stage.PRIMARY, 5, Decimal("5.5"), Decimal("30.00"), Decimal("165.00")),
    ("C班 体育", Stage.JUNIOR, 2, Decimal("3.0"), Decimal("35.00"), Decimal("105.00")),
]


def lines_of(settlement: Settlement) -> list[tuple]:
    return list(
        settlement.lines.order_by("pk").values_list(
            "service_class_name", "stage", "sessions", "class_hours", "rate", "amount"
        )
    )


def test_hand_worked_settlement_has_a_line_per_class_and_rate_and_a_shortfall(year):
    w = year
    annual = claim(w, w.school_a, w.year, lines=[(Stage.PRIMARY, 1, 10, 2)], approved="500.00")
    claim(w, w.school_a, w.year, lines=[(Stage.PRIMARY, 1, 1, 2)], supplements=annual)  # 60.00, allocated
    claim(w, w.school_a, w.year, lines=[(Stage.PRIMARY, 1, 5, 2)], supplements=annual, status=Claim.Status.APPROVED)
    settlement = settlement_file(actor=w.school_admin, school=w.school_a, school_year=w.year)
    assert lines_of(settlement) == EXPECTED_LINES
    settlement.refresh_from_db()
    assert settlement.status == Settlement.Status.FILED
    assert settlement.delivered_class_hours == Decimal("18.5")
    assert settlement.delivered_amount == Decimal("590.00")
    assert settlement.allocated_amount == Decimal("560.00")  # the approved-but-unallocated 300.00 does not count
    assert settlement.difference == Decimal("30.00")
    assert settlement.outcome == Settlement.Outcome.SHORTFALL
    assert settlement.filed_by == w.school_admin
    assert list(settlement.events.values_list("action", "from_status", "to_status", "actor")) == [
        ("file", "", "filed", w.school_admin.pk)
    ]


@pytest.mark.parametrize(
    "approved, difference, outcome",
    [
        ("700.00", Decimal("-110.00"), Settlement.Outcome.SURPLUS),
        ("590.00", Decimal("0.00"), Settlement.Outcome.BALANCED),
        ("589.50", Decimal("0.50"), Settlement.Outcome.SHORTFALL),
    ],
)
def test_outcome_follows_the_sign_of_delivered_minus_allocated(year, approved, difference, outcome):
    w = year
    claim(w, w.school_a, w.year, lines=[(Stage.PRIMARY, 1, 20, 2)], approved=approved)
    settlement = settlement_file(actor=w.school_admin, school=w.school_a, school_year=w.year)
    assert (settlement.delivered_amount, settlement.difference, settlement.outcome) == (
        Decimal("590.00"),
        difference,
        outcome,
    )


def test_line_amounts_are_rounded_half_up_to_the_fen(world):
    """1.5 class-hours × ¥30.55 = 45.825 → ¥45.83 (round-half-even would give 45.82)."""
    SubsidyRate.objects.create(amount=Decimal("30.55"), effective_from=D(2024, 1, 1))
    w = world
    year = past_year()
    service_class = make_service_class(w.school_a, school_year=year, teacher=w.service_teacher, name="A班")
    make_session(service_class, D(2024, 9, 10), class_hours="1.5", present=25)
    claim(w, w.school_a, year, lines=[(Stage.PRIMARY, 1, 2, 1)], rate="30.55", approved="45.83")
    settlement = settlement_file(actor=w.school_admin, school=w.school_a, school_year=year)
    assert lines_of(settlement) == [("A班", Stage.PRIMARY, 1, Decimal("1.5"), Decimal("30.55"), Decimal("45.83"))]
    assert (settlement.delivered_amount, settlement.difference) == (Decimal("45.83"), Decimal("0.00"))
    assert settlement.outcome == Settlement.Outcome.BALANCED


def test_filing_is_refused_before_the_last_semester_has_ended(world, rate):
    w = world
    claim(w, w.school_a, w.school_year)
    with pytest.raises(DomainError, match="after the year's last semester has ended"):
        settlement_file(actor=w.school_admin, school=w.school_a, school_year=w.school_year)
    assert not Settlement.objects.exists()


def test_filing_is_refused_without_an_allocated_claim(year):
    w = year
    claim(w, w.school_a, w.year, status=Claim.Status.APPROVED)
    with pytest.raises(DomainError, match="No claim of this year has been allocated"):
        settlement_file(actor=w.school_admin, school=w.school_a, school_year=w.year)
    assert not Settlement.objects.exists()


def test_filing_is_refused_when_a_session_has_no_rate_in_force(world):
    w = world
    SubsidyRate.objects.create(amount=Decimal("30.00"), effective_from=D(2025, 1, 1))
    year = past_year()
    service_class = make_service_class(w.school_a, school_year=year, teacher=w.service_teacher, name="A班")
    make_session(service_class, D(2024, 9, 10), present=25)
    claim(w, w.school_a, year)
    with pytest.raises(DomainError, match="No subsidy rate is in force on 2024-09-10"):
        settlement_file(actor=w.school_admin, school=w.school_a, school_year=year)
    assert not Settlement.objects.exists()


def test_only_the_schools_own_admin_files_and_only_finance_confirms(year):
    w = year
    claim(w, w.school_a, w.year)
    for outsider in (w.finance, w.bureau, w.other_school_admin, w.auditor):
        with pytest.raises(PermissionDenied):
            settlement_file(actor=outsider, school=w.school_a, school_year=w.year)
    assert not Settlement.objects.exists()
    settlement = settlement_file(actor=w.school_admin, school=w.school_a, school_year=w.year)
    for outsider in (w.school_admin, w.bureau, w.auditor):
        with pytest.raises(PermissionDenied):
            settlement_confirm(actor=outsider, settlement=settlement)
    settlement.refresh_from_db()
    assert settlement.status == Settlement.Status.FILED and not settlement.events.filter(action="confirm").exists()


def test_refiling_while_filed_recomputes_from_the_session_log(year):
    w = year
    claim(w, w.school_a, w.year, approved="560.00", lines=[(Stage.PRIMARY, 1, 10, 2)])
    first = settlement_file(actor=w.school_admin, school=w.school_a, school_year=w.year)
    a, _b, _c = w.classes
    Session.objects.filter(service_class=a, date=D(2024, 10, 15)).update(status=S.CONFIRMED)  # confirmed late
    second_admin = user_with_role("school_admin", school=w.school_a)
    again = settlement_file(actor=second_admin, school=w.school_a, school_year=w.year)
    assert again.pk == first.pk and Settlement.objects.count() == 1
    assert lines_of(again)[0] == ("A班 作业辅导", Stage.PRIMARY, 4, Decimal("8.0"), Decimal("30.00"), Decimal("240.00"))
    assert SettlementLine.objects.count() == 4
    assert (again.delivered_class_hours, again.delivered_amount, again.difference) == (
        Decimal("20.5"),
        Decimal("650.00"),
        Decimal("90.00"),
    )
    assert again.filed_by == second_admin
    assert list(again.events.values_list("action", flat=True)) == ["file", "refile"]


def test_a_confirmed_settlement_never_changes(year):
    w = year
    claim(w, w.school_a, w.year, approved="500.00", lines=[(Stage.PRIMARY, 1, 10, 2)])
    settlement = settlement_file(actor=w.school_admin, school=w.school_a, school_year=w.year)
    settlement_confirm(actor=w.finance, settlement=settlement, note="核对无误")
    settlement.refresh_from_db()
    assert settlement.status == Settlement.Status.CONFIRMED
    assert settlement.confirmed_by == w.finance and settlement.confirmed_at is not None
    assert list(settlement.events.values_list("action", "from_status", "to_status", "note"))[-1] == (
        "confirm",
        "filed",
        "confirmed",
        "核对无误",
    )
    make_session(w.classes[0], D(2025, 5, 6))  # a session logged afterwards must not move it
    with pytest.raises(DomainError, match="Finance has confirmed this settlement"):
        settlement_file(actor=w.school_admin, school=w.school_a, school_year=w.year)
    with pytest.raises(TransitionNotAllowed):
        settlement_confirm(actor=w.finance, settlement=settlement)
    assert lines_of(settlement) == EXPECTED_LINES
    settlement.refresh_from_db()
    assert settlement.delivered_amount == Decimal("590.00") and settlement.events.count() == 2
    if connection.vendor == "postgresql":  # the database refuses too (migration 0002)
        for change in (
            lambda: Settlement.objects.filter(pk=settlement.pk).update(delivered_amount=Decimal("1.00")),
            lambda: Settlement.objects.filter(pk=settlement.pk).delete(),
            lambda: SettlementLine.objects.filter(settlement=settlement).update(amount=Decimal("1.00")),
            lambda: SettlementLine.objects.filter(settlement=settlement).delete(),
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                change()
    else:  # SQLite has no triggers: the services are the guard, and no page edits a settlement
        assert {p for p in ("settlement-edit", "settlement-delete") if _has_url(p)} == set()
    settlement.refresh_from_db()
    assert settlement.delivered_amount == Decimal("590.00") and SettlementLine.objects.count() == 4


def _has_url(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(f"funding:{name}", args=[1])
    except NoReverseMatch:
        return False
    return True


@pytest.mark.django_db(transaction=True)
def test_two_finance_officers_confirming_at_once_confirm_once(year):
    w = year
    claim(w, w.school_a, w.year)
    settlement = settlement_file(actor=w.school_admin, school=w.school_a, school_year=w.year)
    other = user_with_role("finance")
    first, second = Settlement.objects.get(pk=settlement.pk), Settlement.objects.get(pk=settlement.pk)
    results = at_once(
        lambda: settlement_confirm(actor=w.finance, settlement=first),
        lambda: settlement_confirm(actor=other, settlement=second),
    )
    assert results.count("ok") == 1, results
    assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 1, results
    assert SettlementEvent.objects.filter(action="confirm").count() == 1


def test_figures_preview_matches_the_filing(year):
    w = year
    claim(w, w.school_a, w.year, approved="500.00", lines=[(Stage.PRIMARY, 1, 10, 2)])
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert [(x.service_class_name, x.stage, x.sessions, x.class_hours, x.rate, x.amount) for x in figures.lines] == (
        EXPECTED_LINES
    )
    assert (figures.delivered_amount, figures.allocated_amount, figures.difference) == (
        Decimal("590.00"),
        Decimal("500.00"),
        Decimal("90.00"),
    )
    assert not Settlement.objects.exists()  # reading never writes


# ---------------------------------------------------------------- pages


def test_settlement_page_states_the_difference_in_words(client, year):
    w = year
    claim(w, w.school_a, w.year, approved="700.00", lines=[(Stage.PRIMARY, 1, 20, 2)])
    url = reverse("funding:settlement-detail", args=[w.school_a.pk, w.year.pk])
    client.force_login(w.school_admin)
    preview = client.get(url)
    assert preview.status_code == 200
    assert "Not filed yet." in preview.content.decode()
    assert "Surplus ¥110.00: to be returned or carried over as finance decides." in preview.content.decode()
    response = client.post(reverse("funding:settlement-file", args=[w.school_a.pk, w.year.pk]), follow=True)
    page = response.content.decode()
    assert "The settlement has been filed: Surplus." in page
    assert "Surplus ¥110.00: to be returned or carried over as finance decides." in page
    assert "¥180.00" in page and "¥590.00" in page and "-¥110.00" in page
    client.force_login(w.finance)
    confirm = reverse("funding:settlement-confirm", args=[Settlement.objects.get().pk])
    page = client.post(confirm, {"note": "同意"}, follow=True).content.decode()
    assert "The settlement has been confirmed." in page
    page = client.post(confirm, {"note": "again"}, follow=True).content.decode()  # a crafted second confirmation
    assert "This cannot be done now" in page
    assert SettlementEvent.objects.filter(action="confirm").count() == 1


def test_a_shortfall_reads_as_money_the_county_owes(client, year):
    w = year
    claim(w, w.school_a, w.year, approved="500.00", lines=[(Stage.PRIMARY, 1, 10, 2)])
    settlement_file(actor=w.school_admin, school=w.school_a, school_year=w.year)
    client.force_login(w.auditor)
    page = client.get(reverse("funding:settlement-detail", args=[w.school_a.pk, w.year.pk])).content.decode()
    assert "Shortfall ¥90.00: the county owes the school." in page
    assert "Confirm the settlement" not in page and "File again" not in page


def test_filing_before_year_end_through_the_page_writes_nothing(client, world, rate):
    w = world
    claim(w, w.school_a, w.school_year)
    client.force_login(w.school_admin)
    response = client.post(reverse("funding:settlement-file", args=[w.school_a.pk, w.school_year.pk]), follow=True)
    assert "after the year&#x27;s last semester has ended" in response.content.decode()
    assert not Settlement.objects.exists()


def test_county_list_shows_every_school_with_its_settlement_in_fixed_queries(
    client, year, django_assert_max_num_queries
):
    w = year
    claim(w, w.school_a, w.year, approved="500.00", lines=[(Stage.PRIMARY, 1, 10, 2)])
    settlement_file(actor=w.school_admin, school=w.school_a, school_year=w.year)
    client.force_login(w.finance)
    url = reverse("funding:settlement-list") + f"?year={w.year.pk}"
    client.get(url)  # warm up (sessions, memberships)
    with django_assert_max_num_queries(8):
        page = client.get(url).content.decode()
    assert w.school_a.name in page and w.school_b.name in page
    assert "¥590.00" in page and "¥90.00" in page and "Not filed" in page
    client.force_login(w.other_school_admin)  # a school admin sees only their own school
    page = client.get(url).content.decode()
    assert w.school_b.name in page and w.school_a.name not in page
