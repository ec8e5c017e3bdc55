"""The activity catalogue (R9–R11) and the outside partners that host activities (R11, R12).

Both are written only by the school's administrator ("activity.manage"). Every refusal is a DomainError
with a message the form can show; nothing is written when one is raised.
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..models import Activity, ActivityCategory, Partner, School, User
from . import audit as audit_services

# R12: subject-type off-campus training institutions (学科类校外培训机构) may not take part in after-school
# service. There is no Partner.Kind for them; this list catches one entered under another kind by its name.
# Matched as substrings of the name with spaces removed and Latin letters lower-cased; keep entries specific
# enough that youth centres, youth palaces, communities and ordinary enterprises never match.
TRAINING_INSTITUTION_MARKERS = (
    "学科类",
    "校外培训",
    "课外培训",
    "培训学校",
    "培训中心",
    "培训机构",
    "培训班",
    "教育培训",
    "学科培训",
    "辅导班",
    "辅导中心",
    "辅导机构",
    "课外辅导",
    "补习",
    "补课",
    "家教中心",
    "家教服务",
    "tutoringcentre",
    "tutoringcenter",
    "tutoringschool",
    "tuitioncentre",
    "tuitioncenter",
    "trainingschool",
    "trainingcentre",
    "trainingcenter",
    "cramschool",
)
_SPACES = re.compile(r"\s+")


def training_institution_marker(name: str) -> str | None:
    """The marker of a subject-type training institution found in `name`, or None."""
    normalised = _SPACES.sub("", name).lower()
    return next((m for m in TRAINING_INSTITUTION_MARKERS if m in normalised), None)


def _clean(obj) -> None:
    """Field checks (lengths, choices) as a DomainError: the forms check them too, crafted calls do not."""
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None


PARTNER_FIELDS = ["name", "kind", "contact"]
ACTIVITY_FIELDS = ["name", "category", "partner", "description"]


def _audit_save(kind: str, obj, *, actor, before: dict, fields: list[str]) -> None:
    """The audit record of a created or changed partner or activity (nothing when an edit changed nothing)."""
    changes = audit_services.diff(before, audit_services.snapshot(obj, fields))
    if not before or changes:
        action = f"{kind}.create" if not before else f"{kind}.edit"
        audit_services.record(action=action, obj=obj, actor=actor, school=obj.school_id, changes=changes)


@transaction.atomic
def partner_save(
    *, actor: User, school: School, partner: Partner | None = None, name: str, kind: str, contact: str = ""
) -> Partner:
    """Add a partner to `school`, or change `partner`. School administrator only ("activity.manage").

    Raises PermissionDenied; DomainError for a kind outside the four of R11, a name that says it is a
    subject-type training institution (R12), or a name the school already uses.
    """
    permissions.require(actor, "activity.manage", partner or school)
    if partner is not None and partner.school_id != school.pk:
        raise DomainError(_("This partner belongs to another school."))
    name, contact = name.strip(), contact.strip()
    if not name:
        raise DomainError(_("Enter the partner's name."))
    if kind not in Partner.Kind.values:
        raise DomainError(
            _("A partner must be a youth activity centre, a village youth palace, a community or an enterprise.")
        )
    if training_institution_marker(name):
        raise DomainError(_("Subject-type training institutions may not take part in after-school service."))
    others = Partner.objects.filter(school=school, name=name)
    if partner is not None:
        others = others.exclude(pk=partner.pk)
    if others.exists():
        raise DomainError(_("The school already has a partner called %(name)s.") % {"name": name})
    before = {} if partner is None else audit_services.snapshot(partner, PARTNER_FIELDS)
    partner = partner or Partner(school=school)
    partner.name, partner.kind, partner.contact = name, kind, contact
    _clean(partner)
    try:
        with transaction.atomic():  # a savepoint: two admins adding the same name at once
            partner.save()
    except IntegrityError:
        raise DomainError(_("The school already has a partner called %(name)s.") % {"name": name}) from None
    _audit_save("partner", partner, actor=actor, before=before, fields=PARTNER_FIELDS)
    return partner


@transaction.atomic
def activity_save(
    *,
    actor: User,
    school: School,
    activity: Activity | None = None,
    name: str,
    category: str,
    partner: Partner | None,
    description: str = "",
) -> Activity:
    """Add an activity to `school`'s catalogue, or change `activity`. School administrator only.

    The category must be one of the plan's fifteen (R9–R11): there is none for new content or collective
    make-up lessons (R12). Raises PermissionDenied; DomainError for another category, another school's
    partner, or a name the school already uses.
    """
    permissions.require(actor, "activity.manage", activity or school)
    if activity is not None and activity.school_id != school.pk:
        raise DomainError(_("This activity belongs to another school."))
    name, description = name.strip(), description.strip()
    if not name:
        raise DomainError(_("Enter the activity's name."))
    if category not in ActivityCategory.values:
        raise DomainError(_("Choose one of the plan's activity categories; after-school time is not for new lessons."))
    if partner is not None and partner.school_id != school.pk:
        raise DomainError(_("Choose one of this school's partners."))
    others = Activity.objects.filter(school=school, name=name)
    if activity is not None:
        others = others.exclude(pk=activity.pk)
    if others.exists():
        raise DomainError(_("The school already has an activity called %(name)s.") % {"name": name})
    before = {} if activity is None else audit_services.snapshot(activity, ACTIVITY_FIELDS)
    activity = activity or Activity(school=school)
    activity.name, activity.category, activity.partner, activity.description = name, category, partner, description
    _clean(activity)
    try:
        with transaction.atomic():  # a savepoint: two admins adding the same name at once
            activity.save()
    except IntegrityError:
        raise DomainError(_("The school already has an activity called %(name)s.") % {"name": name}) from None
    _audit_save("activity", activity, actor=actor, before=before, fields=ACTIVITY_FIELDS)
    return activity
