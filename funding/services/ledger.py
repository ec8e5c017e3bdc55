"""The earmarked fund and its ledger (专款专用, R24): money in from allocated claims, money out in the four
categories only, never more than was allocated, never edited — a mistake is corrected by a reversing entry.

`Fund.allocated` and `Fund.spent` are running totals moved only here, by compare-and-set updates, so two
clerks spending the last yuan at the same moment cannot both succeed (and the database's check refuses an
overspend whatever the code does).
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import School, SchoolYear, User
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import format_yuan, parse_yuan, yuan

from ..models import Category, Claim, Fund, LedgerEntry, ModelClass


def fund_for(*, school: School, school_year: SchoolYear) -> Fund:
    """The school's fund for the year, created empty the first time it is needed."""
    fund, _created = Fund.objects.get_or_create(school=school, school_year=school_year)
    return fund


def _check_amount(amount) -> Decimal:
    value = parse_yuan(amount)
    if value <= 0:
        raise DomainError(_("The amount must be more than zero."))
    return value


def _check_date(day: datetime.date, fund: Fund) -> None:
    if day > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."))
    if not (fund.school_year.start_date <= day <= fund.school_year.end_date):
        raise DomainError(_("The date must fall in the school year %(year)s.") % {"year": fund.school_year.name})


@transaction.atomic
def ledger_book_allocation(*, claim: Claim, actor: User, date: datetime.date, voucher_no: str) -> LedgerEntry:
    """Money in: book an allocated claim's approved amount. Called by the claim's allocation, in its transaction."""
    fund = fund_for(school=claim.school, school_year=claim.school_year)
    amount = yuan(claim.approved_amount)
    entry = LedgerEntry.objects.create(
        fund=fund,
        kind=LedgerEntry.Kind.ALLOCATION,
        amount=amount,
        date=date,
        description=_("%(kind)s allocated") % {"kind": claim.get_kind_display()},
        voucher_no=voucher_no,
        claim=claim,
        recorded_by=actor,
    )
    Fund.objects.filter(pk=fund.pk).update(allocated=F("allocated") + amount, updated_at=timezone.now())
    return entry


@transaction.atomic
def ledger_book_grant(*, model_class: ModelClass, actor: User, date: datetime.date) -> LedgerEntry:
    """Money in: book a recognised model class's grant (R36) into its school's fund for the class's year. Called by
    the recognition, in its transaction; the ledger entry is one per model class (the database says so too)."""
    fund = fund_for(school=model_class.service_class.school, school_year=model_class.school_year)
    amount = yuan(model_class.grant_amount)
    entry = LedgerEntry.objects.create(
        fund=fund,
        kind=LedgerEntry.Kind.ALLOCATION,
        amount=amount,
        date=date,
        description=(_("Model class grant: %(name)s") % {"name": model_class.service_class.name})[:200],
        model_class=model_class,
        recorded_by=actor,
    )
    Fund.objects.filter(pk=fund.pk).update(allocated=F("allocated") + amount, updated_at=timezone.now())
    return entry


@transaction.atomic
def ledger_spend(
    *,
    actor: User,
    fund: Fund,
    category: str,
    amount,
    date: datetime.date,
    description: str,
    voucher_no: str = "",
) -> LedgerEntry:
    """Money out in one earmarked category; refused beyond the fund's balance. Raises DomainError, PermissionDenied."""
    permissions.require(actor, "ledger.record", fund)
    if category not in Category.values:
        raise DomainError(_("Spend only on the four earmarked uses of the subsidy."))
    amount = _check_amount(amount)
    _check_date(date, fund)
    description = (description or "").strip()
    if not description:
        raise DomainError(_("Say what the money was spent on."))
    # Compare-and-set: only succeeds while the balance covers the amount, whoever else is spending.
    moved = Fund.objects.filter(pk=fund.pk, spent__lte=F("allocated") - amount).update(
        spent=F("spent") + amount, updated_at=timezone.now()
    )
    if moved != 1:
        fund.refresh_from_db()
        raise DomainError(
            _("This would spend more than was allocated: the balance is %(balance)s, the entry %(amount)s.")
            % {"balance": format_yuan(fund.balance), "amount": format_yuan(amount)}
        )
    return LedgerEntry.objects.create(
        fund=fund,
        kind=LedgerEntry.Kind.SPENDING,
        category=category,
        amount=amount,
        date=date,
        description=description[:200],
        voucher_no=(voucher_no or "").strip()[:40],
        recorded_by=actor,
    )


def ledger_reversal_refused(entry: LedgerEntry, *, reversed_: bool | None = None, pays_run: bool | None = None) -> str:
    """Why `entry` cannot be reversed, or "" when it can: the one rule, enforced by ledger_reverse, asked by the page.

    Only a spending entry is reversed, once, and never the payment of an approved pay run. A caller that already
    knows whether the entry was reversed or pays a run (the ledger page's rows) passes it, saving a query per row.
    """
    if entry.kind != LedgerEntry.Kind.SPENDING:
        return _("Only a spending entry can be reversed.")
    if hasattr(entry, "pay_run") if pays_run is None else pays_run:
        return _("This entry pays an approved pay run; it cannot be reversed.")
    if LedgerEntry.objects.filter(reverses=entry).exists() if reversed_ is None else reversed_:
        return _("This entry has already been reversed.")
    return ""


def ledger_reversible(entry: LedgerEntry, *, reversed_: bool | None = None, pays_run: bool | None = None) -> bool:
    return not ledger_reversal_refused(entry, reversed_=reversed_, pays_run=pays_run)


@transaction.atomic
def ledger_reverse(*, actor: User, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Cancel a spending entry by a reversing entry of the same category and amount (the original stays)."""
    permissions.require(actor, "ledger.record", entry.fund)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the entry is reversed."))
    refused = ledger_reversal_refused(entry)
    if refused:
        raise DomainError(refused)
    moved = Fund.objects.filter(pk=entry.fund_id, spent__gte=entry.amount).update(
        spent=F("spent") - entry.amount, updated_at=timezone.now()
    )
    if moved != 1:  # cannot happen while the totals are kept here; refuse rather than write a negative total
        raise DomainError(_("The fund's totals do not match its entries; ask the county to check it."))
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                fund=entry.fund,
                kind=LedgerEntry.Kind.REVERSAL,
                category=entry.category,
                amount=entry.amount,
                date=timezone.localdate(),
                description=(_("Reverses entry %(number)s: %(reason)s") % {"number": entry.pk, "reason": reason})[:200],
                voucher_no=entry.voucher_no,
                reverses=entry,
                recorded_by=actor,
            )
    except IntegrityError:  # someone reversed it at the same moment; the outer transaction rolls back
        raise DomainError(_("This entry has already been reversed.")) from None
