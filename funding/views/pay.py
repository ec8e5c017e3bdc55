"""Teacher pay by workload (R27): the school's scheme and its HR review, pay runs, pay slips."""

from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import auditing, permissions
from xiji_afterschool.actions import post_action
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.exports import render_pdf, write_xlsx, xlsx_response
from xiji_afterschool.forms import CommentForm

from ..forms.pay import (
    PayApproveForm,
    PayFactorForm,
    PayReturnForm,
    PayRunCreateForm,
    PaySchemeForm,
)
from ..models import PayRun, PayScheme
from ..reports import pay as reports
from ..selectors import pay as selectors
from ..services import pay as services
from .ledger import school_and_year

# ---------------------------------------------------------------- the scheme


@login_required
def pay_scheme_list(request):
    """HR's queue (schemes awaiting review, every school) or, for a school admin, the school's own schemes."""
    permissions.require(request.user, "pay_scheme.view")
    status = request.GET.get("status")
    if status is None and permissions.can(request.user, "pay_scheme.review"):
        status = PayScheme.Status.SUBMITTED
    if status not in PayScheme.Status.values:
        status = ""
    schemes = selectors.pay_scheme_list(viewer=request.user, status=status)[:200]
    own_schools = list(selectors.pay_schools(viewer=request.user, action="pay_scheme.edit"))
    context = {
        "schemes": schemes,
        "status": status,
        "statuses": PayScheme.Status.choices,
        "own_schools": own_schools,
        "school_year": calendar_selectors.current_school_year(),
    }
    return render(request, "funding/pay/pay_scheme_list.html", context)


@login_required
def pay_scheme_detail(request, school_pk, year_pk):
    """The newest version (or ?version=N), every version, the history; edit, submit, approve or return."""
    school, school_year = school_and_year(request, school_pk, year_pk, "pay_scheme.view")
    versions = selectors.pay_scheme_versions(school=school, school_year=school_year)
    user = request.user
    scheme = versions[0] if versions else None
    wanted = request.GET.get("version", "")
    if wanted.isdigit():
        scheme = next((v for v in versions if v.version == int(wanted)), scheme)
    elif permissions.can(user, "pay_scheme.review"):  # HR lands on the version waiting for them
        scheme = next((v for v in versions if v.status == PayScheme.Status.SUBMITTED), scheme)
    can_edit = permissions.can(user, "pay_scheme.edit", school)
    newest = versions[0] if versions else None
    context = {
        "school": school,
        "school_year": school_year,
        "scheme": scheme,
        "versions": versions,
        "in_force": next((v for v in versions if v.status == PayScheme.Status.APPROVED), None),
        "can_edit": can_edit,
        "can_submit": scheme is not None and scheme is newest and scheme.is_editable and can_edit,
        "can_review": scheme is not None
        and scheme.status == PayScheme.Status.SUBMITTED
        and permissions.can(user, "pay_scheme.review", scheme),
        "decision_form": CommentForm(),
        "history": list(scheme.events.select_related("actor")) if scheme else [],
    }
    return render(request, "funding/pay/pay_scheme_detail.html", context)


@login_required
def pay_scheme_edit(request, school_pk, year_pk):
    """The school admin edits the draft, or starts the next version of a submitted or approved scheme."""
    school, school_year = school_and_year(request, school_pk, year_pk, "pay_scheme.edit", seen_with="pay_scheme.view")
    newest = services.scheme_newest(school=school, school_year=school_year)
    source = newest or PayScheme()  # a first scheme starts from the model's defaults
    initial = {name: getattr(source, name) for name in services.SCHEME_FIELDS}
    form = PaySchemeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            scheme = services.pay_scheme_save(
                actor=request.user, school=school, school_year=school_year, cleaned_data=form.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if newest is not None and scheme.pk != newest.pk:
                messages.success(request, _("Saved as version %(v)s (a draft).") % {"v": scheme.version})
            else:
                messages.success(request, _("Scheme saved."))
            return redirect("funding:pay-scheme-detail", school_pk=school.pk, year_pk=school_year.pk)
    context = {
        "school": school,
        "school_year": school_year,
        "form": form,
        "newest": newest,
        "starts_new_version": newest is not None and not newest.is_editable,
    }
    return render(request, "funding/pay/pay_scheme_edit.html", context)


def _scheme_action(request, pk, action, service, form_class, done):
    scheme = get_object_or_404(selectors.pay_scheme_list(viewer=request.user), pk=pk)
    url = reverse("funding:pay-scheme-detail", kwargs={"school_pk": scheme.school_id, "year_pk": scheme.school_year_id})
    return post_action(
        request,
        scheme,
        action=action,
        form_class=form_class,
        call=lambda data: service(actor=request.user, scheme=scheme, note=data["note"]),
        success=done,
        next_url=f"{url}?version={scheme.version}",
    )


@login_required
@require_POST
def pay_scheme_submit(request, pk):
    return _scheme_action(
        request, pk, "pay_scheme.edit", services.pay_scheme_submit, CommentForm, _("Scheme submitted to HR.")
    )


@login_required
@require_POST
def pay_scheme_approve(request, pk):
    return _scheme_action(
        request, pk, "pay_scheme.review", services.pay_scheme_approve, CommentForm, _("Scheme approved.")
    )


@login_required
@require_POST
def pay_scheme_return(request, pk):
    return _scheme_action(
        request, pk, "pay_scheme.review", services.pay_scheme_return, PayReturnForm, _("Scheme returned to the school.")
    )


# ---------------------------------------------------------------- pay runs


@login_required
def pay_run_list(request, school_pk):
    school = get_object_or_404(selectors.pay_schools(viewer=request.user, action="pay_run.view"), pk=school_pk)
    permissions.require(request.user, "pay_run.view", school)
    context = {
        "school": school,
        "runs": selectors.pay_run_list(viewer=request.user, school=school),
        "can_manage": permissions.can(request.user, "pay_run.manage", school),
        "school_year": calendar_selectors.current_school_year(),
    }
    return render(request, "funding/pay/pay_run_list.html", context)


@login_required
def pay_run_create(request, school_pk):
    school = get_object_or_404(selectors.pay_schools(viewer=request.user, action="pay_run.view"), pk=school_pk)
    permissions.require(request.user, "pay_run.manage", school)
    school_year = calendar_selectors.current_school_year()
    form = PayRunCreateForm(request.POST or None, initial={"school_year": school_year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.pay_run_create(
                actor=request.user,
                school=school,
                school_year=data["school_year"],
                first_month=data["first_month"],
                last_month=data["last_month"],
                pool=data["pool"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Draft pay run computed. Check the shares, then approve it."))
            return redirect("funding:pay-run-detail", pk=run.pk)
    return render(request, "funding/pay/pay_run_create.html", {"school": school, "form": form})


def _fetch_run(request, pk, action="pay_run.view") -> PayRun:
    run = get_object_or_404(selectors.pay_run_list(viewer=request.user), pk=pk)
    permissions.require(request.user, action, run)
    return run


@login_required
def pay_run_detail(request, pk):
    run = _fetch_run(request, pk)
    shares = selectors.pay_run_shares(run=run)
    is_draft = run.status == PayRun.Status.DRAFT
    can_manage = is_draft and permissions.can(request.user, "pay_run.manage", run)
    context = {
        "run": run,
        "scheme": run.scheme,
        "shares": shares,
        "total_points": reports.total_points(shares),
        "total_amount": sum((s.amount for s in shares), Decimal("0.00")),
        "volunteers": selectors.pay_run_volunteers(run=run),
        "can_manage": can_manage,
        "stale": can_manage and services.is_stale(run),
        "approve_form": PayApproveForm(),
        "history": list(run.events.select_related("actor")),
    }
    return render(request, "funding/pay/pay_run_detail.html", context)


@login_required
@require_POST
def pay_run_factor(request, pk):
    run = _fetch_run(request, pk, "pay_run.manage")
    form = PayFactorForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        person = selectors.pay_run_person(run=run, person_id=form.cleaned_data["person"])
        try:
            if person is None:
                raise DomainError(_("This person has no share in this pay run."))
            services.pay_run_set_factor(
                actor=request.user,
                run=run,
                person=person,
                factor=form.cleaned_data["factor"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Factor set; every share was recomputed."))
    return redirect("funding:pay-run-detail", pk=run.pk)


@login_required
@require_POST
def pay_run_recompute(request, pk):
    run = _fetch_run(request, pk, "pay_run.manage")
    try:
        services.pay_run_recompute(actor=request.user, run=run)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Shares recomputed from the hours record."))
    return redirect("funding:pay-run-detail", pk=run.pk)


@login_required
@require_POST
def pay_run_approve(request, pk):
    run = _fetch_run(request, pk, "pay_run.manage")
    return post_action(
        request,
        run,
        action="pay_run.manage",
        form_class=PayApproveForm,
        call=lambda data: services.pay_run_approve(
            actor=request.user, run=run, paid_on=data["paid_on"], note=data["note"]
        ),
        success=_("Pay run approved and booked in the ledger."),
        next_url=reverse("funding:pay-run-detail", kwargs={"pk": run.pk}),
    )


@login_required
@auditing.download("pay_run", model="funding.PayRun")
def pay_run_export(request, pk):
    run = _fetch_run(request, pk)
    header, rows = reports.pay_run_rows(run)
    title = _("Pay %(first)s to %(last)s") % {"first": f"{run.first_month:%Y-%m}", "last": f"{run.last_month:%Y-%m}"}
    filename = f"pay-{run.school.code}-{run.first_month:%Y-%m}-{run.last_month:%Y-%m}.xlsx"
    return xlsx_response(write_xlsx(title=title, header=header, rows=rows), filename)


# ---------------------------------------------------------------- pay slips


@login_required
@auditing.download("pay_slip", model="funding.PayShare")
def pay_slip(request, pk):
    """One share as a PDF: a teacher's own once the run is approved; the school's, HR's and audit's (scope)."""
    share = get_object_or_404(selectors.pay_share_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "pay_slip.view", share)
    pdf = render_pdf("funding/pay/pay_slip_pdf.html", reports.pay_slip_context(share))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{share.run.school.name}-{share.person.get_full_name()}-{share.run.first_month:%Y%m}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def pay_slip_mine(request):
    permissions.require(request.user, "pay_slip.view")
    return render(request, "funding/pay/pay_slip_mine.html", {"shares": selectors.pay_slips_mine(viewer=request.user)})


urlpatterns = [
    path("pay/schemes/", pay_scheme_list, name="pay-scheme-list"),
    path("schools/<int:school_pk>/years/<int:year_pk>/pay-scheme/", pay_scheme_detail, name="pay-scheme-detail"),
    path("schools/<int:school_pk>/years/<int:year_pk>/pay-scheme/edit/", pay_scheme_edit, name="pay-scheme-edit"),
    path("pay/schemes/<int:pk>/submit/", pay_scheme_submit, name="pay-scheme-submit"),
    path("pay/schemes/<int:pk>/approve/", pay_scheme_approve, name="pay-scheme-approve"),
    path("pay/schemes/<int:pk>/return/", pay_scheme_return, name="pay-scheme-return"),
    path("schools/<int:school_pk>/pay-runs/", pay_run_list, name="pay-run-list"),
    path("schools/<int:school_pk>/pay-runs/new/", pay_run_create, name="pay-run-create"),
    path("pay/runs/<int:pk>/", pay_run_detail, name="pay-run-detail"),
    path("pay/runs/<int:pk>/factor/", pay_run_factor, name="pay-run-factor"),
    path("pay/runs/<int:pk>/recompute/", pay_run_recompute, name="pay-run-recompute"),
    path("pay/runs/<int:pk>/approve/", pay_run_approve, name="pay-run-approve"),
    path("pay/runs/<int:pk>/export.xlsx", pay_run_export, name="pay-run-export"),
    path("pay/slips/<int:pk>/", pay_slip, name="pay-slip"),
    path("pay/slips/mine/", pay_slip_mine, name="pay-slip-mine"),
]
