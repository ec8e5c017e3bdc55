"""Reads for the session log (issue 5): a teacher's day, the roll, sessions and the review queue.

Every list starts from `permissions.scope`. Timetables, calendar days and semesters are read for classes the
viewer has already been allowed to see (a teacher has no timetable scope of their own: the times of their own
class are part of the class).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from xiji_afterschool import permissions

from ..models import (
    Activity,
    ActivityCategory,
    CalendarDay,
    CountySettings,
    Grade,
    Role,
    School,
    Semester,
    ServiceClass,
    ServiceClassMember,
    ServiceMode,
    Session,
    Substitution,
    Timetable,
    TimetableSlot,
    User,
)
from ..rules import calendar as calendar_rules

RECENT_DAYS = 7  # the today page offers the last week's unlogged sessions, so late logging is one tap away
STAFF_ROLES = (Role.SERVICE_TEACHER, Role.VOLUNTEER, Role.CLASS_TEACHER, Role.SCHOOL_ADMIN)
HALF = Decimal("0.5")


# ---------------------------------------------------------------- calendar arithmetic for one class


def class_stage(service_class: ServiceClass) -> str:
    """The stage whose timetable and service mode a service class follows.

    ServiceClass has no stage of its own: it is the stage of the lowest grade it draws from (among the school's
    stages); a class drawing from no administrative class follows the school's first stage. Uses the prefetched
    `admin_classes` when there is one.
    """
    stages = service_class.school.stages
    for grade in sorted(ac.grade for ac in service_class.admin_classes.all()):
        stage = Grade.stage_of(grade)
        if stage in stages:
            return stage
    return stages[0]


def day_without_service(
    *, day: datetime.date, semesters: list[Semester], stage: str, exceptions: dict[datetime.date, str]
) -> str | None:
    """Why `day` has no service for a class of `stage`, or None when it is a service day.

    `exceptions` maps dates to CalendarDay kinds (at least `day`'s). The weekday arithmetic is
    `calendar_rules.service_days`: the mode's weekdays and make-up working days, minus holidays, exams and other days
    without service.
    """
    if not any(s.start_date <= day <= s.end_date for s in semesters):
        return _("%(date)s is outside the semesters of the school year.") % {"date": date_format(day, "DATE_FORMAT")}
    one_day = SimpleNamespace(start_date=day, end_date=day)
    if calendar_rules.service_days(semesters=[one_day], mode=ServiceMode.for_stage(stage), exceptions=exceptions):
        return None
    kind = exceptions.get(day)
    if kind in calendar_rules.NO_SERVICE_KINDS:
        return _("%(date)s has no service: %(kind)s.") % {
            "date": date_format(day, "DATE_FORMAT"),
            "kind": CalendarDay.Kind(kind).label,
        }
    return _("%(date)s is not a service day of this stage (%(mode)s).") % {
        "date": date_format(day, "DATE_FORMAT"),
        "mode": ServiceMode.for_stage(stage).label,
    }


def timetables_for(*, school_ids, first: datetime.date, last: datetime.date) -> list[Timetable]:
    """Timetable versions of these schools that may be in force on some day of first..last (two queries)."""
    return list(
        Timetable.objects.filter(
            school__in=school_ids,
            semester__start_date__lte=last,
            semester__end_date__gte=first,
            effective_from__lte=last,
        )
        .select_related("semester")
        .prefetch_related("slots")
    )


def timetable_in_force(
    timetables: list[Timetable], *, school_id: int, stage: str, day: datetime.date
) -> Timetable | None:
    """The newest version in force on `day` for the school and stage (R8: a change is a later version)."""
    candidates = [
        t
        for t in timetables
        if t.school_id == school_id
        and t.stage == stage
        and t.semester.start_date <= day <= t.semester.end_date
        and t.effective_from <= day
    ]
    return max(candidates, key=lambda t: t.version, default=None)


def slot_on(timetable: Timetable | None, *, kind: str, day: datetime.date) -> TimetableSlot | None:
    """The class kind's slot on `day` (its season and weekday), the earliest if several; uses prefetched slots."""
    if timetable is None:
        return None
    season = timetable.season_on(day)
    slots = [
        s for s in timetable.slots.all() if s.season == season and s.weekday == day.isoweekday() and s.kind == kind
    ]
    return min(slots, key=lambda s: s.start_time, default=None)


def prefill_class_hours(slot: TimetableSlot | None, settings: CountySettings) -> Decimal | None:
    """Class-hours suggested for a slot.

    A 2-hour slot counts as the county's class-hours per service day (CountySettings.class_hours_per_day, which is
    what the plan's planned hours use); any other slot counts its length in hours, rounded half-up to 0.5 and kept
    within 0.5–4. No slot (no timetable): no suggestion.
    """
    if slot is None:
        return None
    if slot.minutes == 120:
        return Decimal(settings.class_hours_per_day)
    hours = (Decimal(slot.minutes) / 60 / HALF).quantize(Decimal(1), rounding=ROUND_HALF_UP) * HALF
    return min(max(hours, HALF), Decimal(4))


# ---------------------------------------------------------------- service classes, members, staff


def service_class_list(*, viewer) -> QuerySet[ServiceClass]:
    """Service classes the viewer may see (a teacher: those they teach or stand in for; a school: its own)."""
    return (
        permissions.scope(viewer, ServiceClass.objects.all())
        .select_related("school", "school_year", "teacher")
        .prefetch_related("admin_classes", "school_year__semesters")
    )


def open_members(*, service_class: ServiceClass, day: datetime.date) -> QuerySet[ServiceClassMember]:
    """The class's members on `day` (joined on or before it, not left before it): the roll of that day."""
    return (
        ServiceClassMember.objects.filter(service_class=service_class, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("student", "student__admin_class")
        .order_by("student__admin_class__grade", "student__admin_class__number", "student__name", "student_id")
    )


def school_staff(*, school: School) -> QuerySet[User]:
    """Teachers and volunteers of a school (who may assist in a session or stand in for its teacher)."""
    staff = User.objects.filter(memberships__school=school, memberships__role__in=STAFF_ROLES, is_active=True)
    return User.objects.filter(pk__in=staff.values("pk")).order_by("full_name", "username")


def school_activities(*, school: School) -> QuerySet[Activity]:
    return Activity.objects.filter(school=school).order_by("category", "name")


def category_choices(service_class: ServiceClass) -> list[tuple[str, str]]:
    """The class's own activity first, then every category of the plan (R9–R11)."""
    first = [c for c in ActivityCategory.choices if c[0] == service_class.activity]
    return first + [c for c in ActivityCategory.choices if c[0] != service_class.activity]


@dataclass
class LogPage:
    """What the log page shows for one class and day."""

    day: datetime.date
    stage: str
    members: list[ServiceClassMember]
    slot: TimetableSlot | None
    class_hours: Decimal | None
    problem: str | None  # why the day cannot be logged, shown before the teacher types anything
    substitution: Substitution | None
    late: bool  # logging it now needs the administrator's confirmation
    logged: list[Session] = field(default_factory=list)
    previous: Session | None = None  # the class's last session before the day: what was done is offered again


def log_page(*, service_class: ServiceClass, day: datetime.date, today: datetime.date) -> LogPage:
    """The roll, the timetable's times and suggested class-hours, and any session already logged that day."""
    settings = CountySettings.current()
    stage = class_stage(service_class)
    timetable = timetable_in_force(
        timetables_for(school_ids=[service_class.school_id], first=day, last=day),
        school_id=service_class.school_id,
        stage=stage,
        day=day,
    )
    slot = slot_on(timetable, kind=service_class.kind, day=day)
    exceptions = dict(
        CalendarDay.objects.filter(school_year=service_class.school_year_id, date=day).values_list("date", "kind")
    )
    return LogPage(
        day=day,
        stage=stage,
        members=list(open_members(service_class=service_class, day=day)),
        slot=slot,
        class_hours=prefill_class_hours(slot, settings),
        problem=day_without_service(
            day=day, semesters=list(service_class.school_year.semesters.all()), stage=stage, exceptions=exceptions
        ),
        substitution=Substitution.objects.filter(service_class=service_class, date=day)
        .select_related("substitute")
        .first(),
        late=(today - day).days > settings.late_log_days,
        logged=list(Session.objects.filter(service_class=service_class, date=day).order_by("start_time")),
        previous=previous_session(service_class=service_class, day=day),
    )


def previous_session(*, service_class: ServiceClass, day: datetime.date) -> Session | None:
    """The class's newest session before `day`: the log page offers its activity and what was done again, so the
    teacher does not type the same 服务内容 every day."""
    return (
        Session.objects.filter(service_class=service_class, date__lt=day)
        .select_related("activity")
        .order_by("-date", "-start_time")
        .first()
    )


# ---------------------------------------------------------------- the teacher's day


@dataclass
class DayRow:
    service_class: ServiceClass
    day: datetime.date
    role: str  # Session.TeacherRole value the viewer would log as
    slot: TimetableSlot | None = None
    problem: str | None = None  # no service that day
    session_id: int | None = None  # the session logged that day, if any
    substitute_name: str = ""  # someone else stands in that day
    late: bool = False  # logging it now needs the administrator's confirmation

    @property
    def members(self) -> int:
        return self.service_class.member_count


@dataclass
class TeacherDay:
    today: datetime.date
    rows: list[DayRow]  # today's classes
    unlogged: list[DayRow]  # service days of the last week still without a session, newest first

    @property
    def next(self) -> DayRow | None:
        """The session to log next: today's first class still to log, else the newest unlogged day."""
        for row in self.rows:
            if row.session_id is None and row.problem is None and not row.substitute_name:
                return row
        return self.unlogged[0] if self.unlogged else None


def teacher_day(*, viewer, today: datetime.date) -> TeacherDay:
    """The viewer's service classes today and the last week's unlogged sessions, in a fixed number of queries.

    Today's classes: those the viewer teaches plus those with a Substitution naming the viewer today. A past day is
    offered to whoever would log it: the substitute of that day, else the class's teacher.
    """
    first = today - datetime.timedelta(days=RECENT_DAYS)
    stood_in = Substitution.objects.filter(substitute=viewer, date__range=(first, today)).values("service_class")
    members_today = (
        ServiceClassMember.objects.filter(service_class=OuterRef("pk"), start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by()
        .values("service_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    classes = list(
        service_class_list(viewer=viewer)
        .filter(Q(teacher=viewer) | Q(pk__in=stood_in))
        .filter(school_year__start_date__lte=today, school_year__end_date__gte=first)
        .annotate(member_count=Coalesce(Subquery(members_today, output_field=IntegerField()), 0))
        .order_by("school_id", "name")
    )
    if not classes:
        return TeacherDay(today=today, rows=[], unlogged=[])
    ids = [c.pk for c in classes]
    logged = {
        (class_id, day): pk
        for class_id, day, pk in Session.objects.filter(service_class__in=ids, date__range=(first, today))
        .order_by("start_time")
        .values_list("service_class_id", "date", "pk")
    }
    substitutes = {
        (class_id, day): (substitute_id, name or username)
        for class_id, day, substitute_id, name, username in Substitution.objects.filter(
            service_class__in=ids, date__range=(first, today)
        ).values_list("service_class_id", "date", "substitute_id", "substitute__full_name", "substitute__username")
    }
    exceptions = dict(
        CalendarDay.objects.filter(
            school_year__in={c.school_year_id for c in classes}, date__range=(first, today)
        ).values_list("date", "kind")
    )
    timetables = timetables_for(school_ids={c.school_id for c in classes}, first=first, last=today)
    late_after = CountySettings.current().late_log_days

    def row(service_class, day) -> DayRow | None:
        substitute_id, substitute_name = substitutes.get((service_class.pk, day), (None, ""))
        if substitute_id == viewer.pk:
            role = Session.TeacherRole.SUBSTITUTE
        elif service_class.teacher_id == viewer.pk:
            role = Session.TeacherRole.RESPONSIBLE
        else:
            return None  # a class the viewer stood in for on another day
        stage = class_stage(service_class)
        semesters = list(service_class.school_year.semesters.all())
        timetable = timetable_in_force(timetables, school_id=service_class.school_id, stage=stage, day=day)
        return DayRow(
            service_class=service_class,
            day=day,
            role=role,
            slot=slot_on(timetable, kind=service_class.kind, day=day),
            problem=day_without_service(day=day, semesters=semesters, stage=stage, exceptions=exceptions),
            session_id=logged.get((service_class.pk, day)),
            substitute_name=substitute_name if substitute_id not in (None, viewer.pk) else "",
            late=(today - day).days > late_after,
        )

    rows = [r for c in classes if (r := row(c, today))]
    unlogged = []
    for offset in range(1, RECENT_DAYS + 1):
        day = today - datetime.timedelta(days=offset)
        for c in classes:
            r = row(c, day)
            # The teacher is not asked to log a day a recorded substitute ran.
            if r and r.problem is None and r.session_id is None and not r.substitute_name:
                unlogged.append(r)
    return TeacherDay(today=today, rows=rows, unlogged=unlogged)


# ---------------------------------------------------------------- sessions


def session_list(*, viewer) -> QuerySet[Session]:
    """Sessions the viewer may see (a teacher: of classes they teach, ran or assisted; a school: its own)."""
    return permissions.scope(viewer, Session.objects.all()).select_related(
        "service_class", "service_class__school", "teacher", "activity"
    )


def session_detail(*, viewer) -> QuerySet[Session]:
    return session_list(viewer=viewer).select_related("logged_by", "confirmed_by")


def session_roll(*, session: Session):
    return session.roll.select_related("student", "student__admin_class").order_by(
        "student__admin_class__grade", "student__admin_class__number", "student__name"
    )


def session_assistant_names(*, session: Session) -> list[User]:
    return [a.person for a in session.assistants.select_related("person").order_by("person__full_name")]


def session_review_queue(*, viewer) -> QuerySet[Session]:
    """Sessions waiting for the confirmation of a school the viewer administers (logged late, or flagged: R12)."""
    schools = [m.school_id for m in permissions.memberships_for(viewer, "session.confirm")]
    return (
        session_list(viewer=viewer)
        .filter(status=Session.Status.NEEDS_CONFIRMATION, service_class__school__in=schools)
        .order_by("date", "service_class__name", "start_time")
    )


def substitution_list(*, service_class: ServiceClass) -> QuerySet[Substitution]:
    """The recorded substitutes of a class the caller has already fetched through `service_class_list`."""
    return service_class.substitutions.select_related("substitute", "created_by").order_by("-date")[:20]
