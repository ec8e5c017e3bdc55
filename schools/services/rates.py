"""The subsidy standard (R22): yuan per service class per class-hour, in force from a date.

A new standard is a new row from a day not yet passed: the past is never rewritten, and claims already computed
keep the rate they stored.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import parse_yuan, yuan

from ..models import SubsidyRate, User
from . import audit as audit_services

# SubsidyRate.amount has max_digits=8, decimal_places=2.
MAX_RATE = Decimal("999999.99")


def _check_rate_amount(amount) -> Decimal:
    value = parse_yuan(
        amount,
        invalid=_("Enter the rate in yuan, e.g. 30.00."),
        places=_("A rate has at most two decimal places (fen)."),
    )
    if value <= 0:
        raise DomainError(_("The rate must be more than zero."))
    if value > MAX_RATE:
        raise DomainError(_("The rate is too large."))
    return yuan(value)


@transaction.atomic
def rate_set(*, actor: User, amount, effective_from: datetime.date, note: str = "") -> SubsidyRate:
    """The bureau sets a new standard from today or a later day. Raises PermissionDenied, DomainError."""
    permissions.require(actor, "rate.manage")
    value = _check_rate_amount(amount)
    if not isinstance(effective_from, datetime.date):
        raise DomainError(_("Enter the day the rate takes effect."))
    if effective_from < timezone.localdate():
        raise DomainError(
            _("A new rate cannot start in the past: claims already computed keep the rate they were computed with.")
        )
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError(_("The basis is limited to 200 characters."))
    if SubsidyRate.objects.filter(effective_from=effective_from).exists():
        raise DomainError(
            _("A rate already takes effect on %(day)s; choose another day.") % {"day": effective_from.isoformat()}
        )
    try:
        with transaction.atomic():  # a savepoint: two bureau users saving the same day at once
            rate = SubsidyRate.objects.create(amount=value, effective_from=effective_from, note=note)
    except IntegrityError:
        raise DomainError(
            _("A rate already takes effect on %(day)s; choose another day.") % {"day": effective_from.isoformat()}
        ) from None
    # The bureau person who set it: the rate row itself names no one (issue #13).
    audit_services.record(
        action="rate.set",
        obj=rate,
        actor=actor,
        school=None,
        label=f"{rate.effective_from.isoformat()} ¥{rate.amount}",
        changes={"amount": [None, str(rate.amount)], "effective_from": [None, effective_from.isoformat()]},
        note=note,
    )
    return rate
