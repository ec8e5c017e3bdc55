"""Teacher pay by workload (R27, 优绩优酬): the school's pay scheme reviewed by HR, and pay runs that divide a pool
of the earmarked fund by weighted class-hours.

Scheme: draft/returned --submit--> submitted --approve--> approved, or --return--> returned. An approved (or
submitted) scheme never changes: saving a change starts the next version as a draft.

Pay run: created as a draft from closed months of the hours record; its shares are recomputed on every change;
approving it books the pool as teacher-subsidy spending in the ledger (same transaction) and fixes it for good.

Division: workload = Σ class-hours by role × the role's weight (2 places, half-up); points = workload × factor;
amounts by the largest-remainder method at the fen, so they always add up to the pool exactly.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from schools.models import HoursMonth, School, SchoolYear, User
from schools.rules import hours as hours_rules
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import CENT, format_yuan, parse_yuan, yuan
from xiji_afterschool.workflow import log, transition

from ..models import (
    PERFORMANCE_CEILING,
    PERFORMANCE_FLOOR,
    Category,
    Fund,
    PayRun,
    PayScheme,
    PayShare,
    SpendingPlan,
)
from ..rules import pay as rules
from ..selectors import pay as selectors
from . import ledger as ledger_services

ONE = Decimal("1.00")  # an ordinary month's work
MAX_WEIGHT = Decimal("3.00")
SCHEME_FIELDS = (
    "weight_responsible",
    "weight_substitute",
    "weight_assistant",
    "performance_min",
    "performance_max",
    "assessment",
)


# ---------------------------------------------------------------- checks of input


def _decimal(value, message: str) -> Decimal:
    if isinstance(value, float | bool) or value is None:
        raise DomainError(message)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(message) from None
    if not number.is_finite():
        raise DomainError(message)
    return number


def _two_places(value: Decimal) -> bool:
    return value == value.quantize(CENT)


def check_scheme_values(data: dict) -> dict:
    """The scheme's numbers as Decimals, or DomainError: weights in (0, 3.00], a factor range inside the county's
    bounds that contains 1.00, two decimal places everywhere."""
    out = {}
    for name, label in (
        ("weight_responsible", _("responsible teacher")),
        ("weight_substitute", _("substitute")),
        ("weight_assistant", _("assistant")),
    ):
        weight = _decimal(data.get(name), _("Enter the weight for %(role)s as a number, e.g. 1.00.") % {"role": label})
        if not _two_places(weight):
            raise DomainError(_("A weight has at most two decimal places."))
        if not (0 < weight <= MAX_WEIGHT):
            raise DomainError(
                _("The weight for %(role)s must be more than 0 and at most %(max)s.")
                % {"role": label, "max": MAX_WEIGHT}
            )
        out[name] = weight.quantize(CENT)
    low = _decimal(data.get("performance_min"), _("Enter the lowest performance factor as a number, e.g. 0.80."))
    high = _decimal(data.get("performance_max"), _("Enter the highest performance factor as a number, e.g. 1.20."))
    if not (_two_places(low) and _two_places(high)):
        raise DomainError(_("A performance factor has at most two decimal places."))
    if low < PERFORMANCE_FLOOR or high > PERFORMANCE_CEILING:
        raise DomainError(
            _("The performance factor must stay within the county's bounds, %(floor)s to %(ceiling)s.")
            % {"floor": PERFORMANCE_FLOOR, "ceiling": PERFORMANCE_CEILING}
        )
    if not (low <= ONE <= high):
        raise DomainError(_("The range of the performance factor must contain 1.00 (an ordinary month's work)."))
    out["performance_min"], out["performance_max"] = low.quantize(CENT), high.quantize(CENT)
    out["assessment"] = (data.get("assessment") or "").strip()
    return out


def _check_pool(pool) -> Decimal:
    value = parse_yuan(pool, invalid=_("Enter the amount to divide in yuan, e.g. 12000.00."))
    if value <= 0:
        raise DomainError(_("The amount to divide must be more than zero."))
    return yuan(value)


def _month_label(month: datetime.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


# ---------------------------------------------------------------- the scheme


def scheme_newest(*, school: School, school_year: SchoolYear) -> PayScheme | None:
    return PayScheme.objects.filter(school=school, school_year=school_year).order_by("-version").first()


def scheme_in_force(*, school: School, school_year: SchoolYear) -> PayScheme | None:
    """The newest version HR approved: the one pay runs are computed under."""
    return (
        PayScheme.objects.filter(school=school, school_year=school_year, status=PayScheme.Status.APPROVED)
        .order_by("-version")
        .first()
    )


def _clean_and_save(scheme: PayScheme) -> None:
    try:
        scheme.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None
    scheme.save()


@transaction.atomic
def pay_scheme_save(*, actor: User, school: School, school_year: SchoolYear, cleaned_data: dict) -> PayScheme:
    """Store the school's scheme ("pay_scheme.edit", the school admin). Edits the newest version while it is a draft
    or returned; when the newest is submitted or approved, the change starts the next version as a draft (an
    approved scheme never changes). Raises DomainError on values outside the rules, PermissionDenied."""
    permissions.require(actor, "pay_scheme.edit", school)
    values = check_scheme_values(cleaned_data)
    newest = (
        PayScheme.objects.select_for_update()
        .filter(school=school, school_year=school_year)
        .order_by("-version")
        .first()
    )
    if newest is not None and newest.is_editable:
        for name, value in values.items():
            setattr(newest, name, value)
        _clean_and_save(newest)
        return newest
    version = newest.version + 1 if newest else 1
    scheme = PayScheme(school=school, school_year=school_year, version=version, created_by=actor, **values)
    try:
        with transaction.atomic():  # a savepoint: two first saves at once, the loser hears it
            _clean_and_save(scheme)
    except IntegrityError:
        raise DomainError(
            _("Someone started this version of the scheme at the same moment; reload the page.")
        ) from None
    return scheme


@transaction.atomic
def pay_scheme_submit(*, actor: User, scheme: PayScheme, note: str = "") -> PayScheme:
    """Send the scheme to HR ("pay_scheme.edit"). Refused without the assessment text, or for an older version."""
    permissions.require(actor, "pay_scheme.edit", scheme)
    # Lock the row, so an edit cannot slip in beside the submission.
    list(PayScheme.objects.select_for_update().filter(pk=scheme.pk).values_list("pk", flat=True))
    scheme.refresh_from_db()
    newest = scheme_newest(school=scheme.school, school_year=scheme.school_year)
    if newest.pk != scheme.pk:
        raise DomainError(_("Version %(newer)s of this scheme exists; submit that one.") % {"newer": newest.version})
    if scheme.is_editable and not scheme.assessment.strip():
        raise DomainError(_("Say how performance is assessed before submitting the scheme."))
    transition(scheme, "submit", actor=actor, note=(note or "").strip(), submitted_by=actor)
    return scheme


@transaction.atomic
def pay_scheme_approve(*, actor: User, scheme: PayScheme, note: str = "") -> PayScheme:
    """HR approves the submitted scheme ("pay_scheme.review"); it is fixed from now on."""
    permissions.require(actor, "pay_scheme.review", scheme)
    transition(scheme, "approve", actor=actor, note=(note or "").strip(), reviewed_by=actor, reviewed_at=timezone.now())
    return scheme


@transaction.atomic
def pay_scheme_return(*, actor: User, scheme: PayScheme, note: str) -> PayScheme:
    """HR sends the submitted scheme back ("pay_scheme.review"), saying what must change."""
    permissions.require(actor, "pay_scheme.review", scheme)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what must change: a returned scheme needs a comment."))
    transition(scheme, "return", actor=actor, note=note, reviewed_by=actor, reviewed_at=timezone.now())
    return scheme


# ---------------------------------------------------------------- pay runs


def _check_period(*, school: School, school_year: SchoolYear, first_month, last_month) -> tuple:
    if not isinstance(first_month, datetime.date) or not isinstance(last_month, datetime.date):
        raise DomainError(_("Choose the first and last month of the period."))
    first, last = hours_rules.month_start(first_month), hours_rules.month_start(last_month)
    if first > last:
        raise DomainError(_("The first month must not come after the last month."))
    if first < hours_rules.month_start(school_year.start_date) or last > hours_rules.month_start(school_year.end_date):
        raise DomainError(_("The period must lie within the school year %(year)s.") % {"year": school_year.name})
    months = selectors.months_between(first, last)
    closed = set(HoursMonth.objects.filter(school=school, month__in=months).values_list("month", flat=True))
    open_months = [m for m in months if m not in closed]
    if open_months:
        raise DomainError(
            _("Pay is divided only over closed months of the hours record. Still open: %(months)s.")
            % {"months": "、".join(_month_label(m) for m in open_months)}
        )
    return first, last


def _check_spending_plan(school: School, school_year: SchoolYear) -> None:
    approved = SpendingPlan.objects.filter(
        school=school, school_year=school_year, status=SpendingPlan.Status.APPROVED
    ).exists()
    if not approved:
        raise DomainError(
            _("No teacher pay run before the spending plan is approved by the office meeting and staff congress.")
        )


def _check_no_paid_overlap(*, school: School, first, last, exclude_pk=None) -> None:
    """Months already paid by an approved run are not paid again."""
    paid = PayRun.objects.filter(
        school=school, status=PayRun.Status.APPROVED, first_month__lte=last, last_month__gte=first
    ).exclude(pk=exclude_pk)
    run = paid.order_by("first_month").first()
    if run is not None:
        raise DomainError(
            _("An approved pay run already covers %(first)s to %(last)s; months are not paid twice.")
            % {"first": _month_label(run.first_month), "last": _month_label(run.last_month)}
        )


def _check_balance(school: School, school_year: SchoolYear, pool: Decimal) -> None:
    fund = ledger_services.fund_for(school=school, school_year=school_year)
    if pool > fund.balance:
        raise DomainError(
            _("The amount to divide, %(pool)s, is more than the fund's balance of %(balance)s.")
            % {"pool": format_yuan(pool), "balance": format_yuan(fund.balance)}
        )


def _write_shares(run: PayRun, rows: list[selectors.ShareInput]) -> None:
    run.shares.all().delete()
    PayShare.objects.bulk_create(
        PayShare(
            run=run,
            person_id=row.person_id,
            responsible_hours=row.responsible_hours,
            substitute_hours=row.substitute_hours,
            assistant_hours=row.assistant_hours,
            workload=row.workload,
            performance_factor=row.factor,
            performance_reason=row.reason[:200],
            points=row.points,
            amount=row.amount,
        )
        for row in rows
    )


@transaction.atomic
def pay_run_create(
    *,
    actor: User,
    school: School,
    school_year: SchoolYear,
    first_month: datetime.date,
    last_month: datetime.date,
    pool,
) -> PayRun:
    """Start a draft pay run ("pay_run.manage", the school admin) and compute its shares under the newest approved
    scheme. Refused (DomainError): the spending plan not approved, no approved scheme, a month of the period not
    closed or outside the school year, months already paid by an approved run, an amount that is not a positive
    sum of yuan and fen or is beyond the fund's balance, and a division refused by `compute`."""
    permissions.require(actor, "pay_run.manage", school)
    _check_spending_plan(school, school_year)
    scheme = scheme_in_force(school=school, school_year=school_year)
    if scheme is None:
        raise DomainError(
            _("No pay run before HR has approved the school's pay scheme for %(year)s.") % {"year": school_year.name}
        )
    first, last = _check_period(school=school, school_year=school_year, first_month=first_month, last_month=last_month)
    _check_no_paid_overlap(school=school, first=first, last=last)
    pool = _check_pool(pool)
    _check_balance(school, school_year, pool)
    rows = rules.compute(pool, selectors.hours_inputs(school=school, first_month=first, last_month=last), scheme)
    run = PayRun.objects.create(
        school=school,
        school_year=school_year,
        scheme=scheme,
        first_month=first,
        last_month=last,
        pool=pool,
        created_by=actor,
    )
    _write_shares(run, rows)
    return run


def _locked_draft(run: PayRun) -> PayRun:
    """Lock the run's row (changes to one run are serialised) and refresh the caller's object; drafts only."""
    list(PayRun.objects.select_for_update().filter(pk=run.pk).values_list("pk", flat=True))
    run.refresh_from_db()
    if run.status != PayRun.Status.DRAFT:
        raise DomainError(
            _("This pay run is “%(status)s” and can never change.") % {"status": run.get_status_display()}
        )
    return run


def _current_rows(run: PayRun) -> list[selectors.ShareInput]:
    """The run's inputs as the hours record has them now, keeping the factors already set."""
    factors = {s.person_id: (s.performance_factor, s.performance_reason) for s in run.shares.all()}
    rows = selectors.hours_inputs(school=run.school, first_month=run.first_month, last_month=run.last_month)
    for row in rows:
        row.factor, row.reason = factors.get(row.person_id, (ONE, ""))
    return rows


def _stored_rows(run: PayRun) -> list[tuple]:
    return [
        (s.person_id, s.responsible_hours, s.substitute_hours, s.assistant_hours)
        for s in run.shares.order_by("person_id")
    ]


def is_stale(run: PayRun) -> bool:
    """True when the hours record changed (an adjustment to a closed month) since the draft's shares were computed."""
    fresh = [(r.person_id, r.responsible_hours, r.substitute_hours, r.assistant_hours) for r in _current_rows(run)]
    return fresh != _stored_rows(run)


def _log(run: PayRun, action: str, actor: User, note: str) -> None:
    log(run, action, actor=actor, note=note[:2000])


@transaction.atomic
def pay_run_set_factor(*, actor: User, run: PayRun, person: User, factor, reason: str = "") -> PayRun:
    """Set one person's performance factor on a draft ("pay_run.manage") and recompute every share.

    Refused (DomainError): an approved run, someone without a share in the run, a factor outside the scheme's range
    or with more than two decimals, a factor other than 1.00 without a reason, and a division refused by `compute`.
    The change is logged on the run's history.
    """
    permissions.require(actor, "pay_run.manage", run)
    run = _locked_draft(run)
    share = run.shares.filter(person=person).first()
    if share is None:
        raise DomainError(_("%(name)s has no share in this pay run.") % {"name": person})
    factor = _decimal(factor, _("Enter the performance factor as a number, e.g. 1.10."))
    if not _two_places(factor):
        raise DomainError(_("A performance factor has at most two decimal places."))
    factor = factor.quantize(CENT)
    scheme = run.scheme
    if not (scheme.performance_min <= factor <= scheme.performance_max):
        raise DomainError(
            _("The scheme allows a performance factor from %(low)s to %(high)s.")
            % {"low": scheme.performance_min, "high": scheme.performance_max}
        )
    reason = (reason or "").strip()[:200]
    if factor != ONE and not reason:
        raise DomainError(_("Give the reason for a performance factor other than 1.00."))
    old = share.performance_factor
    rows = _current_rows(run)
    for row in rows:
        if row.person_id == person.pk:
            row.factor, row.reason = factor, reason
    _write_shares(run, rules.compute(run.pool, rows, scheme))
    PayRun.objects.filter(pk=run.pk).update(updated_at=timezone.now())
    _log(run, "set_factor", actor, f"{person}: {old} → {factor}" + (f" ({reason})" if reason else ""))
    return run


@transaction.atomic
def pay_run_recompute(*, actor: User, run: PayRun) -> PayRun:
    """Recompute a draft's shares from the hours record as it is now (after an adjustment to a closed month),
    keeping the factors set ("pay_run.manage"). Raises DomainError for an approved run or a refused division."""
    permissions.require(actor, "pay_run.manage", run)
    run = _locked_draft(run)
    _write_shares(run, rules.compute(run.pool, _current_rows(run), run.scheme))
    PayRun.objects.filter(pk=run.pk).update(updated_at=timezone.now())
    _log(run, "recompute", actor, "")
    return run


@transaction.atomic
def pay_run_approve(*, actor: User, run: PayRun, paid_on: datetime.date, note: str = "") -> PayRun:
    """Approve a draft and pay it ("pay_run.manage"): books the pool as teacher-subsidy spending in the ledger and
    links the entry, in one transaction; the run never changes again.

    Refused (DomainError): not a draft, the hours record changed since the shares were computed (recompute first),
    months already paid by another approved run, shares that do not add up to the pool, a payment date in the future
    or outside the school year, and a fund whose balance no longer covers the pool (from `ledger_spend`).
    """
    permissions.require(actor, "pay_run.manage", run)
    run = _locked_draft(run)
    if not isinstance(paid_on, datetime.date):
        raise DomainError(_("Enter the date the pay was paid."))
    _check_spending_plan(run.school, run.school_year)
    if is_stale(run):
        raise DomainError(
            _(
                "The hours record has changed since these shares were computed (an adjustment to a closed month). "
                "Recompute the shares, check them and approve again."
            )
        )
    shares = list(run.shares.all())
    if not shares or sum((s.amount for s in shares), Decimal("0.00")) != run.pool:
        raise DomainError(_("The shares do not add up to the amount to divide; recompute the shares."))
    # The fund's row lock serialises approvals of one school's runs, so two drafts of the same months cannot both
    # pass the overlap check below.
    fund = Fund.objects.select_for_update().get(
        pk=ledger_services.fund_for(school=run.school, school_year=run.school_year).pk
    )
    _check_no_paid_overlap(school=run.school, first=run.first_month, last=run.last_month, exclude_pk=run.pk)
    description = _("Teacher pay by workload, %(first)s to %(last)s (pay run %(number)s)") % {
        "first": f"{run.first_month:%Y-%m}",
        "last": f"{run.last_month:%Y-%m}",
        "number": run.pk,
    }
    entry = ledger_services.ledger_spend(
        actor=actor, fund=fund, category=Category.TEACHER, amount=run.pool, date=paid_on, description=description
    )
    transition(
        run,
        "approve",
        actor=actor,
        note=(note or "").strip(),
        paid_on=paid_on,
        approved_by=actor,
        approved_at=timezone.now(),
        ledger_entry=entry,
    )
    return run
