"""The voluntary service agreement (自愿服务协议书, R13): the school's versioned text and the guardians' decisions.

An `AgreementText` is published per school and school year; a new text is the next version. An `Agreement` is one
guardian's decision (signed or declined) on one text for one child and is never changed: re-signing writes a new
row and points the application at it. The consent to processing the child's data is its own act (consents.py).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from schools.models import NotificationKind, School, SchoolYear, Student
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import log

from ..models import Agreement, AgreementText, Application
from ..selectors import agreements as selectors
from . import review as review_services

USER_AGENT_MAX = 300


@dataclass(frozen=True)
class Signature:
    """Who signed, as typed, and where from (recorded with the agreement, R13)."""

    signer_name: str
    relation: str
    ip_address: str | None = None
    user_agent: str = ""


def default_agreement_text(*, school: School) -> str:
    """A starting text for a school's agreement, after the county plan (西政办发〔2021〕67号), in the active language."""
    paragraphs = [
        _(
            "1. Voluntary. Taking part in the after-school service of %(school)s is the family's free choice. "
            "Nobody may be made to take part, and not taking part has no consequence for the child."
        ),
        _(
            "2. Free of charge. The service is paid for by county finance. The school charges families nothing for "
            "it, under any name."
        ),
        _(
            "3. Times. The service runs on school days after the last lesson, two hours a day (“5+2”: five days a "
            "week; “6+2” in senior high school), at the times the school sets for each stage and season and keeps "
            "fixed for a semester. It ends in step with parents' normal working hours; boarders are served in the "
            "evening."
        ),
        _(
            "4. Content. Homework guidance and help for students who struggle, reading, sports, arts, labour, "
            "interest groups and clubs, and supervised self-study. The service is never used for collective "
            "make-up lessons or to teach new content, and adds no homework."
        ),
        _(
            "5. Safety. The school names a person responsible for safety, takes attendance at every session, keeps "
            "the children supervised throughout, and has an emergency plan. Children are covered by campus injury "
            "insurance."
        ),
        _(
            "6. Pick-up. At the end of the service the child is handed over only to the guardian or the pick-up "
            "person named in the application. The family picks the child up on time and tells the class teacher "
            "in advance of any change of pick-up person or of an absence."
        ),
        _(
            "7. The school's duties: to run the service as described in its plan filed with the county Education "
            "& Sports Bureau, to inform the family of any change, and to hear the family's opinions."
        ),
        _(
            "8. The family's duties: to give true information in the application, to teach the child to follow "
            "the service's rules, and to keep the contact details up to date."
        ),
        _(
            "9. Withdrawal. The family may withdraw at any time, online or by telling the class teacher, from a "
            "date it chooses. Withdrawing has no consequence for the child."
        ),
        _(
            "10. Personal data. The guardian's consent to the processing of the child's personal data, and "
            "separately of its sensitive data (disability, economic hardship, health notes for safety), is not part "
            "of this agreement: it is given separately, on its own text, and can be withdrawn at any time under "
            "“My data” → “My consents”. The data are used only to organise, run and supervise this service, are not "
            "given to anyone outside the school and the bureau, and are kept no longer than the service requires."
        ),
    ]
    return "\n\n".join(p % {"school": school.name} for p in paragraphs)


@transaction.atomic
def agreement_text_publish(*, actor, school: School, school_year: SchoolYear, body: str) -> AgreementText:
    """Publish the next version of a school's agreement text (school admin).

    Parents whose live application is on an older version are then asked to sign again (see `needs_new_signature`).
    Raises PermissionDenied, DomainError (empty text, or a simultaneous publication).
    """
    permissions.require(actor, "agreement.publish", school)
    body = (body or "").strip()
    if not body:
        raise DomainError(_("The agreement text is empty."))
    School.objects.select_for_update().filter(pk=school.pk).first()  # serialise publications of one school
    last = AgreementText.objects.filter(school=school, school_year=school_year).aggregate(v=Max("version"))["v"] or 0
    text = AgreementText(school=school, school_year=school_year, version=last + 1, body=body, published_by=actor)
    text.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            text.save()
    except IntegrityError:
        raise DomainError(_("Another version was published at the same moment. Reload the page and check.")) from None
    _ask_to_sign_again(text)
    return text


def _ask_to_sign_again(text: AgreementText) -> None:
    """Tell every parent whose live application is on an older text to sign the new one (issue 11 §4)."""
    older = (
        Application.objects.filter(school=text.school_id, school_year=text.school_year_id)
        .exclude(status=Application.Status.WITHDRAWN)
        .filter(agreement__text__version__lt=text.version)
        .select_related("student", "applicant")
    )
    for application in older:
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Please sign the new service agreement")
            body = _(
                "%(school)s has published a new version of the after-school service agreement. Please read it and "
                "sign it again for %(child)s."
            ) % {"school": text.school.name, "child": application.student.name}
        review_services.tell_family(
            application,
            kind=NotificationKind.AGREEMENT,
            title=title,
            body=body,
            key=f"agreement:{text.pk}:resign:{application.pk}",
        )


def current_text_or_refuse(*, school: School, school_year: SchoolYear, text_version: int | None) -> AgreementText:
    """The text parents sign now; refuse when none is published or the signer read an older version."""
    current = selectors.current_agreement_text(school=school, school_year=school_year)
    if current is None:
        raise DomainError(
            _("The school has not published its agreement yet, so it cannot be signed. Please try again later.")
        )
    if text_version != current.version:
        raise DomainError(
            _(
                "The school published a new version of the agreement while you were reading it. Nothing was saved: "
                "please read the new text and sign again."
            )
        )
    return current


def agreement_record(
    *,
    actor,
    student: Student,
    text: AgreementText,
    decision: str,
    signature: Signature,
    entered_by=None,
) -> Agreement:
    """Write one Agreement row (internal: the calling service has checked the policy and holds the transaction)."""
    agreement = Agreement(
        student=student,
        text=text,
        decision=decision,
        signer_name=signature.signer_name.strip(),
        relation=signature.relation,
        consent=decision == Agreement.Decision.SIGNED,
        signed_by=actor,
        entered_by=entered_by,
        paper_original_on_file=entered_by is not None,
        ip_address=signature.ip_address or None,
        user_agent=(signature.user_agent or "")[:USER_AGENT_MAX],
    )
    full_clean_or_refuse(agreement)
    agreement.save()
    return agreement


def full_clean_or_refuse(obj, *, validate_constraints: bool = True) -> None:
    """Validate a row before writing it; a refusal the user can read instead of a server error."""
    try:
        obj.full_clean(validate_constraints=validate_constraints)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None


def live_application(*, student: Student, school_year: SchoolYear) -> Application | None:
    """The child's application of the year that is not withdrawn (at most one: enrollment_application_one_live)."""
    return (
        Application.objects.filter(student=student, school_year=school_year)
        .exclude(status=Application.Status.WITHDRAWN)
        .first()
    )


@transaction.atomic
def agreement_decline(*, actor, student: Student, school_year: SchoolYear, text_version: int, signature: Signature):
    """Record the guardian's “I do not agree” (R13): no application, no other consequence.

    Raises PermissionDenied (not the parent's child), DomainError (a live application exists; no or outdated text).
    """
    permissions.require(actor, "application.create", student)
    if live_application(student=student, school_year=school_year):
        raise DomainError(
            _("This child already has an application. To stop taking part, withdraw it on the application page.")
        )
    text = current_text_or_refuse(school=student.school, school_year=school_year, text_version=text_version)
    return agreement_record(
        actor=actor, student=student, text=text, decision=Agreement.Decision.DECLINED, signature=signature
    )


@transaction.atomic
def agreement_resign(*, actor, application: Application, text_version: int, signature: Signature) -> Agreement:
    """Sign the school's newest agreement text for a live application and point the application at it.

    The only change ever made to an application's agreement; the old Agreement row stays as it was. Recorded in the
    application's history. Raises PermissionDenied, DomainError (withdrawn, already current, outdated text).
    """
    permissions.require(actor, "application.create", application.student)
    app = Application.objects.select_for_update().select_related("agreement__text", "student").get(pk=application.pk)
    if app.status == Application.Status.WITHDRAWN:
        raise DomainError(_("This application has been withdrawn."))
    text = current_text_or_refuse(school=app.school, school_year=app.school_year, text_version=text_version)
    if app.agreement.text.version >= text.version:
        raise DomainError(_("This application is already signed on the school's current agreement."))
    agreement = agreement_record(
        actor=actor, student=app.student, text=text, decision=Agreement.Decision.SIGNED, signature=signature
    )
    Application.objects.filter(pk=app.pk).update(agreement=agreement, updated_at=timezone.now())
    log(app, "resign", actor=actor)
    application.refresh_from_db()
    return agreement
