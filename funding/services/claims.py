"""Subsidy claims (R23): the school claims its year's subsidy, the bureau first-reviews (初审), finance approves
(核拨) and records the allocation (拨付), which books the money into the school's earmarked fund.

draft/returned --submit--> submitted --pass--> passed --approve--> approved --allocate--> allocated
submitted --return--> returned;  passed --finance_return--> returned

A line per stage of the school: service classes × planned service days (from the county calendar) × class-hours
per day × the rate in force on the claim's first counted day. Every input is stored with the claim, so anyone can
recompute it by hand; an approved claim never changes (more money comes by a supplementary claim).
Submitter, first reviewer and approver are three different people (the database checks it too).
"""

import datetime
from collections import Counter
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import CountySettings, School, SchoolYear, ServiceMode, Stage, SubsidyRate, User
from schools.rules import calendar as calendar_rules
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import format_yuan, parse_yuan, yuan
from xiji_afterschool.workflow import TransitionNotAllowed, transition

from ..models import ZERO, Claim, ClaimLine
from . import ledger as ledger_services

MAX_CLASSES_PER_STAGE = 500


def _locked(claim: Claim) -> Claim:
    """Re-read the claim under a row lock: decisions are taken on its stored state, one at a time."""
    return Claim.objects.select_for_update().select_related("school", "school_year").get(pk=claim.pk)


def _require_state(claim: Claim, action: str) -> None:
    if claim.status not in Claim.TRANSITIONS[action][0]:
        raise TransitionNotAllowed(action=action, status=claim.status, label=claim.get_status_display())


def _require_editable(claim: Claim) -> None:
    if claim.status in Claim.FIXED:
        raise DomainError(_("An approved claim is never changed. Ask for more money with a supplementary claim."))
    if not claim.is_editable:
        raise DomainError(
            _("The claim is “%(status)s” and cannot be changed now.") % {"status": claim.get_status_display()}
        )


def _clean_classes(school: School, classes) -> dict[str, int]:
    """Whole numbers of service classes, 0–500 per stage of the school, at least one in total."""
    if not isinstance(classes, dict):
        raise DomainError(_("Enter the number of service classes for each stage."))
    stages = school.stages
    unknown = [key for key in classes if key not in stages]
    if unknown:
        raise DomainError(_("This school has no such stage: %(stage)s.") % {"stage": "、".join(map(str, unknown))})
    cleaned = {}
    for stage in stages:
        value = classes.get(stage, 0)
        label = Stage(stage).label
        if isinstance(value, bool) or not isinstance(value, int):
            raise DomainError(_("%(stage)s: the number of service classes is a whole number.") % {"stage": label})
        if value < 0:
            raise DomainError(_("%(stage)s: the number of service classes cannot be negative.") % {"stage": label})
        if value > MAX_CLASSES_PER_STAGE:
            raise DomainError(
                _("%(stage)s: at most %(max)s service classes.") % {"stage": label, "max": MAX_CLASSES_PER_STAGE}
            )
        cleaned[stage] = value
    if sum(cleaned.values()) < 1:
        raise DomainError(_("Claim for at least one service class."))
    return cleaned


def _first_service_day(school_year: SchoolYear) -> datetime.date:
    first = school_year.semesters.order_by("number").values_list("start_date", flat=True).first()
    if first is None:
        raise DomainError(
            _("The semesters of %(year)s are not set up yet; the bureau must enter them first.")
            % {"year": school_year.name}
        )
    return first


def _check_from_date(school_year: SchoolYear, from_date) -> datetime.date:
    if not isinstance(from_date, datetime.date):
        raise DomainError(_("Enter the day from which the supplementary claim counts."))
    if not (school_year.start_date <= from_date <= school_year.end_date):
        raise DomainError(
            _("The day must fall in the school year %(year)s (%(start)s to %(end)s).")
            % {
                "year": school_year.name,
                "start": school_year.start_date.isoformat(),
                "end": school_year.end_date.isoformat(),
            }
        )
    return from_date


def _rate_on(rates: list[tuple[datetime.date, Decimal]], day: datetime.date) -> Decimal | None:
    """The amount of the newest of `rates` (sorted by date) in force on `day`."""
    in_force = None
    for effective_from, amount in rates:
        if effective_from > day:
            break
        in_force = amount
    return in_force


def _compute(*, school: School, school_year: SchoolYear, from_date: datetime.date, classes: dict) -> dict:
    """The claim's inputs and its lines: per stage and rate, classes × planned days on or after from_date on which
    that rate is in force × hours × rate. One line per stage unless the bureau changed the rate within the days."""
    rate = SubsidyRate.in_force(from_date)
    if rate is None:
        raise DomainError(
            _("No subsidy rate is in force on %(day)s; the bureau must set one first.") % {"day": from_date.isoformat()}
        )
    rates = list(SubsidyRate.objects.order_by("effective_from").values_list("effective_from", "amount"))
    hours_per_day = CountySettings.current().class_hours_per_day
    semesters = list(school_year.semesters.order_by("number"))
    exceptions = calendar_rules.calendar_exceptions(school_year)
    lines = []
    for stage in school.stages:
        days = calendar_rules.service_days(
            semesters=semesters, mode=ServiceMode.for_stage(stage), exceptions=exceptions
        )
        days_at = Counter(_rate_on(rates, day) for day in days if day >= from_date)
        for day_rate, planned in days_at.items() or [(rate, 0)]:  # in the order the rates took effect
            lines.append(
                {
                    "stage": stage,
                    "service_classes": classes[stage],
                    "planned_days": planned,
                    "class_hours_per_day": hours_per_day,
                    "rate": day_rate,
                    "amount": yuan(classes[stage] * planned * hours_per_day * day_rate),
                }
            )
    total = sum((line["amount"] for line in lines), ZERO)
    if total <= 0:
        raise DomainError(
            _("No service days are planned for these classes on or after %(day)s, so there is nothing to claim.")
            % {"day": from_date.isoformat()}
        )
    return {
        "rate": rate,
        "rate_date": from_date,
        "class_hours_per_day": hours_per_day,
        "from_date": from_date,
        "requested_amount": yuan(total),
        "lines": lines,
    }


def _write_lines(claim: Claim, lines: list[dict]) -> None:
    claim.lines.all().delete()
    ClaimLine.objects.bulk_create(ClaimLine(claim=claim, **line) for line in lines)


def _create(*, actor: User, school: School, school_year: SchoolYear, computed: dict, **fields) -> Claim:
    lines = computed.pop("lines")
    claim = Claim(school=school, school_year=school_year, created_by=actor, **computed, **fields)
    claim.full_clean(validate_unique=False, validate_constraints=False)  # the unique rule is the database's below
    claim.save()
    _write_lines(claim, lines)
    return claim


def _one_annual_message(school: School, school_year: SchoolYear) -> str:
    return _("%(school)s already has an annual claim for %(year)s. Ask for more money with a supplementary claim.") % {
        "school": school.name,
        "year": school_year.name,
    }


def annual_claim_preview(*, school: School, school_year: SchoolYear, classes: dict[str, int]) -> dict:
    """What `claim_create` would compute now, written nowhere: the school home offers the due claim with its amount.
    The caller has checked the viewer may claim for the school. Raises DomainError (no rate, no semesters…)."""
    classes = _clean_classes(school, classes)
    return _compute(school=school, school_year=school_year, from_date=_first_service_day(school_year), classes=classes)


@transaction.atomic
def claim_create(*, actor: User, school: School, school_year: SchoolYear, classes: dict[str, int]) -> Claim:
    """Start the school's annual claim for the year as a draft, counting every planned service day.

    School admins of the school only ("claim.edit"). One annual claim per school and year, also when two are
    started at the same moment. Raises PermissionDenied, DomainError.
    """
    permissions.require(actor, "claim.edit", school)
    classes = _clean_classes(school, classes)
    if Claim.objects.filter(school=school, school_year=school_year, kind=Claim.Kind.ANNUAL).exists():
        raise DomainError(_one_annual_message(school, school_year))
    first_day = _first_service_day(school_year)
    computed = _compute(school=school, school_year=school_year, from_date=first_day, classes=classes)
    try:
        with transaction.atomic():  # a savepoint: the unique constraint decides a race between two clicks
            return _create(
                actor=actor, school=school, school_year=school_year, computed=computed, kind=Claim.Kind.ANNUAL
            )
    except IntegrityError:
        raise DomainError(_one_annual_message(school, school_year)) from None


@transaction.atomic
def claim_supplementary_create(
    *, actor: User, annual: Claim, classes: dict[str, int], from_date: datetime.date, reason: str
) -> Claim:
    """Start a supplementary claim (more classes from a later day) on an approved or allocated annual claim.

    Counts the planned service days on or after `from_date` at the rate in force on that day. School admins of
    the school only. Raises PermissionDenied, DomainError.
    """
    permissions.require(actor, "claim.edit", annual)
    if annual.kind != Claim.Kind.ANNUAL:
        raise DomainError(_("A supplementary claim is made on the school's annual claim."))
    annual.refresh_from_db(fields=["status"])
    if annual.status not in Claim.FIXED:
        raise DomainError(
            _(
                "A supplementary claim can be made only after finance has approved the annual claim; "
                "the annual claim is “%(status)s”."
            )
            % {"status": annual.get_status_display()}
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the supplementary claim is needed."))
    school, school_year = annual.school, annual.school_year
    from_date = _check_from_date(school_year, from_date)
    classes = _clean_classes(school, classes)
    computed = _compute(school=school, school_year=school_year, from_date=from_date, classes=classes)
    return _create(
        actor=actor,
        school=school,
        school_year=school_year,
        computed=computed,
        kind=Claim.Kind.SUPPLEMENTARY,
        supplements=annual,
        reason=reason,
    )


@transaction.atomic
def claim_update(
    *,
    actor: User,
    claim: Claim,
    classes: dict[str, int],
    from_date: datetime.date | None = None,
    reason: str | None = None,
) -> Claim:
    """Change a draft or returned claim's class counts (and a supplementary claim's first day and reason); the
    lines are recomputed from the calendar and the rate. School admins of the school only.
    Raises PermissionDenied, DomainError (also when the claim has moved on: an approved claim never changes).
    """
    permissions.require(actor, "claim.edit", claim)
    claim = _locked(claim)
    _require_editable(claim)
    classes = _clean_classes(claim.school, classes)
    if claim.kind == Claim.Kind.SUPPLEMENTARY:
        from_date = _check_from_date(claim.school_year, claim.from_date if from_date is None else from_date)
        reason = (claim.reason if reason is None else reason).strip()
        if not reason:
            raise DomainError(_("Say why the supplementary claim is needed."))
    else:
        first_day = _first_service_day(claim.school_year)
        if from_date is not None and from_date != first_day:
            raise DomainError(
                _("An annual claim counts every service day of the year; for a later start make a supplementary claim.")
            )
        from_date, reason = first_day, ""
    computed = _compute(school=claim.school, school_year=claim.school_year, from_date=from_date, classes=classes)
    lines = computed.pop("lines")
    for field, value in computed.items():
        setattr(claim, field, value)
    claim.reason = reason
    claim.full_clean(validate_unique=False, validate_constraints=False)
    claim.save(update_fields=[*computed, "reason", "updated_at"])
    _write_lines(claim, lines)
    return claim


@transaction.atomic
def claim_submit(*, actor: User, claim: Claim, note: str = "") -> Claim:
    """The school sends its draft (or returned) claim to the bureau for first review; a resubmission clears the
    earlier reviewer. School admins of the school only. Raises PermissionDenied, TransitionNotAllowed, DomainError.
    """
    permissions.require(actor, "claim.edit", claim)
    claim = _locked(claim)
    _require_state(claim, "submit")
    if claim.requested_amount <= 0 or not claim.lines.exists():
        raise DomainError(_("The claim has no amount yet; enter the service classes first."))
    transition(
        claim,
        "submit",
        actor=actor,
        note=(note or "").strip(),
        submitted_by=actor,
        submitted_at=timezone.now(),
        first_reviewed_by=None,
        first_reviewed_at=None,
    )
    return claim


def _not_the_submitter(claim: Claim, actor: User) -> None:
    if claim.submitted_by_id == actor.pk:
        raise DomainError(
            _(
                "You submitted this claim, so someone else must review it: the person who submits, the one who "
                "does the first review and the one who approves are three different people."
            )
        )


def _required_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what must change: a returned claim needs a reason."))
    return note


@transaction.atomic
def claim_pass(*, actor: User, claim: Claim, note: str = "") -> Claim:
    """The bureau passes the first review (初审); the claim goes to finance. Not by the person who submitted it.
    Raises PermissionDenied, TransitionNotAllowed, DomainError."""
    permissions.require(actor, "claim.first_review", claim)
    claim = _locked(claim)
    _require_state(claim, "pass")
    _not_the_submitter(claim, actor)
    transition(
        claim,
        "pass",
        actor=actor,
        note=(note or "").strip(),
        first_reviewed_by=actor,
        first_reviewed_at=timezone.now(),
    )
    return claim


@transaction.atomic
def claim_return(*, actor: User, claim: Claim, note: str) -> Claim:
    """The bureau sends a submitted claim back to the school with the reason. Not by the submitter.
    Raises PermissionDenied, TransitionNotAllowed, DomainError."""
    permissions.require(actor, "claim.first_review", claim)
    claim = _locked(claim)
    _require_state(claim, "return")
    _not_the_submitter(claim, actor)
    transition(claim, "return", actor=actor, note=_required_note(note))
    return claim


def _not_submitter_or_reviewer(claim: Claim, actor: User) -> None:
    _not_the_submitter(claim, actor)
    if claim.first_reviewed_by_id == actor.pk:
        raise DomainError(
            _(
                "You did the first review of this claim, so someone else in finance must approve it: the person "
                "who submits, the one who does the first review and the one who approves are three different people."
            )
        )


@transaction.atomic
def claim_finance_return(*, actor: User, claim: Claim, note: str) -> Claim:
    """Finance sends a claim that passed first review back to the school, with the reason.
    Not by its submitter or first reviewer. Raises PermissionDenied, TransitionNotAllowed, DomainError."""
    permissions.require(actor, "claim.approve", claim)
    claim = _locked(claim)
    _require_state(claim, "finance_return")
    _not_submitter_or_reviewer(claim, actor)
    transition(claim, "finance_return", actor=actor, note=_required_note(note))
    return claim


def _check_approved_amount(amount, requested: Decimal) -> Decimal:
    value = parse_yuan(amount)
    if value < 0:
        raise DomainError(_("The approved amount cannot be negative."))
    if value > requested:
        raise DomainError(
            _("Finance may approve at most the amount claimed, %(requested)s.") % {"requested": format_yuan(requested)}
        )
    return yuan(value)


@transaction.atomic
def claim_approve(*, actor: User, claim: Claim, amount, reason: str = "") -> Claim:
    """Finance approves (核拨) the amount claimed, or less with a reason; the claim is fixed from now on.

    Not by the submitter or the first reviewer. Two approvers at once: one wins, the other is told the claim
    has moved on. Raises PermissionDenied, TransitionNotAllowed, DomainError.
    """
    permissions.require(actor, "claim.approve", claim)
    claim = _locked(claim)
    _require_state(claim, "approve")
    _not_submitter_or_reviewer(claim, actor)
    value = _check_approved_amount(amount, claim.requested_amount)
    reason = (reason or "").strip()
    if value < claim.requested_amount and not reason:
        raise DomainError(_("Say why less than the amount claimed is approved."))
    if value == claim.requested_amount:
        reason = ""
    transition(
        claim,
        "approve",
        actor=actor,
        note=reason,
        approved_amount=value,
        reduction_reason=reason,
        approved_by=actor,
        approved_at=timezone.now(),
    )
    return claim


def _duplicate_voucher(voucher_no: str) -> DomainError:
    return DomainError(
        _("Voucher number %(voucher)s is already recorded for another allocation.") % {"voucher": voucher_no}
    )


@transaction.atomic
def claim_allocate(*, actor: User, claim: Claim, allocated_on: datetime.date, voucher_no: str) -> Claim:
    """Finance records the allocation (拨付) of an approved claim with its date and voucher number, and the money
    is booked into the school's earmarked fund in the same transaction. Each voucher number is used once.
    Raises PermissionDenied, TransitionNotAllowed, DomainError."""
    permissions.require(actor, "claim.approve", claim)
    claim = _locked(claim)
    _require_state(claim, "allocate")
    voucher_no = (voucher_no or "").strip()
    if not voucher_no:
        raise DomainError(_("Enter the voucher number of the allocation."))
    if len(voucher_no) > 40:
        raise DomainError(_("The voucher number is limited to 40 characters."))
    if not isinstance(allocated_on, datetime.date):
        raise DomainError(_("Enter the day the money was allocated."))
    if allocated_on > timezone.localdate():
        raise DomainError(_("The allocation date cannot be in the future."))
    approved_on = timezone.localtime(claim.approved_at).date()
    if allocated_on < approved_on:
        raise DomainError(
            _("The allocation date cannot be before the approval on %(day)s.") % {"day": approved_on.isoformat()}
        )
    if claim.approved_amount is None or claim.approved_amount <= 0:
        raise DomainError(_("Nothing was approved for this claim, so there is nothing to allocate."))
    if Claim.objects.filter(voucher_no=voucher_no).exists():
        raise _duplicate_voucher(voucher_no)
    try:
        with transaction.atomic():  # the unique voucher constraint settles two allocations racing for one number
            transition(
                claim,
                "allocate",
                actor=actor,
                note=voucher_no,
                allocated_on=allocated_on,
                voucher_no=voucher_no,
                allocated_by=actor,
            )
    except IntegrityError:
        raise _duplicate_voucher(voucher_no) from None
    ledger_services.ledger_book_allocation(claim=claim, actor=actor, date=allocated_on, voucher_no=voucher_no)
    return claim
