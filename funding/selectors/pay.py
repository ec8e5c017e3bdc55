"""Reads of teacher pay (R27): schemes, pay runs, pay slips, always scoped by the viewer; and the hours inputs of a
pay run, read from the hours record (closed months, adjustments included)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from schools.models import Membership, Role, School, SchoolYear, User
from schools.rules import hours as hours_rules
from schools.selectors import hours as hours_selectors
from xiji_afterschool import permissions

from ..models import PayRun, PayScheme, PayShare

ONE = Decimal("1.00")
RESPONSIBLE, SUBSTITUTE, ASSISTANT = hours_rules.ROLES


# ---------------------------------------------------------------- scoped lists


def pay_schools(*, viewer, action: str) -> QuerySet[School]:
    """Schools the viewer may open for `action` (only the memberships allowed it count: elsewhere 404)."""
    return permissions.scope(viewer, School.objects.all(), action=action)


def pay_scheme_list(*, viewer, status: str = "", school: School | None = None) -> QuerySet[PayScheme]:
    """Schemes the viewer may read: the school's own for its admin; every school for HR, the bureau and audit."""
    qs = permissions.scope(viewer, PayScheme.objects.all(), action="pay_scheme.view")
    if status:
        qs = qs.filter(status=status)
    if school is not None:
        qs = qs.filter(school=school)
    return qs.select_related("school", "school_year", "submitted_by", "reviewed_by").order_by(
        "-school_year__start_date", "school__code", "-version"
    )


def pay_scheme_versions(*, school: School, school_year: SchoolYear) -> list[PayScheme]:
    """Every version of a school's scheme for the year, newest first (the caller checked "pay_scheme.view")."""
    return list(
        PayScheme.objects.filter(school=school, school_year=school_year)
        .select_related("created_by", "submitted_by", "reviewed_by")
        .order_by("-version")
    )


def pay_run_list(*, viewer, school: School | None = None) -> QuerySet[PayRun]:
    """Pay runs the viewer may read: the school's own for its admin; all for HR and audit."""
    qs = permissions.scope(viewer, PayRun.objects.all(), action="pay_run.view")
    if school is not None:
        qs = qs.filter(school=school)
    return qs.select_related("school", "school_year", "scheme", "created_by", "approved_by", "ledger_entry").order_by(
        "-first_month", "-pk"
    )


def pay_run_shares(*, run: PayRun) -> list[PayShare]:
    """The run's shares, largest first, with their people (the caller fetched the run through `pay_run_list`)."""
    return list(run.shares.select_related("person").order_by("-amount", "-points", "person_id"))


def pay_run_person(*, run: PayRun, person_id: int) -> User | None:
    """The person of one of the run's shares, or None when they have no share in it."""
    return User.objects.filter(pk=person_id, pay_shares__run=run).first()


def pay_share_list(*, viewer) -> QuerySet[PayShare]:
    """Pay slips the viewer may open: a teacher's own once the run is approved; the school's for its admin; all for
    HR and audit."""
    return permissions.scope(viewer, PayShare.objects.all(), action="pay_slip.view").select_related(
        "person", "run__school", "run__school_year", "run__scheme__reviewed_by", "run__approved_by"
    )


def pay_slips_mine(*, viewer) -> QuerySet[PayShare]:
    """The viewer's own slips of approved runs, newest period first."""
    return (
        pay_share_list(viewer=viewer)
        .filter(person=viewer, run__status=PayRun.Status.APPROVED)
        .order_by("-run__first_month", "-run__pk")
    )


# ---------------------------------------------------------------- the hours behind a pay run


@dataclass
class ShareInput:
    """One person's inputs to the division, and what it gives them."""

    person_id: int
    responsible_hours: Decimal
    substitute_hours: Decimal
    assistant_hours: Decimal
    workload: Decimal = Decimal("0.00")
    factor: Decimal = ONE
    reason: str = ""
    points: Decimal = Decimal("0.0000")
    amount: Decimal = Decimal("0.00")


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], hours_rules.month_start(first)
    while month <= last:
        months.append(month)
        month = hours_rules.shift_month(month, 1)
    return months


def _period_hours(school: School, first: datetime.date, last: datetime.date) -> dict[int, dict[str, Decimal]]:
    totals: dict[int, dict[str, Decimal]] = {}
    for month in months_between(first, last):
        by_role, _adjusted = hours_selectors.month_tallies(school=school, month=month)
        for (person_id, role), tally in by_role.items():
            if person_id is None or role not in hours_rules.ROLES:
                continue
            per = totals.setdefault(person_id, dict.fromkeys(hours_rules.ROLES, hours_rules.ZERO))
            per[role] = hours_rules.hours(per[role] + tally.class_hours)
    return totals


def volunteers_only(school: School, person_ids: set[int]) -> set[int]:
    """Of `person_ids`, those whose only membership at the school is a volunteer's: they are not paid from the
    teacher pool (R27 divides the teacher subsidy among the school's teachers)."""
    volunteers = Membership.objects.filter(school=school, user_id__in=person_ids, role=Role.VOLUNTEER)
    others = Membership.objects.filter(school=school, user_id__in=person_ids).exclude(role=Role.VOLUNTEER)
    return set(volunteers.values_list("user_id", flat=True)) - set(others.values_list("user_id", flat=True))


def hours_inputs(*, school: School, first_month: datetime.date, last_month: datetime.date) -> list[ShareInput]:
    """Class-hours by role, over the period, of everyone paid from the teacher pool (everyone with counted hours at
    the school except volunteers), ordered by person id; people whose hours add up to nothing are left out."""
    totals = _period_hours(school, first_month, last_month)
    unpaid = volunteers_only(school, set(totals))
    rows = []
    for person_id in sorted(set(totals) - unpaid):
        per = totals[person_id]
        if sum(per.values()) <= 0:
            continue
        rows.append(
            ShareInput(
                person_id=person_id,
                responsible_hours=per[RESPONSIBLE],
                substitute_hours=per[SUBSTITUTE],
                assistant_hours=per[ASSISTANT],
            )
        )
    return rows


def pay_run_volunteers(*, run: PayRun) -> list[dict]:
    """Volunteers with class-hours in the run's period: listed on the page as not paid from the teacher pool."""
    totals = _period_hours(run.school, run.first_month, run.last_month)
    unpaid = volunteers_only(run.school, set(totals))
    people = User.objects.filter(pk__in=unpaid).order_by("full_name", "username")
    return [{"person": p, "class_hours": hours_rules.hours(sum(totals[p.pk].values()))} for p in people]
