"""The year-end settlement (决算): the school files what it delivered against what it was allocated; finance
confirms it. A filed settlement may be refiled (recomputed from the session log) until finance confirms it;
a confirmed one never changes (and on PostgreSQL a trigger refuses any change too).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import School, SchoolYear, User
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import log, start, transition

from ..models import Settlement, SettlementLine
from ..selectors import settlement as selectors


@transaction.atomic
def settlement_file(*, actor: User, school: School, school_year: SchoolYear) -> Settlement:
    """File (or refile while still filed) the school's settlement for the year, recomputed from the session log.

    School admin of the school. Refused before the year's last semester has ended, without an allocated claim,
    and once finance has confirmed it. Raises PermissionDenied, DomainError. Logs a "file"/"refile" event.
    """
    permissions.require(actor, "settlement.file", school)
    if not selectors.year_has_ended(school_year):
        raise DomainError(
            _("The settlement is filed after the year's last semester has ended (%(day)s).")
            % {"day": selectors.year_last_day(school_year).isoformat()}
        )
    existing = Settlement.objects.select_for_update().filter(school=school, school_year=school_year).first()
    if existing is not None and existing.status != Settlement.Status.FILED:
        raise DomainError(_("Finance has confirmed this settlement; it can no longer change."))
    figures = selectors.settlement_figures(school=school, school_year=school_year)
    if not figures.allocated_claims:
        raise DomainError(_("No claim of this year has been allocated yet, so there is nothing to settle."))
    totals = {
        "delivered_class_hours": figures.delivered_class_hours,
        "delivered_amount": figures.delivered_amount,
        "allocated_amount": figures.allocated_amount,
        "difference": figures.difference,
        "outcome": figures.outcome,
        "filed_by": actor,
    }
    if existing is None:
        action = "file"
        settlement = Settlement(school=school, school_year=school_year, status=Settlement.Status.FILED, **totals)
        settlement.full_clean(validate_constraints=False)  # the database checks them, and a race ends below
        try:
            with transaction.atomic():  # two clicks at once: the unique constraint lets only one through
                settlement.save()
        except IntegrityError:
            if not Settlement.objects.filter(school=school, school_year=school_year).exists():
                raise  # not the race below: a broken invariant is a bug, logged as one
            raise DomainError(_("The settlement was filed at the same moment; reload the page.")) from None
    else:
        action = "refile"
        # Conditional on the status, so a confirmation that slipped in first wins and this refiling is refused.
        updated = Settlement.objects.filter(pk=existing.pk, status=Settlement.Status.FILED).update(
            updated_at=timezone.now(), **totals
        )
        if updated != 1:
            raise DomainError(_("Finance has confirmed this settlement; it can no longer change."))
        settlement = Settlement.objects.get(pk=existing.pk)
        settlement.lines.all().delete()
    SettlementLine.objects.bulk_create(
        SettlementLine(
            settlement=settlement,
            service_class_name=line.service_class_name,
            stage=line.stage,
            sessions=line.sessions,
            class_hours=line.class_hours,
            rate=line.rate,
            amount=line.amount,
        )
        for line in figures.lines
    )
    if action == "file":
        start(settlement, action="file", actor=actor)
    else:
        log(settlement, "refile", actor=actor)
    return settlement


@transaction.atomic
def settlement_confirm(*, actor: User, settlement: Settlement, note: str = "") -> Settlement:
    """Finance confirms a filed settlement; from then on it never changes. Raises PermissionDenied,
    TransitionNotAllowed (already confirmed, or confirmed at the same moment by someone else)."""
    permissions.require(actor, "settlement.confirm", settlement)
    transition(settlement, "confirm", actor=actor, note=note, confirmed_by=actor, confirmed_at=timezone.now())
    return settlement
