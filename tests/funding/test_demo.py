"""The demo county's money (funding.demo, played by seed_demo): every claim state of the current year, a settled
previous year whose figures add up, funds whose totals match their ledgers, pay runs that divide their pool exactly,
and a second run that writes nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Sum
from django.test import override_settings
from django.utils import timezone

from funding.models import (
    ZERO,
    Category,
    Claim,
    Disclosure,
    Fund,
    LedgerEntry,
    PayRun,
    PayScheme,
    PayShare,
    Settlement,
    SpendingPlan,
)
from schools.hours import COUNTED
from schools.models import HoursMonth, SchoolYear, Session, User

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
FIRST, SECOND = "西吉县第一小学", "西吉县第二小学"


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module inside a transaction rolled back at its end (as tests/schools/test_seed_demo.py);
    the minutes PDFs go to a temporary media directory."""
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER, MEDIA_ROOT=str(media)),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(_seeded_once, db):
    return _seeded_once


def _years() -> tuple[SchoolYear, SchoolYear]:
    today = timezone.localdate()
    current = SchoolYear.objects.get(start_date__lte=today, end_date__gte=today)
    previous = SchoolYear.objects.filter(end_date__lt=current.start_date).order_by("-start_date").first()
    return current, previous


def _sum(qs, field="amount") -> Decimal:
    return qs.aggregate(total=Sum(field))["total"] or ZERO


@pytest.mark.django_db
def test_current_year_has_claims_in_every_state_and_a_school_left_to_claim(seeded):
    current, _previous = _years()
    claims = Claim.objects.filter(school_year=current)
    assert set(claims.values_list("status", flat=True)) == set(Claim.Status.values)
    # FIRST's annual claim is allocated and its supplementary claim waits for first review.
    first = claims.get(school__name=FIRST, kind=Claim.Kind.ANNUAL)
    assert first.status == Claim.Status.ALLOCATED and first.voucher_no
    supplementary = claims.get(school__name=FIRST, kind=Claim.Kind.SUPPLEMENTARY)
    assert supplementary.status == Claim.Status.SUBMITTED and supplementary.supplements == first
    # One approval for less than claimed, with its reason; a returned claim carries the bureau's reason.
    less = claims.get(status=Claim.Status.APPROVED, approved_amount__lt=F("requested_amount"))
    assert less.reduction_reason and less.events.get(action="approve").note == less.reduction_reason
    returned = claims.get(status=Claim.Status.RETURNED)
    assert returned.events.get(action="return").note
    # The three people on a claim differ; the browser test's school has none.
    for claim in claims.exclude(approved_by=None):
        assert len({claim.submitted_by_id, claim.first_reviewed_by_id, claim.approved_by_id}) == 3
    assert not claims.filter(school__name="吉强镇中心小学").exists()
    assert "经费申请 11 份" in seeded and "已拨付 2" in seeded


@pytest.mark.django_db
def test_previous_year_is_settled_and_its_figures_add_up(seeded):
    _current, previous = _years()
    settlements = Settlement.objects.filter(school_year=previous, status=Settlement.Status.CONFIRMED)
    assert {s.school.name for s in settlements} == {FIRST, SECOND}
    outcomes = {s.school.name: s.outcome for s in settlements}
    assert outcomes == {FIRST: Settlement.Outcome.SURPLUS, SECOND: Settlement.Outcome.SHORTFALL}
    for s in settlements:
        assert s.difference == s.delivered_amount - s.allocated_amount
        assert s.confirmed_by.username == "caizheng" and s.filed_by != s.confirmed_by
        allocated = Claim.objects.filter(school=s.school, school_year=previous, status=Claim.Status.ALLOCATED)
        assert s.allocated_amount == _sum(allocated, "approved_amount")
        assert s.delivered_amount == _sum(s.lines.all())
        hours = _sum(
            Session.objects.filter(
                service_class__school=s.school, service_class__school_year=previous, status__in=COUNTED
            ),
            "class_hours",
        )
        assert s.delivered_class_hours == hours
        assert s.delivered_amount == hours * Decimal("30.00")
    first_claims = Claim.objects.filter(school__name=FIRST, school_year=previous)
    assert {(c.kind, c.status) for c in first_claims} == {
        (Claim.Kind.ANNUAL, Claim.Status.ALLOCATED),
        (Claim.Kind.SUPPLEMENTARY, Claim.Status.ALLOCATED),
    }
    assert Disclosure.objects.filter(school__name=FIRST, semester__school_year=previous).count() == 2


@pytest.mark.django_db
def test_every_fund_matches_its_ledger_and_spends_no_more_than_allocated(seeded):
    funds = Fund.objects.all()
    assert funds.count() >= 4
    for fund in funds:
        entries = fund.entries.all()
        spent = _sum(entries.filter(kind=LedgerEntry.Kind.SPENDING)) - _sum(
            entries.filter(kind=LedgerEntry.Kind.REVERSAL)
        )
        assert fund.spent == spent
        assert fund.allocated == _sum(entries.filter(kind=LedgerEntry.Kind.ALLOCATION))
        assert fund.spent <= fund.allocated
    # FIRST spends in all four categories in both years, and reverses one entry each year.
    for fund in funds.filter(school__name=FIRST):
        spending = fund.entries.filter(kind=LedgerEntry.Kind.SPENDING)
        assert set(spending.values_list("category", flat=True)) == set(Category.values)
        assert fund.entries.filter(kind=LedgerEntry.Kind.REVERSAL).count() == 1


@pytest.mark.django_db
def test_approved_pay_runs_divide_their_pool_exactly_and_the_teacher_has_a_slip(seeded):
    current, previous = _years()
    runs = PayRun.objects.filter(status=PayRun.Status.APPROVED)
    assert runs.filter(school_year=previous).count() == 2
    for run in runs:
        assert _sum(run.shares.all()) == run.pool
        assert run.ledger_entry.amount == run.pool and run.ledger_entry.category == Category.TEACHER
        assert not run.shares.filter(person__username="zhiyuanzhe").exists()  # volunteers are not paid from it
    # Once the seed's story has closed September (from mid-October on), its pay run gives 王海燕 a slip.
    september = datetime.date(current.start_date.year, 9, 1)
    if HoursMonth.objects.filter(school__name=FIRST, month=september).exists():
        run = runs.get(school__name=FIRST, first_month=september, last_month=september)
        assert PayShare.objects.filter(run=run, person=User.objects.get(username="jiaoshi")).exists()
    schemes = PayScheme.objects.filter(school_year=current)
    assert set(schemes.values_list("status", flat=True)) >= {
        PayScheme.Status.APPROVED,
        PayScheme.Status.SUBMITTED,
        PayScheme.Status.RETURNED,
    }


@pytest.mark.django_db
def test_spending_plans_are_approved_with_their_minutes(seeded):
    for plan in SpendingPlan.objects.filter(school__name=FIRST):
        assert plan.status == SpendingPlan.Status.APPROVED
        assert (
            plan.budget_total
            == Claim.objects.get(
                school=plan.school, school_year=plan.school_year, kind=Claim.Kind.ANNUAL
            ).approved_amount
        )
        for minutes in (plan.office_meeting_minutes, plan.staff_congress_minutes):
            with minutes.open("rb") as f:
                assert f.read(5) == b"%PDF-"


@pytest.mark.django_db
def test_a_second_run_writes_nothing(seeded):
    before = {model._meta.label: model.objects.count() for model in apps.get_models()}
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert {model._meta.label: model.objects.count() for model in apps.get_models()} == before
    assert "未写入任何内容" in out.getvalue()
