"""The guardian's rights (issue #14, item 5): a parent asks the school to correct or delete data (a consent is
withdrawn directly, issue #14 item 2: `services/consents.py`; older withdrawal requests are still answered); the school answers (done, or refused with a reason) within 15 working days; the parent is told.

Every step is a `xiji_afterschool.workflow` step on `DataRequest` (its own event history and the audit trail). The
school's administrators are told of a new request, and reminded of open ones by the county's daily job
(`data_requests_remind`, hooked into `xiji_afterschool.bureau.services.reminders`).
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from schools.models import NotificationKind, School, Student
from schools.services.notifications import notify
from xiji_afterschool import permissions, workflow
from xiji_afterschool.errors import DomainError, checked_text

from ..models import DataRequest
from ..rules import data_requests as rules
from ..selectors import data_requests as selectors

TEXT_MAX = 300
DETAILS_MAX = 1000


def _when(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


@transaction.atomic
def data_request_submit(
    *,
    actor,
    kind: str,
    school: School,
    student: Student | None = None,
    what_is_wrong: str = "",
    should_be: str = "",
    details: str = "",
) -> DataRequest:
    """A parent sends a request about one of their children (`student`) or about their own data kept by `school`
    (a school of one of their children). The due date is 15 working days on the county calendar. The school's
    administrators are told. Raises PermissionDenied, DomainError."""
    if kind == DataRequest.Kind.WITHDRAWAL:
        raise DomainError(
            _("A consent is withdrawn directly, at once, under “My data” → “My consents”; no request is needed.")
        )
    if kind not in DataRequest.NEW_KINDS:
        raise DomainError(_("Choose what you are asking for."))
    if student is not None:
        permissions.require(actor, "data_request.create", student)
        school = student.school
    else:
        permissions.require(actor, "data_request.create")
        if not any(school.pk == s.pk for _v, _l, _c, s in selectors.request_targets(parent=actor)):
            raise PermissionDenied("data_request.create")
    if kind == DataRequest.Kind.CORRECTION:
        what_is_wrong = checked_text(what_is_wrong, required=_("Say what is wrong."), max_length=TEXT_MAX)
        should_be = checked_text(should_be, required=_("Say what it should be."), max_length=TEXT_MAX)
        details = (details or "").strip()[:DETAILS_MAX]
    else:  # a deletion
        what_is_wrong = should_be = ""
        details = checked_text(details, required=_("Say which data should be deleted."), max_length=DETAILS_MAX)
    now = timezone.now()
    request = DataRequest(
        school=school,
        student=student,
        requester=actor,
        kind=kind,
        what_is_wrong=what_is_wrong,
        should_be=should_be,
        details=details,
        submitted_at=now,
        due_date=selectors.due_date_for(timezone.localdate(now)),
    )
    try:
        request.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None
    request.save()
    workflow.start(request, actor=actor, action="submit")
    url = reverse("enrollment:data-request-detail", args=[request.pk])
    for admin in selectors.school_admins(school):
        with translation.override(settings.LANGUAGE_CODE):
            title = _("A family asks about its data")
            body = _("%(kind)s (request no. %(number)s). Please answer by %(day)s.") % {
                "kind": request.get_kind_display(),
                "number": request.pk,
                "day": _when(request.due_date),
            }
        notify(user=admin, kind=NotificationKind.GENERAL, title=title, body=body, url=url,
               key=f"data-request:{request.pk}:new")  # fmt: skip
    return request


@transaction.atomic
def data_request_answer(*, actor, request: DataRequest, done: bool, answer: str) -> DataRequest:
    """The school answers: done (the correction made, the data deleted, the consent withdrawn) or refused with its
    reason. The answer is recorded on the request and in its history, and the parent is told.
    Raises PermissionDenied, DomainError (no reason for a refusal; already answered)."""
    permissions.require(actor, "data_request.answer", request)
    if done:
        answer = (answer or "").strip()
        if len(answer) > DETAILS_MAX:
            raise DomainError(_("At most %(max)s characters.") % {"max": DETAILS_MAX})
    else:
        answer = checked_text(answer, required=_("Give the family the reason for refusing."), max_length=DETAILS_MAX)
    workflow.transition(
        request,
        "complete" if done else "refuse",
        actor=actor,
        note=answer,
        answer=answer,
        answered_at=timezone.now(),
        answered_by=actor,
    )
    with translation.override(settings.LANGUAGE_CODE):
        title = _("The school answered your request about your data")
        body = _("%(kind)s (request no. %(number)s): %(status)s.") % {
            "kind": request.get_kind_display(),
            "number": request.pk,
            "status": request.get_status_display(),
        }
        if answer:
            body = f"{body} {answer}"
    notify(user=request.requester, kind=NotificationKind.GENERAL, title=title, body=body,
           url=reverse("enrollment:data-request-detail", args=[request.pk]),
           key=f"data-request:{request.pk}:answered")  # fmt: skip
    return request


def data_requests_remind(*, today: datetime.date) -> int:
    """The daily reminder (run by the county's reminder job, in its transaction): the administrators of the school of
    each open request are told in the days before it is due, on the due day, and weekly once it is overdue; each
    stage once (the stage is in the dedupe key). Returns how many were told."""
    sent = 0
    for request in selectors.open_requests_all():
        stage = rules.remind_stage(today, request.due_date)
        if stage is None:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            if stage.startswith("overdue"):
                title = _("Data request overdue since %(day)s") % {"day": _when(request.due_date)}
            else:
                title = _("Data request due on %(day)s") % {"day": _when(request.due_date)}
            body = _("%(school)s: %(kind)s (request no. %(number)s) is waiting for the school's answer.") % {
                "school": request.school.name,
                "kind": request.get_kind_display(),
                "number": request.pk,
            }
        for admin in selectors.school_admins(request.school):
            told = notify(user=admin, kind=NotificationKind.GENERAL, title=title, body=body,
                          url=reverse("enrollment:data-request-detail", args=[request.pk]),
                          key=f"data-request:{request.pk}:{stage}")  # fmt: skip
            sent += told is not None
    return sent
