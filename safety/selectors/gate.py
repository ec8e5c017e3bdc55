"""Reads for the gate (issue 11 §5): the gate's day (its school, today only), the school admin's log of any day, and
the class teacher's early leaves. Each starts from the viewer's scope."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from schools.models import AdminClass, School, SchoolYear, Student
from schools.rules import calendar as calendar_rules
from schools.rules import roster as roster_rules
from schools.selectors import sessions as sessions_selectors
from xiji_afterschool import permissions

from ..models import BusRoute, Collector, DutyRoster, EarlyLeave, LateAlert, TravelArrangement, Visit
from . import pickups as pickups_selectors

SEARCH_LIMIT = 60  # children shown for one search: a class is at most ~50


def gate_schools(*, viewer) -> QuerySet[School]:
    """The schools whose gate the viewer keeps (one, in practice)."""
    return permissions_scope(viewer, School.objects.all(), "gate.view")


def permissions_scope(viewer, qs, action):
    return permissions.scope(viewer, qs, action=action)


def visit_list(*, viewer, action: str = "gate.view") -> QuerySet[Visit]:
    """Visitor entries the viewer may see for `action` (the gate: its school's, today's)."""
    return permissions_scope(viewer, Visit.objects.all(), action).select_related("host", "corrects", "school")


def visits_inside(*, viewer, school: School) -> QuerySet[Visit]:
    """Today's visitors still inside: no time out and not replaced by a correction."""
    today = timezone.localdate()
    return (
        visit_list(viewer=viewer)
        .filter(school=school, date=today, time_out__isnull=True, corrections__isnull=True)
        .order_by("time_in")
    )


def visits_of_day(*, viewer, school: School, date: datetime.date, action: str = "gate.view") -> list[Visit]:
    """One day's visitor log of `school`, in order of arrival; each entry knows the entry correcting it."""
    visits = list(
        visit_list(viewer=viewer, action=action)
        .filter(school=school, date=date)
        .prefetch_related("corrections")
        .order_by("time_in", "pk")
    )
    for visit in visits:
        visit.corrected_by = next(iter(visit.corrections.all()), None)
    return visits


def visits_of_month(*, viewer, school: School, year: int, month: int) -> QuerySet[Visit]:
    return (
        visit_list(viewer=viewer, action="visit.view_log")
        .filter(school=school, date__year=year, date__month=month)
        .prefetch_related("corrections")
        .order_by("date", "time_in", "pk")
    )


def log_schools(*, viewer) -> QuerySet[School]:
    """Schools whose gate log the viewer reads (the school admin's own)."""
    return permissions_scope(viewer, School.objects.all(), "visit.view_log")


def early_leave_list(*, viewer, action: str = "early_leave.view") -> QuerySet[EarlyLeave]:
    return permissions_scope(viewer, EarlyLeave.objects.all(), action).select_related(
        "student__admin_class", "permitted_by", "left_recorded_by"
    )


def early_leaves_of_day(*, viewer, school: School, date: datetime.date) -> QuerySet[EarlyLeave]:
    return early_leave_list(viewer=viewer).filter(school=school, date=date).order_by("leave_at", "pk")


def early_leaves_for_teacher(*, viewer) -> QuerySet[EarlyLeave]:
    """The class teacher's permissions from a week ago on, the coming ones first."""
    since = timezone.localdate() - datetime.timedelta(days=7)
    return (
        early_leave_list(viewer=viewer, action="early_leave.permit")
        .filter(date__gte=since)
        .order_by("-date", "leave_at")
    )


def permit_students(*, viewer) -> QuerySet[Student]:
    """The children the viewer may give an early leave (the class teacher: their class)."""
    return permissions_scope(viewer, Student.objects.all(), "early_leave.permit").select_related("admin_class")


def duty_of_day(*, school: School, date: datetime.date) -> DutyRoster | None:
    return DutyRoster.objects.filter(school=school, date=date).select_related("duty_teacher", "gate_keeper").first()


def open_late_alerts(*, school: School, date: datetime.date) -> QuerySet[LateAlert]:
    return (
        LateAlert.objects.filter(school=school, date=date, status=LateAlert.Status.OPEN)
        .select_related("student__admin_class", "holder")
        .order_by("created_at")
    )


def is_service_day(*, school: School, date: datetime.date) -> bool:
    """Whether any stage of the school has after-school service on `date` (the county calendar: weekdays of the
    stage's mode and make-up days, minus holidays and exams)."""
    year = SchoolYear.objects.filter(start_date__lte=date, end_date__gte=date).first()
    if year is None:
        return False
    semesters, exceptions = list(year.semesters.all()), calendar_rules.calendar_exceptions(year)
    return any(
        sessions_selectors.day_without_service(day=date, semesters=semesters, stage=stage, exceptions=exceptions)
        is None
        for stage in school.stages
    )


def buses_of_day(*, school: School, date: datetime.date) -> QuerySet[BusRoute]:
    """The school's running routes with their riders that day; none on a day without service (no bus runs)."""
    if not is_service_day(school=school, date=date):
        return BusRoute.objects.none()
    valid = (
        Q(riders__kind=TravelArrangement.Kind.BUS)
        & Q(riders__valid_from__lte=date)
        & (Q(riders__valid_until__isnull=True) | Q(riders__valid_until__gte=date))
    )
    return BusRoute.objects.filter(school=school, active=True).annotate(rider_count=Count("riders", filter=valid))


@dataclass
class ChildAdults:
    student: Student
    adults: list[dict]  # name, relation, masked mobile, photo collector id, "today only"
    bus: str
    dormitory: str
    walk_home: bool


def adults_today(*, school: School, query: str = "", admin_class: AdminClass | None = None) -> list[ChildAdults]:
    """Today's authorised adults per child of `school`, found by the child's name or class (nothing without a
    search: the gate looks a child up, it does not browse the school). Mobiles masked: the gate recognises,
    it does not call."""
    query = (query or "").strip()
    if not query and admin_class is None:
        return []
    students = Student.objects.filter(school=school).select_related("admin_class")
    if query:
        students = students.filter(name__contains=query)
    if admin_class is not None:
        students = students.filter(admin_class=admin_class)
    students = list(students[:SEARCH_LIMIT])
    allowed = pickups_selectors.allowed_today(student_ids=[s.pk for s in students], date=timezone.localdate())
    rows = []
    for student in students:
        a = allowed[student.pk]
        adults = [
            {"name": g.name, "relation": relation, "mobile": g.masked_mobile, "photo": None, "one_day": False}
            for g, relation in a.guardians
        ]
        adults += [
            {"name": c.name, "relation": c.get_relation_display(), "mobile": c.masked_mobile,
             "photo": c.pk if c.photo else None, "one_day": False}
            for c in a.collectors
        ]  # fmt: skip
        adults += [
            {"name": d.name, "relation": d.get_relation_display(), "mobile": masked(d.mobile), "photo": None,
             "one_day": True}
            for d in a.delegations
        ]  # fmt: skip
        bus = f"{a.bus.bus_route.name} · {a.bus.bus_stop}" if a.bus else ""
        dormitory = str(a.dormitory.dormitory) if a.dormitory else ""
        rows.append(ChildAdults(student, adults, bus, dormitory, a.walk_home is not None))
    return rows


def masked(mobile: str) -> str:
    return roster_rules.mask_mobile(mobile)


def photo_collector(*, school: School, collector_id: int):
    """A listed adult whose photo the gate may see: allowed to collect a child of its school today."""
    collector = Collector.objects.filter(pk=collector_id, student__school=school).first()
    if collector is None or not collector.photo:
        return None
    allowed = pickups_selectors.allowed_today(student_ids=[collector.student_id], date=timezone.localdate())
    return collector if collector in allowed[collector.student_id].collectors else None
