"""Special inspections (专项督导, R35): the list, scheduling, the inspection's page with the checklist, findings and
rectifications and the forms of the steps the viewer may take, the steps (POST only), the photos served through the
policy, and the report PDF."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.models import School
from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import auditing, permissions, uploads
from xiji_afterschool.actions import post_action
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.exports import render_pdf
from xiji_afterschool.forms import CommentForm

from ..forms.inspections import (
    ChecksForm,
    FindingForm,
    InspectionFilterForm,
    ReasonForm,
    ReinspectForm,
    ReopenForm,
    RespondForm,
    ScheduleForm,
)
from ..models import Finding, FindingPhoto, Inspection, Rectification
from ..reports import inspections as reports
from ..selectors import inspections as selectors
from ..services import inspections as services


@login_required
def inspection_list(request):
    user = request.user
    permissions.require(user, "inspection.view")
    form = InspectionFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    rows = selectors.inspection_list(viewer=user, status=status).order_by("-planned_date", "-pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    school_year = calendar_selectors.current_school_year()
    context = {
        "form": form,
        "page": page,
        "school_year": school_year,
        "counts": selectors.inspection_counts(viewer=user, school_year=school_year) if school_year else None,
        "may_schedule": permissions.can(user, "inspection.manage"),
    }
    return render(request, "bureau/inspections/inspection_list.html", context)


def _schedule_form(request, data=None):
    schools = permissions.scope(request.user, School.objects.all()).select_related("township").order_by("code")
    initial = {"inspectors": [request.user.pk]} if data is None else None
    school_pk = request.GET.get("school", "")
    if initial is not None and school_pk.isdigit():
        initial["school"] = schools.filter(pk=school_pk).first()
    return ScheduleForm(data, schools=schools, inspectors=services.inspector_choices(), initial=initial)


@login_required
def inspection_schedule(request):
    user = request.user
    permissions.require(user, "inspection.manage")
    school_year = calendar_selectors.current_school_year()
    form = _schedule_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not school_year:
            messages.error(request, _("There is no current school year to schedule an inspection in."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                inspection = services.inspection_schedule(
                    actor=user,
                    school=data["school"],
                    school_year=school_year,
                    kind=data["kind"],
                    planned_date=data["planned_date"],
                    inspectors=data["inspectors"],
                    focus=data["focus"],
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The inspection has been scheduled."))
                return redirect("bureau:inspection-detail", pk=inspection.pk)
        else:
            messages.error(request, form_errors(form))
    return render(request, "bureau/inspections/inspection_schedule.html", {"form": form, "school_year": school_year})


def _fetch(request, pk) -> Inspection:
    inspection = get_object_or_404(selectors.inspection_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "inspection.view", inspection)
    return inspection


def _next(inspection) -> str:
    return reverse("bureau:inspection-detail", kwargs={"pk": inspection.pk})


@login_required
def inspection_detail(request, pk):
    inspection = _fetch(request, pk)
    user = request.user
    status = Inspection.Status
    may_manage = permissions.can(user, "inspection.manage", inspection)
    may_respond = permissions.can(user, "rectification.respond")
    findings = list(selectors.findings_of(viewer=user, inspection=inspection))
    checks = inspection.checks.all()
    show_checks = may_manage or inspection.status in Inspection.ISSUED
    checks_form = ChecksForm(checks=checks) if may_manage else None
    context = {
        "inspection": inspection,
        "inspectors": inspection.inspectors.all(),
        "events": inspection.events.select_related("actor") if show_checks else [],
        "checks": checks if show_checks else [],
        "check_rows": checks_form.rows(selectors.check_hints(inspection))
        if checks_form and inspection.status == status.IN_PROGRESS
        else [],
        "findings": findings,
        "today": timezone.localdate(),
        "may_manage": may_manage,
        "may_respond": may_respond
        and inspection.status in (status.FINDINGS_ISSUED, status.RECTIFYING, status.REINSPECTED),
        "may_verify": may_manage and inspection.status in (status.RECTIFYING, status.REINSPECTED),
        "can_start": may_manage and inspection.status == status.SCHEDULED,
        "can_cancel": may_manage and inspection.status == status.SCHEDULED,
        "can_record": may_manage and inspection.status == status.IN_PROGRESS,
        "can_reinspect": may_manage and inspection.status == status.RECTIFYING,
        "can_close": may_manage and inspection.status in (status.FINDINGS_ISSUED, status.REINSPECTED),
        "can_pdf": show_checks and inspection.status != status.CANCELLED,
        "finding_form": FindingForm(checks=checks) if may_manage else None,
        "reason_form": ReasonForm(),
        "reinspect_form": ReinspectForm(),
        "respond_form": RespondForm(),
        "reopen_form": ReopenForm(),
        "comment_form": CommentForm(),
    }
    return render(request, "bureau/inspections/inspection_detail.html", context)


def _step(request, pk, *, form_class, call, success: str, action: str = "inspection.manage"):
    inspection = _fetch(request, pk)
    return post_action(
        request,
        inspection,
        action=action,
        form_class=form_class,
        call=lambda data: call(inspection, data),
        success=success,
        next_url=_next(inspection),
    )


@login_required
@require_POST
def inspection_start(request, pk):
    return _step(
        request,
        pk,
        form_class=CommentForm,
        call=lambda inspection, data: services.inspection_start(actor=request.user, inspection=inspection),
        success=_("The inspection has started: record the checklist and any findings."),
    )


@login_required
@require_POST
def inspection_cancel(request, pk):
    return _step(
        request,
        pk,
        form_class=ReasonForm,
        call=lambda inspection, data: services.inspection_cancel(
            actor=request.user, inspection=inspection, note=data["note"]
        ),
        success=_("The inspection has been cancelled."),
    )


@login_required
@require_POST
def inspection_checks(request, pk):
    inspection = _fetch(request, pk)
    return post_action(
        request,
        inspection,
        action="inspection.manage",
        form_class=lambda data: ChecksForm(data, checks=inspection.checks.all()),
        call=lambda data: services.inspection_record_checks(
            actor=request.user, inspection=inspection, results=ChecksForm.results_of(data, inspection.checks.all())
        ),
        success=_("The checklist has been recorded."),
        next_url=_next(inspection),
    )


@login_required
@require_POST
def finding_add(request, pk):
    inspection = _fetch(request, pk)
    permissions.require(request.user, "inspection.manage", inspection)
    form = FindingForm(request.POST, request.FILES, checks=inspection.checks.all())
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        data = form.cleaned_data
        try:
            services.finding_add(
                actor=request.user,
                inspection=inspection,
                check=data["check_item"],
                description=data["description"],
                severity=data["severity"],
                deadline=data["deadline"],
                photos=request.FILES.getlist("photos"),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The finding has been recorded."))
    return redirect(_next(inspection))


@login_required
@require_POST
def inspection_issue(request, pk):
    return _step(
        request,
        pk,
        form_class=CommentForm,
        call=lambda inspection, data: services.inspection_issue(
            actor=request.user, inspection=inspection, note=data["note"]
        ),
        success=_("The findings have been issued; the school has been told."),
    )


@login_required
@require_POST
def inspection_reinspect(request, pk):
    return _step(
        request,
        pk,
        form_class=ReinspectForm,
        call=lambda inspection, data: services.inspection_reinspect(
            actor=request.user, inspection=inspection, note=data["note"]
        ),
        success=_("The re-inspection has been recorded."),
    )


@login_required
@require_POST
def inspection_close(request, pk):
    return _step(
        request,
        pk,
        form_class=CommentForm,
        call=lambda inspection, data: services.inspection_close(
            actor=request.user, inspection=inspection, note=data["note"]
        ),
        success=_("The inspection has been closed."),
    )


def _fetch_rectification(request, pk) -> Rectification:
    return get_object_or_404(selectors.rectification_list(viewer=request.user), pk=pk)


@login_required
@require_POST
def rectification_respond(request, pk):
    rectification = _fetch_rectification(request, pk)
    permissions.require(request.user, "rectification.respond", rectification)
    form = RespondForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            services.rectification_respond(
                actor=request.user,
                rectification=rectification,
                response=form.cleaned_data["response"],
                photo=form.cleaned_data["photo"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your answer has been sent to the inspectors."))
    return redirect(_next(rectification.finding.inspection))


@login_required
@require_POST
def rectification_accept(request, pk):
    rectification = _fetch_rectification(request, pk)
    return post_action(
        request,
        rectification,
        action="inspection.manage",
        call=lambda data: services.rectification_accept(
            actor=request.user, rectification=rectification, note=data["note"]
        ),
        success=_("The rectification has been accepted."),
        next_url=_next(rectification.finding.inspection),
    )


@login_required
@require_POST
def rectification_reopen(request, pk):
    rectification = _fetch_rectification(request, pk)
    return post_action(
        request,
        rectification,
        action="inspection.manage",
        form_class=ReopenForm,
        call=lambda data: services.rectification_reopen(
            actor=request.user, rectification=rectification, note=data["note"], deadline=data["deadline"]
        ),
        success=_("The rectification has been reopened; the school has been told."),
        next_url=_next(rectification.finding.inspection),
    )


@login_required
@auditing.download("finding_photo")
def finding_photo(request, pk):
    """A finding's photo, to whoever may see the finding (never served from MEDIA_URL)."""
    findings = permissions.scope(request.user, Finding.objects.all())
    photo = get_object_or_404(FindingPhoto.objects.select_related("finding"), pk=pk, finding__in=findings)
    return uploads.photo_response(photo.file, content_type=photo.content_type)


@login_required
@auditing.download("rectification_photo")
def rectification_photo(request, pk):
    """The photo of a school's answer, to whoever may see the rectification."""
    rectification = _fetch_rectification(request, pk)
    if not rectification.response_photo:
        raise Http404
    return uploads.photo_response(rectification.response_photo, content_type=rectification.response_photo_type)


@login_required
@auditing.download("inspection")
def inspection_pdf(request, pk):
    """The inspection report (专项督导报告) as a county document."""
    inspection = _fetch(request, pk)
    may_manage = permissions.can(request.user, "inspection.manage", inspection)
    if inspection.status == Inspection.Status.CANCELLED or not (may_manage or inspection.status in Inspection.ISSUED):
        raise Http404
    findings = selectors.findings_of(viewer=request.user, inspection=inspection)
    pdf = render_pdf(
        "bureau/inspections/inspection_report_pdf.html", reports.inspection_report_context(inspection, findings)
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{reports.TITLE}-{inspection.school.name}-{inspection.planned_date:%Y%m%d}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


urlpatterns = [
    path("inspections/", inspection_list, name="inspection-list"),
    path("inspections/schedule/", inspection_schedule, name="inspection-schedule"),
    path("inspections/<int:pk>/", inspection_detail, name="inspection-detail"),
    path("inspections/<int:pk>/start/", inspection_start, name="inspection-start"),
    path("inspections/<int:pk>/cancel/", inspection_cancel, name="inspection-cancel"),
    path("inspections/<int:pk>/checks/", inspection_checks, name="inspection-checks"),
    path("inspections/<int:pk>/findings/", finding_add, name="finding-add"),
    path("inspections/<int:pk>/issue/", inspection_issue, name="inspection-issue"),
    path("inspections/<int:pk>/reinspect/", inspection_reinspect, name="inspection-reinspect"),
    path("inspections/<int:pk>/close/", inspection_close, name="inspection-close"),
    path("inspections/<int:pk>/report.pdf", inspection_pdf, name="inspection-pdf"),
    path("inspections/rectifications/<int:pk>/respond/", rectification_respond, name="rectification-respond"),
    path("inspections/rectifications/<int:pk>/accept/", rectification_accept, name="rectification-accept"),
    path("inspections/rectifications/<int:pk>/reopen/", rectification_reopen, name="rectification-reopen"),
    path("inspections/rectifications/<int:pk>/photo/", rectification_photo, name="rectification-photo"),
    path("inspections/findings/photos/<int:pk>/", finding_photo, name="finding-photo"),
]
