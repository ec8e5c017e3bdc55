"""Venues and their safety checks (活动场所安全检查, R29, issue 11 §6).

The school admin keeps the school's venues and which check categories apply to each, every how many days. A check
is done on the phone by the school admin or an after-school teacher: each item of the category's checklist passed
or failed (a failed item says what is wrong), saved at once as one record with its items and never edited. Every
failed item opens a hazard (services/hazards.py) in the same transaction.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import Partner, School, User
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..models import CheckCategory, Venue, VenueCheck, VenueCheckItem, VenueSchedule
from ..rules import venues as rules
from . import hazards as hazard_services

MAX_NOTE = 200


def _clean_schedule(schedule: dict) -> dict[str, int]:
    if not schedule:
        raise DomainError(_("Choose at least one kind of check for the venue."))
    cleaned = {}
    for category, every_days in schedule.items():
        if category not in CheckCategory.values:
            raise DomainError(_("Unknown kind of check: %(category)s.") % {"category": category})
        if (
            isinstance(every_days, bool)
            or not isinstance(every_days, int)
            or not 1 <= every_days <= rules.MAX_EVERY_DAYS
        ):
            raise DomainError(
                _("%(category)s: check every 1 to %(max)s days.")
                % {"category": CheckCategory(category).label, "max": rules.MAX_EVERY_DAYS}
            )
        cleaned[category] = every_days
    return cleaned


def _clean_venue(*, school: School, kind: str, name: str, partner: Partner | None, venue: Venue | None = None):
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the venue a name."))
    if kind not in Venue.Kind.values:
        raise DomainError(_("Choose what kind of venue it is."))
    if kind == Venue.Kind.OUTSIDE:
        if partner is None:
            raise DomainError(_("An outside venue belongs to a partner: choose the partner."))
        if partner.school_id != school.pk:
            raise DomainError(_("The partner is not one of this school's partners."))
    elif partner is not None:
        raise DomainError(_("Only an outside venue has a partner."))
    clash = Venue.objects.filter(school=school, name=name).exclude(pk=venue.pk if venue else None)
    if clash.exists():
        raise DomainError(_("The school already has a venue called “%(name)s”.") % {"name": name})
    return name


def _write_schedule(venue: Venue, schedule: dict[str, int]) -> None:
    venue.schedules.exclude(category__in=schedule).delete()
    for category, every_days in schedule.items():
        VenueSchedule.objects.update_or_create(venue=venue, category=category, defaults={"every_days": every_days})


@transaction.atomic
def venue_create(
    *, actor: User, school: School, kind: str, name: str, partner: Partner | None = None, schedule: dict | None = None
) -> Venue:
    """Add a venue to the school (school admin), with its check categories (default: the kind's, at the default
    intervals). Raises PermissionDenied, DomainError."""
    permissions.require(actor, "venue.manage", school)
    name = _clean_venue(school=school, kind=kind, name=name, partner=partner)
    schedule = _clean_schedule(rules.default_schedule(kind) if schedule is None else schedule)
    venue = Venue.objects.create(school=school, kind=kind, name=name, partner=partner)
    _write_schedule(venue, schedule)
    return venue


@transaction.atomic
def venue_update(
    *, actor: User, venue: Venue, name: str, partner: Partner | None, schedule: dict, active: bool = True
) -> Venue:
    """Rename a venue, change its partner, its categories and intervals, or take it out of use (school admin).
    Past checks keep their category and items. Raises PermissionDenied, DomainError."""
    permissions.require(actor, "venue.manage", venue)
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    venue.name = _clean_venue(school=venue.school, kind=venue.kind, name=name, partner=partner, venue=venue)
    venue.partner = partner
    venue.active = bool(active)
    venue.full_clean()
    venue.save()
    _write_schedule(venue, _clean_schedule(schedule))
    return venue


@transaction.atomic
def check_record(
    *, actor: User, venue: Venue, category: str, results: list[tuple[bool, str]], note: str = ""
) -> VenueCheck:
    """Record one check of `category` at `venue`: `results` holds (passed, note) for each checklist item, in order.
    A failed item needs a note; each opens a hazard. School admin and after-school teachers of the venue's school.
    Raises PermissionDenied, DomainError."""
    permissions.require(actor, "venue_check.record", venue)
    if not venue.active:
        raise DomainError(_("This venue is no longer in use; it is not checked."))
    if not venue.schedules.filter(category=category).exists():
        raise DomainError(_("This kind of check does not apply to this venue."))
    items = rules.checklist(category)
    if len(results) != len(items):
        raise DomainError(_("Mark every item of the checklist as passed or failed."))
    cleaned = []
    for text, (passed, item_note) in zip(items, results, strict=True):
        if passed is None:
            raise DomainError(_("Mark every item of the checklist as passed or failed."))
        item_note = (item_note or "").strip()
        if not passed and not item_note:
            raise DomainError(_("“%(item)s” failed: say what is wrong.") % {"item": text})
        if len(item_note) > MAX_NOTE:
            raise DomainError(_("A note is at most %(max)s characters.") % {"max": MAX_NOTE})
        cleaned.append((text, bool(passed), item_note))
    check = VenueCheck.objects.create(
        venue=venue,
        category=category,
        checked_by=actor,
        checked_at=timezone.now(),
        failed_count=sum(1 for _text, passed, _n in cleaned if not passed),
        note=(note or "").strip(),
    )
    for position, (text, passed, item_note) in enumerate(cleaned, start=1):
        item = VenueCheckItem.objects.create(
            check_record=check, position=position, text=text, passed=passed, note=item_note
        )
        if not passed:
            hazard_services.hazard_open_from_item(actor=actor, item=item)
    return check
