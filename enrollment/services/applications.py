"""The parent's side of the application (R13–R15): apply and sign in one step, correct and resubmit, withdraw;
and the paper path (代录), where a class teacher or the school enters a signed paper application.

Creation writes the Application directly in status `submitted` (there is no earlier state) together with an
ApplicationEvent "submit" (submitted → submitted), so the history always starts with who applied and when.
Every later change of status goes through `workflow.transition`. Class review, school approval and placement
are in review.py and placement.py.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import SchoolYear, Student
from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import log, transition

from ..models import Agreement, Application
from ..rules import applications as applications_rules
from ..selectors import applications as selectors
from . import consents as consents_services
from . import placement
from .agreements import Signature, agreement_record, current_text_or_refuse, full_clean_or_refuse, live_application

# The fields of an Application that the parent fills in (ApplicationForm.application_data()).
APPLICANT_FIELDS = (
    "service_kind",
    "extended_reason",
    "pickup_difficulty",
    "dual_working",
    "migrant_child",
    "disability",
    "economic_hardship",
    "priority_note",
    "preferences",
    "pickup_person",
    "pickup_relation",
    "pickup_mobile",
)


def _school_year_or_refuse() -> SchoolYear:
    school_year = calendar_selectors.current_school_year()
    if school_year is None:
        raise DomainError(_("The county has not set up the school year yet."))
    return school_year


def _check_data(student: Student, data: dict) -> dict:
    unknown = set(data) - set(APPLICANT_FIELDS)
    if unknown:
        raise ValueError(f"not applicant fields: {sorted(unknown)}")
    if data.get("service_kind") == Application.ServiceKind.EVENING and not applications_rules.evening_service_open_to(
        student
    ):
        raise DomainError(_("Evening service is for boarders and senior-high pupils only."))
    if data.get("service_kind") == Application.ServiceKind.EXTENDED and not (data.get("extended_reason") or "").strip():
        raise DomainError(_("Please say why the child needs extended care."))
    return data


def _second_application() -> DomainError:
    return DomainError(
        _(
            "This child already has an application for this school year. Open it to see its status, or withdraw it first."
        )
    )


def _create(
    *,
    actor,
    student: Student,
    school_year: SchoolYear,
    data: dict,
    text_version: int,
    signature: Signature,
    entered_by=None,
    late: bool = False,
) -> Application:
    # Lock the child's row so two submissions for the same child queue up (PostgreSQL); the partial unique
    # constraint enrollment_application_one_live catches the rest (SQLite, or a paper and an online one at once).
    student = Student.objects.select_for_update().select_related("school").get(pk=student.pk)
    _check_data(student, data)
    if live_application(student=student, school_year=school_year) is not None:
        raise _second_application()
    text = current_text_or_refuse(school=student.school, school_year=school_year, text_version=text_version)
    consents_services.require_for_application(student=student, data=data)  # issue #14 item 2
    agreement = agreement_record(
        actor=actor,
        student=student,
        text=text,
        decision=Agreement.Decision.SIGNED,
        signature=signature,
        entered_by=entered_by,
    )
    application = Application(
        student=student,
        school=student.school,
        school_year=school_year,
        status=Application.Status.LATE if late else Application.Status.SUBMITTED,
        late=late,
        agreement=agreement,
        applicant=actor,
        entered_by=entered_by,
        paper_original_on_file=entered_by is not None,
        submitted_at=timezone.now(),
        **data,
    )
    # The rules behind the check constraints are checked above; the one-live unique constraint is left to the
    # database, where a racing second submission surfaces as IntegrityError.
    full_clean_or_refuse(application, validate_constraints=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:  # a second submission won the race; the outer transaction drops the agreement too
        raise _second_application() from None
    # The first step keeps the shape every stored application has: "submit", from its first status to itself.
    # A late one starts in `late` (late → late): its status says so, and the school decides next.
    log(application, "submit", actor=actor, note=_("Entered from the signed paper application.") if entered_by else "")
    return application


@transaction.atomic
def application_submit(
    *, actor, student: Student, data: dict, text_version: int, signature: Signature, consents: dict | None = None
) -> Application:
    """A parent applies for their child and signs the school's current agreement, in one transaction (R13–R15),
    with the separate consents given on the same page ({kind: text version}, issue #14 item 2): all or nothing.

    After the county's deadline the application is a late one (逾期申请 / 插班申请, e.g. a child who joined the class
    mid-year): it waits in status `late` for the school, which accepts it (then the normal review) or puts it on
    its waiting list (候补) — review.application_late_accept / application_late_wait. Never a dead end.

    Raises PermissionDenied (not the parent's child), DomainError (no school year, no or outdated agreement text, a
    live application already, evening service for a day pupil, extended care without a reason).
    """
    permissions.require(actor, "application.create", student)
    school_year = _school_year_or_refuse()
    if consents:
        consents_services.consents_give(
            actor=actor, student=student, versions=consents, relation=signature.relation,
            ip_address=signature.ip_address,
        )  # fmt: skip
    return _create(
        actor=actor,
        student=student,
        school_year=school_year,
        data=data,
        text_version=text_version,
        signature=signature,
        late=not selectors.applications_open(school_year),
    )


@transaction.atomic
def application_enter_on_behalf(
    *,
    actor,
    student: Student,
    data: dict,
    text_version: int,
    signature: Signature,
    paper_original_on_file: bool,
    consent_kinds: list[str] | tuple = (),
    consent_scan=None,
) -> Application:
    """代录: a class teacher (own class) or the school admin enters a signed paper application and agreement, with
    the paper consent form signed beside it (`consent_kinds` ticked on it, `consent_scan` its scan): all or nothing.

    The entering user is the applicant and `entered_by`; the guardian's name and relation are as on the paper.
    Open after the online deadline too. Raises PermissionDenied, DomainError (as application_submit, and when
    the paper original is not on file).
    """
    permissions.require(actor, "application.enter_on_behalf", student)
    if not paper_original_on_file:
        raise DomainError(_("A paper application can be entered only when the signed original is on file."))
    school_year = _school_year_or_refuse()
    if consent_kinds:  # none when both consents are live already
        consents_services.consent_record_paper(
            actor=actor, student=student, kinds=list(consent_kinds), scan=consent_scan,
            signer_name=signature.signer_name, relation=signature.relation,
        )  # fmt: skip
    return _create(
        actor=actor,
        student=student,
        school_year=school_year,
        data=data,
        text_version=text_version,
        signature=signature,
        entered_by=actor,
    )


@transaction.atomic
def application_resubmit(*, actor, application: Application, data: dict, note: str = "") -> Application:
    """A returned application is corrected and sent back to class review ("resubmit").

    Raises PermissionDenied, DomainError (not returned any more, bad data), TransitionNotAllowed (a race).
    """
    permissions.require(actor, "application.resubmit", application)
    app = Application.objects.select_for_update().select_related("student").get(pk=application.pk)
    if app.status != Application.Status.RETURNED:
        raise DomainError(
            _("Only a returned application can be changed. It is now “%(status)s”.")
            % {"status": app.get_status_display()}
        )
    _check_data(app.student, data)
    consents_services.require_for_application(student=app.student, data=data)
    for name, value in data.items():
        setattr(app, name, value)
    full_clean_or_refuse(app)
    app.save(update_fields=[*data, "updated_at"])
    transition(app, "resubmit", actor=actor, note=note)
    application.refresh_from_db()
    return application


@transaction.atomic
def application_withdraw(*, actor, application: Application, effective: datetime.date, note: str = "") -> Application:
    """Withdraw from a date (today or later, inside the school year): the parent at any time, or the school admin.

    A placed child's service class membership ends on that date (the row stays for the record).
    Raises PermissionDenied, DomainError (date outside the allowed range), TransitionNotAllowed (already withdrawn).
    """
    permissions.require(actor, "application.withdraw", application)
    if effective < timezone.localdate():
        raise DomainError(_("The date cannot be in the past."))
    if effective > application.school_year.end_date:
        raise DomainError(
            _("The date must fall inside the school year (until %(date)s).")
            % {"date": application.school_year.end_date.isoformat()}
        )
    transition(application, "withdraw", actor=actor, note=note, withdrawal_effective=effective)
    placement.release_place(actor=actor, application=application, effective_date=effective)  # frees the place
    return application
