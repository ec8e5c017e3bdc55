"""Reads of the guardian's rights (issue #14, item 5): everything held about a parent and their children, the data
requests each viewer sees, the county calendar behind a due date, and the overdue requests for the county.

Models of other apps that may not be installed (safety's pick-up adults and hand-overs) are looked up by
name, so the copy lists them where they exist and never makes enrollment depend on them."""

import datetime
from collections import Counter

from django.apps import apps
from django.db.models import Count, Max, Min, Prefetch, QuerySet

from schools.models import (
    Attendance,
    CalendarDay,
    Guardian,
    Membership,
    Notification,
    Role,
    School,
    Student,
    StudentGuardian,
    User,
)
from schools.selectors import roster as roster_selectors
from xiji_afterschool import permissions

from ..models import Agreement, Application, ApplicationEvent, Consent, DataRequest, DataRequestEvent
from ..rules import data_requests as rules


def optional_model(label: str):
    """A model of another app, or None when that app (or model) is not installed."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


# ---------------------------------------------------------------- requests


def data_request_list(*, viewer, status: str = "", school: School | None = None) -> QuerySet[DataRequest]:
    """Requests the viewer sees: a parent their own, a class teacher their class's children's, the school its own."""
    qs = permissions.scope(viewer, DataRequest.objects.all())
    if status:
        qs = qs.filter(status=status)
    if school is not None:
        qs = qs.filter(school=school)
    return qs.select_related("school", "student", "student__admin_class", "requester", "answered_by")


def data_request_detail(*, viewer) -> QuerySet[DataRequest]:
    events = DataRequestEvent.objects.select_related("actor")
    return data_request_list(viewer=viewer).prefetch_related(Prefetch("events", queryset=events))


def overdue_requests(*, viewer, today: datetime.date) -> QuerySet[DataRequest]:
    """Open requests past their due date at the schools the viewer oversees (the county, a township)."""
    qs = permissions.scope(viewer, DataRequest.objects.all(), action="data_request.overdue")
    return qs.filter(status__in=DataRequest.OPEN, due_date__lt=today).select_related("school__township")


def overdue_by_school(*, viewer, today: datetime.date) -> list[dict]:
    """Per school: how many open requests are past due and the oldest due date, the longest late first."""
    rows = (
        overdue_requests(viewer=viewer, today=today)
        .values("school")
        .annotate(count=Count("pk"), oldest=Min("due_date"))
        .order_by("oldest", "school")
    )
    schools = School.objects.select_related("township").in_bulk([r["school"] for r in rows])
    return [
        {"school": schools[r["school"]], "count": r["count"], "oldest": r["oldest"],
         "days_late": rules.days_late(today, r["oldest"])}
        for r in rows
    ]  # fmt: skip


def open_requests_all() -> QuerySet[DataRequest]:
    """Every open request of the county (the daily reminders; not for pages)."""
    return DataRequest.objects.filter(status__in=DataRequest.OPEN).select_related("school__township")


def calendar_exceptions(start: datetime.date, end: datetime.date) -> dict:
    """The county calendar's exceptions to the week between two dates, whatever school year they belong to."""
    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind"))


def due_date_for(submitted: datetime.date) -> datetime.date:
    end = submitted + datetime.timedelta(days=rules.LOOKAHEAD_DAYS)
    return rules.due_date(submitted, calendar_exceptions(submitted, end))


def request_targets(*, parent) -> list[tuple[str, str, Student | None, School]]:
    """What a parent may send a request about: each child (at its school), and their own data at each school that
    keeps it (a school of one of their children). Items are (value, label, student, school)."""
    children = list(roster_selectors.children_of(parent=parent).select_related("school", "admin_class"))
    targets = [(f"c{s.pk}", f"{s.name}（{s.school.name}）", s, s.school) for s in children]
    schools = {s.school_id: s.school for s in children}
    targets += [(f"g{pk}", school.name, None, school) for pk, school in sorted(schools.items())]
    return targets


# ---------------------------------------------------------------- what is held about the family


def my_data(*, parent) -> dict:
    """Everything held about a parent (their account and guardian record) and each of their linked children.

    Reads only the parent's own children (`children_of`, scoped by the access engine) and records tied to them or to
    the parent. Returns plain objects; `enrollment.reports.data_requests` words and masks them."""
    guardian = Guardian.objects.filter(user=parent).first()
    children = list(
        roster_selectors.children_of(parent=parent)
        .select_related("school", "admin_class")
        .prefetch_related(
            Prefetch("guardian_links", queryset=StudentGuardian.objects.select_related("guardian").order_by("pk"))
        )
        .order_by("name", "pk")
    )
    ids = [c.pk for c in children]
    applications = (
        Application.objects.filter(student_id__in=ids)
        .select_related("school_year", "service_class", "agreement__text")
        .prefetch_related(Prefetch("events", queryset=ApplicationEvent.objects.order_by("created_at", "pk")))
        .order_by("submitted_at", "pk")
    )
    agreements = (
        Agreement.objects.filter(student_id__in=ids).select_related("text__school_year").order_by("created_at", "pk")
    )
    attendance = Counter(Attendance.objects.filter(student_id__in=ids).values_list("student_id", "mark").order_by())
    first_last = {
        row["student"]: row
        for row in Attendance.objects.filter(student_id__in=ids)
        .values("student")
        .annotate(first=Min("session__date"), last=Max("session__date"), count=Count("pk"))
        .order_by()
    }
    data = {
        "parent": parent,
        "guardian": guardian,
        "children": children,
        "applications": list(applications),
        "agreements": list(agreements),
        "attendance": attendance,
        "attendance_dates": first_last,
        "notifications": list(Notification.objects.filter(user=parent).order_by("-created_at", "-pk")[:500]),
        "data_requests": list(
            DataRequest.objects.filter(requester=parent).select_related("school", "student").order_by("pk")
        ),
        "collectors": [],
        "delegations": [],
        "handovers": {},
        "consents": [],
    }
    collector = optional_model("safety.Collector")
    if collector is not None:
        data["collectors"] = list(
            collector.objects.filter(student_id__in=ids, added_by=parent).select_related("student").order_by("pk")
        )
    delegation = optional_model("safety.Delegation")
    if delegation is not None:
        data["delegations"] = list(
            delegation.objects.filter(student_id__in=ids, announced_by=parent).select_related("student").order_by("pk")
        )
    handover = optional_model("safety.Handover")
    if handover is not None:
        data["handovers"] = {
            row["student"]: row
            for row in handover.objects.filter(student_id__in=ids)
            .values("student")
            .annotate(count=Count("pk"), first=Min("date"), last=Max("date"))
            .order_by()
        }
    # The guardian's separate consents (issue #14 item 2), given and withdrawn, for each child.
    data["consents"] = list(
        Consent.objects.filter(student_id__in=ids).select_related("text").order_by("student_id", "given_at", "pk")
    )
    return data


def school_admins(school: School) -> list[User]:
    """Who answers a school's requests: its active administrators."""
    users = Membership.objects.filter(role=Role.SCHOOL_ADMIN, school=school).values("user")
    return list(User.objects.filter(pk__in=users, is_active=True).order_by("pk"))
