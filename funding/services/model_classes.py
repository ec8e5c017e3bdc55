"""Model custody classes (R36): the bureau proposes a service class against the published criteria, then recognises
it (with the county trade union), which books the grant into the school's earmarked fund in the same transaction.

proposed --recognise--> recognised;  proposed | recognised --revoke--> revoked
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import SchoolYear, ServiceClass, User
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import parse_yuan
from xiji_afterschool.workflow import start, transition

from ..models import Criterion, ModelClass
from . import ledger as ledger_services

MAX_GRANT = Decimal("1000000.00")


def _check_criteria(criteria) -> list[str]:
    chosen = [c for c in Criterion.values if c in set(criteria or [])]
    if not chosen or len(chosen) != len(set(criteria or [])):
        raise DomainError(_("Name at least one of the published criteria the class meets."))
    return chosen


def _check_grant(amount) -> Decimal:
    value = parse_yuan(amount, invalid=_("Enter the grant in yuan, e.g. 5000.00."))
    if value <= 0 or value > MAX_GRANT:
        raise DomainError(_("The grant must be more than zero and at most ¥1,000,000.00."))
    return value


@transaction.atomic
def model_class_propose(
    *,
    actor: User,
    service_class: ServiceClass,
    school_year: SchoolYear,
    criteria: list[str],
    grant_amount,
    with_trade_union: bool = True,
    citation: str = "",
) -> ModelClass:
    """The bureau proposes a service class of that year as a model class. Refused for a class of another year, a
    class already proposed that year, no criterion, or a grant that is not a positive amount.
    Raises PermissionDenied, DomainError."""
    permissions.require(actor, "model_class.propose")
    if service_class.school_year_id != school_year.pk:
        raise DomainError(_("The service class was not formed for %(year)s.") % {"year": school_year.name})
    chosen = _check_criteria(criteria)
    grant = _check_grant(grant_amount)
    if ModelClass.objects.filter(service_class=service_class, school_year=school_year).exists():
        raise DomainError(_("This service class has already been proposed as a model class for this year."))
    model_class = ModelClass(
        service_class=service_class,
        school_year=school_year,
        criteria=chosen,
        citation=(citation or "").strip(),
        grant_amount=grant,
        with_trade_union=bool(with_trade_union),
        proposed_by=actor,
    )
    model_class.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # two proposals at once: the unique constraint lets one through
            model_class.save()
    except IntegrityError:
        raise DomainError(_("This service class has already been proposed as a model class for this year.")) from None
    start(model_class, action="propose", actor=actor, note=model_class.citation)
    return model_class


@transaction.atomic
def model_class_recognise(
    *, actor: User, model_class: ModelClass, recognised_on: datetime.date | None = None, note: str = ""
) -> ModelClass:
    """The bureau recognises a proposed model class: the status moves (compare-and-set, so twice — or two people at
    once — is refused) and the grant is booked into the school's fund as one ledger entry, in this transaction.
    Raises PermissionDenied, TransitionNotAllowed, DomainError."""
    permissions.require(actor, "model_class.recognise", model_class)
    day = recognised_on or timezone.localdate()
    if day > timezone.localdate():
        raise DomainError(_("The recognition date cannot be in the future."))
    year = model_class.school_year
    if not (year.start_date <= day <= year.end_date):
        raise DomainError(_("The date must fall in the school year %(year)s.") % {"year": year.name})
    transition(model_class, "recognise", actor=actor, note=note, recognised_by=actor, recognised_on=day)
    ledger_services.ledger_book_grant(model_class=model_class, actor=actor, date=day)
    return model_class


@transaction.atomic
def model_class_revoke(*, actor: User, model_class: ModelClass, reason: str) -> ModelClass:
    """The bureau revokes a proposal or a recognition, with the reason. A booked grant stays in the ledger (never
    edited); finance settles it. Raises PermissionDenied, TransitionNotAllowed, DomainError."""
    permissions.require(actor, "model_class.recognise", model_class)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the model class is revoked."))
    transition(model_class, "revoke", actor=actor, note=reason)
    return model_class
