"""Reads of the duty roster (值班表, issue 11 §2): a school's month, today's duty teacher and gate keeper, and who
may be put on duty."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from schools.models import CalendarDay, Membership, Role, School, SchoolYear, Semester, User
from xiji_afterschool import permissions

from ..models import DutyRoster
from ..rules import duty as rules


def duty_roster_list(*, viewer) -> QuerySet[DutyRoster]:
    """Roster days the viewer may see: their school's, their township's, the county's."""
    return permissions.scope(viewer, DutyRoster.objects.all()).select_related("duty_teacher", "gate_keeper")


def duty_school_list(*, viewer, action: str = "duty_roster.view") -> QuerySet[School]:
    """The schools whose roster the viewer may open (404 for any other)."""
    return permissions.scope(viewer, School.objects.all(), action=action)


def school_days(*, first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The county's school days from `first` to `last` (weekdays and make-up days, minus days without service,
    inside the semesters of the school years covering them). Two queries."""
    years = list(SchoolYear.objects.filter(start_date__lte=last, end_date__gte=first).values_list("pk", flat=True))
    if not years:
        return rules.school_days(first, last, terms=None, exceptions={})
    terms = Semester.objects.filter(school_year__in=years).values_list("start_date", "end_date")
    exceptions = dict(
        CalendarDay.objects.filter(school_year__in=years, date__range=(first, last)).values_list("date", "kind")
    )
    return rules.school_days(first, last, terms=terms, exceptions=exceptions)


@dataclass
class RosterRow:
    day: datetime.date
    roster: DutyRoster | None
    editable: bool


def duty_month(*, school: School, month: datetime.date) -> list[RosterRow]:
    """One row per school day of the month with its roster (if set) and whether it may still be changed."""
    first, last = rules.month_bounds(month)
    today = timezone.localdate()
    set_days = {
        r.date: r
        for r in DutyRoster.objects.filter(school=school, date__range=(first, last)).select_related(
            "duty_teacher", "gate_keeper"
        )
    }
    return [
        RosterRow(day, set_days.get(day), rules.editable(day, today)) for day in school_days(first=first, last=last)
    ]


def duty_today(*, school: School, day: datetime.date | None = None) -> DutyRoster | None:
    """The school's roster for `day` (today by default), or None when nobody was put on duty."""
    day = day or timezone.localdate()
    return DutyRoster.objects.filter(school=school, date=day).select_related("duty_teacher", "gate_keeper").first()


def duty_teacher_choices(*, school: School) -> QuerySet[User]:
    """Who may be the duty teacher: the school's administrators, after-school teachers, class teachers and
    dormitory teachers / bus escorts (volunteers and the gate keeper are not)."""
    ids = Membership.objects.filter(school=school, role__in=rules.DUTY_TEACHER_ROLES, user__is_active=True).values(
        "user"
    )
    return User.objects.filter(pk__in=ids).order_by("full_name", "pk")


def gate_keeper_choices(*, school: School) -> QuerySet[User]:
    """The school's gate keepers (门卫)."""
    ids = Membership.objects.filter(school=school, role=Role.GATE, user__is_active=True).values("user")
    return User.objects.filter(pk__in=ids).order_by("full_name", "pk")
