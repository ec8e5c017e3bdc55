"""Hand-over (交接, R30, issue 11 §2, §9): every write of a hand-over record, its receipt, and the school's
confirmation setting. Records are appended, never edited: a mistake is a new record that corrects the last one.

One service, `handover_record`, takes a batch of entries (one tap is a batch of one; the staff hand-over, the paper
sheet and the demo's whole classes are larger ones) and costs a constant number of queries per batch: the roll,
who may take each child, the day's latest records, the school's setting, then one bulk insert. Two phones recording
the same child at once both compute the same next `sequence`; the database's unique (student, date, sequence)
refuses the second, which is told so and nothing of its batch is kept."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import Attendance, NotificationKind, Role, School, Session, Student, StudentGuardian, User
from schools.rules import roster as roster_rules
from schools.services import notifications
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..models import Handover, Relation, SafetySettings
from ..rules import handovers as rules
from ..selectors import handovers as selectors
from ..selectors import pickups as pickups_selectors
from . import alerts as alerts_services

To = Handover.To
HOLDING_ROLES = {Role.SCHOOL_ADMIN, Role.SERVICE_TEACHER, Role.VOLUNTEER, Role.CLASS_TEACHER, Role.CARE_STAFF}


@dataclass
class Consent:
    """A guardian's spoken consent by phone for an adult not on the list (to=CONSENT)."""

    guardian_id: int  # the roster guardian who was phoned
    phoned: str  # the number called
    said: str  # what the guardian said
    name: str  # the adult taking the child
    relation: str  # a safety Relation value
    mobile: str


@dataclass
class Entry:
    """One child's hand-over in a batch. `choice`: "guardian:<id>", "collector:<id>", "delegate:<id>", "bus",
    "dormitory", "alone", "consent" (with `consent`), "staff:<user id>"."""

    session: Session
    student: Student
    choice: str
    at: datetime.datetime | None = None  # now, unless entered from paper
    code: str = ""
    signature: str = ""
    consent: Consent | None = None
    corrects: Handover | None = None
    reason: str = ""


def _refuse(student: Student, message) -> DomainError:
    return DomainError(f"{student.name}: {message}")


def _who(handover: Handover) -> str:
    return handover.recipient_label


def already_handed_message(handover: Handover) -> str:
    when = timezone.localtime(handover.handed_at).strftime("%H:%M")
    return _("Already handed over to %(who)s at %(time)s.") % {"who": _who(handover), "time": when}


@transaction.atomic
def handover_record(*, actor: User, entries: list[Entry], on_paper: bool = False) -> list[Handover]:
    """Record the entries (all of one day), all or nothing. Raises DomainError with the first refusal."""
    if not entries:
        raise DomainError(_("Choose at least one child."))
    sessions = {e.session.pk: e.session for e in entries}
    dates = {s.date for s in sessions.values()}
    if len(dates) != 1:
        raise DomainError(_("A hand-over batch is for one day."))
    date = dates.pop()
    today = timezone.localdate()
    for session in sessions.values():
        permissions.require(actor, "handover.record", session)
    schools = {s.service_class.school_id for s in sessions.values()}
    overriding = selectors.override_schools(actor)
    if on_paper:
        if not rules.paper_entry_open(day=date, today=today):
            raise DomainError(
                _("A paper sheet is entered within %(days)s days of the session.") % {"days": rules.PAPER_ENTRY_DAYS}
            )
        for session in sessions.values():
            if session.teacher_id != actor.pk and session.service_class.school_id not in overriding:
                raise DomainError(_("Only the session's teacher or the school administrator enters its paper sheet."))
    elif date != today:
        if any(e.corrects is not None for e in entries):
            raise DomainError(_("A hand-over is corrected on the same day."))
        raise DomainError(_("A hand-over is recorded on the day; a later one is entered from the paper sheet."))
    student_ids = [e.student.pk for e in entries]
    if len(set(student_ids)) != len(student_ids):
        raise DomainError(_("A child appears twice in this hand-over."))

    present = set(
        Attendance.objects.filter(
            session_id__in=list(sessions), student_id__in=student_ids, mark=Attendance.Mark.PRESENT
        ).values_list("session_id", "student_id")
    )
    allowed = pickups_selectors.allowed_today(student_ids=student_ids, date=date)
    latest = selectors.latest_handovers(student_ids=student_ids, date=date)
    confirmation = {s.school_id: s.confirmation for s in SafetySettings.objects.filter(school_id__in=list(schools))}
    staff_ids = {
        int(e.choice.split(":", 1)[1]) for e in entries if e.choice.startswith("staff:") and e.choice[6:].isdigit()
    }
    staff = _staff_of(staff_ids, schools) if staff_ids else {}
    # The roster guardians' relation values ("father"), stored on the record and worded when shown.
    relations = {
        (student_id, guardian_id): relation
        for student_id, guardian_id, relation in StudentGuardian.objects.filter(student_id__in=student_ids).values_list(
            "student_id", "guardian_id", "relation"
        )
    }

    records = []
    for entry in entries:
        records.append(
            _build(entry, actor=actor, date=date, present=present, allowed=allowed[entry.student.pk],
                   last=latest.get(entry.student.pk), overriding=overriding, staff=staff, on_paper=on_paper,
                   relations=relations,
                   confirmation=confirmation.get(entry.session.service_class.school_id, SafetySettings.Confirmation.NONE))
        )  # fmt: skip
    try:
        with transaction.atomic():
            created = Handover.objects.bulk_create(records)
    except IntegrityError:
        names = "、".join(e.student.name for e in entries) if len(entries) <= 3 else _("some of these children")
        raise DomainError(
            _("Someone else has just recorded a hand-over of %(names)s. Nothing was saved; look at the page again.")
            % {"names": names}
        ) from None
    alerts_services.late_alerts_resolve_collected(handovers=created)
    for handover in created:
        if handover.is_final or handover.corrects_id:
            transaction.on_commit(lambda h=handover: _tell_guardians(h))
    return created


def handover_one(*, actor: User, session: Session, student: Student, choice: str, **extra) -> Handover:
    """One tap: one child to one adult, the bus, the dormitory, home alone, or another member of staff."""
    return handover_record(actor=actor, entries=[Entry(session=session, student=student, choice=choice, **extra)])[0]


def handover_to_staff(*, actor: User, pairs: list, to_staff: User) -> list[Handover]:
    """交接班: the children (session, student) the actor holds, to another member of staff in one go."""
    if to_staff.pk == actor.pk:
        raise DomainError(_("Choose another member of staff."))
    return handover_record(
        actor=actor, entries=[Entry(session=s, student=c, choice=f"staff:{to_staff.pk}") for s, c in pairs]
    )


def handover_correct(*, actor: User, handover: Handover, choice: str, reason: str, **extra) -> Handover:
    """A correction: a new record naming the one it corrects (the day's last), by its giver or the school admin,
    the same day. `choice` "staff:<actor>" says the child is still with the actor."""
    if handover.session is None:
        raise DomainError(_("This record has no session and cannot be corrected here."))
    entry = Entry(
        session=handover.session, student=handover.student, choice=choice, corrects=handover, reason=reason, **extra
    )
    return handover_record(actor=actor, entries=[entry])[0]


def _staff_of(ids: set[int], schools: set[int]) -> dict[int, User]:
    users = User.objects.filter(
        pk__in=ids, is_active=True, memberships__school_id__in=list(schools), memberships__role__in=HOLDING_ROLES
    ).distinct()
    return {u.pk: u for u in users}


def _build(entry, *, actor, date, present, allowed, last, overriding, staff, on_paper, relations, confirmation):
    student, session = entry.student, entry.session
    school_id = session.service_class.school_id
    admin = school_id in overriding
    if (session.pk, student.pk) not in present:
        raise _refuse(student, _("This child was not present today: there is nobody to hand over."))
    if entry.corrects is not None:
        corrected = entry.corrects
        if corrected.student_id != student.pk or corrected.date != date:
            raise _refuse(student, _("A correction is for the same child and day."))
        if last is None or last.pk != corrected.pk:
            raise _refuse(student, _("Only the latest record of the day can be corrected."))
        if corrected.from_staff_id != actor.pk and not admin:
            raise _refuse(student, _("Only whoever recorded it, or the school administrator, corrects a hand-over."))
        if not rules.correction_open(day=date, today=timezone.localdate()):
            raise _refuse(student, _("A hand-over is corrected on the same day."))
        reason = " ".join((entry.reason or "").split())
        if not reason:
            raise _refuse(student, _("Say why the record is corrected."))
        if len(reason) > 200:
            raise _refuse(student, _("The reason is too long (at most 200 characters)."))
    else:
        reason = ""
        if last is not None and last.is_final:
            raise _refuse(student, already_handed_message(last))
        holder_id = last.to_staff_id if last is not None else session.teacher_id
        if holder_id != actor.pk and not admin:
            holder = User.objects.filter(pk=holder_id).first()
            raise _refuse(
                student, _("%(name)s holds this child now: only they hand the child over.") % {"name": holder or "—"}
            )
    at = entry.at or timezone.now()
    record = Handover(
        student=student, date=date, sequence=(last.sequence + 1) if last else 1, session=session,
        from_staff=actor, recorded_by=actor, handed_at=at, on_paper=on_paper, corrects=entry.corrects,
        correction_reason=reason,
    )  # fmt: skip
    kind, _sep, ident = entry.choice.partition(":")
    pk = int(ident) if ident.isdigit() else None
    local = timezone.localtime(at).time() if timezone.is_aware(at) else at.time()
    if kind == "guardian":
        found = [(g, label) for g, label in allowed.guardians if g.pk == pk]
        if not found:
            raise _refuse(student, _("This adult is not on the pick-up list: the child cannot be given to them."))
        guardian = found[0][0]
        record.to, record.guardian = To.COLLECTOR, guardian
        record.recipient_name, record.recipient_mobile = guardian.name, guardian.mobile
        record.recipient_relation = relations.get((student.pk, guardian.pk), "")
        expected_code = rules.guardian_code(guardian.mobile)
    elif kind == "collector":
        found = [c for c in allowed.collectors if c.pk == pk]
        if not found:
            raise _refuse(student, _("This adult is not on the pick-up list: the child cannot be given to them."))
        collector = found[0]
        record.to, record.collector = To.COLLECTOR, collector
        record.recipient_name, record.recipient_mobile = collector.name, collector.mobile
        record.recipient_relation = collector.relation
        expected_code = collector.pickup_code
    elif kind == "delegate":
        found = [d for d in allowed.delegations if d.pk == pk]
        if not found:
            raise _refuse(
                student, _("Nobody was announced for today under this name: the child cannot be given to them.")
            )
        delegation = found[0]
        record.to, record.delegation = To.DELEGATE, delegation
        record.recipient_name, record.recipient_mobile = delegation.name, delegation.mobile
        record.recipient_relation = delegation.relation
        expected_code = rules.guardian_code(delegation.mobile)
    elif kind == "consent":
        _consent(record, entry.consent, allowed, student)
        expected_code = None
    elif kind == "bus":
        bus = allowed.bus
        if bus is None or not bus.bus_route.active:
            raise _refuse(student, _("This child does not ride a running school bus."))
        if bus.bus_route.escort_id is None:
            raise _refuse(
                student, _("The bus route %(route)s has no escort to take the child.") % {"route": bus.bus_route.name}
            )
        record.to, record.bus_route, record.to_staff = To.BUS, bus.bus_route, bus.bus_route.escort
        record.recipient_name = _name(bus.bus_route.escort)
        expected_code = None
    elif kind == "dormitory":
        place = allowed.dormitory
        if place is None:
            raise _refuse(student, _("This child has no dormitory place."))
        if place.dormitory.teacher_id is None:
            raise _refuse(
                student,
                _("The dormitory %(name)s has no dormitory teacher to take the child.")
                % {"name": place.dormitory.name},
            )
        record.to, record.dormitory, record.to_staff = To.DORMITORY, place.dormitory, place.dormitory.teacher
        record.recipient_name = _name(place.dormitory.teacher)
        expected_code = None
    elif kind == "alone":
        permission = allowed.walk_home
        if permission is None:
            raise _refuse(student, _("This child has no valid permission to go home alone."))
        if student.admin_class.grade < rules.WALK_HOME_MIN_GRADE:
            raise _refuse(
                student,
                _("Children below grade %(grade)s are always collected by an adult.")
                % {"grade": rules.WALK_HOME_MIN_GRADE},
            )
        if not rules.may_walk_home(grade=student.admin_class.grade, leave_by=permission.leave_by, at=local):
            raise _refuse(
                student,
                _("The permission allows going home alone only until %(time)s; an adult must collect the child now.")
                % {"time": f"{permission.leave_by:%H:%M}"},
            )
        record.to, record.walk_home = To.ALONE, permission
        expected_code = None
    elif kind == "staff":
        receiver = staff.get(pk)
        if receiver is None:
            raise _refuse(student, _("Choose a member of staff of this school."))
        if receiver.pk == actor.pk and entry.corrects is None:
            raise _refuse(student, _("Choose another member of staff."))
        record.to, record.to_staff, record.recipient_name = To.STAFF, receiver, _name(receiver)
        expected_code = None
    else:
        raise _refuse(student, _("Choose whom the child is handed to."))

    if on_paper:
        record.confirmation = Handover.Confirmation.PAPER
    elif expected_code is not None and record.to != To.STAFF:
        _confirm(record, entry, confirmation, expected_code, student)
    return record


def _confirm(record, entry, confirmation, expected_code, student) -> None:
    if confirmation == SafetySettings.Confirmation.CODE:
        if not rules.code_matches(expected_code, entry.code):
            raise _refuse(student, _("Wrong pick-up code: the child cannot be given to this adult."))
        record.confirmation = Handover.Confirmation.CODE
    elif confirmation == SafetySettings.Confirmation.SIGNATURE:
        signature = rules.clean_signature(entry.signature)
        if not signature:
            raise _refuse(student, _("The school asks the adult to sign: draw the signature first."))
        record.confirmation, record.signature = Handover.Confirmation.SIGNATURE, signature


def _consent(record, consent, allowed, student) -> None:
    if consent is None:
        raise _refuse(student, _("This person is not on the pick-up list: the child cannot be given to them."))
    guardians = {g.pk: (g, label) for g, label in allowed.guardians}
    if consent.guardian_id not in guardians:
        raise _refuse(student, _("Phone one of the child's guardians on the roster."))
    name = " ".join((consent.name or "").split())
    said = " ".join((consent.said or "").split())
    if not name or not said:
        raise _refuse(student, _("Write who takes the child and what the guardian said."))
    if consent.relation not in Relation.values:
        raise _refuse(student, _("Choose the adult's relation to the child."))
    try:
        roster_rules.validate_mobile(consent.mobile)
    except Exception:
        raise _refuse(student, _("Enter the adult's 11-digit mobile number.")) from None
    guardian, label = guardians[consent.guardian_id]
    phoned = "".join(ch for ch in consent.phoned if ch.isdigit())[:20] or guardian.mobile
    note = _("Phoned %(guardian)s (%(relation)s) at %(number)s: %(said)s") % {
        "guardian": guardian.name, "relation": label, "number": phoned, "said": said,
    }  # fmt: skip
    record.to, record.guardian = To.CONSENT, guardian
    record.recipient_name, record.recipient_mobile = name[:50], consent.mobile
    record.recipient_relation = consent.relation
    record.consent_note = note[:200]


def _name(user) -> str:
    return (user.full_name or user.username)[:50] if user else ""


def handover_text(handover: Handover) -> str:
    """ "马小明已于17:42由奶奶马桂花接走": what the guardians are told."""
    when = timezone.localtime(handover.handed_at).strftime("%H:%M")
    values = {"child": handover.student.name, "time": when, "who": _who(handover)}
    if handover.to == To.BUS:
        return _("%(child)s boarded the school bus %(route)s at %(time)s.") % {
            **values,
            "route": handover.bus_route.name,
        }
    if handover.to == To.DORMITORY:
        return _("%(child)s went to the dormitory at %(time)s.") % values
    if handover.to == To.ALONE:
        return _("%(child)s left school to go home alone at %(time)s.") % values
    if handover.to == To.STAFF:
        return _("%(child)s is in the care of %(who)s since %(time)s.") % values
    return _("%(child)s was collected by %(who)s at %(time)s.") % values


def _tell_guardians(handover: Handover) -> None:
    """The guardians hear where their child went (after the record is committed; a rolled-back batch tells no one)."""
    body = handover_text(handover)
    if handover.corrects_id:
        body = _("Corrected: %(text)s") % {"text": body}
    notifications.notify_guardians(
        student=handover.student, kind=NotificationKind.HANDED_OVER, title=_("Hand-over"), body=body,
        url=reverse("safety:student-handovers", args=[handover.student_id]), key=f"handover:{handover.pk}",
    )  # fmt: skip


@transaction.atomic
def handover_receive(*, actor: User, handover: Handover) -> Handover:
    """已上车 / 已到宿舍: the receiving escort, dormitory teacher or member of staff confirms, once. The only change a
    hand-over ever gets (a conditional update: two taps at once confirm once)."""
    permissions.require(actor, "handover.receive", handover)
    if handover.to not in (To.BUS, To.DORMITORY, To.STAFF):
        raise DomainError(_("Only a hand-over to the bus, the dormitory or staff is confirmed on receipt."))
    if handover.to_staff_id != actor.pk:
        raise DomainError(_("Only the member of staff it was handed to confirms it."))
    now = timezone.now()
    if (
        Handover.objects.filter(pk=handover.pk, received_at__isnull=True).update(received_at=now, received_by=actor)
        != 1
    ):
        handover.refresh_from_db(fields=["received_at", "received_by"])
        raise DomainError(
            _("Already confirmed at %(time)s.") % {"time": timezone.localtime(handover.received_at).strftime("%H:%M")}
        )
    handover.received_at, handover.received_by = now, actor
    return handover


@transaction.atomic
def safety_settings_set(*, actor: User, school: School, confirmation: str) -> SafetySettings:
    """The school admin chooses whether the adult confirms a hand-over, and how."""
    permissions.require(actor, "safety_settings.edit", school)
    if confirmation not in SafetySettings.Confirmation.values:
        raise DomainError(_("Choose how the adult confirms."))
    settings, _created = SafetySettings.objects.select_for_update().get_or_create(school=school)
    settings.confirmation, settings.updated_by = confirmation, actor
    settings.full_clean()
    settings.save()
    return settings
