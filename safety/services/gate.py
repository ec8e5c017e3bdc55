"""The gate's writes (issue 11 §5, §9): visitor entries (live, from paper, corrections), the one-tap time out, and the
early-leave workflow (the class teacher permits, the gate records the departure, the teacher or admin cancels).

Visitor entries are never edited: the services offer no edit, the time out is filled once by a conditional UPDATE
(two taps cannot both win), and PostgreSQL refuses anything else (migration safety/0002_append_only_triggers)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import School, Student, User
from xiji_afterschool import permissions, workflow
from xiji_afterschool.errors import DomainError

from ..models import EarlyLeave, Visit
from ..rules import gate as rules
from ..selectors import pickups as pickups_selectors


def _day_of(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _save_visit(visit: Visit) -> Visit:
    try:
        visit.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    visit.save()
    return visit


def _host_of_school(host: User | None, school: School) -> User | None:
    if host is not None and not host.memberships.filter(school=school).exists():
        raise DomainError(_("The person visited is not on this school's staff."))
    return host


@transaction.atomic
def visit_record(
    *,
    actor: User,
    school: School,
    name: str,
    id_checked: bool,
    id_last4: str,
    purpose: str,
    purpose_note: str = "",
    host_name: str = "",
    host: User | None = None,
    mobile: str = "",
    time_in: datetime.datetime | None = None,
) -> Visit:
    """The gate keeper enters a visitor now (or up to 2 hours back). Raises PermissionDenied, DomainError."""
    permissions.require(actor, "visit.record", school)
    now = timezone.now()
    time_in = rules.live_time_in(time_in=time_in or now, now=now)
    visit = Visit(
        school=school,
        date=_day_of(time_in),
        name=name.strip(),
        id_checked=id_checked,
        id_last4=rules.id_last4(checked=id_checked, value=id_last4),
        purpose=purpose,
        purpose_note=purpose_note.strip(),
        host_name=host_name.strip(),
        host=_host_of_school(host, school),
        mobile=mobile,
        time_in=time_in,
        recorded_by=actor,
    )
    return _save_visit(visit)


@transaction.atomic
def visit_sign_out(*, actor: User, visit: Visit) -> Visit:
    """One tap "离校": the visitor's time out is now, once. Raises PermissionDenied, DomainError."""
    permissions.require(actor, "visit.record", visit)
    if visit.corrections.exists():
        raise DomainError(_("This entry was corrected; use the correcting entry."))
    now = timezone.now()
    if now < visit.time_in:
        raise DomainError(_("The time out must be after the time in."))
    updated = Visit.objects.filter(pk=visit.pk, time_out__isnull=True).update(time_out=now, out_recorded_by=actor)
    if updated != 1:
        raise DomainError(_("This visitor's time out has been recorded already."))
    visit.refresh_from_db()
    return visit


@transaction.atomic
def visit_enter_paper(
    *,
    actor: User,
    school: School,
    day: datetime.date,
    name: str,
    id_checked: bool,
    id_last4: str,
    purpose: str,
    time_in: datetime.time,
    time_out: datetime.time | None = None,
    purpose_note: str = "",
    host_name: str = "",
    mobile: str = "",
) -> Visit:
    """A visitor typed in from a paper gate sheet (on_paper), by the gate keeper or the school admin, within 3
    days of the sheet's day. Raises PermissionDenied, DomainError."""
    permissions.require(actor, "visit.enter_paper", school)
    now = timezone.now()
    rules.paper_day(day=day, today=timezone.localdate())
    moment_in = timezone.make_aware(datetime.datetime.combine(day, time_in))
    rules.not_in_future(moment=moment_in, now=now)
    moment_out = timezone.make_aware(datetime.datetime.combine(day, time_out)) if time_out else None
    rules.time_out(time_in=moment_in, time_out=moment_out, now=now)
    visit = Visit(
        school=school,
        date=day,
        name=name.strip(),
        id_checked=id_checked,
        id_last4=rules.id_last4(checked=id_checked, value=id_last4),
        purpose=purpose,
        purpose_note=purpose_note.strip(),
        host_name=host_name.strip(),
        mobile=mobile,
        time_in=moment_in,
        time_out=moment_out,
        out_recorded_by=actor if moment_out else None,
        on_paper=True,
        recorded_by=actor,
    )
    return _save_visit(visit)


@transaction.atomic
def visit_correct(
    *,
    actor: User,
    visit: Visit,
    reason: str,
    name: str,
    id_checked: bool,
    id_last4: str,
    purpose: str,
    time_in: datetime.time,
    time_out: datetime.time | None = None,
    purpose_note: str = "",
    host_name: str = "",
    mobile: str = "",
) -> Visit:
    """A new entry replacing `visit` (same day), with the reason; the old one stays, marked as corrected.
    Raises PermissionDenied, DomainError."""
    permissions.require(actor, "visit.correct", visit)
    if not reason.strip():
        raise DomainError(_("Say why the entry is corrected."))
    # Lock the entry so two corrections of it cannot both be written (the unique constraint is the last line).
    Visit.objects.select_for_update().filter(pk=visit.pk).first()
    if visit.corrections.exists():
        raise DomainError(_("This entry was corrected already; correct the correcting entry."))
    now = timezone.now()
    moment_in = rules.not_in_future(moment=timezone.make_aware(datetime.datetime.combine(visit.date, time_in)), now=now)
    moment_out = timezone.make_aware(datetime.datetime.combine(visit.date, time_out)) if time_out else None
    rules.time_out(time_in=moment_in, time_out=moment_out, now=now)
    correction = Visit(
        school=visit.school,
        date=visit.date,
        name=name.strip(),
        id_checked=id_checked,
        id_last4=rules.id_last4(checked=id_checked, value=id_last4),
        purpose=purpose,
        purpose_note=purpose_note.strip(),
        host_name=host_name.strip(),
        host=visit.host if host_name.strip() == visit.visiting else None,
        mobile=mobile,
        time_in=moment_in,
        time_out=moment_out,
        out_recorded_by=actor if moment_out else None,
        on_paper=visit.on_paper,
        corrects=visit,
        correction_reason=reason.strip(),
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            return _save_visit(correction)
    except IntegrityError as exc:
        raise DomainError(_("This entry was corrected already; correct the correcting entry.")) from exc


# ---------------------------------------------------------------- early leave (提前离校)


def adult_choices(*, student: Student, date: datetime.date) -> list[tuple[str, str, dict]]:
    """The adults who may collect `student` on `date`, as (key, label, snapshot) — the only adults an early leave
    may name. Keys: g<guardian id>, c<collector id>, d<delegation id>."""
    allowed = pickups_selectors.allowed_today(student_ids=[student.pk], date=date)[student.pk]
    choices = []
    for guardian, relation in allowed.guardians:
        snapshot = {"guardian": guardian, "adult_name": guardian.name, "adult_relation": relation,
                    "adult_mobile": guardian.mobile}  # fmt: skip
        choices.append((f"g{guardian.pk}", f"{guardian.name}（{relation}）", snapshot))
    for collector in allowed.collectors:
        relation = collector.get_relation_display()
        snapshot = {"collector": collector, "adult_name": collector.name, "adult_relation": relation,
                    "adult_mobile": collector.mobile}  # fmt: skip
        choices.append((f"c{collector.pk}", f"{collector.name}（{relation}）", snapshot))
    for delegation in allowed.delegations:
        relation = delegation.get_relation_display()
        snapshot = {"delegation": delegation, "adult_name": delegation.name, "adult_relation": relation,
                    "adult_mobile": delegation.mobile}  # fmt: skip
        label = _("%(name)s (%(relation)s, this day only)") % {"name": delegation.name, "relation": relation}
        choices.append((f"d{delegation.pk}", label, snapshot))
    return choices


def _adult(*, student: Student, date: datetime.date, key: str) -> dict:
    for choice_key, _label, snapshot in adult_choices(student=student, date=date):
        if choice_key == key:
            return snapshot
    raise DomainError(
        _("That adult is not on the list of people allowed to collect this child on that day. Only a listed adult may.")
    )


@transaction.atomic
def early_leave_permit(
    *,
    actor: User,
    student: Student,
    date: datetime.date,
    leave_at: datetime.time,
    reason: str,
    adult: str,
    note: str = "",
) -> EarlyLeave:
    """The class teacher permits a child of their class to leave early on `date` with one of the child's allowed
    adults that day (`adult` is a key from adult_choices). Raises PermissionDenied (another class), DomainError."""
    permissions.require(actor, "early_leave.permit", student)
    rules.early_leave_day(day=date, today=timezone.localdate())
    snapshot = _adult(student=student, date=date, key=adult)
    if EarlyLeave.objects.filter(student=student, date=date, status__in=["permitted", "left"]).exists():
        raise DomainError(_("This child already has an early leave for that day; cancel it first to change it."))
    early_leave = EarlyLeave(
        school_id=student.school_id,
        student=student,
        date=date,
        leave_at=leave_at,
        reason=reason,
        note=note.strip(),
        permitted_by=actor,
        **snapshot,
    )
    try:
        early_leave.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    try:
        with transaction.atomic():
            early_leave.save()
    except IntegrityError as exc:  # a second phone won the race for the same child and day
        raise DomainError(
            _("This child already has an early leave for that day; cancel it first to change it.")
        ) from exc
    workflow.start(early_leave, actor=actor, action="permit")
    return early_leave


@transaction.atomic
def early_leave_depart(*, actor: User, early_leave: EarlyLeave, confirmed: bool) -> EarlyLeave:
    """The gate records the departure (one tap), confirming the adult at the gate is the one named; refused when
    that adult is no longer allowed to collect the child today. Raises PermissionDenied, DomainError."""
    permissions.require(actor, "early_leave.depart", early_leave)
    if not confirmed:
        raise DomainError(_("Confirm that the adult at the gate is the one named. Anyone else: the child stays."))
    today = timezone.localdate()
    if early_leave.date != today:
        raise DomainError(_("This permission is not for today."))
    _adult(student=early_leave.student, date=today, key=early_leave.adult_key)
    workflow.transition(early_leave, "leave", actor=actor, left_at=timezone.now(), left_recorded_by=actor)
    return early_leave


@transaction.atomic
def early_leave_cancel(*, actor: User, early_leave: EarlyLeave, note: str = "") -> EarlyLeave:
    """The class teacher (or school admin) cancels a permission before the child left. Raises PermissionDenied,
    TransitionNotAllowed."""
    permissions.require(actor, "early_leave.cancel", early_leave)
    workflow.transition(early_leave, "cancel", actor=actor, note=note)
    return early_leave
