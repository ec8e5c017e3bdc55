"""Class review (班级审核) and school approval of applications (R14), one at a time or a whole page at once.

submitted → class_approved (class teacher) → approved (school admin); either step may return the application to
the parent with a reason (status returned; the parent resubmits). Every move goes through `workflow.transition`,
which locks the row, compares-and-sets the status and writes an `ApplicationEvent` with the actor and note: two
reviewers acting on the same application at once cannot both succeed.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from schools.models import NotificationKind
from schools.services import notifications as notifications_services
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed, transition

from ..models import Application

NOTE_MAX_LENGTH = 2000


def _reason(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say why the application goes back to the parent: a reason is required."))
    if len(note) > NOTE_MAX_LENGTH:
        raise DomainError(_("The reason is too long."))
    return note


@transaction.atomic
def application_class_approve(*, actor, application: Application, note: str = "") -> Application:
    """The class teacher of the child's class approves; the application goes on to the school.

    Raises PermissionDenied (not this class's teacher) and TransitionNotAllowed (not waiting for class review).
    """
    permissions.require(actor, "application.class_review", application)
    transition(application, "class_approve", actor=actor, note=(note or "").strip())
    return application


@transaction.atomic
def application_class_return(*, actor, application: Application, note: str) -> Application:
    """The class teacher returns the application to the parent with a reason (required).

    Raises DomainError (blank reason; nothing written), PermissionDenied, TransitionNotAllowed.
    """
    permissions.require(actor, "application.class_review", application)
    reason = _reason(note)
    transition(application, "class_return", actor=actor, note=reason)
    _tell_applicant(application, outcome="returned", reason=reason)
    return application


@transaction.atomic
def application_school_approve(*, actor, application: Application, note: str = "") -> Application:
    """The school administrator approves a class-approved application; it then waits for a place.

    Raises PermissionDenied (not this school's admin) and TransitionNotAllowed (not waiting for school approval).
    """
    permissions.require(actor, "application.school_approve", application)
    transition(application, "school_approve", actor=actor, note=(note or "").strip())
    _tell_applicant(application, outcome="approved")
    return application


@transaction.atomic
def application_school_return(*, actor, application: Application, note: str) -> Application:
    """The school administrator returns a class-approved application to the parent with a reason (required).

    Raises DomainError (blank reason; nothing written), PermissionDenied, TransitionNotAllowed.
    """
    permissions.require(actor, "application.school_approve", application)
    reason = _reason(note)
    transition(application, "school_return", actor=actor, note=reason)
    _tell_applicant(application, outcome="returned", reason=reason)
    return application


@transaction.atomic
def application_late_accept(*, actor, application: Application, note: str = "") -> Application:
    """The school accepts a late application (逾期申请 / 插班申请), now or from its waiting list: it goes on to the
    normal class review ("late_accept"). Raises PermissionDenied (not this school's admin), TransitionNotAllowed."""
    permissions.require(actor, "application.late_decide", application)
    transition(application, "late_accept", actor=actor, note=(note or "").strip()[:NOTE_MAX_LENGTH])
    _tell_applicant(application, outcome="late_accepted")
    return application


@transaction.atomic
def application_late_wait(*, actor, application: Application, note: str = "") -> Application:
    """The school puts a late application on its waiting list (候补), to accept it when a place frees up
    ("late_wait"). Raises PermissionDenied, TransitionNotAllowed (not a late application waiting for the school)."""
    permissions.require(actor, "application.late_decide", application)
    transition(application, "late_wait", actor=actor, note=(note or "").strip()[:NOTE_MAX_LENGTH])
    _tell_applicant(application, outcome="late_waiting")
    return application


def _tell_applicant(application: Application, *, outcome: str, reason: str = "") -> None:
    """Tell the parent who applied (issue 11 §4), in the site's language, in the reviewer's transaction."""
    with translation.override(settings.LANGUAGE_CODE):
        child = application.student.name
        if outcome == "approved":
            title = _("Application approved")
            body = _("The after-school service application for your child %(child)s has been approved.") % {
                "child": child
            }
            key = f"application:{application.pk}:approved"
        elif outcome == "late_accepted":
            title = _("Late application accepted")
            body = _(
                "The school accepted the late application for your child %(child)s. The class teacher reviews it next."
            ) % {"child": child}
            key = f"application:{application.pk}:late_accepted"
        elif outcome == "late_waiting":
            title = _("Late application on the waiting list")
            body = _(
                "The school put the late application for your child %(child)s on its waiting list. "
                "It will tell you when a place is free."
            ) % {"child": child}
            key = f"application:{application.pk}:late_waiting"
        else:
            title = _("Application returned")
            body = _(
                "The after-school service application for your child %(child)s was returned: %(reason)s "
                "Please correct it and submit it again."
            ) % {"child": child, "reason": reason}
            # An application may be returned again after a resubmission: one message per return.
            key = f"application:{application.pk}:returned:{application.events.latest('pk').pk}"
    tell_family(application, kind=NotificationKind.APPLICATION, title=title, body=body, key=key)


def tell_family(application: Application, *, kind: str, title: str, body: str, key: str) -> int:
    """Tell the family about their application (issue 11 §4), with a link to it: the parent who applied online, or
    for a paper application (代录, entered by the school) the child's registered guardians. Returns how many."""
    url = reverse("enrollment:application-detail", args=[application.pk])
    if application.entered_by_id is None:
        told = notifications_services.notify(
            user=application.applicant, kind=kind, title=title, body=body, url=url, key=key
        )
        return 1 if told else 0
    return notifications_services.notify_guardians(
        student=application.student, kind=kind, title=title, body=body, url=url, key=key
    )


def _approve_all(approve, *, actor, applications: Iterable[Application], note: str) -> int:
    applications = sorted(applications, key=lambda a: a.pk)  # one lock order, so two batches cannot deadlock
    if not applications:
        raise DomainError(_("Select at least one application to approve."))
    for application in applications:
        try:
            approve(actor=actor, application=application, note=note)
        except TransitionNotAllowed as exc:
            # Raising out of the outer transaction rolls back the ones already approved: all or nothing.
            raise DomainError(
                _(
                    "The application of %(child)s has already been reviewed (it is now “%(status)s”), so nothing "
                    "was approved. Reload the page and try again."
                )
                % {"child": application.student.name, "status": application.get_status_display()}
            ) from exc
    return len(applications)


@transaction.atomic
def application_class_approve_many(*, actor, applications: Iterable[Application], note: str = "") -> int:
    """Class-approve several applications in one transaction: all or none (village teachers post once per class).

    Returns how many were approved. Raises DomainError naming the first child whose application is no longer
    waiting for class review (nothing is approved then), or PermissionDenied for any application outside the
    teacher's class.
    """
    return _approve_all(application_class_approve, actor=actor, applications=applications, note=note)


@transaction.atomic
def application_school_approve_many(*, actor, applications: Iterable[Application], note: str = "") -> int:
    """School-approve several class-approved applications in one transaction: all or none.

    Returns how many were approved. Raises DomainError naming the first stale application (nothing approved),
    or PermissionDenied.
    """
    return _approve_all(application_school_approve, actor=actor, applications=applications, note=note)
