"""Special inspections (专项督导, R35): the inspectors schedule a visit (announced or not), walk the county's checklist,
record findings with photographic evidence and a rectification deadline each, issue them to the school; the school
answers each rectification; the inspectors accept or reopen the answers, re-inspect and close. See the transition
tables in models/inspections.py. Closing is refused while any rectification is not accepted.

`remind_rectifications()` is the daily job (the integrator wires it into beat): the school admin hears before a
deadline and again when it has passed, once per rectification and deadline (dedupe keys).
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import NotificationKind, Role, School, SchoolYear, User
from schools.services.notifications import notify
from xiji_afterschool import permissions, uploads
from xiji_afterschool.errors import DomainError, checked_text
from xiji_afterschool.workflow import log, start, transition

from ..models import CheckItem, Finding, FindingPhoto, Inspection, InspectionCheck, Rectification

MAX_TEXT = 1000
MAX_PHOTOS = 4
MAX_PHOTO_BYTES = 5 * 1024 * 1024
REMIND_DAYS_BEFORE = 3  # the school admin hears this many days before a rectification is due


def _url(inspection: Inspection) -> str:
    return reverse("bureau:inspection-detail", kwargs={"pk": inspection.pk})


def _text(value: str, *, required: str, max_length: int = MAX_TEXT) -> str:
    return checked_text(value, required=required, max_length=max_length)


def _locked(inspection: Inspection) -> Inspection:
    """The inspection's row, locked for the rest of the transaction (PostgreSQL): a close and a reopen, or two
    first answers of the school, are taken one after the other."""
    return Inspection.objects.select_for_update().get(pk=inspection.pk)


def school_admins(school: School):
    return User.objects.filter(
        memberships__school=school, memberships__role=Role.SCHOOL_ADMIN, is_active=True
    ).distinct()


def inspector_choices():
    """The people who may be named as inspectors: active users holding the inspector role."""
    return User.objects.filter(memberships__role=Role.INSPECTOR, is_active=True).distinct().order_by("full_name", "pk")


def sniff_photo(upload) -> str:
    """A photo's real type from its first bytes: JPEG or PNG only, at most 5 MB. Raises DomainError."""
    wrong = _("Only photos (JPEG or PNG) can be added.")
    content_type = uploads.sniff(
        upload,
        max_bytes=MAX_PHOTO_BYTES,
        too_large=_("A photo is larger than 5 MB; take it at a lower resolution."),
        empty=_("A photo file is empty."),
        wrong_type=wrong,
    )
    if not content_type.startswith("image/"):
        raise DomainError(wrong)
    return content_type


@transaction.atomic
def inspection_schedule(
    *,
    actor: User,
    school: School,
    school_year: SchoolYear,
    kind: str,
    planned_date: datetime.date,
    inspectors,
    focus: str = "",
) -> Inspection:
    """The bureau or an inspector schedules an inspection of `school` with the county's checklist. A scheduled
    inspection (计划督导) is announced to the school's admin; an unannounced one (随机督导) is not. Raises
    PermissionDenied, DomainError."""
    permissions.require(actor, "inspection.manage")
    if kind not in Inspection.Kind.values:
        raise DomainError(_("Choose whether the inspection is scheduled or unannounced."))
    if not isinstance(planned_date, datetime.date):
        raise DomainError(_("Set the day of the inspection."))
    if not school_year.start_date <= planned_date <= school_year.end_date:
        raise DomainError(_("The day of the inspection must fall within the school year."))
    if planned_date < timezone.localdate():
        raise DomainError(_("The day of the inspection cannot be in the past."))
    inspectors = list(inspectors or ())
    if not inspectors:
        raise DomainError(_("Name at least one inspector."))
    allowed = set(inspector_choices().values_list("pk", flat=True))
    if any(person.pk not in allowed for person in inspectors):
        raise DomainError(_("Every inspector named must hold the inspector role."))
    inspection = Inspection(
        school=school,
        school_year=school_year,
        kind=kind,
        planned_date=planned_date,
        focus=(focus or "").strip()[:200],
        scheduled_by=actor,
    )
    inspection.full_clean(exclude=["inspectors"])
    inspection.save()
    inspection.inspectors.set(inspectors)
    InspectionCheck.objects.bulk_create(
        InspectionCheck(inspection=inspection, item=item, position=number)
        for number, item in enumerate(CheckItem.values, start=1)
    )
    start(inspection, actor=actor, action="schedule")
    day = planned_date.isoformat()
    for person in inspectors:
        notify(
            user=person,
            kind=NotificationKind.GENERAL,
            title=_("Inspection of %(school)s on %(day)s") % {"school": school.name, "day": day},
            body=inspection.get_kind_display(),
            url=_url(inspection),
            key=f"inspection-{inspection.pk}-inspector",
        )
    if kind == Inspection.Kind.SCHEDULED:
        for admin in school_admins(school):
            notify(
                user=admin,
                kind=NotificationKind.GENERAL,
                title=_("A special inspection of your school on %(day)s") % {"day": day},
                body=inspection.focus or _("The county's after-school programme checklist."),
                url=_url(inspection),
                key=f"inspection-{inspection.pk}-announced",
            )
    return inspection


@transaction.atomic
def inspection_cancel(*, actor: User, inspection: Inspection, note: str) -> Inspection:
    """Cancel an inspection that has not started, saying why. Raises PermissionDenied, DomainError,
    TransitionNotAllowed."""
    permissions.require(actor, "inspection.manage", inspection)
    transition(inspection, "cancel", actor=actor, note=_text(note, required=_("Say why the inspection is cancelled.")))
    return inspection


@transaction.atomic
def inspection_start(*, actor: User, inspection: Inspection) -> Inspection:
    """The inspectors arrive at the school. Raises PermissionDenied, TransitionNotAllowed."""
    permissions.require(actor, "inspection.manage", inspection)
    transition(inspection, "start", actor=actor, started_at=timezone.now())
    return inspection


@transaction.atomic
def inspection_record_checks(*, actor: User, inspection: Inspection, results: dict) -> Inspection:
    """Record the checklist: `results` maps a check item to (result, note). Only while the inspection is in
    progress; an item with a finding stays failed. Raises PermissionDenied, DomainError."""
    permissions.require(actor, "inspection.manage", inspection)
    inspection = _locked(inspection)
    if inspection.status != Inspection.Status.IN_PROGRESS:
        raise DomainError(_("The checklist is recorded while the inspection is in progress."))
    checks = {check.item: check for check in inspection.checks.all()}
    with_findings = set(Finding.objects.filter(inspection=inspection).values_list("check_item__item", flat=True))
    for item, (result, note) in results.items():
        if item not in checks:
            raise DomainError(_("Unknown check item."))
        if result not in InspectionCheck.Result.values:
            raise DomainError(_("Choose a result for every check item."))
        if item in with_findings and result != InspectionCheck.Result.FAIL:
            raise DomainError(_("“%(item)s” has a finding: it cannot pass.") % {"item": CheckItem(item).label})
        check = checks[item]
        check.result = result
        check.note = (note or "").strip()[:300]
        check.save(update_fields=["result", "note"])
    log(inspection, "checks", actor=actor)
    return inspection


@transaction.atomic
def finding_add(
    *,
    actor: User,
    inspection: Inspection,
    check: InspectionCheck,
    description: str,
    severity: str,
    deadline: datetime.date,
    photos=(),
) -> Finding:
    """Record a finding under a check item (which then fails), with one to four photos as evidence — a finding
    without evidence is refused — and the day by which the school must rectify it. Raises PermissionDenied,
    DomainError."""
    permissions.require(actor, "inspection.manage", inspection)
    inspection = _locked(inspection)
    if inspection.status != Inspection.Status.IN_PROGRESS:
        raise DomainError(_("Findings are recorded while the inspection is in progress."))
    if check.inspection_id != inspection.pk:
        raise DomainError(_("The check item is not one of this inspection's."))
    description = _text(description, required=_("Describe what was found."))
    if severity not in Finding.Severity.values:
        raise DomainError(_("Choose how serious the finding is."))
    if not isinstance(deadline, datetime.date):
        raise DomainError(_("Set the deadline for the rectification."))
    if deadline < timezone.localdate():
        raise DomainError(_("The deadline cannot be in the past."))
    photos = list(photos or ())
    if not photos:
        raise DomainError(_("A finding needs evidence: add at least one photo."))
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_("At most %(max)s photos.") % {"max": MAX_PHOTOS})
    types = [sniff_photo(photo) for photo in photos]
    finding = Finding.objects.create(
        inspection=inspection, check_item=check, description=description, severity=severity, recorded_by=actor
    )
    for photo, content_type in zip(photos, types, strict=True):
        photo.name = f"finding-{finding.pk}.{uploads.extension_of(content_type)}"
        FindingPhoto.objects.create(finding=finding, file=photo, content_type=content_type, size=photo.size)
    rectification = Rectification.objects.create(finding=finding, deadline=deadline)
    start(rectification, actor=actor)
    if check.result != InspectionCheck.Result.FAIL:
        check.result = InspectionCheck.Result.FAIL
        check.save(update_fields=["result"])
    log(inspection, "finding", actor=actor, note=description[:200])
    return finding


@transaction.atomic
def inspection_issue(*, actor: User, inspection: Inspection, note: str = "") -> Inspection:
    """Issue the findings to the school (its admin is told, with the deadlines). Refused while a check item is not
    recorded. Raises PermissionDenied, DomainError, TransitionNotAllowed."""
    permissions.require(actor, "inspection.manage", inspection)
    inspection = _locked(inspection)
    if inspection.checks.filter(result=InspectionCheck.Result.PENDING).exists():
        raise DomainError(_("Record a result for every check item before issuing the findings."))
    transition(inspection, "issue", actor=actor, note=(note or "").strip(), issued_at=timezone.now())
    count = Finding.objects.filter(inspection=inspection).count()
    for admin in school_admins(inspection.school):
        notify(
            user=admin,
            kind=NotificationKind.GENERAL,
            title=_("Inspection findings: %(count)s to rectify") % {"count": count},
            body=_("Answer each rectification by its deadline."),
            url=_url(inspection),
            key=f"inspection-{inspection.pk}-issued",
        )
    return inspection


@transaction.atomic
def rectification_respond(*, actor: User, rectification: Rectification, response: str, photo=None) -> Rectification:
    """The school admin says what was done about a finding (a photo is optional); the first answer moves the
    inspection to rectification. Raises PermissionDenied, DomainError, TransitionNotAllowed."""
    permissions.require(actor, "rectification.respond", rectification)
    inspection = _locked(rectification.finding.inspection)
    if inspection.status not in (
        Inspection.Status.FINDINGS_ISSUED,
        Inspection.Status.RECTIFYING,
        Inspection.Status.REINSPECTED,
    ):
        raise DomainError(_("This inspection no longer takes answers."))
    response = _text(response, required=_("Say what was done to rectify the finding."))
    extra = {"response": response, "responded_by": actor, "responded_at": timezone.now()}
    if photo:
        content_type = sniff_photo(photo)
        photo.name = f"rectification-{rectification.pk}.{uploads.extension_of(content_type)}"
        # The file is stored first; the transition below writes its name with the status (compare-and-set).
        stored = Rectification._meta.get_field("response_photo").generate_filename(rectification, photo.name)
        name = Rectification._meta.get_field("response_photo").storage.save(stored, photo)
        extra.update(response_photo=name, response_photo_type=content_type)
    transition(rectification, "respond", actor=actor, note=response, **extra)
    if inspection.status == Inspection.Status.FINDINGS_ISSUED:
        transition(inspection, "respond", actor=actor)
    for person in inspection.inspectors.all():
        notify(
            user=person,
            kind=NotificationKind.GENERAL,
            title=_("%(school)s answered a rectification") % {"school": inspection.school.name},
            body=response,
            url=_url(inspection),
        )
    return rectification


def _verifiable(rectification: Rectification) -> Inspection:
    inspection = _locked(rectification.finding.inspection)
    if inspection.status not in (Inspection.Status.RECTIFYING, Inspection.Status.REINSPECTED):
        raise DomainError(_("Answers are verified while the school is rectifying."))
    return inspection


@transaction.atomic
def rectification_accept(*, actor: User, rectification: Rectification, note: str = "") -> Rectification:
    """An inspector accepts the school's answer. Raises PermissionDenied, DomainError, TransitionNotAllowed."""
    permissions.require(actor, "inspection.manage", rectification)
    _verifiable(rectification)
    transition(rectification, "accept", actor=actor, note=(note or "").strip())
    return rectification


@transaction.atomic
def rectification_reopen(
    *, actor: User, rectification: Rectification, note: str, deadline: datetime.date | None = None
) -> Rectification:
    """An inspector finds the answer not enough: back to the school with why (and a new deadline if given, today
    or later). A re-inspected inspection goes back to rectification. Raises PermissionDenied, DomainError,
    TransitionNotAllowed."""
    permissions.require(actor, "inspection.manage", rectification)
    inspection = _verifiable(rectification)
    note = _text(note, required=_("Say what is still wrong."))
    extra = {}
    if deadline is not None:
        if deadline < timezone.localdate():
            raise DomainError(_("The deadline cannot be in the past."))
        extra["deadline"] = deadline
    transition(rectification, "reopen", actor=actor, note=note, **extra)
    if inspection.status == Inspection.Status.REINSPECTED:
        transition(inspection, "resume", actor=actor, note=note)
    for admin in school_admins(inspection.school):
        notify(
            user=admin,
            kind=NotificationKind.GENERAL,
            title=_("A rectification was reopened"),
            body=note,
            url=_url(inspection),
        )
    return rectification


@transaction.atomic
def inspection_reinspect(*, actor: User, inspection: Inspection, note: str) -> Inspection:
    """The inspectors go back and record what they saw (复查). Raises PermissionDenied, DomainError,
    TransitionNotAllowed."""
    permissions.require(actor, "inspection.manage", inspection)
    note = _text(note, required=_("Say what the re-inspection found."))
    transition(inspection, "reinspect", actor=actor, note=note, reinspection_note=note, reinspected_at=timezone.now())
    return inspection


@transaction.atomic
def inspection_close(*, actor: User, inspection: Inspection, note: str = "") -> Inspection:
    """Close the inspection: refused while any rectification is not accepted. Raises PermissionDenied,
    DomainError, TransitionNotAllowed."""
    permissions.require(actor, "inspection.manage", inspection)
    inspection = _locked(inspection)
    waiting = Rectification.objects.filter(finding__inspection=inspection).exclude(status=Rectification.Status.ACCEPTED)
    count = waiting.count()
    if count:
        raise DomainError(
            _(
                "The inspection cannot be closed: %(count)s rectification(s) not accepted yet. "
                "Accept each answer (or wait for the school) first."
            )
            % {"count": count}
        )
    transition(inspection, "close", actor=actor, note=(note or "").strip(), closed_at=timezone.now())
    return inspection


def remind_rectifications(*, today: datetime.date | None = None) -> int:
    """The daily job: for every rectification still waiting for the school, its admins are told
    REMIND_DAYS_BEFORE days before the deadline and once it has passed — each once per rectification and deadline
    (a reopened one with a new deadline is reminded again). Safe to run twice. Returns how many notices went out."""
    today = today or timezone.localdate()
    waiting = (
        Rectification.objects.filter(
            status__in=Rectification.PENDING,
            finding__inspection__status__in=Inspection.ISSUED,
            deadline__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
        )
        .exclude(finding__inspection__status=Inspection.Status.CLOSED)
        .select_related("finding__inspection__school")
        .order_by("deadline", "pk")
    )
    sent = 0
    for rectification in waiting:
        inspection = rectification.finding.inspection
        overdue = rectification.deadline < today
        when = rectification.deadline.isoformat()
        if overdue:
            title = _("Rectification overdue since %(day)s") % {"day": when}
            key = f"insp-rect-{rectification.pk}-overdue-{when}"
        else:
            title = _("Rectification due by %(day)s") % {"day": when}
            key = f"insp-rect-{rectification.pk}-due-{when}"
        told = 0
        with transaction.atomic():
            for admin in school_admins(inspection.school):
                if notify(
                    user=admin,
                    kind=NotificationKind.GENERAL,
                    title=title,
                    body=rectification.finding.description,
                    url=_url(inspection),
                    key=key,
                ):
                    told += 1
            if told:
                log(rectification, "remind", actor=None, system=True, note=title)
        sent += told
    return sent
