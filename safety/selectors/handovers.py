"""Reads of hand-overs: who holds each child now (R30: at any moment one named adult holds each child)."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import Attendance, Role, Session, Student, User
from xiji_afterschool import permissions

from ..models import Handover, SafetySettings, TravelArrangement
from ..rules import handovers as rules
from .pickups import Allowed, allowed_today


@dataclass
class Custody:
    """Where one present child of a session is now: held by `holder` (a member of staff), or gone with `final`."""

    student_id: int
    holder_id: int | None  # the adult holding the child; None once handed over for the day
    final: Handover | None  # the hand-over that ended the school's custody, if any
    last: Handover | None  # the latest record of the day (its sequence + 1 is the next one's)


def latest_handovers(*, student_ids, date: datetime.date) -> dict[int, Handover]:
    """The latest hand-over of the day per child (highest sequence)."""
    latest: dict[int, Handover] = {}
    rows = Handover.objects.filter(student_id__in=list(student_ids), date=date).order_by("student_id", "sequence")
    for handover in rows:
        latest[handover.student_id] = handover
    return latest


def holder_after(session: Session, last: Handover | None) -> tuple[int | None, Handover | None]:
    """The one custody rule, (holder id, final hand-over): the session's teacher holds a present child until the
    first hand-over; a hand-over to staff moves the child to that person; a final one ends the school's custody."""
    if last is None:
        return session.teacher_id, None
    if last.is_final:
        return None, last
    return last.to_staff_id, None


def custody_for_session(session: Session) -> dict[int, Custody]:
    """Every child marked present in `session`: who holds them now (`holder_after`)."""
    present = list(
        Attendance.objects.filter(session=session, mark=Attendance.Mark.PRESENT).values_list("student_id", flat=True)
    )
    latest = latest_handovers(student_ids=present, date=session.date)
    return {
        student_id: Custody(student_id, *holder_after(session, latest.get(student_id)), latest.get(student_id))
        for student_id in present
    }


def holder_name(custody: Custody) -> str:
    if custody.holder_id is None:
        return ""
    user = User.objects.filter(pk=custody.holder_id).first()
    return str(user) if user else ""


# ---------------------------------------------------------------- the dismissal page and the holder's page


@dataclass
class Choice:
    """One button of a child's row: `key` is what the tap posts (see services.handovers.Entry.choice)."""

    key: str
    label: str
    kind: str  # adult, bus, dormitory, alone: the button's look


@dataclass
class Row:
    student: Student
    session: Session
    group: int
    route: str
    stop: str
    choices: list
    guardians: list  # [(Guardian, relation label)]: the numbers to phone for "其他人…"
    custody: Custody
    holder: str  # who holds the child now ("" once gone)
    mine: bool  # the viewer may hand this child over now (holds them, or is the school admin)
    note: str  # "自行离校 until 17:30, by the main road"
    live: bool = True  # the session is today's: taps are open (a past day is entered from the paper sheet)

    @property
    def done(self) -> bool:
        """Handed over for the day, or to another member of staff: no longer the session teacher's to hand."""
        return self.custody.final is not None or self.custody.holder_id != self.session.teacher_id

    @property
    def final(self) -> Handover | None:
        return self.custody.final

    @property
    def last(self) -> Handover | None:
        return self.custody.last


def _name(user) -> str:
    return (user.full_name or user.username) if user else ""


def _choices(allowed: Allowed) -> tuple[list[Choice], str]:
    choices = [Choice(f"guardian:{g.pk}", f"{label} {g.name}", "adult") for g, label in allowed.guardians]
    choices += [
        Choice(f"collector:{c.pk}", f"{c.get_relation_display()} {c.name}", "adult") for c in allowed.collectors
    ]
    choices += [
        Choice(f"delegate:{d.pk}", f"{d.get_relation_display()} {d.name}（{_('today')}）", "adult")
        for d in allowed.delegations
    ]
    note = ""
    if allowed.bus and allowed.bus.bus_route.active:
        choices.append(Choice("bus", f"{_('School bus')} {allowed.bus.bus_route.name}", "bus"))
    if allowed.dormitory:
        choices.append(Choice("dormitory", _("Dormitory"), "dormitory"))
    if allowed.walk_home:
        choices.append(Choice("alone", _("Goes home alone"), "alone"))
        permission = allowed.walk_home
        note = permission.route
        if permission.leave_by:
            note = _("alone until %(time)s · %(route)s") % {
                "time": f"{permission.leave_by:%H:%M}",
                "route": permission.route,
            }
    return choices, note


def build_rows(*, pairs: list, date: datetime.date, viewer, override_schools=()) -> list[Row]:
    """Rows for (session, student) pairs of one day, in dismissal order. Constant queries: the allowed adults
    (five), the day's latest records (one), the holders' names (one)."""
    students = [student for _session, student in pairs]
    allowed = allowed_today(student_ids=[s.pk for s in students], date=date)
    latest = latest_handovers(student_ids=[s.pk for s in students], date=date)
    custody = {}
    for session, student in pairs:
        last = latest.get(student.pk)
        if last is None:
            custody[student.pk] = Custody(student.pk, session.teacher_id, None, None)
        elif last.is_final:
            custody[student.pk] = Custody(student.pk, None, last, last)
        else:
            custody[student.pk] = Custody(student.pk, last.to_staff_id, None, last)
    holder_ids = {c.holder_id for c in custody.values() if c.holder_id}
    names = {u.pk: _name(u) for u in User.objects.filter(pk__in=holder_ids)}
    rows = []
    today = timezone.localdate()
    for session, student in pairs:
        entry = allowed[student.pk]
        choices, note = _choices(entry)
        group = rules.GROUP_COLLECTED
        route = stop = ""
        if entry.dormitory:
            group = rules.GROUP_DORMITORY
        elif entry.bus and entry.bus.bus_route.active:
            group, route, stop = rules.GROUP_BUS, entry.bus.bus_route.name, entry.bus.bus_stop
        held = custody[student.pk]
        mine = held.holder_id is not None and (
            held.holder_id == viewer.pk or session.service_class.school_id in override_schools
        )
        rows.append(
            Row(student, session, group, route, stop, choices, entry.guardians, held,
                names.get(held.holder_id, ""), mine, note, session.date == today)
        )  # fmt: skip
    rows.sort(
        key=lambda r: rules.dismissal_key(
            group=r.group, grade=r.student.admin_class.grade, class_number=r.student.admin_class.number,
            route=r.route, name=r.student.name,
        )
    )  # fmt: skip
    return rows


def override_schools(viewer) -> set[int]:
    """The schools whose children the viewer may hand over whoever holds them (the school admin's)."""
    return {m.school_id for m in permissions.memberships_for(viewer, "handover.override")}


def session_for_handover(*, viewer) -> QuerySet[Session]:
    """Sessions whose dismissal the viewer may see: ran, assisted or taught them, or holds a child from them; the
    school admin every session of the school."""
    return permissions.scope(viewer, Session.objects.all(), action="handover.record").select_related(
        "service_class", "service_class__school", "teacher"
    )


@dataclass
class DismissalPage:
    session: Session
    rows: list
    confirmation: str  # SafetySettings.Confirmation value

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def handed(self) -> int:
        return sum(1 for r in self.rows if r.done)

    @property
    def remaining(self) -> int:
        return self.total - self.handed


def confirmation_of(school_id: int) -> str:
    settings = SafetySettings.objects.filter(school_id=school_id).first()
    return settings.confirmation if settings else SafetySettings.Confirmation.NONE


def present_students(session: Session) -> list[Student]:
    return [
        a.student
        for a in Attendance.objects.filter(session=session, mark=Attendance.Mark.PRESENT).select_related(
            "student", "student__admin_class"
        )
    ]


def dismissal_page(*, session: Session, viewer) -> DismissalPage:
    """Every child marked present in the session, in dismissal order, with their buttons and who holds them."""
    pairs = [(session, s) for s in present_students(session)]
    rows = build_rows(pairs=pairs, date=session.date, viewer=viewer, override_schools=override_schools(viewer))
    return DismissalPage(session, rows, confirmation_of(session.service_class.school_id))


def dismissal_row(*, session: Session, student: Student, viewer) -> Row:
    return build_rows(
        pairs=[(session, student)], date=session.date, viewer=viewer, override_schools=override_schools(viewer)
    )[0]


@dataclass
class CarePage:
    date: datetime.date
    held: list  # Rows of the children the viewer holds now (handed to them by staff)
    bus: list  # [(route name, [(stop, [Handover])])]: riders handed to the viewer today
    dormitory: list  # [Handover]
    confirmation: str


def care_page(*, viewer, date: datetime.date) -> CarePage:
    """我看护的学生: the children handed to the viewer by other staff today that they still hold, with the same
    buttons as the dismissal page; and the bus riders and boarders handed to them, to confirm on the bus / in the
    dormitory."""
    taken = (
        Handover.objects.filter(date=date, to_staff=viewer)
        .select_related("student", "student__admin_class", "session", "session__service_class", "bus_route")
        .order_by("handed_at")
    )
    taken = list(taken)
    latest = latest_handovers(student_ids={h.student_id for h in taken}, date=date)
    pairs, seen = [], set()
    for handover in taken:
        last = latest.get(handover.student_id)
        if (
            handover.to == Handover.To.STAFF
            and last is not None
            and last.pk == handover.pk
            and handover.student_id not in seen
            and handover.session is not None
        ):
            seen.add(handover.student_id)
            pairs.append((handover.session, handover.student))
    held = build_rows(pairs=pairs, date=date, viewer=viewer, override_schools=override_schools(viewer)) if pairs else []
    current = {h.pk for h in latest.values()}
    stops = _stops_of([h for h in taken if h.to == Handover.To.BUS], date)
    routes: dict = {}
    dormitory = []
    for handover in taken:
        if handover.pk not in current:
            continue  # corrected since
        if handover.to == Handover.To.BUS:
            name = handover.bus_route.name if handover.bus_route else ""
            stop = stops.get((handover.student_id, handover.bus_route_id), "")
            routes.setdefault(name, {}).setdefault(stop, []).append(handover)
        elif handover.to == Handover.To.DORMITORY:
            dormitory.append(handover)
    bus = [(name, sorted(by_stop.items())) for name, by_stop in sorted(routes.items())]
    school_id = held[0].session.service_class.school_id if held else None
    confirmation = confirmation_of(school_id) if school_id else SafetySettings.Confirmation.NONE
    return CarePage(date, held, bus, dormitory, confirmation)


def _stops_of(handovers: list, date: datetime.date) -> dict:
    """(student, route) -> the stop of the child's bus arrangement that day: one query for every rider."""
    rows = TravelArrangement.objects.filter(
        student_id__in={h.student_id for h in handovers}, kind=TravelArrangement.Kind.BUS, valid_from__lte=date
    ).order_by("valid_from")
    return {(a.student_id, a.bus_route_id): a.bus_stop for a in rows}  # the latest arrangement wins


def staff_receivers(*, school_id: int, exclude_id: int) -> QuerySet[User]:
    """Staff of the school who may hold children (extended-care and duty teachers, dormitory teachers, the admin)."""
    roles = [Role.SCHOOL_ADMIN, Role.SERVICE_TEACHER, Role.VOLUNTEER, Role.CLASS_TEACHER, Role.CARE_STAFF]
    return (
        User.objects.filter(memberships__school_id=school_id, memberships__role__in=roles, is_active=True)
        .exclude(pk=exclude_id)
        .distinct()
        .order_by("full_name", "username")
    )


def handover_for_correction(*, viewer) -> QuerySet[Handover]:
    return permissions.scope(viewer, Handover.objects.all()).select_related(
        "student", "student__admin_class", "session", "session__service_class", "from_staff", "to_staff"
    )


def handover_to_receive(*, viewer) -> QuerySet[Handover]:
    return permissions.scope(viewer, Handover.objects.all(), action="handover.receive")


def history_student(*, viewer) -> QuerySet[Student]:
    return permissions.scope(viewer, Student.objects.all(), action="handover.history").select_related("admin_class")


def student_history(*, student: Student, today: datetime.date, days: int = 30) -> list[Handover]:
    """A child's hand-overs of the last `days` days, newest first (the guardian's page)."""
    return list(
        Handover.objects.filter(student=student, date__gt=today - datetime.timedelta(days=days), date__lte=today)
        .select_related("from_staff", "to_staff", "bus_route", "dormitory", "received_by", "corrects")
        .order_by("-date", "-sequence")
    )
