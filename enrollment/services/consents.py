"""The guardian's separate consent (issue #14, item 2; PIPL Art. 29 and 31): given online by the guardian, entered
from a signed paper form with its scan (代录), and withdrawn by the guardian, which stops the processing it covered.

- Withdrawing the sensitive consent removes disability, economic hardship and the note on priority from the child's
  live application (recorded in its history), so placement no longer uses them. (Health notes for safety would be
  cleared here too; safety/ keeps none today.)
- Withdrawing the personal-information consent withdraws the live application from today (through the applications
  service: the place is freed) and the sensitive consent with it: the child's data is no longer processed for the
  service, and a new application needs a new consent.

Each step is a `xiji_afterschool.workflow` step on `Consent` (its own history and the audit trail).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import Student
from xiji_afterschool import permissions, uploads, workflow
from xiji_afterschool.errors import DomainError

from ..models import Application, Consent, ConsentKind
from ..selectors import consents as selectors
from .agreements import full_clean_or_refuse

MAX_SCAN_BYTES = 5 * 1024 * 1024


def sniff_scan(upload) -> str:
    """The scan's real type from its first bytes (PDF, JPEG or PNG), as for every uploaded document."""
    return uploads.sniff(
        upload,
        max_bytes=MAX_SCAN_BYTES,
        too_large=_("The file is larger than 5 MB; please scan at a lower resolution."),
        empty=_("The file is empty."),
        wrong_type=_("The scan of the signed consent form must be a PDF, JPEG or PNG file."),
    )


def _text_or_refuse(kind: str, text_version: int | None):
    text = selectors.current_text(kind)
    if text is None:
        raise DomainError(_("The consent text is not published yet. Please try again later."))
    if text_version is not None and text_version != text.version:
        raise DomainError(
            _("The consent text changed while you were reading it. Nothing was saved: please read it again.")
        )
    return text


def _already_given() -> DomainError:
    return DomainError(_("This consent is already given for this child."))


def _save(consent: Consent) -> Consent:
    full_clean_or_refuse(consent, validate_constraints=False)
    try:
        with transaction.atomic():
            consent.save()
    except IntegrityError:  # enrollment_consent_one_live: given at the same moment by another guardian
        raise _already_given() from None
    return consent


@transaction.atomic
def consents_give(
    *, actor, student: Student, versions: dict[str, int], relation: str, ip_address: str | None = None
) -> list[Consent]:
    """A guardian gives, online, the consents named in `versions` ({kind: version of the text they read}) for their
    child. Each is its own record and act. Raises PermissionDenied (not their child), DomainError (already given,
    the text changed meanwhile)."""
    permissions.require(actor, "consent.give", student)
    student = Student.objects.select_for_update().get(pk=student.pk)
    given = []
    for kind, version in versions.items():
        if kind not in ConsentKind.values:
            raise DomainError(_("Unknown consent."))
        if selectors.is_live(student, kind):
            raise _already_given()
        text = _text_or_refuse(kind, version)
        consent = _save(
            Consent(
                student=student, kind=kind, text=text, channel=Consent.Channel.ONLINE, given_at=timezone.now(),
                given_by=actor, signer_name=(actor.full_name or actor.get_username())[:50], relation=relation,
                ip_address=ip_address or None,
            )
        )  # fmt: skip
        workflow.start(consent, actor=actor, action="give")
        given.append(consent)
    return given


@transaction.atomic
def consent_record_paper(
    *, actor, student: Student, kinds: list[str], signer_name: str, relation: str, scan
) -> list[Consent]:
    """代录: the class teacher (own class) or the school admin enters the consent form a guardian signed on paper,
    with its scan (PDF, JPEG or PNG, checked by its bytes). One scan for the kinds ticked on the form.
    Raises PermissionDenied, DomainError (no kind, no or bad scan, already given)."""
    permissions.require(actor, "consent.record_paper", student)
    if not kinds:
        raise DomainError(_("Tick at least one consent the guardian signed on paper."))
    if scan is None:
        raise DomainError(_("Upload the scan or photo of the signed consent form."))
    content_type = sniff_scan(scan)
    student = Student.objects.select_for_update().get(pk=student.pk)
    recorded = []
    stored_name = ""
    for kind in kinds:
        if kind not in ConsentKind.values:
            raise DomainError(_("Unknown consent."))
        if selectors.is_live(student, kind):
            raise _already_given()
        consent = Consent(
            student=student, kind=kind, text=_text_or_refuse(kind, None), channel=Consent.Channel.PAPER,
            given_at=timezone.now(), signer_name=(signer_name or "").strip()[:50], relation=relation,
            entered_by=actor, scan_content_type=content_type,
        )  # fmt: skip
        if stored_name:
            consent.scan.name = stored_name  # one signed form, stored once
        else:
            scan.name = f"consent.{uploads.extension_of(content_type)}"
            consent.scan = scan
        _save(consent)
        stored_name = consent.scan.name
        workflow.start(consent, actor=actor, action="record_paper")
        recorded.append(consent)
    return recorded


def _clear_sensitive(*, actor, student: Student) -> Application | None:
    """Remove the sensitive items from the child's live application (a step in its history)."""
    application = selectors.live_application(student)
    if application is None:
        return None
    fields = {"disability": False, "economic_hardship": False, "priority_note": ""}
    if not (application.disability or application.economic_hardship or application.priority_note):
        return application
    Application.objects.filter(pk=application.pk).update(**fields, updated_at=timezone.now())
    application.refresh_from_db()
    workflow.log(application, "sensitive_cleared", actor=actor, note=_("The guardian withdrew the consent."))
    return application


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, note: str = "") -> Consent:
    """The guardian withdraws a consent for their child; the processing it covered stops at once (see the module
    docstring; `selectors.withdrawal_effects` words the same for the confirmation page).
    Raises PermissionDenied, TransitionNotAllowed (already withdrawn)."""
    from . import applications as applications_services  # applications checks consents when it creates

    permissions.require(actor, "consent.withdraw", consent)
    now = timezone.now()
    note = (note or "").strip()[:300]
    workflow.transition(consent, "withdraw", actor=actor, note=note, withdrawn_at=now, withdrawn_by=actor)
    student = consent.student
    if consent.kind == ConsentKind.PERSONAL:
        sensitive = Consent.objects.filter(student=student, kind=ConsentKind.SENSITIVE, status=Consent.Status.GIVEN)
        for other in sensitive:
            workflow.transition(
                other, "withdraw", actor=actor, note=_("Withdrawn with the consent to personal information."),
                withdrawn_at=now, withdrawn_by=actor,
            )  # fmt: skip
        _clear_sensitive(actor=actor, student=student)
        application = selectors.live_application(student)
        if application is not None:
            applications_services.application_withdraw(
                actor=actor, application=application, effective=timezone.localdate(),
                note=_("The guardian withdrew the consent to process the child's personal information."),
            )  # fmt: skip
    else:
        _clear_sensitive(actor=actor, student=student)
    return consent


def require_for_application(*, student: Student, data: dict) -> None:
    """An application is processed only under the guardian's consent; disability and economic hardship only under
    the separate sensitive consent. Raises DomainError."""
    if not selectors.is_live(student, ConsentKind.PERSONAL):
        raise DomainError(
            _("To apply, the guardian must first give the consent to process the child's personal information.")
        )
    if any(data.get(name) for name in selectors.SENSITIVE_FIELDS) and not selectors.is_live(
        student, ConsentKind.SENSITIVE
    ):
        raise DomainError(
            _(
                "Disability and economic hardship can be entered only with the guardian's separate consent to "
                "sensitive information. Give that consent, or untick them."
            )
        )
