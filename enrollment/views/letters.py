"""The Letter to Parents (《致家长的一封信》, R15): online, as a PDF, and printed in batches for a whole class."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from schools.selectors import calendar as calendar_selectors
from schools.selectors import roster as roster_selectors
from xiji_afterschool import actions, auditing, permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.exports import render_pdf

from ..models import LetterBatch
from ..reports import letters as reports
from ..selectors import letters as selectors
from ..services import letters as services


def _school_letter(request, school_pk):
    """(school, school year, letter context or None): the school fetched in the viewer's scope, then the policy."""
    school = get_object_or_404(roster_selectors.school_list(viewer=request.user), pk=school_pk)
    permissions.require(request.user, "letter.view", school)
    school_year = calendar_selectors.current_school_year()
    plan = selectors.filed_plan(school=school, school_year=school_year) if school_year else None
    base_url = f"{request.scheme}://{request.get_host()}"  # printed addresses point back to this site
    letter = (
        reports.letter_context(school=school, school_year=school_year, plan=plan, base_url=base_url) if plan else None
    )
    return school, school_year, letter


@login_required
def letter_detail(request, school_pk):
    school, school_year, letter = _school_letter(request, school_pk)
    batch_classes, batches = [], []
    if letter and permissions.memberships_for(request.user, "letter.batch"):
        classes = roster_selectors.admin_class_list(viewer=request.user, school=school)
        batch_classes = [c for c in classes if permissions.can(request.user, "letter.batch", c)]
        batches = selectors.letter_batch_list(viewer=request.user).filter(school=school)[:10]
    return render(
        request,
        "enrollment/letters/letter_detail.html",
        {
            "school": school,
            "school_year": school_year,
            "letter": letter,
            "batch_classes": batch_classes,
            "batches": batches,
        },
    )


@login_required
@auditing.download("letter", model="schools.School", key="school_pk")
def letter_pdf(request, school_pk):
    school, school_year, letter = _school_letter(request, school_pk)
    if letter is None:
        raise Http404(_("The school's plan is not filed yet."))
    pdf = render_pdf("enrollment/letters/letter_pdf.html", {"letter": letter})
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{school.name}-{school_year.name}-{pgettext('document title', 'Letter to Parents')}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_POST
def letter_batch_create(request, admin_class_pk):
    admin_class = get_object_or_404(roster_selectors.admin_class_list(viewer=request.user), pk=admin_class_pk)
    permissions.require(request.user, "letter.batch", admin_class)
    # The QR codes point back to this site as the requester reached it; the worker has no request to ask.
    base_url = f"{request.scheme}://{request.get_host()}"
    try:
        batch = services.letter_batch_request(actor=request.user, admin_class=admin_class, base_url=base_url)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("enrollment:letter-detail", school_pk=admin_class.school_id)
    actions.job_requested(
        request, batch, success=_("The letters are being prepared. This page shows when they are ready.")
    )
    return redirect("enrollment:letter-batch-detail", pk=batch.pk)


def _batch(request, pk) -> LetterBatch:
    batch = get_object_or_404(selectors.letter_batch_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "letter.batch", batch.admin_class)
    return batch


@login_required
def letter_batch_detail(request, pk):
    batch = _batch(request, pk)
    percent = round(100 * batch.done / batch.total) if batch.total else 0
    return render(
        request, "enrollment/letters/letter_batch_detail.html", {"batch": batch, "percent": min(percent, 100)}
    )


@login_required
@require_POST
def letter_batch_retry(request, pk):
    batch = _batch(request, pk)
    return actions.job_retry(
        request,
        batch,
        call=lambda: services.letter_batch_retry(actor=request.user, batch=batch),
        next_url=reverse("enrollment:letter-batch-detail", args=[batch.pk]),
    )


@login_required
@auditing.download("letter_batch", model="enrollment.LetterBatch")
def letter_batch_download(request, pk):
    batch = _batch(request, pk)
    if batch.status != LetterBatch.Status.DONE or not batch.file:
        raise Http404(_("These letters are not ready."))
    filename = f"{batch.school.name}-{batch.admin_class}-{pgettext('document title', 'Letter to Parents')}.pdf"
    return FileResponse(batch.file.open("rb"), as_attachment=True, filename=filename)


urlpatterns = [
    path("letters/<int:school_pk>/", letter_detail, name="letter-detail"),
    path("letters/<int:school_pk>/letter.pdf", letter_pdf, name="letter-pdf"),
    path("letters/classes/<int:admin_class_pk>/batch/", letter_batch_create, name="letter-batch-create"),
    path("letters/batches/<int:pk>/", letter_batch_detail, name="letter-batch-detail"),
    path("letters/batches/<int:pk>/retry/", letter_batch_retry, name="letter-batch-retry"),
    path("letters/batches/<int:pk>/download/", letter_batch_download, name="letter-batch-download"),
]
