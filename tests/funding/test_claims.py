"""Subsidy claims (R23): computed from the plan and the calendar, first-reviewed by the bureau, approved and
allocated by finance, by three different people; an approved claim never changes.

States are reached by calling the services (tests/funding/builders_claims.py).
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from funding.models import Claim, ClaimLine, Fund, LedgerEntry
from funding.selectors import claims as selectors
from funding.services import claims as services
from schools.models import (
    CountySettings,
    PlanSection,
    Role,
    School,
    SchoolPlan,
    ServiceClass,
    ServiceMode,
    Stage,
    SubsidyRate,
)
from schools.rules import calendar as calendar_rules
from schools.services import rates as rate_services
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..access.hours import make_service_class
from ..factories import AdminClassFactory, SchoolFactory, user_with_role
from .builders_claims import (
    allocated,
    approved,
    draft,
    passed,
    school_with_admin,
    submitted,
    year_200,
    year_252,
)

pytestmark = pytest.mark.usefixtures("english", "rate")

Status = Claim.Status
D = datetime.date


def snapshot(claim: Claim) -> tuple:
    """Everything about a claim that must not move when a change is refused."""
    claim = Claim.objects.get(pk=claim.pk)
    lines = list(ClaimLine.objects.filter(claim=claim).order_by("stage").values_list())
    fields = (claim.status, claim.requested_amount, claim.approved_amount, claim.rate, claim.from_date, claim.reason)
    return fields, lines, claim.events.count()


# ---------------------------------------------------------------- the worked examples (R22, R23)


def test_ten_primary_classes_over_200_days_claim_120000(world):
    year = year_200()
    assert calendar_rules.planned_days(year, Stage.PRIMARY) == 200
    school, admin = school_with_admin(School.Type.PRIMARY)
    claim = services.claim_create(actor=admin, school=school, school_year=year, classes={"primary": 10})
    (line,) = claim.lines.all()
    assert (line.stage, line.service_classes, line.planned_days, line.class_hours_per_day) == ("primary", 10, 200, 2)
    assert line.rate == Decimal("30.00")
    assert line.amount == Decimal("120000.00")
    assert line.class_hours == 4000
    assert claim.requested_amount == Decimal("120000.00")
    assert claim.rate == Decimal("30.00") and claim.rate_date == D(2029, 9, 3) and claim.from_date == D(2029, 9, 3)
    assert claim.class_hours_per_day == 2 and claim.status == Status.DRAFT and claim.kind == Claim.Kind.ANNUAL


def test_one_senior_high_class_over_42_weeks_of_six_days_claims_15120(world):
    year = year_252()
    assert ServiceMode.for_stage(Stage.SENIOR) == ServiceMode.SIX_PLUS_TWO
    assert calendar_rules.planned_days(year, Stage.SENIOR) == 252
    school, admin = school_with_admin(School.Type.SENIOR)
    claim = services.claim_create(actor=admin, school=school, school_year=year, classes={"senior": 1})
    (line,) = claim.lines.all()
    assert (line.planned_days, line.service_classes, line.amount) == (252, 1, Decimal("15120.00"))
    assert claim.requested_amount == Decimal("15120.00")


def test_each_stage_of_a_school_gets_its_own_line_and_mode(world):
    year = year_252()
    school, admin = school_with_admin(School.Type.COMPLETE)  # junior (5+2) and senior (6+2)
    claim = services.claim_create(actor=admin, school=school, school_year=year, classes={"junior": 2, "senior": 1})
    lines = {line.stage: line for line in claim.lines.all()}
    junior_days = calendar_rules.planned_days(year, Stage.JUNIOR)
    assert lines["senior"].planned_days == 252 and lines["junior"].planned_days == junior_days
    assert lines["junior"].amount == Decimal(2 * junior_days * 2 * 30).quantize(Decimal("0.01"))
    assert claim.requested_amount == lines["junior"].amount + lines["senior"].amount


def test_a_claim_from_a_day_after_a_new_rate_uses_the_new_rate(world):
    year = year_200()
    school, admin = school_with_admin()
    annual = services.claim_create(actor=admin, school=school, school_year=year, classes={"primary": 10})
    assert annual.rate == Decimal("30.00") and annual.requested_amount == Decimal("120000.00")
    approved(world, annual, admin=admin)
    new_rate = rate_services.rate_set(actor=world.bureau, amount=Decimal("35.00"), effective_from=D(2030, 3, 1))
    supplement = services.claim_supplementary_create(
        actor=admin, annual=annual, classes={"primary": 2}, from_date=D(2030, 3, 1), reason="春季学期新增两个服务班"
    )
    (line,) = supplement.lines.all()
    assert supplement.rate == new_rate.amount == Decimal("35.00") and supplement.rate_date == D(2030, 3, 1)
    assert line.planned_days == 96  # the days on or after 2030-03-01 only
    assert supplement.requested_amount == Decimal("13440.00")  # 2 × 96 × 2 × 35.00
    assert supplement.kind == Claim.Kind.SUPPLEMENTARY and supplement.supplements == annual
    # The annual claim computed before keeps its stored rate.
    annual.refresh_from_db()
    assert annual.rate == Decimal("30.00") and annual.requested_amount == Decimal("120000.00")


def test_a_rate_change_known_when_claiming_prices_each_day_at_its_own_rate(world):
    """R22: the days before 2030-03-01 at ¥30.00, the 96 days from then on at ¥35.00 — two lines for the stage."""
    year = year_200()
    school, admin = school_with_admin()
    rate_services.rate_set(actor=world.bureau, amount=Decimal("35.00"), effective_from=D(2030, 3, 1))
    claim = services.claim_create(actor=admin, school=school, school_year=year, classes={"primary": 10})
    lines = sorted(claim.lines.all(), key=lambda line: line.rate)
    assert [(line.stage, line.planned_days, line.rate) for line in lines] == [
        ("primary", 104, Decimal("30.00")),
        ("primary", 96, Decimal("35.00")),
    ]
    assert [line.amount for line in lines] == [Decimal("62400.00"), Decimal("67200.00")]  # 10×104×2×30, 10×96×2×35
    assert claim.requested_amount == Decimal("129600.00")
    assert claim.rate == Decimal("30.00") and claim.rate_date == D(2029, 9, 3)  # the rate on the first counted day


def test_class_hours_per_day_come_from_the_county_settings(world):
    CountySettings.objects.filter(pk=1).update(class_hours_per_day=3)
    year = year_200()
    school, admin = school_with_admin()
    claim = services.claim_create(actor=admin, school=school, school_year=year, classes={"primary": 1})
    assert claim.class_hours_per_day == 3 and claim.requested_amount == Decimal("18000.00")  # 1 × 200 × 3 × 30


def test_without_a_rate_or_semesters_nothing_is_claimed(world):
    SubsidyRate.objects.all().delete()
    with pytest.raises(DomainError, match="No subsidy rate is in force"):
        draft(world)
    assert not Claim.objects.exists()


# ---------------------------------------------------------------- prefill


def test_prefill_takes_the_filed_plans_funding_estimate(world):
    PlanSection.objects.create(plan=world.plan_filed, key="funding", data={"classes_primary": 7, "total": "1.00"})
    assert selectors.claim_prefill(school=world.school_a, school_year=world.school_year) == {
        "classes": {"primary": 7},
        "source": "plan",
    }


def test_prefill_counts_service_classes_per_stage_without_a_funding_estimate(world):
    for _i in range(3):
        make_service_class(world.school_a, school_year=world.school_year, teacher=world.service_teacher)
    result = selectors.claim_prefill(school=world.school_a, school_year=world.school_year)
    assert result == {"classes": {"primary": 3}, "source": "classes"}
    school, _admin = school_with_admin(School.Type.NINE_YEAR)
    junior = AdminClassFactory(school=school, grade=8)
    make_service_class(school, school_year=world.school_year, teacher=_admin, admin_classes=[junior])
    make_service_class(school, school_year=world.school_year, teacher=_admin)  # none drawn: the first stage
    assert selectors.claim_prefill(school=school, school_year=world.school_year)["classes"] == {
        "primary": 1,
        "junior": 1,
    }


def test_starting_a_claim_through_the_page_uses_the_prefill(client, world):
    PlanSection.objects.create(plan=world.plan_filed, key="funding", data={"classes_primary": 4})
    client.force_login(world.school_admin)
    response = client.post(reverse("funding:claim-start", args=[world.school_a.pk]))
    claim = Claim.objects.get(school=world.school_a)
    assert response.status_code == 302 and response["Location"] == reverse("funding:claim-edit", args=[claim.pk])
    assert claim.lines.get().service_classes == 4 and claim.created_by == world.school_admin
    # A second click goes to the claim already started; no second claim.
    response = client.post(reverse("funding:claim-start", args=[world.school_a.pk]))
    assert response["Location"] == reverse("funding:claim-detail", args=[claim.pk])
    assert Claim.objects.count() == 1


def test_starting_with_nothing_to_prefill_says_what_to_do(client, world):
    client.force_login(world.school_admin)
    response = client.post(reverse("funding:claim-start", args=[world.school_a.pk]), follow=True)
    assert "file the school plan with its funding estimate" in response.content.decode()
    assert not Claim.objects.exists()


# ---------------------------------------------------------------- the workflow, end to end


def test_a_claim_goes_from_draft_to_allocated_by_three_people(world):
    claim = draft(world)
    requested = claim.requested_amount
    claim = services.claim_submit(actor=world.school_admin, claim=claim, note="请审核")
    assert claim.status == Status.SUBMITTED and claim.submitted_by == world.school_admin and claim.submitted_at
    claim = services.claim_pass(actor=world.bureau, claim=claim, note="符合计划")
    assert claim.status == Status.PASSED and claim.first_reviewed_by == world.bureau and claim.first_reviewed_at
    claim = services.claim_approve(actor=world.finance, claim=claim, amount=requested)
    assert claim.status == Status.APPROVED and claim.approved_amount == requested and claim.approved_by == world.finance
    assert claim.reduction_reason == ""
    today = timezone.localdate()
    claim = services.claim_allocate(actor=world.finance, claim=claim, allocated_on=today, voucher_no=" XJCZ-2026-0107 ")
    assert claim.status == Status.ALLOCATED and claim.allocated_on == today and claim.voucher_no == "XJCZ-2026-0107"
    assert claim.allocated_by == world.finance
    entry = LedgerEntry.objects.get(claim=claim)
    assert entry.kind == LedgerEntry.Kind.ALLOCATION and entry.amount == requested and entry.date == today
    assert entry.voucher_no == "XJCZ-2026-0107"
    fund = Fund.objects.get(school=world.school_a, school_year=world.school_year)
    assert fund.allocated == requested and fund.spent == Decimal("0.00")
    events = list(claim.events.values_list("action", "from_status", "to_status", "actor"))
    assert events == [
        ("submit", "draft", "submitted", world.school_admin.pk),
        ("pass", "submitted", "passed", world.bureau.pk),
        ("approve", "passed", "approved", world.finance.pk),
        ("allocate", "approved", "allocated", world.finance.pk),
    ]
    assert claim.events.get(action="submit").note == "请审核"


def test_finance_may_approve_less_with_a_reason(world):
    claim = passed(world, draft(world))
    claim = services.claim_approve(
        actor=world.finance, claim=claim, amount="1000.50", reason="一个班未按计划开班，按实际核减"
    )
    assert claim.approved_amount == Decimal("1000.50") and claim.reduction_reason == "一个班未按计划开班，按实际核减"
    assert claim.events.get(action="approve").note == "一个班未按计划开班，按实际核减"


def test_approving_nothing_leaves_nothing_to_allocate(world):
    claim = passed(world, draft(world))
    claim = services.claim_approve(actor=world.finance, claim=claim, amount=Decimal("0"), reason="未开展服务")
    with pytest.raises(DomainError, match="nothing to allocate"):
        services.claim_allocate(actor=world.finance, claim=claim, allocated_on=timezone.localdate(), voucher_no="V1")
    assert Claim.objects.get(pk=claim.pk).status == Status.APPROVED and not LedgerEntry.objects.exists()


def test_a_returned_claim_is_corrected_and_resubmitted(world):
    claim = submitted(world, draft(world))
    claim = services.claim_return(actor=world.bureau, claim=claim, note="服务班数量与计划不符")
    assert claim.status == Status.RETURNED and claim.first_reviewed_by is None
    claim = services.claim_update(actor=world.school_admin, claim=claim, classes={"primary": 2})
    assert claim.lines.get().service_classes == 2
    other_admin = user_with_role(Role.SCHOOL_ADMIN, school=world.school_a)
    claim = services.claim_submit(actor=other_admin, claim=claim)
    assert claim.status == Status.SUBMITTED and claim.submitted_by == other_admin
    # Passed, then sent back by finance: the resubmission clears the earlier first reviewer.
    claim = services.claim_pass(actor=world.bureau, claim=claim)
    claim = services.claim_finance_return(actor=world.finance, claim=claim, note="请附班级名单")
    assert claim.status == Status.RETURNED and claim.first_reviewed_by == world.bureau
    claim = services.claim_submit(actor=world.school_admin, claim=claim)
    assert claim.status == Status.SUBMITTED and claim.first_reviewed_by is None and claim.first_reviewed_at is None
    assert list(claim.events.values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "pass",
        "finance_return",
        "submit",
    ]
    assert claim.events.get(action="finance_return").note == "请附班级名单"


def test_claim_queue_shows_each_department_its_work(world):
    mine = submitted(world, draft(world))
    school_b = draft(world, school=world.school_b, admin=world.other_school_admin)
    school_b_claim = passed(world, school_b, admin=world.other_school_admin)
    assert list(selectors.claim_queue(viewer=world.bureau)) == [mine]
    assert list(selectors.claim_queue(viewer=world.finance)) == [school_b_claim]
    assert list(selectors.claim_queue(viewer=world.inspector)) == []
    assert list(selectors.claim_list(viewer=world.school_admin)) == [mine]
    assert set(selectors.claim_list(viewer=world.auditor)) == {mine, school_b_claim}
    assert list(selectors.claim_list(viewer=world.parent)) == []


# ---------------------------------------------------------------- refusals: who may act


@pytest.mark.parametrize(
    "who, call",
    [
        ("bureau", lambda w, c: services.claim_submit(actor=w.bureau, claim=c)),
        ("other_school_admin", lambda w, c: services.claim_submit(actor=w.other_school_admin, claim=c)),
        ("finance", lambda w, c: services.claim_update(actor=w.finance, claim=c, classes={"primary": 1})),
        ("school_admin", lambda w, c: services.claim_pass(actor=w.school_admin, claim=c)),
        ("finance", lambda w, c: services.claim_return(actor=w.finance, claim=c, note="x")),
        ("bureau", lambda w, c: services.claim_approve(actor=w.bureau, claim=c, amount=c.requested_amount)),
        ("inspector", lambda w, c: services.claim_finance_return(actor=w.inspector, claim=c, note="x")),
        (
            "auditor",
            lambda w, c: services.claim_allocate(actor=w.auditor, claim=c, allocated_on=D(2026, 1, 1), voucher_no="V"),
        ),
    ],
)
def test_the_service_refuses_the_wrong_role(world, who, call):
    claim = draft(world)
    before = snapshot(claim)
    with pytest.raises(PermissionDenied):
        call(world, claim)
    assert snapshot(claim) == before


def test_only_the_schools_own_admin_starts_its_claims(world):
    for actor in (world.bureau, world.finance, world.other_school_admin):
        with pytest.raises(PermissionDenied):
            services.claim_create(
                actor=actor, school=world.school_a, school_year=world.school_year, classes={"primary": 1}
            )
    annual = approved(world, draft(world))
    with pytest.raises(PermissionDenied):
        services.claim_supplementary_create(
            actor=world.other_school_admin, annual=annual, classes={"primary": 1}, from_date=D(2027, 3, 1), reason="x"
        )
    assert Claim.objects.count() == 1


@pytest.mark.parametrize(
    "url, actor",
    [
        ("funding:claim-pass", "school_admin"),
        ("funding:claim-pass", "finance"),
        ("funding:claim-return", "finance"),
        ("funding:claim-approve", "bureau"),
        ("funding:claim-approve", "school_admin"),
        ("funding:claim-allocate", "bureau"),
        ("funding:claim-finance-return", "bureau"),
        ("funding:claim-submit", "bureau"),
        ("funding:claim-edit", "finance"),
    ],
)
def test_the_page_refuses_the_wrong_role_with_403(client, world, url, actor):
    claim = passed(world, draft(world))
    before = snapshot(claim)
    client.force_login(getattr(world, actor))
    response = client.post(reverse(url, args=[claim.pk]), {"amount": "1.00", "note": "x", "voucher_no": "V"})
    assert response.status_code == 403
    assert snapshot(claim) == before


def test_someone_who_submitted_cannot_review_their_own_claim(world):
    reviewer_admin = user_with_role(Role.SCHOOL_ADMIN, school=world.school_a)
    user_with_role(Role.BUREAU, user=reviewer_admin)  # the same person also works at the bureau
    claim = submitted(world, draft(world), admin=reviewer_admin)
    before = snapshot(claim)
    for call in (
        lambda: services.claim_pass(actor=reviewer_admin, claim=claim),
        lambda: services.claim_return(actor=reviewer_admin, claim=claim, note="退回"),
    ):
        with pytest.raises(DomainError, match="three different people") as exc:
            call()
        assert "You submitted this claim" in exc.value.message
    assert snapshot(claim) == before
    assert services.claim_pass(actor=world.bureau, claim=claim).status == Status.PASSED


def test_the_first_reviewer_or_the_submitter_cannot_approve(world):
    reviewer = user_with_role(Role.BUREAU)
    user_with_role(Role.FINANCE, user=reviewer)  # first reviewer, also in finance
    submitter = user_with_role(Role.SCHOOL_ADMIN, school=world.school_a)
    user_with_role(Role.FINANCE, user=submitter)  # submitter, also in finance
    claim = submitted(world, draft(world), admin=submitter)
    claim = services.claim_pass(actor=reviewer, claim=claim)
    before = snapshot(claim)
    with pytest.raises(DomainError, match="You did the first review of this claim"):
        services.claim_approve(actor=reviewer, claim=claim, amount=claim.requested_amount)
    with pytest.raises(DomainError, match="You submitted this claim"):
        services.claim_approve(actor=submitter, claim=claim, amount=claim.requested_amount)
    with pytest.raises(DomainError, match="three different people"):
        services.claim_finance_return(actor=reviewer, claim=claim, note="退回")
    assert snapshot(claim) == before
    claim = services.claim_approve(actor=world.finance, claim=claim, amount=claim.requested_amount)
    assert {claim.submitted_by, claim.first_reviewed_by, claim.approved_by} == {submitter, reviewer, world.finance}


def test_the_database_refuses_the_same_person_twice_whatever_the_code_does(world):
    claim = submitted(world, draft(world))
    with pytest.raises(DatabaseError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(first_reviewed_by=world.school_admin)
    with pytest.raises(DatabaseError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(approved_by=world.school_admin, approved_amount=Decimal("1.00"))


# ---------------------------------------------------------------- refusals: reasons, amounts, dates


def test_a_return_needs_a_reason(world):
    claim = submitted(world, draft(world))
    before = snapshot(claim)
    with pytest.raises(DomainError, match="a returned claim needs a reason"):
        services.claim_return(actor=world.bureau, claim=claim, note="   ")
    assert snapshot(claim) == before
    claim = services.claim_pass(actor=world.bureau, claim=claim)
    before = snapshot(claim)
    with pytest.raises(DomainError, match="a returned claim needs a reason"):
        services.claim_finance_return(actor=world.finance, claim=claim, note="")
    assert snapshot(claim) == before


@pytest.mark.parametrize(
    "amount, reason, message",
    [
        ("more", "", "at most the amount claimed"),
        ("less", "", "Say why less than the amount claimed is approved"),
        ("-1.00", "核减", "cannot be negative"),
        ("100.005", "核减", "at most two decimal places"),
        ("abc", "核减", "Enter the amount in yuan"),
        (1.5, "核减", "Enter the amount in yuan"),
    ],
)
def test_approval_amount_is_checked(world, amount, reason, message):
    claim = passed(world, draft(world))
    if amount == "more":
        amount = claim.requested_amount + Decimal("0.01")
    elif amount == "less":
        amount = claim.requested_amount - Decimal("0.01")
    before = snapshot(claim)
    with pytest.raises(DomainError, match=message):
        services.claim_approve(actor=world.finance, claim=claim, amount=amount, reason=reason)
    assert snapshot(claim) == before


def test_the_approval_page_shows_form_errors_and_writes_nothing(client, world):
    claim = passed(world, draft(world))
    before = snapshot(claim)
    client.force_login(world.finance)
    url = reverse("funding:claim-approve", args=[claim.pk])
    for data, text in [
        ({"amount": "12.345"}, "Ensure that there are no more than 2 decimal places"),
        ({"amount": "-5"}, "greater than or equal to 0"),
        ({"amount": "1.00", "reason": ""}, "Say why less than the amount claimed is approved"),
        ({"amount": str(claim.requested_amount + 1)}, "at most the amount claimed"),
    ]:
        page = client.post(url, data, follow=True).content.decode()
        assert text in page, data
    assert snapshot(claim) == before


@pytest.mark.parametrize(
    "days, message",
    [
        (1, "cannot be in the future"),
        (-1, "cannot be before the approval"),
    ],
)
def test_allocation_date_is_checked(world, days, message):
    claim = approved(world, draft(world))
    before = snapshot(claim)
    with pytest.raises(DomainError, match=message):
        services.claim_allocate(
            actor=world.finance,
            claim=claim,
            allocated_on=timezone.localdate() + datetime.timedelta(days=days),
            voucher_no="XJCZ-1",
        )
    assert snapshot(claim) == before and not LedgerEntry.objects.exists()


def test_a_voucher_number_is_needed_and_used_once(world):
    first = allocated(world, draft(world), voucher="XJCZ-2026-0001")
    second = draft(world, school=world.school_b, admin=world.other_school_admin)
    second = approved(world, second, admin=world.other_school_admin)
    before = snapshot(second)
    for voucher, message in [(" ", "Enter the voucher number"), ("XJCZ-2026-0001", "already recorded")]:
        with pytest.raises(DomainError, match=message):
            services.claim_allocate(
                actor=world.finance, claim=second, allocated_on=timezone.localdate(), voucher_no=voucher
            )
    assert snapshot(second) == before
    assert LedgerEntry.objects.get().claim == first
    # Even past the service's own check, the database keeps voucher numbers unique.
    with pytest.raises(DatabaseError), transaction.atomic():
        Claim.objects.filter(pk=second.pk).update(voucher_no="XJCZ-2026-0001")


def test_counts_of_service_classes_are_checked_by_the_service(world):
    for classes, message in [
        ({"primary": -1}, "cannot be negative"),
        ({"primary": 1.5}, "whole number"),
        ({"primary": "2"}, "whole number"),
        ({"primary": True}, "whole number"),
        ({"primary": 501}, "at most 500"),
        ({"primary": 0}, "at least one service class"),
        ({"senior": 2}, "no such stage"),
    ]:
        with pytest.raises(DomainError, match=message):
            services.claim_create(
                actor=world.school_admin, school=world.school_a, school_year=world.school_year, classes=classes
            )
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    "value, text",
    [
        ("-2", "greater than or equal to 0"),
        ("1.5", "Enter a whole number"),
        ("501", "less than or equal to 500"),
        ("", "This field is required"),
        ("0", "at least one service class"),
    ],
)
def test_the_edit_page_refuses_bad_counts_and_writes_nothing(client, world, value, text):
    claim = draft(world)
    before = snapshot(claim)
    client.force_login(world.school_admin)
    response = client.post(reverse("funding:claim-edit", args=[claim.pk]), {"classes_primary": value})
    assert response.status_code == 200
    assert text in response.content.decode()
    assert snapshot(claim) == before


def test_the_edit_page_recomputes_the_draft(client, world):
    claim = draft(world)
    client.force_login(world.school_admin)
    page = client.get(reverse("funding:claim-edit", args=[claim.pk])).content.decode()
    assert 'name="classes_primary"' in page and 'value="3"' in page
    response = client.post(reverse("funding:claim-edit", args=[claim.pk]), {"classes_primary": "5"})
    assert response.status_code == 302
    claim.refresh_from_db()
    line = claim.lines.get()
    assert line.service_classes == 5
    assert claim.requested_amount == line.amount == Decimal(5 * line.planned_days * 2 * 30).quantize(Decimal("0.01"))


def test_an_approved_claim_cannot_be_edited_by_a_crafted_post(client, world):
    claim = approved(world, draft(world))
    before = snapshot(claim)
    client.force_login(world.school_admin)
    response = client.post(reverse("funding:claim-edit", args=[claim.pk]), {"classes_primary": "9"}, follow=True)
    assert "An approved claim is never changed" in response.content.decode()
    assert snapshot(claim) == before
    for url in ("funding:claim-submit", "funding:claim-start"):
        args = [claim.school_id] if url == "funding:claim-start" else [claim.pk]
        client.post(reverse(url, args=args))
    assert snapshot(claim) == before


def test_a_claim_under_review_cannot_be_edited(world):
    claim = submitted(world, draft(world))
    before = snapshot(claim)
    with pytest.raises(DomainError, match="cannot be changed now"):
        services.claim_update(actor=world.school_admin, claim=claim, classes={"primary": 9})
    assert snapshot(claim) == before


def test_an_annual_claim_counts_the_whole_year(world):
    claim = draft(world)
    with pytest.raises(DomainError, match="make a supplementary claim"):
        services.claim_update(actor=world.school_admin, claim=claim, classes={"primary": 1}, from_date=D(2027, 3, 1))


@pytest.mark.parametrize("target", ["approved", "allocated"])
def test_approved_claims_never_change(world, target):
    claim = approved(world, draft(world)) if target == "approved" else allocated(world, draft(world))
    before = snapshot(claim)
    with pytest.raises(DomainError, match="An approved claim is never changed"):
        services.claim_update(actor=world.school_admin, claim=claim, classes={"primary": 9})
    for call in (
        lambda: services.claim_submit(actor=world.school_admin, claim=claim),
        lambda: services.claim_approve(actor=world.finance, claim=claim, amount=Decimal("1.00"), reason="核减"),
        lambda: services.claim_finance_return(actor=world.finance, claim=claim, note="退回"),
    ):
        with pytest.raises(TransitionNotAllowed):
            call()
    assert snapshot(claim) == before
    if connection.vendor == "postgresql":
        # The database refuses too (migration funding/0002), whatever the code does.
        with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
            Claim.objects.filter(pk=claim.pk).update(approved_amount=Decimal("1.00"))
        with pytest.raises(DatabaseError, match="refused"), transaction.atomic():
            ClaimLine.objects.filter(claim=claim).update(amount=Decimal("1.00"), service_classes=1)
        with pytest.raises(DatabaseError, match="refused"), transaction.atomic():
            ClaimLine.objects.filter(claim=claim).delete()
        assert snapshot(claim) == before


@pytest.mark.parametrize(
    "start, action",
    [
        ("draft", lambda w, c: services.claim_pass(actor=w.bureau, claim=c)),
        ("draft", lambda w, c: services.claim_approve(actor=w.finance, claim=c, amount=c.requested_amount)),
        ("submitted", lambda w, c: services.claim_submit(actor=w.school_admin, claim=c)),
        ("submitted", lambda w, c: services.claim_approve(actor=w.finance, claim=c, amount=c.requested_amount)),
        ("submitted", lambda w, c: services.claim_finance_return(actor=w.finance, claim=c, note="x")),
        ("passed", lambda w, c: services.claim_pass(actor=w.bureau, claim=c)),
        ("passed", lambda w, c: services.claim_return(actor=w.bureau, claim=c, note="x")),
        (
            "passed",
            lambda w, c: services.claim_allocate(actor=w.finance, claim=c, allocated_on=D(2026, 1, 1), voucher_no="V"),
        ),
    ],
)
def test_a_step_out_of_order_is_refused(world, start, action):
    reach = {"draft": lambda w, c: c, "submitted": submitted, "passed": passed}[start]
    claim = reach(world, draft(world))
    before = snapshot(claim)
    with pytest.raises(TransitionNotAllowed) as exc:
        action(world, claim)
    assert "This cannot be done now" in exc.value.message
    assert snapshot(claim) == before


def test_a_crafted_post_in_the_wrong_state_gets_a_message(client, world):
    claim = draft(world)
    before = snapshot(claim)
    client.force_login(world.bureau)
    response = client.post(reverse("funding:claim-pass", args=[claim.pk]), follow=True)
    assert "This cannot be done now" in response.content.decode()
    assert snapshot(claim) == before


# ---------------------------------------------------------------- one annual claim; supplementary claims


def test_a_second_annual_claim_is_refused(world):
    draft(world)
    with pytest.raises(DomainError, match="already has an annual claim"):
        draft(world)
    assert Claim.objects.count() == 1


def test_a_second_annual_claim_is_refused_by_the_database_too(world, monkeypatch):
    """Two clicks racing past the service's check: the unique constraint decides, with the same message."""
    first = draft(world)
    real_filter = Claim.objects.filter

    def blind_filter(*args, **kwargs):  # the check sees nothing, as the second of two racing requests would
        qs = real_filter(*args, **kwargs)
        return qs.none() if kwargs.get("kind") == Claim.Kind.ANNUAL else qs

    monkeypatch.setattr(Claim.objects, "filter", blind_filter)
    with pytest.raises(DomainError, match="already has an annual claim"):
        draft(world)
    monkeypatch.undo()
    assert list(Claim.objects.all()) == [first]


def test_a_supplementary_claim_waits_for_the_annual_approval(world):
    annual = passed(world, draft(world))
    with pytest.raises(DomainError, match="only after finance has approved the annual claim"):
        services.claim_supplementary_create(
            actor=world.school_admin, annual=annual, classes={"primary": 1}, from_date=D(2027, 3, 1), reason="新增"
        )
    assert Claim.objects.count() == 1


def test_a_supplementary_claim_needs_a_reason_and_a_day_in_the_year(world):
    annual = allocated(world, draft(world))
    for from_date, reason, message in [
        (D(2027, 3, 1), "  ", "Say why"),
        (D(2027, 8, 1), "新增", "must fall in the school year"),
        (D(2026, 7, 31), "新增", "must fall in the school year"),
    ]:
        with pytest.raises(DomainError, match=message):
            services.claim_supplementary_create(
                actor=world.school_admin, annual=annual, classes={"primary": 1}, from_date=from_date, reason=reason
            )
    supplement = services.claim_supplementary_create(
        actor=world.school_admin, annual=annual, classes={"primary": 1}, from_date=D(2027, 3, 1), reason="新增一个班"
    )
    with pytest.raises(DomainError, match="made on the school's annual claim"):
        services.claim_supplementary_create(
            actor=world.school_admin, annual=supplement, classes={"primary": 1}, from_date=D(2027, 3, 1), reason="x"
        )
    # A supplementary draft's first day and reason can be changed; the days are recounted.
    updated = services.claim_update(
        actor=world.school_admin, claim=supplement, classes={"primary": 1}, from_date=D(2027, 5, 1), reason="五月起"
    )
    assert updated.from_date == D(2027, 5, 1) and updated.reason == "五月起"
    assert updated.lines.get().planned_days < ClaimLine.objects.get(claim=annual).planned_days


def test_the_supplementary_form_on_the_annual_claim_starts_a_draft(client, world):
    annual = approved(world, draft(world))
    client.force_login(world.school_admin)
    page = client.get(reverse("funding:claim-detail", args=[annual.pk])).content.decode()
    assert reverse("funding:claim-supplementary-start", args=[annual.pk]) in page
    url = reverse("funding:claim-supplementary-start", args=[annual.pk])
    response = client.post(url, {"supplement-classes_primary": "-1", "supplement-from_date": "2027-03-01"}, follow=True)
    assert "greater than or equal to 0" in response.content.decode() and Claim.objects.count() == 1
    response = client.post(
        url,
        {"supplement-classes_primary": "2", "supplement-from_date": "2027-03-01", "supplement-reason": "新增两个班"},
    )
    supplement = Claim.objects.get(kind=Claim.Kind.SUPPLEMENTARY)
    assert response["Location"] == reverse("funding:claim-detail", args=[supplement.pk])
    assert supplement.supplements == annual and supplement.lines.get().service_classes == 2


def test_the_supplementary_form_asks_for_the_added_classes_and_warns_of_one_in_progress(client, world):
    annual = approved(world, draft(world))
    client.force_login(world.school_admin)
    response = client.get(reverse("funding:claim-detail", args=[annual.pk]))
    form = response.context["supplementary_form"]
    assert form["classes_primary"].value() is None  # never the annual count again
    assert "Additional service classes" in form["classes_primary"].label
    assert 'data-warning="supplement-waiting"' not in response.content.decode()
    waiting = services.claim_supplementary_create(
        actor=world.school_admin, annual=annual, classes={"primary": 1}, from_date=D(2027, 3, 1), reason="新增"
    )
    page = client.get(reverse("funding:claim-detail", args=[annual.pk])).content.decode()
    assert 'data-warning="supplement-waiting"' in page
    assert reverse("funding:claim-detail", args=[waiting.pk]) in page
    approved(world, waiting)  # once it is approved, nothing is in progress
    page = client.get(reverse("funding:claim-detail", args=[annual.pk])).content.decode()
    assert 'data-warning="supplement-waiting"' not in page


def test_a_supplementary_claim_can_be_allocated_beside_the_annual_one(world):
    annual = allocated(world, draft(world), voucher="V-ANNUAL")
    supplement = services.claim_supplementary_create(
        actor=world.school_admin, annual=annual, classes={"primary": 1}, from_date=D(2027, 3, 1), reason="新增"
    )
    allocated_supplement = services.claim_allocate(
        actor=world.finance,
        claim=approved(world, supplement),
        allocated_on=timezone.localdate(),
        voucher_no="V-SUPPLEMENT",
    )
    fund = Fund.objects.get(school=world.school_a)
    assert fund.allocated == annual.approved_amount + allocated_supplement.approved_amount
    assert LedgerEntry.objects.filter(fund=fund, kind=LedgerEntry.Kind.ALLOCATION).count() == 2


# ---------------------------------------------------------------- pages


def test_the_claim_page_shows_the_computation_and_the_people(client, world):
    year = year_200()
    claim = services.claim_create(
        actor=world.school_admin, school=world.school_a, school_year=year, classes={"primary": 10}
    )
    claim = allocated(world, claim, voucher="XJCZ-2029-0042")
    client.force_login(world.auditor)
    page = client.get(reverse("funding:claim-detail", args=[claim.pk])).content.decode()
    assert "10 × 200 × 2 × ¥30.00 = <strong>¥120,000.00</strong>" in page
    for text in ("XJCZ-2029-0042", str(world.school_admin), str(world.bureau), str(world.finance)):
        assert text in page
    for text in ("Submitted to the bureau", "Passed first review", "Approved by finance", "Allocation recorded"):
        assert text in page
    # The auditor reads only: no action forms.
    for url in ("claim-submit", "claim-pass", "claim-approve", "claim-allocate", "claim-edit"):
        assert reverse(f"funding:{url}", args=[claim.pk]) not in page


def test_each_person_sees_only_the_forms_they_may_use(client, world):
    claim = draft(world)
    expected = {
        "school_admin": ["claim-submit", "claim-edit"],
        "bureau": [],
        "finance": [],
    }
    for actor, urls in expected.items():
        client.force_login(getattr(world, actor))
        page = client.get(reverse("funding:claim-detail", args=[claim.pk])).content.decode()
        for name in ("claim-submit", "claim-edit", "claim-pass", "claim-approve", "claim-allocate"):
            assert (reverse(f"funding:{name}", args=[claim.pk]) in page) == (name in urls), (actor, name)
    submitted(world, claim)
    client.force_login(world.bureau)
    page = client.get(reverse("funding:claim-detail", args=[claim.pk])).content.decode()
    assert reverse("funding:claim-pass", args=[claim.pk]) in page
    assert reverse("funding:claim-return", args=[claim.pk]) in page
    services.claim_pass(actor=world.bureau, claim=claim)
    client.force_login(world.finance)
    page = client.get(reverse("funding:claim-detail", args=[claim.pk])).content.decode()
    assert reverse("funding:claim-approve", args=[claim.pk]) in page
    assert reverse("funding:claim-finance-return", args=[claim.pk]) in page


def test_the_whole_workflow_through_the_pages(client, world):
    PlanSection.objects.create(plan=world.plan_filed, key="funding", data={"classes_primary": 2})
    client.force_login(world.school_admin)
    client.post(reverse("funding:claim-start", args=[world.school_a.pk]))
    claim = Claim.objects.get()
    client.post(reverse("funding:claim-edit", args=[claim.pk]), {"classes_primary": "3"})
    client.post(reverse("funding:claim-submit", args=[claim.pk]), {"note": "请审核"})
    client.force_login(world.bureau)
    response = client.post(reverse("funding:claim-return", args=[claim.pk]), {"note": ""}, follow=True)
    assert "a returned claim needs a reason" in response.content.decode()
    client.post(reverse("funding:claim-pass", args=[claim.pk]), {"note": ""})
    client.force_login(world.finance)
    claim.refresh_from_db()
    client.post(reverse("funding:claim-approve", args=[claim.pk]), {"amount": str(claim.requested_amount)})
    response = client.post(
        reverse("funding:claim-allocate", args=[claim.pk]),
        {"allocated_on": timezone.localdate().isoformat(), "voucher_no": "XJCZ-2026-0900"},
        follow=True,
    )
    assert "booked into the school" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.ALLOCATED and claim.lines.get().service_classes == 3
    assert list(claim.events.values_list("action", flat=True)) == ["submit", "pass", "approve", "allocate"]
    assert Fund.objects.get().allocated == claim.approved_amount == claim.requested_amount


def test_the_allocation_page_refuses_a_future_date(client, world):
    claim = approved(world, draft(world))
    before = snapshot(claim)
    client.force_login(world.finance)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("funding:claim-allocate", args=[claim.pk]),
        {"allocated_on": tomorrow.isoformat(), "voucher_no": "V-1"},
        follow=True,
    )
    assert "cannot be in the future" in response.content.decode()
    response = client.post(
        reverse("funding:claim-allocate", args=[claim.pk]),
        {"allocated_on": "2026-02-30", "voucher_no": ""},
        follow=True,
    )
    assert "Enter a valid date" in response.content.decode()
    assert snapshot(claim) == before and not LedgerEntry.objects.exists()


def test_the_list_of_forty_schools_takes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for _i in range(40):
        school, admin = school_with_admin()
        passed(world, draft(world, school=school, admin=admin, classes={"primary": 2}), admin=admin)
    client.force_login(world.finance)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("funding:claim-list")).content.decode()
    assert page.count(reverse("funding:claim-detail", args=[Claim.objects.first().pk])) == 1
    assert "Claims waiting for you" in page
    client.force_login(world.auditor)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("funding:claim-list"), {"status": "passed"}).content.decode()
    assert page.count("/funding/claims/") >= 40


def test_the_school_admin_sees_where_to_start_the_claim(client, world):
    client.force_login(world.school_admin)
    page = client.get(reverse("funding:claim-list")).content.decode()
    assert reverse("funding:claim-start", args=[world.school_a.pk]) in page
    PlanSection.objects.create(plan=world.plan_filed, key="funding", data={"classes_primary": 2})
    client.post(reverse("funding:claim-start", args=[world.school_a.pk]))
    page = client.get(reverse("funding:claim-list")).content.decode()
    assert reverse("funding:claim-start", args=[world.school_a.pk]) not in page
    assert reverse("funding:claim-detail", args=[Claim.objects.get().pk]) in page


def test_the_export_lists_the_claims_with_amounts_as_numbers(client, world):
    mine = approved(world, draft(world))
    other = draft(world, school=world.school_b, admin=world.other_school_admin)
    client.force_login(world.bureau)
    response = client.get(reverse("funding:claim-export"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][2] == "School" and rows[0][10] == "Amount claimed"
    by_school = {row[2]: row for row in rows[1:]}
    assert set(by_school) == {mine.school.name, other.school.name}
    assert Decimal(str(by_school[mine.school.name][10])) == mine.requested_amount
    assert Decimal(str(by_school[mine.school.name][11])) == mine.approved_amount
    assert by_school[other.school.name][11] is None
    first_row = next(sheet.iter_rows(min_row=2, max_row=2))
    assert first_row[10].number_format == first_row[11].number_format == "#,##0.00"
    # A school admin exports only their own school's claims (the list is scoped).
    client.force_login(world.school_admin)
    rows = list(load_workbook(io.BytesIO(client.get(reverse("funding:claim-export")).content)).active.values)
    assert [row[2] for row in rows[1:]] == [mine.school.name]


def test_a_school_that_is_not_a_primary_school_claims_for_its_stages(world):
    school = SchoolFactory(school_type=School.Type.NINE_YEAR)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school)
    claim = services.claim_create(
        actor=admin, school=school, school_year=world.school_year, classes={"primary": 2, "junior": 0}
    )
    assert sorted(claim.lines.values_list("stage", "service_classes")) == [("junior", 0), ("primary", 2)]
    assert claim.lines.get(stage="junior").amount == Decimal("0.00")


def test_prefill_takes_the_newest_filed_plan_version(world):
    PlanSection.objects.create(plan=world.plan_filed, key="funding", data={"classes_primary": 3})
    newer = SchoolPlan.objects.create(
        school=world.school_a, school_year=world.school_year, version=3, status=SchoolPlan.Status.FILED,
        created_by=world.school_admin, filed_at=timezone.now(), filing_number="西教体备〔2026〕9号",
    )  # fmt: skip
    PlanSection.objects.create(plan=newer, key="funding", data={"classes_primary": 5})
    assert selectors.claim_prefill(school=world.school_a, school_year=world.school_year)["classes"] == {"primary": 5}
    assert ServiceClass.objects.count() == 0


# ---------------------------------------------------------------- the school home offers the claim (issue #15 item 1)


def test_the_school_home_offers_the_due_claim_computed_and_one_post_starts_it(client, world, english):
    PlanSection.objects.create(plan=world.plan_filed, key="funding", data={"classes_primary": 4})
    client.force_login(world.school_admin)
    home = client.get(reverse("schools:school-home")).content.decode()
    offer = home[home.index('data-part="claim-offer"') :]
    preview = services.annual_claim_preview(
        school=world.school_a, school_year=world.school_year, classes={"primary": 4}
    )
    assert f"¥{preview['requested_amount']:,.2f}" in offer
    (line,) = preview["lines"]
    assert f"4 × {line['planned_days']} × {line['class_hours_per_day']} × ¥{line['rate']:,.2f}" in offer
    assert reverse("funding:claim-start", args=[world.school_a.pk]) in offer
    assert not Claim.objects.exists()  # offering writes nothing
    # The button starts exactly the claim offered.
    client.post(reverse("funding:claim-start", args=[world.school_a.pk]))
    claim = Claim.objects.get(school=world.school_a)
    assert claim.requested_amount == preview["requested_amount"]
    # Once started, the home shows the claim and the way to check and submit it, no second offer.
    home = client.get(reverse("schools:school-home")).content.decode()
    offer = home[home.index('data-part="claim-offer"') :]
    assert reverse("funding:claim-detail", args=[claim.pk]) in offer
    assert reverse("funding:claim-start", args=[world.school_a.pk]) not in offer
    assert "Check and submit the claim" in offer


def test_the_offer_says_what_is_missing_and_is_only_for_the_schools_claimant(client, world, english):
    client.force_login(world.school_admin)
    home = client.get(reverse("schools:school-home")).content.decode()
    offer = home[home.index('data-part="claim-offer"') :]
    assert "file the school plan with its funding estimate" in offer
    assert reverse("funding:claim-start", args=[world.school_a.pk]) not in offer
    # No rate in force: the service's own reason, no button, nothing written.
    PlanSection.objects.create(plan=world.plan_filed, key="funding", data={"classes_primary": 4})
    SubsidyRate.objects.all().delete()
    home = client.get(reverse("schools:school-home")).content.decode()
    offer = home[home.index('data-part="claim-offer"') :]
    assert "No subsidy rate is in force" in offer
    assert reverse("funding:claim-start", args=[world.school_a.pk]) not in offer
    assert not Claim.objects.exists()
