"""Emergency plans, drills and safety education (R28, issue 11 §8): written by the school admin.

A plan is never rewritten: `plan_revise` writes the next version, which supersedes the one revised (kept and
readable). One current plan per school and scenario; two people revising the same version cannot both succeed."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import Membership, School, User
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..models import Drill, EmergencyPlan, PlanDuty, SafetyEducation, Scenario


def _require_school(actor: User, action: str, school: School) -> None:
    permissions.require(actor, action)
    if not any(m.school_id == school.pk for m in permissions.memberships_for(actor, action)):
        raise PermissionDenied(action)


def _text(value, *, label: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(_("%(field)s: this field is required.") % {"field": label})
    if len(text) > max_length:
        raise DomainError(_("%(field)s: at most %(max)s characters.") % {"field": label, "max": max_length})
    return text


def _day(value, *, label: str) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise DomainError(_("Enter the date."))
    if value > timezone.localdate():
        raise DomainError(_("%(field)s cannot be in the future.") % {"field": label})
    return value


def _count(value, *, label: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(
            _("%(field)s: a whole number from %(low)s to %(high)s.") % {"field": label, "low": low, "high": high}
        )
    return value


def _check_duties(school: School, duties: dict) -> dict:
    """Each named responsibility is a person working at the school; the commander (总指挥) is always named."""
    duties = {k: v for k, v in (duties or {}).items() if v is not None}
    if any(k not in PlanDuty.Duty.values for k in duties):
        raise DomainError(_("Unknown responsibility."))
    if PlanDuty.Duty.COMMANDER not in duties:
        raise DomainError(_("Name the commander of the plan."))
    staff = set(Membership.objects.filter(school=school).values_list("user_id", flat=True))
    outsiders = [str(p) for p in duties.values() if p.pk not in staff]
    if outsiders:
        raise DomainError(
            _("Responsibilities go to people of the school: %(names)s is not.") % {"names": "、".join(outsiders)}
        )
    return duties


def _write(*, actor, school, scenario, title, procedure, effective_from, duties, version, previous) -> EmergencyPlan:
    if not isinstance(effective_from, datetime.date):
        raise DomainError(_("Enter the date from which the plan is in force."))
    duties = _check_duties(school, duties)
    try:
        with transaction.atomic():
            plan = EmergencyPlan.objects.create(
                school=school,
                scenario=scenario,
                title=_text(title, label=_("Title"), max_length=80),
                procedure=_text(procedure, label=_("Procedure"), max_length=10000),
                effective_from=effective_from,
                version=version,
                previous=previous,
                created_by=actor,
            )
    except IntegrityError:
        raise DomainError(
            _("Someone else has just written this plan's next version. Reload the page to see it.")
        ) from None
    PlanDuty.objects.bulk_create(PlanDuty(plan=plan, duty=k, person=v) for k, v in duties.items())
    return plan


@transaction.atomic
def plan_create(
    *, actor: User, school: School, scenario: str, title: str, procedure: str, effective_from, duties: dict
) -> EmergencyPlan:
    """The school's first plan for a scenario (version 1). The school admin. Raises PermissionDenied, DomainError."""
    _require_school(actor, "emergency.manage", school)
    if scenario not in Scenario.values:
        raise DomainError(_("Choose the scenario."))
    if EmergencyPlan.objects.filter(school=school, scenario=scenario).exists():
        raise DomainError(_("The school has a plan for this scenario already: write a new version of it."))
    return _write(
        actor=actor,
        school=school,
        scenario=scenario,
        title=title,
        procedure=procedure,
        effective_from=effective_from,
        duties=duties,
        version=1,
        previous=None,
    )


@transaction.atomic
def plan_revise(
    *, actor: User, plan: EmergencyPlan, title: str, procedure: str, effective_from, duties: dict
) -> EmergencyPlan:
    """A new version superseding `plan` (which must be current); the old one is kept as it was.
    The school admin. Raises PermissionDenied, DomainError."""
    permissions.require(actor, "emergency.manage", plan)
    if EmergencyPlan.objects.filter(previous=plan).exists():
        raise DomainError(_("This version has been superseded already; revise the current version."))
    return _write(
        actor=actor,
        school=plan.school,
        scenario=plan.scenario,
        title=title,
        procedure=procedure,
        effective_from=effective_from,
        duties=duties,
        version=plan.version + 1,
        previous=plan,
    )


@transaction.atomic
def drill_record(
    *,
    actor: User,
    school: School,
    date,
    scenario: str,
    pupils: int,
    staff: int,
    duration_minutes: int,
    went_wrong: str = "",
    changes: str = "",
) -> Drill:
    """Record a drill; it is tied to the school's plan for the scenario in force that day, if there is one.
    The school admin. Raises PermissionDenied, DomainError."""
    _require_school(actor, "emergency.manage", school)
    if scenario not in Scenario.values:
        raise DomainError(_("Choose the scenario."))
    date = _day(date, label=_("The drill's date"))
    plan = (
        EmergencyPlan.objects.filter(school=school, scenario=scenario, effective_from__lte=date)
        .order_by("-version")
        .first()
    )
    return Drill.objects.create(
        school=school,
        date=date,
        scenario=scenario,
        plan=plan,
        pupils=_count(pupils, label=_("Pupils taking part"), low=0, high=20000),
        staff=_count(staff, label=_("Staff taking part"), low=1, high=2000),
        duration_minutes=_count(duration_minutes, label=_("Duration (minutes)"), low=1, high=600),
        went_wrong=_text(went_wrong, label=_("What went wrong"), max_length=3000, required=False),
        changes=_text(changes, label=_("What will change"), max_length=3000, required=False),
        recorded_by=actor,
    )


@transaction.atomic
def education_record(
    *, actor: User, school: School, date, topic: str, audience: str, class_hours: int, attendees: int
) -> SafetyEducation:
    """Record a safety-education session. The school admin. Raises PermissionDenied, DomainError."""
    _require_school(actor, "emergency.manage", school)
    if audience not in SafetyEducation.Audience.values:
        raise DomainError(_("Choose the audience."))
    return SafetyEducation.objects.create(
        school=school,
        date=_day(date, label=_("The session's date")),
        topic=_text(topic, label=_("Topic"), max_length=80),
        audience=audience,
        class_hours=_count(class_hours, label=_("Class-hours"), low=1, high=40),
        attendees=_count(attendees, label=_("Attendees"), low=1, high=20000),
        recorded_by=actor,
    )
