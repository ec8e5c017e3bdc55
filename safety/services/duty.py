"""The duty roster (值班表, issue 11 §2): the school admin puts a duty teacher and a gate keeper on each school day.
Today and later may be set or changed; past days are the record and are refused."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import School, User
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..models import DutyRoster
from ..rules import duty as rules
from ..selectors import duty as selectors


def _check_day(school: School, day: datetime.date) -> None:
    if not rules.editable(day, timezone.localdate()):
        raise DomainError(_("%(day)s has passed: the roster of past days is the record.") % {"day": f"{day:%Y-%m-%d}"})
    if day not in selectors.school_days(first=day, last=day):
        raise DomainError(_("%(day)s is not a school day.") % {"day": f"{day:%Y-%m-%d}"})


def _check_people(school: School, duty_teacher: User, gate_keeper: User | None) -> None:
    if not selectors.duty_teacher_choices(school=school).filter(pk=duty_teacher.pk).exists():
        raise DomainError(
            _("%(name)s is not a member of staff of %(school)s.") % {"name": duty_teacher, "school": school.name}
        )
    if gate_keeper is not None and not selectors.gate_keeper_choices(school=school).filter(pk=gate_keeper.pk).exists():
        raise DomainError(
            _("%(name)s is not a gate keeper of %(school)s.") % {"name": gate_keeper, "school": school.name}
        )


@transaction.atomic
def duty_roster_set(
    *, actor: User, school: School, date: datetime.date, duty_teacher: User, gate_keeper: User | None, note: str = ""
) -> DutyRoster:
    """Put `duty_teacher` (a member of staff of the school) and `gate_keeper` (its 门卫, optional) on duty on `date`
    (a school day, today or later), replacing what was set. School admin only (duty_roster.manage).
    Raises PermissionDenied, DomainError."""
    permissions.require(actor, "duty_roster.manage", school)
    _check_day(school, date)
    _check_people(school, duty_teacher, gate_keeper)
    roster = DutyRoster.objects.select_for_update().filter(school=school, date=date).first()
    if roster is None:
        roster = DutyRoster(school=school, date=date, created_by=actor)
    roster.duty_teacher, roster.gate_keeper, roster.note = duty_teacher, gate_keeper, note.strip()
    roster.full_clean(validate_unique=False)
    roster.save()
    return roster


@transaction.atomic
def duty_roster_copy_week(*, actor: User, school: School, week: datetime.date) -> int:
    """Copy the week before onto the week of `week`: each school day of that week, today or later and not yet set,
    gets the roster of the same weekday a week earlier (when that one was set). Returns the number of days set.
    School admin only. Raises PermissionDenied, DomainError (nothing to copy)."""
    permissions.require(actor, "duty_roster.manage", school)
    monday = rules.week_start(week)
    today = timezone.localdate()
    days = [d for d in selectors.school_days(first=monday, last=monday + datetime.timedelta(days=6)) if d >= today]
    source = {
        r.date + datetime.timedelta(days=7): r
        for r in DutyRoster.objects.filter(
            school=school, date__range=(monday - datetime.timedelta(days=7), monday - datetime.timedelta(days=1))
        )
    }
    taken = set(DutyRoster.objects.filter(school=school, date__in=days).values_list("date", flat=True))
    staff = set(selectors.duty_teacher_choices(school=school).values_list("pk", flat=True))
    gates = set(selectors.gate_keeper_choices(school=school).values_list("pk", flat=True))
    new = []
    for day in days:
        last_week = source.get(day)
        if day in taken or last_week is None or last_week.duty_teacher_id not in staff:
            continue
        gate_id = last_week.gate_keeper_id if last_week.gate_keeper_id in gates else None
        copy = DutyRoster(
            school=school, date=day, duty_teacher_id=last_week.duty_teacher_id, gate_keeper_id=gate_id,
            note=last_week.note, created_by=actor,
        )  # fmt: skip
        new.append(copy)
    if not new:
        raise DomainError(_("Nothing to copy: last week has no roster for the open school days of this week."))
    DutyRoster.objects.bulk_create(new, ignore_conflicts=True)  # a day set meanwhile by another tab stays
    return len(new)
