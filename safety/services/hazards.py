"""Hazards (排查整治隐患, R31, issue 11 §6): found by a check or reported, fixed by a named person by a deadline, verified
by the school admin, or referred (移交) to the township or the county department that owns it.

open --assign--> assigned --rectify--> rectified --close--> closed
rectified --return--> assigned;  open/assigned --refer--> referred --reply--> open | --close_on_reply--> closed

An assigned hazard past its deadline is escalated to the bureau by the daily job (once per hazard: a logged step
by the system, the status stays). Nothing here edits a rectification: a returned hazard gets a new one.
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import SCHOOL_ROLES, NotificationKind, Role, School, User
from schools.services.notifications import notify
from xiji_afterschool import permissions, uploads
from xiji_afterschool.errors import DomainError, checked_text
from xiji_afterschool.workflow import log, start, transition

from ..models import CheckCategory, Hazard, Rectification, RectificationPhoto, Referral, Venue, VenueCheckItem
from ..rules import hazards as rules

MAX_DESCRIPTION = 1000
MAX_REFERENCE = 40


def _url(hazard: Hazard) -> str:
    return reverse("safety:hazard-detail", kwargs={"pk": hazard.pk})


def _text(value: str, *, required: str, max_length: int = MAX_DESCRIPTION) -> str:
    return checked_text(value, required=required, max_length=max_length)


def school_staff(school: School):
    """The people who may be made responsible for a hazard of `school`: its staff (any school role there)."""
    return (
        User.objects.filter(memberships__school=school, memberships__role__in=SCHOOL_ROLES, is_active=True)
        .distinct()
        .order_by("full_name", "pk")
    )


def hazard_open_from_item(*, actor: User, item: VenueCheckItem) -> Hazard:
    """A failed check item opens a hazard (called by check_record inside its transaction, after its check)."""
    check = item.check_record
    hazard = Hazard.objects.create(
        school_id=check.venue.school_id,
        venue=check.venue,
        category=check.category,
        description=rules.description_from_item(item=item.text, note=item.note),
        source=Hazard.Source.CHECK,
        check_item=item,
        reported_by=actor,
    )
    start(hazard, actor=actor, action="found")
    return hazard


@transaction.atomic
def hazard_report(
    *, actor: User, school: School, category: str, description: str, venue: Venue | None = None, place: str = ""
) -> Hazard:
    """Anyone working at the school reports a hazard they found (at one of its venues or elsewhere, `place`).
    Raises PermissionDenied, DomainError."""
    permissions.require(actor, "hazard.report", school)
    if category not in CheckCategory.values:
        raise DomainError(_("Choose what kind of hazard it is."))
    if venue is not None and venue.school_id != school.pk:
        raise DomainError(_("The venue is not one of this school's venues."))
    place = (place or "").strip()[:60]
    if venue is None and not place:
        raise DomainError(_("Say where the hazard is: choose a venue or describe the place."))
    hazard = Hazard.objects.create(
        school=school,
        venue=venue,
        place=place,
        category=category,
        description=_text(description, required=_("Describe the hazard.")),
        source=Hazard.Source.REPORT,
        reported_by=actor,
    )
    start(hazard, actor=actor, action="report")
    return hazard


@transaction.atomic
def hazard_assign(*, actor: User, hazard: Hazard, responsible: User, deadline: datetime.date, note: str = "") -> Hazard:
    """The school admin names who fixes an open hazard and by when (today or later); the person is told.
    Raises PermissionDenied, DomainError, TransitionNotAllowed."""
    permissions.require(actor, "hazard.manage", hazard)
    if not school_staff(hazard.school).filter(pk=responsible.pk).exists():
        raise DomainError(_("The responsible person must work at this school."))
    if not isinstance(deadline, datetime.date):
        raise DomainError(_("Set the deadline for the rectification."))
    if deadline < timezone.localdate():
        raise DomainError(_("The deadline cannot be in the past."))
    transition(hazard, "assign", actor=actor, note=(note or "").strip(), responsible=responsible, deadline=deadline)
    notify(
        user=responsible,
        kind=NotificationKind.SAFETY,
        title=_("A hazard to rectify by %(day)s") % {"day": deadline.isoformat()},
        body=hazard.description,
        url=_url(hazard),
    )
    return hazard


def sniff_photo(upload) -> str:
    """A photo's real type from its first bytes: JPEG or PNG only, at most 5 MB. Raises DomainError."""
    wrong = _("Only photos (JPEG or PNG) can be added.")
    content_type = uploads.sniff(
        upload,
        max_bytes=rules.MAX_PHOTO_BYTES,
        too_large=_("A photo is larger than 5 MB; take it at a lower resolution."),
        empty=_("A photo file is empty."),
        wrong_type=wrong,
    )
    if not content_type.startswith("image/"):
        raise DomainError(wrong)
    return content_type


@transaction.atomic
def hazard_rectify(*, actor: User, hazard: Hazard, note: str, photos=()) -> Rectification:
    """Record what was done (required) with up to four photos: the responsible person or the school admin. The
    hazard waits for the school admin's verification. Raises PermissionDenied, DomainError, TransitionNotAllowed."""
    permissions.require(actor, "hazard.rectify", hazard)
    note = _text(note, required=_("Say what was done to rectify the hazard."))
    photos = list(photos or ())
    if len(photos) > rules.MAX_PHOTOS:
        raise DomainError(_("At most %(max)s photos.") % {"max": rules.MAX_PHOTOS})
    types = [sniff_photo(photo) for photo in photos]
    transition(hazard, "rectify", actor=actor, note=note)
    rectification = Rectification.objects.create(
        hazard=hazard, note=note, recorded_by=actor, recorded_at=timezone.now()
    )
    for photo, content_type in zip(photos, types, strict=True):
        photo.name = f"hazard-{hazard.pk}.{uploads.extension_of(content_type)}"
        RectificationPhoto.objects.create(
            rectification=rectification, file=photo, content_type=content_type, size=photo.size
        )
    return rectification


@transaction.atomic
def hazard_close(*, actor: User, hazard: Hazard, note: str = "") -> Hazard:
    """The school admin verifies the rectification and closes the hazard. Raises PermissionDenied,
    TransitionNotAllowed."""
    permissions.require(actor, "hazard.manage", hazard)
    transition(hazard, "close", actor=actor, note=(note or "").strip(), closed_at=timezone.now())
    return hazard


@transaction.atomic
def hazard_return(*, actor: User, hazard: Hazard, note: str, deadline: datetime.date | None = None) -> Hazard:
    """The school admin finds the rectification not enough: back to the responsible person, with why (and a new
    deadline if given, today or later). Raises PermissionDenied, DomainError, TransitionNotAllowed."""
    permissions.require(actor, "hazard.manage", hazard)
    note = _text(note, required=_("Say what is still wrong."))
    extra = {}
    if deadline is not None:
        if deadline < timezone.localdate():
            raise DomainError(_("The deadline cannot be in the past."))
        extra["deadline"] = deadline
    transition(hazard, "return", actor=actor, note=note, **extra)
    if hazard.responsible_id:
        notify(
            user=hazard.responsible,
            kind=NotificationKind.SAFETY,
            title=_("A rectification was returned"),
            body=note,
            url=_url(hazard),
        )
    return hazard


@transaction.atomic
def hazard_refer(*, actor: User, hazard: Hazard, to: str, reference: str = "", note: str = "") -> Hazard:
    """The school admin refers a hazard the school cannot fix alone (移交) to the township or a county department,
    with the referral's reference number. Raises PermissionDenied, DomainError, TransitionNotAllowed."""
    permissions.require(actor, "hazard.manage", hazard)
    if to not in Referral.values:
        raise DomainError(_("Choose whom the hazard is referred to."))
    reference = (reference or "").strip()
    if len(reference) > MAX_REFERENCE:
        raise DomainError(_("The reference number is at most %(max)s characters.") % {"max": MAX_REFERENCE})
    transition(
        hazard,
        "refer",
        actor=actor,
        note=_text(note, required=_("Say why the hazard is referred.")),
        referred_to=to,
        referred_at=timezone.now(),
        referral_reference=reference,
        referral_reply="",
        replied_at=None,
    )
    return hazard


@transaction.atomic
def hazard_record_reply(*, actor: User, hazard: Hazard, reply: str, close: bool) -> Hazard:
    """Record the reply to a referral: the township coordinator for a referral to the township, the bureau or an
    inspector for one to a county department. `close`: the department dealt with it and the hazard is closed;
    otherwise it goes back to the school (open). Raises PermissionDenied, DomainError, TransitionNotAllowed."""
    permissions.require(actor, "hazard.record_reply", hazard)
    reply = _text(reply, required=_("Enter the reply."))
    now = timezone.now()
    if close:
        transition(
            hazard, "close_on_reply", actor=actor, note=reply, referral_reply=reply, replied_at=now, closed_at=now
        )
    else:
        transition(hazard, "reply", actor=actor, note=reply, referral_reply=reply, replied_at=now)
    return hazard


def hazard_escalate_overdue(*, today: datetime.date | None = None) -> int:
    """The daily job (07:00): every assigned hazard past its deadline is escalated to the bureau once — a step
    logged by the system and a notice to each bureau user. Safe to run twice. Returns how many were escalated."""
    today = today or timezone.localdate()
    bureau = list(User.objects.filter(memberships__role=Role.BUREAU, is_active=True).distinct().order_by("pk"))
    escalated = 0
    for pk in Hazard.objects.filter(rules.overdue_q(today), escalated_at__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            # Conditional update: two workers (or a retried job) escalate a hazard once.
            if not Hazard.objects.filter(pk=pk, escalated_at__isnull=True).update(escalated_at=timezone.now()):
                continue
            hazard = Hazard.objects.select_related("school").get(pk=pk)
            note = _("Deadline %(day)s passed without rectification.") % {"day": hazard.deadline.isoformat()}
            log(hazard, "escalate", actor=None, system=True, note=note)
            for user in bureau:
                notify(
                    user=user,
                    kind=NotificationKind.SAFETY,
                    title=_("Overdue hazard at %(school)s") % {"school": hazard.school.name},
                    body=f"{note} {hazard.description}",
                    url=_url(hazard),
                    key=f"hazard-escalated-{hazard.pk}",
                )
            escalated += 1
    return escalated
