"""The spending plan (R25): the school writes it and records its approval; the county reads it and its minutes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiji_afterschool import auditing, permissions, uploads
from xiji_afterschool.actions import post_action
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.forms import CommentForm

from ..forms.spending import SpendingPlanForm
from ..models import SpendingPlan
from ..selectors import ledger as selectors
from ..services import spending as services
from .ledger import school_and_year


@login_required
def spending_plan_detail(request, school_pk, year_pk):
    school, school_year = school_and_year(request, school_pk, year_pk, "spending_plan.view")
    plan = selectors.spending_plan_of(viewer=request.user, school=school, school_year=school_year)
    fund = selectors.fund_of(viewer=request.user, school=school, school_year=school_year)
    entries = selectors.ledger_entries(fund=fund)
    draft = plan is None or plan.status == SpendingPlan.Status.DRAFT
    can_edit = draft and permissions.can(request.user, "spending_plan.edit", school)
    context = {
        "school": school,
        "school_year": school_year,
        "plan": plan,
        "fund": fund,
        "categories": selectors.category_rows(fund=fund, entries=entries, plan=plan) if plan else [],
        "can_edit": can_edit,
        "missing": services.missing_for_approval(plan) if plan and draft else [],
        "events": list(plan.events.select_related("actor")) if plan else [],
        "note_form": CommentForm(),
    }
    return render(request, "funding/spending/spending_plan_detail.html", context)


@login_required
def spending_plan_edit(request, school_pk, year_pk):
    school, school_year = school_and_year(request, school_pk, year_pk, "spending_plan.view")
    permissions.require(request.user, "spending_plan.edit", school)
    plan = selectors.spending_plan_of(viewer=request.user, school=school, school_year=school_year)
    if plan is not None and plan.status != SpendingPlan.Status.DRAFT:
        messages.error(request, _("The spending plan has been approved and can no longer change."))
        return redirect("funding:spending-plan-detail", school_pk=school.pk, year_pk=school_year.pk)
    if request.method == "POST":
        form = SpendingPlanForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.spending_plan_save(
                    actor=request.user, school=school, school_year=school_year, cleaned_data=form.cleaned_data
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The spending plan has been saved."))
                return redirect("funding:spending-plan-detail", school_pk=school.pk, year_pk=school_year.pk)
        else:
            messages.error(request, _("Nothing was saved. %(errors)s") % {"errors": form_errors(form)})
    else:
        form = SpendingPlanForm(initial=SpendingPlanForm.initial_for(plan))
    context = {"school": school, "school_year": school_year, "plan": plan, "form": form}
    return render(request, "funding/spending/spending_plan_edit.html", context)


@login_required
@require_POST
def spending_plan_approve(request, pk):
    """Record the approval by the office meeting and the staff congress (the plan is fixed from then on)."""
    plan = get_object_or_404(selectors.spending_plan_list(viewer=request.user), pk=pk)
    return post_action(
        request,
        plan,
        action="spending_plan.edit",
        call=lambda data: services.spending_plan_record_approval(actor=request.user, plan=plan, note=data["note"]),
        success=_("The approval of the spending plan has been recorded."),
        next_url=reverse(
            "funding:spending-plan-detail", kwargs={"school_pk": plan.school_id, "year_pk": plan.school_year_id}
        ),
        invalid=_("The comment is too long."),
    )


@login_required
@auditing.download("spending_minutes", model="funding.SpendingPlan")
def spending_plan_minutes(request, pk, which):
    """Download the office meeting's or the staff congress's minutes of a plan the viewer may read."""
    plan = get_object_or_404(selectors.spending_plan_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "spending_plan.view", plan)
    if which not in services.MINUTES:
        raise Http404
    minutes = getattr(plan, services.MINUTES[which])
    if not minutes:
        raise Http404(_("No minutes have been uploaded."))
    extension = minutes.name.rsplit(".", 1)[-1].lower()
    label = _("office meeting minutes") if which == "office" else _("staff congress minutes")
    try:
        handle = minutes.open("rb")
    except FileNotFoundError:
        raise Http404(_("The minutes file is missing.")) from None
    return FileResponse(
        handle, as_attachment=True, filename=f"{plan.school.name}-{plan.school_year.name}-{label}.{extension}",
        content_type=uploads.content_type_of(minutes.name),
    )  # fmt: skip


urlpatterns = [
    path("spending-plans/<int:school_pk>/<int:year_pk>/", spending_plan_detail, name="spending-plan-detail"),
    path("spending-plans/<int:school_pk>/<int:year_pk>/edit/", spending_plan_edit, name="spending-plan-edit"),
    path("spending-plans/<int:pk>/approve/", spending_plan_approve, name="spending-plan-approve"),
    path("spending-plans/<int:pk>/minutes/<str:which>/", spending_plan_minutes, name="spending-plan-minutes"),
]
