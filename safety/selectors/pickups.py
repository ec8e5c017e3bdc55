"""Reads of who may take a child (R30, issue 11 §1): a child's page, the school's list, and `allowed_today`, the one
read the hand-over and gate pages use to know who may take each child on a day."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from schools.models import AdminClass, Guardian, School, Semester, Student, StudentGuardian
from xiji_afterschool import permissions

from ..models import BusRoute, Collector, Delegation, Dormitory, TravelArrangement, WalkHomePermission


@dataclass
class Allowed:
    """Who may take one child on one day, and how the child may leave without an adult."""

    guardians: list[tuple[Guardian, str]] = field(default_factory=list)  # (guardian, relation label), roster order
    collectors: list[Collector] = field(default_factory=list)  # valid that day, not removed
    delegations: list[Delegation] = field(default_factory=list)  # for that day, not cancelled
    walk_home: WalkHomePermission | None = None  # valid that day, not withdrawn
    bus: TravelArrangement | None = None  # with bus_route
    dormitory: TravelArrangement | None = None  # with dormitory


def _valid_on(date: datetime.date) -> Q:
    return Q(valid_from__lte=date) & (Q(valid_until__isnull=True) | Q(valid_until__gte=date))


def current_collectors(date: datetime.date) -> QuerySet[Collector]:
    return Collector.objects.filter(_valid_on(date), revoked_at__isnull=True)


def current_walk_home(date: datetime.date) -> QuerySet[WalkHomePermission]:
    return WalkHomePermission.objects.filter(_valid_on(date), revoked_at__isnull=True)


def current_travel(date: datetime.date) -> QuerySet[TravelArrangement]:
    return TravelArrangement.objects.filter(_valid_on(date))


def allowed_today(*, student_ids, date: datetime.date) -> dict[int, Allowed]:
    """For each child in `student_ids`: the roster guardians (who may always collect), the listed adults valid on
    `date`, that day's delegations, a permission to go home alone, and a bus or dormitory place. Five queries,
    whatever the number of children. Not scoped: callers (hand-over, gate) have checked the viewer's right to the
    children already."""
    ids = list(dict.fromkeys(student_ids))
    result = {pk: Allowed() for pk in ids}
    if not ids:
        return result
    links = (
        StudentGuardian.objects.filter(student_id__in=ids)
        .select_related("guardian")
        .order_by("student_id", "-is_primary", "pk")
    )
    for link in links:
        result[link.student_id].guardians.append((link.guardian, StudentGuardian.Relation.label_of(link.relation)))
    for collector in current_collectors(date).filter(student_id__in=ids).order_by("student_id", "valid_from", "pk"):
        result[collector.student_id].collectors.append(collector)
    delegations = Delegation.objects.filter(student_id__in=ids, date=date, cancelled_at__isnull=True).order_by("pk")
    for delegation in delegations:
        result[delegation.student_id].delegations.append(delegation)
    for permission in current_walk_home(date).filter(student_id__in=ids).order_by("student_id", "valid_from", "pk"):
        result[permission.student_id].walk_home = permission  # the latest-starting one wins
    travel = current_travel(date).filter(student_id__in=ids).select_related("bus_route", "dormitory")
    for arrangement in travel.order_by("student_id", "valid_from", "pk"):
        slot = "bus" if arrangement.kind == TravelArrangement.Kind.BUS else "dormitory"
        setattr(result[arrangement.student_id], slot, arrangement)
    return result


# ---------------------------------------------------------------- one child's page


def pickup_students(*, viewer) -> QuerySet[Student]:
    """Children whose pick-up page the viewer may open (their own, their class, their school)."""
    return permissions.scope(viewer, Student.objects.all(), action="pickup.view").select_related(
        "school", "admin_class"
    )


@dataclass
class ChildPickups:
    student: Student
    guardians: list
    collectors: list  # current and future, not removed
    past_collectors: list  # removed or expired
    delegations: list  # today and later, not cancelled
    past_delegations: list
    walk_home: list  # not withdrawn, not expired
    past_walk_home: list
    travel: list  # current and future
    past_travel: list


def child_pickups(*, student: Student, today: datetime.date) -> ChildPickups:
    """Everything on one child's pick-up page (the caller fetched `student` through `pickup_students`)."""
    guardians = [
        (link.guardian, StudentGuardian.Relation.label_of(link.relation))
        for link in student.guardian_links.select_related("guardian").order_by("-is_primary", "pk")
    ]
    collectors = list(student.collectors.select_related("added_by").order_by("valid_from", "pk"))
    live = [c for c in collectors if c.revoked_at is None and (c.valid_until is None or c.valid_until >= today)]
    delegations = list(student.delegations.order_by("date", "pk"))
    upcoming = [d for d in delegations if d.cancelled_at is None and d.date >= today]
    walk = list(student.walk_home_permissions.order_by("-valid_from", "-pk"))
    walk_live = [w for w in walk if w.revoked_at is None and w.valid_until >= today]
    travel = list(student.travel.select_related("bus_route", "dormitory").order_by("-valid_from", "-pk"))
    travel_live = [t for t in travel if t.valid_until is None or t.valid_until >= today]
    return ChildPickups(
        student=student,
        guardians=guardians,
        collectors=live,
        past_collectors=[c for c in collectors if c not in live],
        delegations=upcoming,
        past_delegations=[d for d in reversed(delegations) if d not in upcoming][:10],
        walk_home=walk_live,
        past_walk_home=[w for w in walk if w not in walk_live],
        travel=travel_live,
        past_travel=[t for t in travel if t not in travel_live],
    )


def semesters_around(date: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """(first day, last day) of the semesters that end on or after `date` (for the one-semester rule)."""
    return list(Semester.objects.filter(end_date__gte=date).values_list("start_date", "end_date"))


def collector_list(*, viewer) -> QuerySet[Collector]:
    return permissions.scope(viewer, Collector.objects.all()).select_related("student")


def delegation_list(*, viewer) -> QuerySet[Delegation]:
    return permissions.scope(viewer, Delegation.objects.all()).select_related("student")


def walk_home_list(*, viewer) -> QuerySet[WalkHomePermission]:
    return permissions.scope(viewer, WalkHomePermission.objects.all()).select_related("student")


def travel_list(*, viewer) -> QuerySet[TravelArrangement]:
    return permissions.scope(viewer, TravelArrangement.objects.all()).select_related("student")


# ---------------------------------------------------------------- the school: transport and the list


def transport_schools(*, viewer) -> list[School]:
    """Schools whose bus routes and dormitories the viewer manages."""
    return [m.school for m in permissions.memberships_for(viewer, "transport.manage") if m.school_id]


def bus_route_list(*, viewer, school: School | None = None) -> QuerySet[BusRoute]:
    qs = permissions.scope(viewer, BusRoute.objects.all())
    if school is not None:
        qs = qs.filter(school=school)
    return qs.select_related("escort", "school")


def dormitory_list(*, viewer, school: School | None = None) -> QuerySet[Dormitory]:
    qs = permissions.scope(viewer, Dormitory.objects.all())
    if school is not None:
        qs = qs.filter(school=school)
    return qs.select_related("teacher", "school")


NOTHING = "nothing"


def pickup_overview(*, viewer, date: datetime.date, admin_class_id: int | None = None, show: str = ""):
    """The school's 接送安排: each child the viewer may list with flags for `date` (an adult listed besides the
    guardians, bus, dormitory, going home alone), and counts per class. Two queries.

    `show`: "" every child; "nothing" only children with nothing arranged (no listed adult, bus, dormitory or
    permission to go home alone: only the guardians may collect); "collector", "bus", "dormitory", "walk_home"."""
    students = permissions.scope(viewer, Student.objects.all(), action="pickup.list")
    if admin_class_id:
        students = students.filter(admin_class_id=admin_class_id)
    students = students.select_related("admin_class", "school").annotate(
        has_collector=Exists(current_collectors(date).filter(student=OuterRef("pk"))),
        has_bus=Exists(current_travel(date).filter(student=OuterRef("pk"), kind=TravelArrangement.Kind.BUS)),
        has_dormitory=Exists(
            current_travel(date).filter(student=OuterRef("pk"), kind=TravelArrangement.Kind.DORMITORY)
        ),
        has_walk_home=Exists(current_walk_home(date).filter(student=OuterRef("pk"))),
    )
    students = list(students.order_by("school", "admin_class__grade", "admin_class__number", "name"))
    counts: dict[int, dict] = {}
    for s in students:
        s.nothing = not (s.has_collector or s.has_bus or s.has_dormitory or s.has_walk_home)
        row = counts.setdefault(
            s.admin_class_id,
            {"admin_class": s.admin_class, "school": s.school, "children": 0, "no_collector": 0, "bus": 0,
             "dormitory": 0, "walk_home": 0, "nothing": 0},
        )  # fmt: skip
        row["children"] += 1
        row["no_collector"] += not s.has_collector
        row["bus"] += s.has_bus
        row["dormitory"] += s.has_dormitory
        row["walk_home"] += s.has_walk_home
        row["nothing"] += s.nothing
    flag = {"collector": "has_collector", "bus": "has_bus", "dormitory": "has_dormitory", "walk_home": "has_walk_home"}
    if show == NOTHING:
        students = [s for s in students if s.nothing]
    elif show in flag:
        students = [s for s in students if getattr(s, flag[show])]
    return list(counts.values()), students


def pickup_classes(*, viewer) -> QuerySet[AdminClass]:
    """The classes the viewer's list can be filtered by."""
    return (
        permissions.scope(viewer, AdminClass.objects.all())
        .select_related("school")
        .order_by("school", "grade", "number")
    )
