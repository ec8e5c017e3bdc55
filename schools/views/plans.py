"""The school plan (一校一案): list and review queue, sections, attachments, transitions, versions, filing PDF."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiji_afterschool import auditing, permissions, uploads
from xiji_afterschool.actions import post_action
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.exports import render_pdf
from xiji_afterschool.forms import CommentForm

from ..forms.plans import SECTION_BY_KEY, SECTIONS, AttachmentForm, PlanFilterForm, build_form
from ..models import SchoolPlan
from ..reports import plans as reports
from ..rules import plans as rules
from ..selectors import calendar as calendar_selectors
from ..selectors import plans as selectors
from ..selectors import roster as roster_selectors
from ..services import plans as services


@login_required
def plan_list(request):
    """Plans the user may see. For the bureau this is the review queue (default: under review)."""
    permissions.require(request.user, "plan.view")
    params = request.GET.copy()
    filed_pk = params.pop("filed", [""])[-1]  # the plan just filed: shown above the queue, with its record
    if not params and permissions.can(request.user, "plan.review_queue"):
        params["status"] = SchoolPlan.Status.AT_BUREAU
    form = PlanFilterForm(params)
    filters = form.cleaned_data if form.is_valid() else {}
    school_year = calendar_selectors.current_school_year()
    plans = selectors.plan_list(
        viewer=request.user,
        school_year=school_year,
        township_id=filters.get("township") and filters["township"].pk,
        school_type=filters.get("school_type", ""),
        status=filters.get("status", ""),
        overdue=filters.get("overdue", False),
    )
    page = Paginator(plans, 50).get_page(request.GET.get("page"))
    next_plan = filed = None
    if permissions.can(request.user, "plan.review_queue") and school_year is not None:
        next_plan = selectors.review_queue(viewer=request.user, school_year=school_year).first()
    if filed_pk.isdigit():
        filed = selectors.plan_list(viewer=request.user, status=SchoolPlan.Status.FILED).filter(pk=filed_pk).first()
    context = {"form": form, "page": page, "school_year": school_year, "next_plan": next_plan, "filed": filed}
    return render(request, "schools/plans/plan_list.html", context)


@login_required
@require_POST
def plan_start(request, school_pk):
    school = get_object_or_404(roster_selectors.school_list(viewer=request.user), pk=school_pk)
    permissions.require(request.user, "plan.edit", school)
    school_year = calendar_selectors.current_school_year()
    if school_year is None:
        messages.error(request, _("The bureau has not set up the school year yet."))
        return redirect("home")
    try:
        plan = services.plan_start(actor=request.user, school=school, school_year=school_year)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("home")
    return redirect("schools:plan-detail", pk=plan.pk)


def _fetch_plan(request, pk) -> SchoolPlan:
    plan = get_object_or_404(selectors.plan_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "plan.view", plan)
    return plan


@login_required
def plan_detail(request, pk):
    plan = _fetch_plan(request, pk)
    stored = {s.key: s.data for s in plan.sections.all()}
    sections = [
        {
            "key": s.key,
            "title": s.title,
            "editable": s.form is not None,
            "filled": s.key in stored,
            "rows": rules.display_rows(s.key, stored.get(s.key, {}), school=plan.school),
        }
        for s in SECTIONS
    ]
    user = request.user
    can_edit = plan.is_editable and permissions.can(user, "plan.edit", plan)
    actions = []
    if plan.is_editable and permissions.can(user, "plan.submit", plan):
        actions.append("submit")
    if plan.status == SchoolPlan.Status.AT_TOWNSHIP and permissions.can(user, "plan.forward", plan):
        actions += ["forward", "return"]
    if plan.status == SchoolPlan.Status.AT_BUREAU and permissions.can(user, "plan.file", plan):
        actions += ["file", "return"]
    context = {
        "plan": plan,
        "sections": sections,
        "can_edit": can_edit,
        "actions": [(a, SchoolPlan.BUTTON_LABELS[a]) for a in actions],
        "decide_on_top": "submit" not in actions,  # a reviewer decides first, without scrolling past the plan
        "missing": services.missing_sections(plan) if plan.is_editable else [],
        "timetable_gaps": services.timetable_snapshot(plan)["missing"] if plan.is_editable else [],
        "can_revise": plan.status == SchoolPlan.Status.FILED
        and not hasattr(plan, "next_version")
        and permissions.can(user, "plan.revise", plan),
        "decision_form": CommentForm(),
        "attachment_form": AttachmentForm(),
        "queue": selectors.review_queue_neighbours(viewer=user, plan=plan)
        if permissions.can(user, "plan.review_queue")
        else None,
        "events": plan.events.all(),
    }
    return render(request, "schools/plans/plan_detail.html", context)


@login_required
def plan_section_edit(request, pk, key):
    plan = _fetch_plan(request, pk)
    section = SECTION_BY_KEY.get(key)
    if section is None or section.form is None:
        raise Http404
    permissions.require(request.user, "plan.edit", plan)
    if not plan.is_editable:
        messages.error(
            request, _("The plan is “%(status)s” and cannot be changed now.") % {"status": plan.get_status_display()}
        )
        return redirect("schools:plan-detail", pk=plan.pk)
    stored = plan.sections.filter(key=key).values_list("data", flat=True).first() or {}
    form = build_form(key, school=plan.school, data=request.POST or None, initial=stored)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_section_save(actor=request.user, plan=plan, key=key, cleaned_data=form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("“%(section)s” saved.") % {"section": section.title})
            return redirect("schools:plan-detail", pk=plan.pk)
    return render(request, "schools/plans/plan_section_form.html", {"plan": plan, "section": section, "form": form})


def _transition(request, pk, service, success, action):
    plan = _fetch_plan(request, pk)
    if callable(action):  # returning: the service says whose return it is, from where the plan stands
        action = action(plan)
    return post_action(
        request,
        plan,
        action=action,
        call=lambda data: service(actor=request.user, plan=plan, note=data["note"]),
        success=success,
        next_url=reverse("schools:plan-detail", kwargs={"pk": plan.pk}),
        invalid=_("The comment is too long."),
    )


@login_required
@require_POST
def plan_submit(request, pk):
    return _transition(request, pk, services.plan_submit, _("The plan has been submitted."), "plan.submit")


@login_required
@require_POST
def plan_forward(request, pk):
    return _transition(
        request, pk, services.plan_forward, _("The plan has been forwarded to the bureau."), "plan.forward"
    )


@login_required
@require_POST
def plan_return(request, pk):
    return _transition(
        request,
        pk,
        services.plan_return,
        _("The plan has been returned with your comments."),
        services.plan_return_action,
    )


@login_required
@require_POST
def plan_file(request, pk):
    """File the plan, then back to the bureau's queue: the plan just filed on top, the next one ready below."""
    plan = _fetch_plan(request, pk)
    permissions.require(request.user, "plan.file", plan)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The comment is too long."))
        return redirect("schools:plan-detail", pk=plan.pk)
    try:
        plan = services.plan_file(actor=request.user, plan=plan, note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("schools:plan-detail", pk=plan.pk)
    messages.success(
        request,
        _("%(school)s: the plan has been filed (%(number)s).") % {"school": plan.school, "number": plan.filing_number},
    )
    return redirect(reverse("schools:plan-list") + f"?filed={plan.pk}")


@login_required
@require_POST
def plan_revise(request, pk):
    plan = _fetch_plan(request, pk)
    permissions.require(request.user, "plan.revise", plan)
    try:
        new = services.plan_revise(actor=request.user, plan=plan)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("schools:plan-detail", pk=plan.pk)
    messages.success(request, _("Version %(version)s started from the filed plan.") % {"version": new.version})
    return redirect("schools:plan-detail", pk=new.pk)


@login_required
def plan_diff(request, pk):
    """R17: what changed, section by section, from the previous version."""
    plan = _fetch_plan(request, pk)
    if plan.previous is None:
        raise Http404(_("This is the first version."))
    old = {s.key: s.data for s in plan.previous.sections.all()}
    new = {s.key: s.data for s in plan.sections.all()}
    changes = rules.diff(old, new, school=plan.school)
    return render(
        request, "schools/plans/plan_diff.html", {"plan": plan, "previous": plan.previous, "changes": changes}
    )


@login_required
@require_POST
def plan_attachment_add(request, pk):
    plan = _fetch_plan(request, pk)
    permissions.require(request.user, "plan.edit", plan)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            services.plan_attachment_add(
                actor=request.user, plan=plan, upload=form.cleaned_data["file"], title=form.cleaned_data["title"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Attachment added."))
    return redirect("schools:plan-detail", pk=plan.pk)


@login_required
@auditing.download("plan_attachment", model="schools.PlanAttachment")
def plan_attachment_download(request, pk):
    attachment = get_object_or_404(selectors.plan_attachment_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "plan.view", attachment.plan)
    extension = uploads.extension_of(attachment.content_type)
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=f"{attachment.title}.{extension}",
        content_type=attachment.content_type,
    )  # fmt: skip


@login_required
@require_POST
def plan_attachment_remove(request, pk):
    attachment = get_object_or_404(selectors.plan_attachment_list(viewer=request.user), pk=pk)
    try:
        services.plan_attachment_remove(actor=request.user, attachment=attachment)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("schools:plan-detail", pk=attachment.plan_id)


@login_required
@auditing.download("plan_filing", model="schools.SchoolPlan")
def plan_filing_pdf(request, pk):
    """The filing record (备案表) of a filed plan, as a county document."""
    plan = _fetch_plan(request, pk)
    if plan.status != SchoolPlan.Status.FILED:
        raise PermissionDenied(_("Only a filed plan has a filing record."))
    pdf = render_pdf("schools/plans/plan_filing_pdf.html", reports.plan_filing_context(plan))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{plan.school.name}-{plan.school_year.name}-v{plan.version}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


urlpatterns = [
    path("plans/", plan_list, name="plan-list"),
    path("schools/<int:school_pk>/plan/start/", plan_start, name="plan-start"),
    path("plans/<int:pk>/", plan_detail, name="plan-detail"),
    path("plans/<int:pk>/sections/<slug:key>/", plan_section_edit, name="plan-section-edit"),
    path("plans/<int:pk>/submit/", plan_submit, name="plan-submit"),
    path("plans/<int:pk>/forward/", plan_forward, name="plan-forward"),
    path("plans/<int:pk>/return/", plan_return, name="plan-return"),
    path("plans/<int:pk>/file/", plan_file, name="plan-file"),
    path("plans/<int:pk>/revise/", plan_revise, name="plan-revise"),
    path("plans/<int:pk>/changes/", plan_diff, name="plan-diff"),
    path("plans/<int:pk>/filing.pdf", plan_filing_pdf, name="plan-filing-pdf"),
    path("plans/<int:pk>/attachments/", plan_attachment_add, name="plan-attachment-add"),
    path("plans/attachments/<int:pk>/", plan_attachment_download, name="plan-attachment-download"),
    path("plans/attachments/<int:pk>/remove/", plan_attachment_remove, name="plan-attachment-remove"),
]
