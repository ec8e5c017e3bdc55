"""The body every approve/return/confirm POST view shares: the right, the comment, the service call, one message."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.forms import CommentForm


def post_action(request, obj, *, action: str, call, success: str, next_url: str, form_class=CommentForm, invalid=None):
    """Require `action` on `obj` (403 before the form is read, so a refusal is not a message), read the form, run
    `call(cleaned_data)`; a DomainError becomes an error message, success the `success` message. `invalid` is the
    message of a form that does not validate (default: the form's own errors). Redirects to `next_url`."""
    permissions.require(request.user, action, obj)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, invalid or form_errors(form))
    else:
        try:
            call(form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, success)
    return redirect(next_url)


def job_requested(request, job, *, success: str) -> None:
    """After a background job was asked for or retried (`xiji_afterschool.jobs`): `success`, or — when the queue
    could not be reached and the job already FAILED — the job's error, so the requester reads why instead of a 500."""
    job.refresh_from_db()
    if job.is_failed:
        messages.error(request, job.error)
    else:
        messages.success(request, success)


def job_retry(request, job, *, call, next_url: str):
    """The retry button of a FAILED job (POST): `call()` is the service (it asks the permission); one message."""
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        job_requested(request, job, success=_("Started again. This page shows when it is ready."))
    return redirect(next_url)
