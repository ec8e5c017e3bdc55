"""Writes of who may take a child (R30, issue 11 §1): the adults a guardian lists (or the school, from a paper
request), one-off delegations, the signed permission to go home alone, bus routes, dormitories and a child's bus or
dormitory place. Nothing is deleted: removing ends a row (revoked_at, cancelled_at, valid_until), so the record
shows who was allowed on any day."""

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import Membership, Role, School, Student, User
from schools.rules import roster as roster_rules
from xiji_afterschool import permissions, uploads
from xiji_afterschool.errors import DomainError

from ..models import BusRoute, Collector, Delegation, Dormitory, Source, TravelArrangement, WalkHomePermission
from ..rules import pickups as rules
from ..selectors import pickups as selectors

PHOTO_MAX_BYTES = 5 * 1024 * 1024  # a phone photo; the page shows it small
PHOTO_TYPES = {"image/png", "image/jpeg"}


def _clean_or_refuse(obj, **kwargs) -> None:
    """Validate a row before writing it: a refusal the user can read instead of a server error."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None


def _mobile(raw: str) -> str:
    mobile = roster_rules.normalize_mobile(raw or "")
    try:
        roster_rules.validate_mobile(mobile)
    except ValidationError as exc:  # the shape, or a range no mobile is allocated in
        raise DomainError(exc.messages[0]) from None
    return mobile


def _lock_student(student: Student) -> Student:
    # Serialise every change of one child's arrangements: two admins (or two taps) ending and adding at once
    # would otherwise both see "nothing open" and leave two open rows.
    return Student.objects.select_for_update().select_related("admin_class").get(pk=student.pk)


def _today() -> datetime.date:
    return timezone.localdate()


def _valid_range(valid_from: datetime.date, valid_until: datetime.date | None) -> None:
    if valid_until is not None and valid_until < valid_from:
        raise DomainError(_("The last day is before the first day."))
    if valid_until is not None and valid_until < _today():
        raise DomainError(_("The last day is in the past."))


def _paper_reference(reference: str) -> str:
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("Enter the number under which the paper original is filed (原件存档编号)."))
    return reference


# ---------------------------------------------------------------- authorised adults (接送人)


def _store_photo(collector: Collector, photo) -> None:
    content_type = uploads.sniff(
        photo,
        max_bytes=PHOTO_MAX_BYTES,
        too_large=_("The photo is larger than 5 MB. Please take a smaller one."),
        empty=_("The photo is empty."),
        wrong_type=_("The photo must be a JPEG or PNG picture."),
    )
    if content_type not in PHOTO_TYPES:
        raise DomainError(_("The photo must be a JPEG or PNG picture."))
    collector.photo.save(f"{uuid.uuid4().hex}.{uploads.extension_of(content_type)}", photo, save=False)


@transaction.atomic
def collector_add(
    *,
    actor: User,
    student: Student,
    name: str,
    relation: str,
    mobile: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    photo=None,
    paper_reference: str = "",
    paper: bool = False,
) -> Collector:
    """List an adult who may collect the child. The guardian on the phone (`collector.add`), or the school admin
    from a paper request (`paper=True`, `collector.record_paper`, the filing number required). The adult gets a
    six-digit pick-up code. Raises PermissionDenied, DomainError (mobile, dates, photo, missing reference)."""
    permissions.require(actor, "collector.record_paper" if paper else "collector.add", student)
    _lock_student(student)
    _valid_range(valid_from, valid_until)
    collector = Collector(
        student=student,
        name=(name or "").strip(),
        relation=relation,
        mobile=_mobile(mobile),
        valid_from=valid_from,
        valid_until=valid_until,
        source=Source.PAPER if paper else Source.GUARDIAN,
        paper_reference=_paper_reference(paper_reference) if paper else "",
        added_by=actor,
    )
    if not collector.name:
        raise DomainError(_("Enter the adult's name."))
    _clean_or_refuse(collector, exclude=["photo"])
    if photo:
        _store_photo(collector, photo)
    collector.save()
    return collector


@transaction.atomic
def collector_revoke(*, actor: User, collector: Collector) -> Collector:
    """Remove an adult from the list from now on (the row stays, with who removed it and when).
    Raises PermissionDenied, DomainError (already removed)."""
    permissions.require(actor, "collector.revoke", collector)
    now = timezone.now()
    if not Collector.objects.filter(pk=collector.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor, updated_at=now
    ):
        raise DomainError(_("This adult was already removed from the list."))
    collector.refresh_from_db()
    return collector


# ---------------------------------------------------------------- one-off delegations


@transaction.atomic
def delegation_add(
    *, actor: User, student: Student, date: datetime.date, name: str, relation: str, mobile: str, note: str = ""
) -> Delegation:
    """The guardian announces that someone else collects the child on one day (today or later).
    Raises PermissionDenied, DomainError (a past day, too far ahead, mobile)."""
    permissions.require(actor, "delegation.add", student)
    if not rules.delegation_date_allowed(date, _today()):
        if date < _today():
            raise DomainError(_("A delegation is for today or a later day, not for a day that has passed."))
        raise DomainError(
            _("A delegation can be announced at most %(days)s days ahead.") % {"days": rules.DELEGATION_MAX_DAYS_AHEAD}
        )
    delegation = Delegation(
        student=student,
        date=date,
        name=(name or "").strip(),
        relation=relation,
        mobile=_mobile(mobile),
        note=(note or "").strip(),
        announced_by=actor,
    )
    if not delegation.name:
        raise DomainError(_("Enter the adult's name."))
    _clean_or_refuse(delegation)
    delegation.save()
    return delegation


@transaction.atomic
def delegation_cancel(*, actor: User, delegation: Delegation) -> Delegation:
    """Cancel a delegation up to and including its day. Raises PermissionDenied, DomainError (past, cancelled)."""
    permissions.require(actor, "delegation.cancel", delegation)
    if not rules.delegation_cancellable(delegation.date, _today()):
        raise DomainError(_("This day has passed; the delegation stays on record."))
    now = timezone.now()
    if not Delegation.objects.filter(pk=delegation.pk, cancelled_at__isnull=True).update(
        cancelled_at=now, updated_at=now
    ):
        raise DomainError(_("This delegation was already cancelled."))
    delegation.refresh_from_db()
    return delegation


# ---------------------------------------------------------------- the permission to go home alone (自行离校)


@dataclass(frozen=True)
class WalkHomeSignature:
    """Who signed, as typed, and from where (recorded the way the service agreement is, R13)."""

    signer_name: str
    accepted: bool  # the tick "我已知悉并承担相应责任"
    ip_address: str | None = None


@transaction.atomic
def walk_home_sign(
    *,
    actor: User,
    student: Student,
    route: str,
    valid_from: datetime.date,
    valid_until: datetime.date,
    leave_by: datetime.time | None,
    signature: WalkHomeSignature,
    paper_reference: str = "",
    paper: bool = False,
) -> WalkHomePermission:
    """Record the guardian's signed permission for the child to go home alone: by the guardian on the phone
    (`walk_home.sign`), or by the school admin from the signed paper form (`paper=True`, `walk_home.record_paper`).
    Only from grade MIN_GRADE_TO_GO_HOME_ALONE, for at most one semester, not overlapping another live permission.
    Raises PermissionDenied, DomainError."""
    permissions.require(actor, "walk_home.record_paper" if paper else "walk_home.sign", student)
    locked = _lock_student(student)
    if not rules.may_go_home_alone(locked.admin_class.grade):
        raise DomainError(
            _("Only children from grade %(grade)s on may go home alone; younger children are handed to an adult.")
            % {"grade": rules.MIN_GRADE_TO_GO_HOME_ALONE}
        )
    if not signature.accepted:
        raise DomainError(_("Tick “I understand and accept the responsibility” to sign."))
    if not signature.signer_name.strip():
        raise DomainError(_("Type your name as your signature."))
    if valid_from < _today():
        raise DomainError(_("The first day is in the past."))
    _valid_range(valid_from, valid_until)
    latest = rules.walk_home_latest_until(valid_from, selectors.semesters_around(valid_from))
    if valid_until > latest:
        raise DomainError(
            _("A permission to go home alone lasts at most one semester: until %(date)s at the latest.")
            % {"date": latest.isoformat()}
        )
    live = WalkHomePermission.objects.filter(student=locked, revoked_at__isnull=True)
    if any(rules.ranges_overlap(p.valid_from, p.valid_until, valid_from, valid_until) for p in live):
        raise DomainError(_("A permission already covers part of this period. Withdraw it first, then sign again."))
    permission = WalkHomePermission(
        student=locked,
        route=(route or "").strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        leave_by=leave_by,
        source=Source.PAPER if paper else Source.GUARDIAN,
        paper_reference=_paper_reference(paper_reference) if paper else "",
        signer_name=signature.signer_name.strip(),
        signed_by=actor,
        signed_at=timezone.now(),
        ip_address=None if paper else (signature.ip_address or None),
    )
    if not permission.route:
        raise DomainError(_("Describe the route home."))
    _clean_or_refuse(permission)
    permission.save()
    return permission


@transaction.atomic
def walk_home_withdraw(*, actor: User, permission: WalkHomePermission) -> WalkHomePermission:
    """Withdraw a permission from now on (the guardian, or the school on the guardian's word).
    Raises PermissionDenied, DomainError (already withdrawn)."""
    permissions.require(actor, "walk_home.withdraw", permission)
    now = timezone.now()
    if not WalkHomePermission.objects.filter(pk=permission.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor, updated_at=now
    ):
        raise DomainError(_("This permission was already withdrawn."))
    permission.refresh_from_db()
    return permission


# ---------------------------------------------------------------- bus routes and dormitories


def _school_staff(school: School, user: User | None) -> None:
    if user is not None and not Membership.objects.filter(user=user, school=school).exists():
        raise DomainError(_("Choose a member of this school's staff."))


@transaction.atomic
def bus_route_save(
    *,
    actor: User,
    school: School,
    name: str,
    stops: str,
    departs_at: datetime.time,
    escort: User | None,
    active: bool = True,
    route: BusRoute | None = None,
) -> BusRoute:
    """Add a bus route to the school, or change one (`route`). The escort is a member of the school's staff (a
    care-staff member usually). Raises PermissionDenied, DomainError (no stops, same name, escort elsewhere)."""
    permissions.require(actor, "transport.manage", school)
    if route is not None and route.school_id != school.pk:
        raise DomainError(_("This route belongs to another school."))
    stop_list = rules.split_stops(stops or "")
    if not stop_list:
        raise DomainError(_("Enter the stops, in order, separated by commas."))
    if len(set(stop_list)) != len(stop_list):
        raise DomainError(_("A stop is listed twice."))
    _school_staff(school, escort)
    route = route or BusRoute(school=school)
    route.name = (name or "").strip()
    route.stops = ",".join(stop_list)
    route.departs_at = departs_at
    route.escort = escort
    route.active = active
    _clean_or_refuse(route, validate_constraints=False)
    try:
        with transaction.atomic():
            route.save()
    except IntegrityError:
        raise DomainError(_("The school already has a route of this name.")) from None
    return route


@transaction.atomic
def dormitory_save(
    *, actor: User, school: School, name: str, teacher: User | None, dormitory: Dormitory | None = None
) -> Dormitory:
    """Add a dormitory to the school, or change one. Raises PermissionDenied, DomainError."""
    permissions.require(actor, "transport.manage", school)
    if dormitory is not None and dormitory.school_id != school.pk:
        raise DomainError(_("This dormitory belongs to another school."))
    _school_staff(school, teacher)
    dormitory = dormitory or Dormitory(school=school)
    dormitory.name = (name or "").strip()
    dormitory.teacher = teacher
    _clean_or_refuse(dormitory, validate_constraints=False)
    try:
        with transaction.atomic():
            dormitory.save()
    except IntegrityError:
        raise DomainError(_("The school already has a dormitory of this name.")) from None
    return dormitory


def escort_candidates(school: School):
    """The school's staff who may escort a bus or keep a dormitory: care staff first, then other staff."""
    staff_roles = [Role.CARE_STAFF, Role.SERVICE_TEACHER, Role.VOLUNTEER, Role.SCHOOL_ADMIN, Role.GATE]
    return (
        User.objects.filter(memberships__school=school, memberships__role__in=staff_roles)
        .distinct()
        .order_by("full_name", "username")
    )


# ---------------------------------------------------------------- a child's bus or dormitory place


@transaction.atomic
def travel_set(
    *,
    actor: User,
    student: Student,
    kind: str,
    valid_from: datetime.date,
    bus_route: BusRoute | None = None,
    bus_stop: str = "",
    dormitory: Dormitory | None = None,
) -> TravelArrangement:
    """Give the child a bus seat (route and stop) or a dormitory place from `valid_from`; the open arrangement (if
    any) ends the day before — a mid-year change is a normal act. Never two open at once: the child's row is locked.
    Raises PermissionDenied, DomainError (not a boarder, stop not on the route, other school, a later one exists)."""
    permissions.require(actor, "travel.set", student)
    locked = _lock_student(student)
    if kind == TravelArrangement.Kind.BUS:
        if bus_route is None or bus_route.school_id != locked.school_id:
            raise DomainError(_("Choose one of the school's bus routes."))
        if not bus_route.active:
            raise DomainError(_("This bus route is not running."))
        if not rules.stop_on_route(bus_stop or "", bus_route.stop_list):
            raise DomainError(_("Choose one of the route's stops."))
        dormitory, bus_stop = None, bus_stop.strip()
    elif kind == TravelArrangement.Kind.DORMITORY:
        if not locked.is_boarder:
            raise DomainError(
                _("Only boarders get a dormitory place. Mark the child as a boarder in the roster first.")
            )
        if dormitory is None or dormitory.school_id != locked.school_id:
            raise DomainError(_("Choose one of the school's dormitories."))
        bus_route, bus_stop = None, ""
    else:
        raise DomainError(_("Choose bus or dormitory."))
    if valid_from < _today():
        raise DomainError(_("The first day is in the past."))
    arrangements = list(TravelArrangement.objects.filter(student=locked))
    if any(a.valid_from >= valid_from for a in arrangements):
        raise DomainError(_("Another arrangement starts on or after this day. End it first, then set the new one."))
    day_before = valid_from - datetime.timedelta(days=1)
    for old in arrangements:
        if old.valid_until is None or old.valid_until >= valid_from:
            TravelArrangement.objects.filter(pk=old.pk).update(valid_until=day_before, updated_at=timezone.now())
    arrangement = TravelArrangement(
        student=locked,
        kind=kind,
        bus_route=bus_route,
        bus_stop=bus_stop,
        dormitory=dormitory,
        valid_from=valid_from,
        added_by=actor,
    )
    _clean_or_refuse(arrangement)
    arrangement.save()
    return arrangement


@transaction.atomic
def travel_end(*, actor: User, arrangement: TravelArrangement, last_day: datetime.date) -> TravelArrangement:
    """End a bus or dormitory place after `last_day` (not before its first day, not in the past).
    Raises PermissionDenied, DomainError."""
    permissions.require(actor, "travel.end", arrangement.student)
    _lock_student(arrangement.student)
    arrangement.refresh_from_db()
    if arrangement.valid_until is not None and arrangement.valid_until < _today():
        raise DomainError(_("This arrangement has already ended."))
    if last_day < arrangement.valid_from:
        raise DomainError(_("The last day is before the first day."))
    if last_day < _today() - datetime.timedelta(days=1):
        raise DomainError(_("The last day is in the past."))
    TravelArrangement.objects.filter(pk=arrangement.pk).update(valid_until=last_day, updated_at=timezone.now())
    arrangement.refresh_from_db()
    return arrangement
