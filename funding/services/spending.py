"""The spending plan (R25): how the school will use the year's money in the four earmarked categories, and the
record of its approval by the office meeting (办公会) and then the staff congress (教代会). Once approved it is
fixed; the school's pay runs wait for it.
"""

import datetime
import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import School, SchoolYear, User
from xiji_afterschool import permissions, uploads
from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import parse_yuan, yuan
from xiji_afterschool.workflow import transition

from ..models import SpendingPlan

MAX_MINUTES_BYTES = 10 * 1024 * 1024
BUDGET_FIELDS = ("budget_teacher", "budget_staff", "budget_running", "budget_consumables")
TEXT_FIELDS = ("summary", "office_meeting_resolution", "staff_congress_resolution")
MINUTES = {"office": "office_meeting_minutes", "congress": "staff_congress_minutes"}


def sniff_minutes(upload) -> str:
    """The minutes' real type from the first bytes (PDF, JPEG or PNG), at most 10 MB; raises DomainError."""
    return uploads.sniff(
        upload,
        max_bytes=MAX_MINUTES_BYTES,
        too_large=_("The minutes file is larger than 10 MB; please scan at a lower resolution."),
        empty=_("The minutes file is empty."),
        wrong_type=_("Minutes must be a PDF, JPEG or PNG file."),
    )


def _budget(value, label: str) -> Decimal:
    amount = parse_yuan(
        "0" if value in (None, "") else value,
        invalid=_("%(field)s: enter an amount in yuan.") % {"field": label},
        places=_("%(field)s: at most two decimal places (fen).") % {"field": label},
    )
    if amount < 0:
        raise DomainError(_("%(field)s cannot be negative.") % {"field": label})
    return yuan(amount)


def _check_dates(plan: SpendingPlan) -> None:
    today = timezone.localdate()
    for day in (plan.office_meeting_date, plan.staff_congress_date):
        if day is not None and day > today:
            raise DomainError(_("A meeting date cannot be in the future."))
    if plan.office_meeting_date and plan.staff_congress_date and plan.staff_congress_date < plan.office_meeting_date:
        raise DomainError(_("The staff congress comes after the office meeting: check the two dates."))


def _locked_draft(plan: SpendingPlan) -> SpendingPlan:
    plan = SpendingPlan.objects.select_for_update().select_related("school", "school_year").get(pk=plan.pk)
    if plan.status != SpendingPlan.Status.DRAFT:
        raise DomainError(_("The spending plan has been approved and can no longer change."))
    return plan


@transaction.atomic
def spending_plan_save(*, actor: User, school: School, school_year: SchoolYear, cleaned_data: dict) -> SpendingPlan:
    """Create or update the school's draft spending plan for the year: budgets, summary, meeting records, minutes.

    School admin of the school. Refused once approved, for negative budgets or more than two decimals, meeting
    dates in the future or in the wrong order, and minutes that are not PDF/JPEG/PNG or exceed 10 MB.
    Raises PermissionDenied, DomainError.
    """
    permissions.require(actor, "spending_plan.edit", school)
    plan = SpendingPlan.objects.filter(school=school, school_year=school_year).first()
    if plan is None:
        try:
            with transaction.atomic():  # a savepoint: two first saves at once, the second one updates
                plan = SpendingPlan.objects.create(school=school, school_year=school_year, created_by=actor)
        except IntegrityError:
            plan = SpendingPlan.objects.get(school=school, school_year=school_year)
    plan = _locked_draft(plan)
    for name in BUDGET_FIELDS:
        if name in cleaned_data:
            setattr(plan, name, _budget(cleaned_data[name], str(SpendingPlan._meta.get_field(name).verbose_name)))
    for name in TEXT_FIELDS:
        if name in cleaned_data:
            setattr(plan, name, (cleaned_data[name] or "").strip())
    for name in ("office_meeting_date", "staff_congress_date"):
        if name in cleaned_data:
            day = cleaned_data[name]
            if day is not None and not isinstance(day, datetime.date):
                raise DomainError(_("Enter the meeting dates as dates."))
            setattr(plan, name, day)
    _check_dates(plan)
    for which, name in MINUTES.items():
        upload = cleaned_data.get(name)
        if upload:
            extension = uploads.extension_of(sniff_minutes(upload))
            filename = f"{school_year.start_date.year}-{which}-{secrets.token_hex(6)}.{extension}"
            getattr(plan, name).save(filename, upload, save=False)
    plan.full_clean(validate_constraints=False)  # the budgets were checked above; the database checks again
    plan.save()
    return plan


def missing_for_approval(plan: SpendingPlan) -> list[str]:
    """What the plan still lacks before its approval can be recorded (labels, in the reader's language)."""
    needed = [
        "office_meeting_date",
        "office_meeting_resolution",
        "office_meeting_minutes",
        "staff_congress_date",
        "staff_congress_resolution",
        "staff_congress_minutes",
    ]
    missing = [str(SpendingPlan._meta.get_field(name).verbose_name) for name in needed if not getattr(plan, name)]
    if plan.budget_total <= 0:
        missing.append(_("the budgets"))
    return missing


@transaction.atomic
def spending_plan_record_approval(*, actor: User, plan: SpendingPlan, note: str = "") -> SpendingPlan:
    """Record that the office meeting and then the staff congress approved the plan; it is fixed from now on.

    School admin of the school. Needs both meetings' dates (not in the future, the congress not before the
    office meeting), resolution numbers and minutes, and a budget. Raises PermissionDenied, DomainError
    (TransitionNotAllowed if it was approved already).
    """
    permissions.require(actor, "spending_plan.edit", plan)
    locked = SpendingPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status == SpendingPlan.Status.DRAFT:
        missing = missing_for_approval(locked)
        if missing:
            raise DomainError(
                _("The approval cannot be recorded yet. Still missing: %(missing)s.") % {"missing": "、".join(missing)}
            )
        _check_dates(locked)
    transition(plan, "record_approval", actor=actor, note=note, approved_by=actor, approved_at=timezone.now())
    return plan
