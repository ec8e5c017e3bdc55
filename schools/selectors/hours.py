"""Reads of the hours record (明细档案, R21), scoped to the viewer.

Counting rule of the hours record: a session counts once its status is RECORDED or CONFIRMED. A session
waiting for the administrator (NEEDS_CONFIRMATION: logged late, or its content flagged under R12) is listed
apart as "waiting for confirmation" and counts only after it is confirmed; a month cannot be closed while
any of its sessions wait. An assistant (SessionAssistant) is credited with the session's class-hours too.
The month's HoursAdjustment rows are added to the role they name.

Every aggregate is one GROUP BY query whatever the number of people or schools. SQLite sums decimals as floats,
so every sum is quantized to one decimal place (half-up) here; PostgreSQL sums them exactly.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from xiji_afterschool import permissions

from ..models import (
    HoursAdjustment,
    HoursMonth,
    Membership,
    Role,
    School,
    Session,
    SessionAssistant,
    User,
)
from ..rules import hours as rules

# People listed on a school's record even in a month without hours; anyone else appears once they have hours.
STAFF_ROLES = (Role.SERVICE_TEACHER, Role.VOLUNTEER)


@dataclass
class PersonHours:
    """One person's month: per role (sessions and adjustments together), and the adjustments alone."""

    person: User
    labels: list[str] = field(default_factory=list)  # their roles at the school, volunteers with their kind
    is_volunteer: bool = False
    is_member: bool = False  # holds a membership at the school (else: hours here, staff elsewhere)
    by_role: dict[str, rules.Tally] = field(default_factory=lambda: {r: rules.Tally() for r in rules.ROLES})
    adjusted: rules.Tally = field(default_factory=rules.Tally)

    @property
    def responsible(self) -> rules.Tally:
        return self.by_role[Session.TeacherRole.RESPONSIBLE]

    @property
    def substitute(self) -> rules.Tally:
        return self.by_role[Session.TeacherRole.SUBSTITUTE]

    @property
    def assistant(self) -> rules.Tally:
        return self.by_role[rules.ASSISTANT]

    @property
    def total(self) -> rules.Tally:
        total = rules.Tally()
        for tally in self.by_role.values():
            total.add(tally.sessions, tally.class_hours)
        return total


@dataclass
class HoursRecord:
    school: School
    month: datetime.date
    rows: list[PersonHours]
    waiting: list[Session]
    closed: HoursMonth | None

    @property
    def totals(self) -> PersonHours:
        """The rows added up, shaped like a row (for the totals line and the export)."""
        totals = PersonHours(person=None)
        for row in self.rows:
            for role in rules.ROLES:
                totals.by_role[role].add(row.by_role[role].sessions, row.by_role[role].class_hours)
            totals.adjusted.add(row.adjusted.sessions, row.adjusted.class_hours)
        return totals

    @property
    def last_day(self) -> datetime.date:
        return rules.month_end(self.month)


def _month_sessions(school, month: datetime.date) -> QuerySet[Session]:
    return Session.objects.filter(service_class__school=school, date__range=(month, rules.month_end(month)))


def month_tallies(*, school, month: datetime.date, person_ids=None) -> tuple[dict, dict]:
    """(sessions and adjustments per (person, role), adjustments alone per person): three GROUP BY queries."""
    counted = _month_sessions(school, month).filter(status__in=rules.COUNTED)
    taught = counted.values("teacher_id", "teacher_role").annotate(n=Count("pk"), h=Sum("class_hours")).order_by()
    assisted = (
        SessionAssistant.objects.filter(
            session__service_class__school=school,
            session__date__range=(month, rules.month_end(month)),
            session__status__in=rules.COUNTED,
        )
        .values("person_id")
        .annotate(n=Count("pk"), h=Sum("session__class_hours"))
        .order_by()
    )
    adjustments = (
        HoursAdjustment.objects.filter(school=school, month__range=(month, rules.month_end(month)))
        .values("person_id", "role")
        .annotate(n=Sum("sessions"), h=Sum("class_hours"))
        .order_by()
    )
    if person_ids is not None:
        taught = taught.filter(teacher_id__in=person_ids)
        assisted = assisted.filter(person_id__in=person_ids)
        adjustments = adjustments.filter(person_id__in=person_ids)
    by_role, adjusted = defaultdict(rules.Tally), defaultdict(rules.Tally)
    for row in taught:
        by_role[row["teacher_id"], row["teacher_role"]].add(row["n"], row["h"])
    for row in assisted:
        by_role[row["person_id"], rules.ASSISTANT].add(row["n"], row["h"])
    for row in adjustments:
        by_role[row["person_id"], row["role"]].add(row["n"], row["h"])
        adjusted[row["person_id"]].add(row["n"], row["h"])
    return by_role, adjusted


def _labels(memberships: list[Membership]) -> tuple[list[str], bool]:
    labels, volunteer = [], False
    for m in sorted(memberships, key=lambda m: m.role):
        if m.role == Role.VOLUNTEER:
            volunteer = True
            labels.append(f"{m.get_role_display()} · {m.get_volunteer_kind_display()}")
        else:
            labels.append(str(m.get_role_display()))
    return list(dict.fromkeys(labels)), volunteer


def _memberships_here(school) -> Prefetch:
    return Prefetch("memberships", queryset=Membership.objects.filter(school=school), to_attr="memberships_here")


def _person_row(person: User, by_role: dict, adjusted: dict) -> PersonHours:
    labels, volunteer = _labels(person.memberships_here)
    row = PersonHours(person=person, labels=labels, is_volunteer=volunteer, is_member=bool(person.memberships_here))
    for role in rules.ROLES:
        tally = by_role.get((person.pk, role))
        if tally:
            row.by_role[role].add(tally.sessions, tally.class_hours)
    if person.pk in adjusted:
        row.adjusted.add(adjusted[person.pk].sessions, adjusted[person.pk].class_hours)
    return row


def waiting_sessions(*, viewer, school, month: datetime.date) -> QuerySet[Session]:
    """The month's sessions waiting for the administrator, as far as the viewer may see sessions."""
    qs = permissions.scope(viewer, Session.objects.all())
    return (
        qs.filter(service_class__school=school, date__range=(month, rules.month_end(month)), status=rules.WAITING)
        .select_related("service_class", "teacher")
        .order_by("date", "start_time")
    )


def closed_month(*, school, month: datetime.date) -> HoursMonth | None:
    return HoursMonth.objects.filter(school=school, month=month).select_related("closed_by").first()


def hours_record(*, viewer, school: School, month: datetime.date) -> HoursRecord:
    """R21: every teacher and volunteer of the school with their month, in a fixed number of queries.

    Rows are limited to the people whose record the viewer may read (permissions scope of User): a teacher
    sees their own row only; the school admin, township, bureau and inspector see all. Listed: the school's
    after-school teachers and volunteers, and anyone with sessions, assists or adjustments at the school that month.
    """
    month = rules.month_start(month)
    by_role, adjusted = month_tallies(school=school, month=month)
    active = {pk for pk, _role in by_role} | set(adjusted)
    staff = Membership.objects.filter(school=school, role__in=STAFF_ROLES).values("user_id")
    people = (
        permissions.scope(viewer, User.objects.all())
        .filter(Q(pk__in=staff) | Q(pk__in=active))
        .prefetch_related(_memberships_here(school))
        .order_by("full_name", "username")
    )
    rows = [_person_row(person, by_role, adjusted) for person in people]
    return HoursRecord(
        school=school,
        month=month,
        rows=rows,
        waiting=list(waiting_sessions(viewer=viewer, school=school, month=month)),
        closed=closed_month(school=school, month=month),
    )


def hours_people(*, viewer, school: School) -> QuerySet[User]:
    """People holding a membership at the school whose hours record the viewer may read (for 404 on the rest)."""
    at_school = Membership.objects.filter(school=school).values("user_id")
    return permissions.scope(viewer, User.objects.all()).filter(pk__in=at_school)


@dataclass
class PersonMonth:
    row: PersonHours
    entries: list[dict]  # {"session", "role", "role_label", "counted"} by date
    adjustments: list[HoursAdjustment]
    closed: HoursMonth | None
    month: datetime.date


def hours_person(*, school: School, person: User, month: datetime.date) -> PersonMonth:
    """One person's month at one school: every session they ran or assisted (waiting ones marked), adjustments
    with their reasons, and the totals (the same aggregate as the school's list). The caller fetched `person`
    through `hours_people` and checked "hours.view" on them."""
    month = rules.month_start(month)
    sessions = _month_sessions(school, month).select_related("service_class", "activity").order_by("date", "start_time")
    entries = []
    for session in sessions.filter(teacher=person):
        entries.append(
            {"session": session, "role": session.teacher_role, "role_label": session.get_teacher_role_display()}
        )
    for session in sessions.filter(assistants__person=person):
        entries.append({"session": session, "role": rules.ASSISTANT, "role_label": rules.role_label(rules.ASSISTANT)})
    for entry in entries:
        entry["counted"] = entry["session"].status in rules.COUNTED
    entries.sort(key=lambda e: (e["session"].date, e["session"].start_time))
    by_role, adjusted = month_tallies(school=school, month=month, person_ids=[person.pk])
    person = User.objects.prefetch_related(_memberships_here(school)).get(pk=person.pk)
    adjustments = list(
        HoursAdjustment.objects.filter(school=school, person=person, month__range=(month, rules.month_end(month)))
        .select_related("created_by")
        .order_by("created_at", "pk")
    )
    return PersonMonth(
        row=_person_row(person, by_role, adjusted),
        entries=entries,
        adjustments=adjustments,
        closed=closed_month(school=school, month=month),
        month=month,
    )


def adjustment_list(*, school: School, limit: int = 50) -> list[HoursAdjustment]:
    """The school's latest adjustments, newest first (read-only: they are never edited or deleted)."""
    return list(
        HoursAdjustment.objects.filter(school=school)
        .select_related("person", "created_by")
        .order_by("-created_at", "-pk")[:limit]
    )
