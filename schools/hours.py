"""Reads of the hours record (明细档案, R21) and of delivery against plan (issue 5, item 5), scoped to the viewer.

Counting rule of the hours record: a session counts once its status is RECORDED or CONFIRMED. A session
waiting for the administrator (NEEDS_CONFIRMATION: logged late, or its content flagged under R12) is listed
apart as "waiting for confirmation" and counts only after it is confirmed; a month cannot be closed while
any of its sessions wait. An assistant (SessionAssistant) is credited with the session's class-hours too.
The month's HoursAdjustment rows are added to the role they name.

Every aggregate is one GROUP BY query whatever the number of people or schools. SQLite sums decimals as floats,
so every sum is quantized to one decimal place (half-up) here; PostgreSQL sums them exactly.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from xiji_afterschool import permissions

from . import planning
from .models import (
    CountySettings,
    Grade,
    HoursAdjustment,
    HoursMonth,
    Membership,
    Role,
    School,
    SchoolYear,
    ServiceClass,
    ServiceMode,
    Session,
    SessionAssistant,
    Stage,
    User,
)

COUNTED = (Session.Status.RECORDED, Session.Status.CONFIRMED)
WAITING = Session.Status.NEEDS_CONFIRMATION
ASSISTANT = "assistant"
ROLES = (Session.TeacherRole.RESPONSIBLE.value, Session.TeacherRole.SUBSTITUTE.value, ASSISTANT)
# People listed on a school's record even in a month without hours; anyone else appears once they have hours.
STAFF_ROLES = (Role.SERVICE_TEACHER, Role.VOLUNTEER)
TENTH = Decimal("0.1")
ZERO = Decimal("0.0")


def hours(value) -> Decimal:
    """A sum of class-hours as an exact Decimal with one decimal place (SQLite returns float-made sums)."""
    if value is None:
        return ZERO
    if isinstance(value, float):  # never expected from Django, but a float must not leak into pay
        value = Decimal(repr(value))
    return Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)


def role_label(role: str) -> str:
    return dict(HoursAdjustment._meta.get_field("role").choices)[role]


# ---------------------------------------------------------------- months


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def shift_month(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return shift_month(month, 1) - datetime.timedelta(days=1)


_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def parse_month(text: str | None) -> datetime.date | None:
    """ "2026-03" -> 2026-03-01; anything else (or a year outside 2000–2099) -> None."""
    match = _MONTH.match(text or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2099 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


# ---------------------------------------------------------------- the hours record


@dataclass
class Tally:
    sessions: int = 0
    class_hours: Decimal = ZERO

    def add(self, sessions, class_hours) -> None:
        self.sessions += int(sessions or 0)
        self.class_hours = hours(self.class_hours + hours(class_hours))


@dataclass
class PersonHours:
    """One person's month: per role (sessions and adjustments together), and the adjustments alone."""

    person: User
    labels: list[str] = field(default_factory=list)  # their roles at the school, volunteers with their kind
    is_volunteer: bool = False
    is_member: bool = False  # holds a membership at the school (else: hours here, staff elsewhere)
    by_role: dict[str, Tally] = field(default_factory=lambda: {r: Tally() for r in ROLES})
    adjusted: Tally = field(default_factory=Tally)

    @property
    def responsible(self) -> Tally:
        return self.by_role[Session.TeacherRole.RESPONSIBLE]

    @property
    def substitute(self) -> Tally:
        return self.by_role[Session.TeacherRole.SUBSTITUTE]

    @property
    def assistant(self) -> Tally:
        return self.by_role[ASSISTANT]

    @property
    def total(self) -> Tally:
        total = Tally()
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
            for role in ROLES:
                totals.by_role[role].add(row.by_role[role].sessions, row.by_role[role].class_hours)
            totals.adjusted.add(row.adjusted.sessions, row.adjusted.class_hours)
        return totals

    @property
    def last_day(self) -> datetime.date:
        return month_end(self.month)


def _month_sessions(school, month: datetime.date) -> QuerySet[Session]:
    return Session.objects.filter(service_class__school=school, date__range=(month, month_end(month)))


def month_tallies(*, school, month: datetime.date, person_ids=None) -> tuple[dict, dict]:
    """(sessions and adjustments per (person, role), adjustments alone per person): three GROUP BY queries."""
    counted = _month_sessions(school, month).filter(status__in=COUNTED)
    taught = counted.values("teacher_id", "teacher_role").annotate(n=Count("pk"), h=Sum("class_hours")).order_by()
    assisted = (
        SessionAssistant.objects.filter(
            session__service_class__school=school,
            session__date__range=(month, month_end(month)),
            session__status__in=COUNTED,
        )
        .values("person_id")
        .annotate(n=Count("pk"), h=Sum("session__class_hours"))
        .order_by()
    )
    adjustments = (
        HoursAdjustment.objects.filter(school=school, month__range=(month, month_end(month)))
        .values("person_id", "role")
        .annotate(n=Sum("sessions"), h=Sum("class_hours"))
        .order_by()
    )
    if person_ids is not None:
        taught = taught.filter(teacher_id__in=person_ids)
        assisted = assisted.filter(person_id__in=person_ids)
        adjustments = adjustments.filter(person_id__in=person_ids)
    by_role, adjusted = defaultdict(Tally), defaultdict(Tally)
    for row in taught:
        by_role[row["teacher_id"], row["teacher_role"]].add(row["n"], row["h"])
    for row in assisted:
        by_role[row["person_id"], ASSISTANT].add(row["n"], row["h"])
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
    for role in ROLES:
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
        qs.filter(service_class__school=school, date__range=(month, month_end(month)), status=WAITING)
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
    month = month_start(month)
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
    month = month_start(month)
    sessions = _month_sessions(school, month).select_related("service_class", "activity").order_by("date", "start_time")
    entries = []
    for session in sessions.filter(teacher=person):
        entries.append(
            {"session": session, "role": session.teacher_role, "role_label": session.get_teacher_role_display()}
        )
    for session in sessions.filter(assistants__person=person):
        entries.append({"session": session, "role": ASSISTANT, "role_label": role_label(ASSISTANT)})
    for entry in entries:
        entry["counted"] = entry["session"].status in COUNTED
    entries.sort(key=lambda e: (e["session"].date, e["session"].start_time))
    by_role, adjusted = month_tallies(school=school, month=month, person_ids=[person.pk])
    person = User.objects.prefetch_related(_memberships_here(school)).get(pk=person.pk)
    adjustments = list(
        HoursAdjustment.objects.filter(school=school, person=person, month__range=(month, month_end(month)))
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


def hours_report_rows(record: HoursRecord) -> tuple[list[str], list[list]]:
    """The export of a school's month: one row per person, then the totals; class-hours as Decimal numbers."""
    header = [
        _("Name"),
        _("Username"),
        _("Role at the school"),
        _("Sessions as responsible teacher"),
        _("Class-hours as responsible teacher"),
        _("Sessions as substitute"),
        _("Class-hours as substitute"),
        _("Sessions as assistant"),
        _("Class-hours as assistant"),
        _("Sessions in total"),
        _("Class-hours in total"),
        _("Of which adjustments (class-hours)"),
    ]

    def numbers(row: PersonHours) -> list:
        out = []
        for tally in (row.responsible, row.substitute, row.assistant, row.total):
            out += [tally.sessions, tally.class_hours]
        return [*out, row.adjusted.class_hours]

    rows = [
        [row.person.get_full_name(), row.person.username, " / ".join(row.labels) or "—", *numbers(row)]
        for row in record.rows
    ]
    rows.append([_("Total"), "", "", *numbers(record.totals)])
    return header, rows


# ---------------------------------------------------------------- delivery against plan

# How many complete weeks (Monday to Sunday, ended before today) the behind-mode check looks at.
BEHIND_WEEKS_CHECKED = 4


def stage_of_grade(grade: int) -> str:
    """Grade -> stage: kindergarten up to the large class, primary 1–6, junior middle 7–9, senior high 10–12."""
    if grade <= Grade.KINDER_LARGE:
        return Stage.KINDERGARTEN
    if grade <= Grade.G6:
        return Stage.PRIMARY
    if grade <= Grade.G9:
        return Stage.JUNIOR
    return Stage.SENIOR


def service_class_stage(service_class: ServiceClass) -> str:
    """The stage whose mode a service class follows: that of the youngest administrative class it draws from
    (classes mixing stages follow the younger one), or, drawing from none, the school's first stage.
    Uses prefetched `admin_classes` and `school`."""
    grades = [a.grade for a in service_class.admin_classes.all()]
    if grades:
        return stage_of_grade(min(grades))
    return service_class.school.stages[0]


def _service_days(stage: str, semesters, exceptions) -> list[datetime.date]:
    return planning.service_days(semesters=semesters, mode=ServiceMode.for_stage(stage), exceptions=exceptions)


def planned_class_hours_to_date(school_year: SchoolYear, stage: str, today: datetime.date) -> int:
    """Planned class-hours of one service class of `stage` from the first semester's start up to and including
    `today`: the stage's service days in the year's semesters (weekdays of the mode and make-up days, minus the
    calendar's days without service), × the county's class-hours per day."""
    semesters = list(school_year.semesters.all())
    days = _service_days(stage, semesters, planning.calendar_exceptions(school_year))
    return sum(1 for day in days if day <= today) * CountySettings.current().class_hours_per_day


def share(delivered: Decimal, planned) -> Decimal | None:
    """Delivered as a percentage of planned, one decimal (half-up); None when nothing was planned yet."""
    if not planned:
        return None
    return (Decimal(delivered) * 100 / Decimal(planned)).quantize(TENTH, rounding=ROUND_HALF_UP)


def complete_weeks(today: datetime.date, count: int = BEHIND_WEEKS_CHECKED) -> list[datetime.date]:
    """The Mondays of the last `count` weeks that ended before today, oldest first."""
    this_monday = today - datetime.timedelta(days=today.isoweekday() - 1)
    return [this_monday - datetime.timedelta(weeks=k) for k in range(count, 0, -1)]


@dataclass
class ClassDelivery:
    service_class: ServiceClass
    stage: str
    planned: int
    delivered: Decimal

    @property
    def share(self) -> Decimal | None:
        return share(self.delivered, self.planned)

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label


@dataclass
class SchoolDelivery:
    school: School
    classes: list[ClassDelivery]
    behind_weeks: list[dict]  # {"start", "end", "stage", "stage_label", "expected", "served"}

    @property
    def planned(self) -> int:
        return sum(c.planned for c in self.classes)

    @property
    def delivered(self) -> Decimal:
        return hours(sum((c.delivered for c in self.classes), ZERO))

    @property
    def share(self) -> Decimal | None:
        return share(self.delivered, self.planned)

    @property
    def behind(self) -> bool:
        return bool(self.behind_weeks)


def _deliveries(schools: list[School], school_year: SchoolYear, today: datetime.date) -> list[SchoolDelivery]:
    """Planned vs delivered per service class and school, and the weeks behind the mode: six queries in all."""
    semesters = list(school_year.semesters.all())
    exceptions = planning.calendar_exceptions(school_year)
    per_day = CountySettings.current().class_hours_per_day
    days_of = {stage: _service_days(stage, semesters, exceptions) for stage in Stage.values}
    planned_of = {stage: sum(1 for d in days if d <= today) * per_day for stage, days in days_of.items()}
    weeks = complete_weeks(today)

    by_pk = {s.pk: s for s in schools}
    classes = (
        ServiceClass.objects.filter(school__in=list(by_pk), school_year=school_year)
        .prefetch_related("admin_classes")
        .order_by("school", "name")
    )
    sessions = Session.objects.filter(
        service_class__school__in=list(by_pk), service_class__school_year=school_year, status__in=COUNTED
    )
    delivered = {
        row["service_class_id"]: hours(row["h"])
        for row in sessions.filter(date__lte=today).values("service_class_id").annotate(h=Sum("class_hours")).order_by()
    }
    window = (weeks[0], weeks[-1] + datetime.timedelta(days=6)) if weeks else (today, today)
    served_pairs = sessions.filter(date__range=window).values_list("service_class_id", "date").distinct().order_by()

    rows = {pk: SchoolDelivery(school=school, classes=[], behind_weeks=[]) for pk, school in by_pk.items()}
    class_key = {}  # service class pk -> (school pk, stage)
    for service_class in classes:
        service_class.school = by_pk[service_class.school_id]  # no query per class for the school's stages
        stage = service_class_stage(service_class)
        class_key[service_class.pk] = (service_class.school_id, stage)
        rows[service_class.school_id].classes.append(
            ClassDelivery(
                service_class=service_class,
                stage=stage,
                planned=planned_of[stage],
                delivered=delivered.get(service_class.pk, ZERO),
            )
        )
    served = defaultdict(set)  # (school pk, stage) -> dates with a counted session
    for class_pk, day in served_pairs:
        served[class_key[class_pk]].add(day)
    service_day_sets = {stage: set(days) for stage, days in days_of.items()}
    for pk, row in rows.items():
        stages = sorted({c.stage for c in row.classes}) or [row.school.stages[0]]
        for stage in stages:
            row.behind_weeks += _weeks_behind(stage, weeks, service_day_sets[stage], served[pk, stage])
        row.behind_weeks.sort(key=lambda w: (w["start"], w["stage"]))
    return [rows[s.pk] for s in schools]


def _weeks_behind(stage: str, mondays, service_days: set, served: set) -> list[dict]:
    """Weeks in which the stage served fewer distinct service days than its mode asks (5, senior high 6), or than
    the calendar allowed that week (a holiday week asks only its service days)."""
    per_week = len(ServiceMode.for_stage(stage).weekdays)
    out = []
    for monday in mondays:
        week = {monday + datetime.timedelta(days=k) for k in range(7)}
        expected = min(per_week, len(week & service_days))
        got = len(week & service_days & served)
        if expected and got < expected:
            out.append(
                {
                    "start": monday,
                    "end": monday + datetime.timedelta(days=6),
                    "stage": stage,
                    "stage_label": Stage(stage).label,
                    "expected": expected,
                    "served": got,
                }
            )
    return out


def delivery_school(*, school: School, school_year: SchoolYear, today: datetime.date) -> SchoolDelivery:
    """One school's service classes of the year, planned vs delivered to date, and its weeks behind the mode.
    The caller fetched the school through the viewer's scope and checked "delivery.view" on it."""
    return _deliveries([school], school_year, today)[0]


def delivery_schools(*, viewer) -> QuerySet[School]:
    """Schools whose delivery the viewer may read, through the memberships allowed "delivery.view" only
    (so a school admin who is also a parent elsewhere sees only their own school here)."""
    return permissions.scope(viewer, School.objects.all(), action="delivery.view")


def delivery_county(*, viewer, school_year: SchoolYear, today: datetime.date) -> list[SchoolDelivery]:
    """Every school the viewer may read, planned vs delivered to date and the behind-mode flag, least delivered
    first (schools with nothing planned or no classes first); a fixed number of queries whatever the number of
    schools."""
    schools = list(delivery_schools(viewer=viewer).select_related("township").order_by("township__code", "code"))
    rows = _deliveries(schools, school_year, today)
    return sorted(rows, key=lambda r: (r.share is not None, r.share or 0, not r.behind))


def adjustment_list(*, school: School, limit: int = 50) -> list[HoursAdjustment]:
    """The school's latest adjustments, newest first (read-only: they are never edited or deleted)."""
    return list(
        HoursAdjustment.objects.filter(school=school)
        .select_related("person", "created_by")
        .order_by("-created_at", "-pk")[:limit]
    )
