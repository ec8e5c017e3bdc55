"""Subsidy claims (R23): the list and queues, the claim page with its computation and history, the school's
draft, the bureau's first review, finance's approval and allocation, and the Excel export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.models import School
from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import auditing, permissions
from xiji_afterschool.actions import post_action
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.exports import write_xlsx, xlsx_response
from xiji_afterschool.forms import CommentForm

from ..forms.claims import AllocateForm, ApproveForm, ClaimClassesForm, ClaimFilterForm
from ..models import Claim
from ..reports import claims as reports
from ..selectors import claims as selectors
from ..services import claims as services

FILTERS = ("school_year", "township", "status", "exceeding")


def _filtered(request):
    form = ClaimFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    claims = selectors.claim_list(
        viewer=request.user,
        school_year=filters.get("school_year"),
        township_id=filters.get("township") and filters["township"].pk,
        status=filters.get("status", ""),
    )
    if filters.get("exceeding"):  # claims of more service classes than the school formed (issue #12)
        over = selectors.claims_exceeding(selectors.claim_formed_figures(claims=claims))
        claims = claims.filter(pk__in=over)
    return form, claims


@login_required
def claim_list(request):
    """A school admin's own claims (and where to start one); the bureau's and finance's queues by default, every
    claim with a filter; the inspector's and auditor's view of all. Two queries a page, whatever the count."""
    user = request.user
    permissions.require(user, "claim.view")
    has_queue = permissions.can(user, "claim.first_review") or permissions.can(user, "claim.approve")
    form, claims = _filtered(request)
    show_queue = has_queue and not any(request.GET.get(key) is not None for key in FILTERS)
    if show_queue:
        claims = selectors.claim_queue(viewer=user)
    page = Paginator(claims, 50).get_page(request.GET.get("page"))
    exceeding = selectors.claims_exceeding(selectors.claim_formed_figures(claims=page.object_list))
    school_year = calendar_selectors.current_school_year()
    startable = []
    if school_year is not None:
        schools = selectors.claimable_schools(viewer=user)
        claimed = set(
            selectors.claim_list(viewer=user, school_year=school_year)
            .filter(kind=Claim.Kind.ANNUAL)
            .values_list("school_id", flat=True)
        )
        startable = [s for s in schools if s.pk not in claimed]
    context = {
        "form": form,
        "page": page,
        "show_queue": show_queue,
        "has_queue": has_queue,
        "school_year": school_year,
        "startable": startable,
        "exceeding": exceeding,
    }
    return render(request, "funding/claims/claim_list.html", context)


def _fetch(request, pk) -> Claim:
    claim = get_object_or_404(selectors.claim_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "claim.view", claim)
    return claim


def _lines_initial(claim: Claim) -> dict:
    return {f"classes_{line.stage}": line.service_classes for line in claim.lines.all()}


@login_required
def claim_detail(request, pk):
    """The claim: every stored input, each line's computation, the three people, the allocation, the history,
    and the forms of the actions the viewer may take now."""
    claim = _fetch(request, pk)
    user = request.user
    status = Claim.Status
    may_edit = permissions.can(user, "claim.edit", claim)
    may_review = permissions.can(user, "claim.first_review", claim)
    may_approve = permissions.can(user, "claim.approve", claim)
    can_supplement = claim.kind == Claim.Kind.ANNUAL and claim.status in Claim.FIXED and may_edit
    supplementary_form = None
    if can_supplement:
        supplementary_form = ClaimClassesForm(
            stages=claim.school.stages,
            supplementary=True,
            initial={"from_date": timezone.localdate()},  # the classes added: typed, never the annual count
            prefix="supplement",
        )
    context = {
        "claim": claim,
        "lines": claim.lines.all(),
        "formed": selectors.claim_formed_figures(claims=[claim])[claim.pk],
        "events": claim.events.all(),
        "supplements": claim.supplementary_claims.all(),
        "supplement_waiting": claim.supplementary_claims.exclude(status__in=Claim.FIXED).first(),
        "can_edit": claim.is_editable and may_edit,
        "can_review": claim.status == status.SUBMITTED and may_review,
        "can_decide": claim.status == status.PASSED and may_approve,
        "can_allocate": claim.status == status.APPROVED and may_approve,
        "can_supplement": can_supplement,
        "decision_form": CommentForm(),
        "approve_form": ApproveForm(initial={"amount": claim.requested_amount}),
        "allocate_form": AllocateForm(initial={"allocated_on": timezone.localdate()}),
        "supplementary_form": supplementary_form,
        "ledger_entry": getattr(claim, "ledger_entry", None) if claim.status == status.ALLOCATED else None,
    }
    return render(request, "funding/claims/claim_detail.html", context)


@login_required
@require_POST
def claim_start(request, school_pk):
    """Start the school's annual claim for the current year from its filed plan (or its service classes)."""
    user = request.user
    school = get_object_or_404(permissions.scope(user, School.objects.all(), action="claim.view"), pk=school_pk)
    permissions.require(user, "claim.edit", school)
    school_year = calendar_selectors.current_school_year()
    if school_year is None:
        messages.error(request, _("The bureau has not set up the school year yet."))
        return redirect("funding:claim-list")
    existing = (
        selectors.claim_list(viewer=user, school_year=school_year).filter(school=school, kind=Claim.Kind.ANNUAL).first()
    )
    if existing is not None:
        messages.info(request, _("The annual claim for this year has been started already."))
        return redirect("funding:claim-detail", pk=existing.pk)
    prefill = selectors.claim_prefill(school=school, school_year=school_year)
    if sum(prefill["classes"].values()) < 1:
        messages.error(
            request,
            _(
                "There is nothing to start the claim from: file the school plan with its funding estimate, "
                "or form the service classes first."
            ),
        )
        return redirect("funding:claim-list")
    try:
        claim = services.claim_create(actor=user, school=school, school_year=school_year, classes=prefill["classes"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("funding:claim-list")
    messages.success(request, _("The annual claim has been started. Check the service classes, then submit it."))
    return redirect("funding:claim-edit", pk=claim.pk)


@login_required
def claim_edit(request, pk):
    """The draft's service classes per stage (and a supplementary claim's first day and reason)."""
    claim = _fetch(request, pk)
    permissions.require(request.user, "claim.edit", claim)
    if not claim.is_editable:
        if claim.status in Claim.FIXED:
            messages.error(
                request, _("An approved claim is never changed. Ask for more money with a supplementary claim.")
            )
        else:
            messages.error(
                request,
                _("The claim is “%(status)s” and cannot be changed now.") % {"status": claim.get_status_display()},
            )
        return redirect("funding:claim-detail", pk=claim.pk)
    supplementary = claim.kind == Claim.Kind.SUPPLEMENTARY
    initial = _lines_initial(claim)
    if supplementary:
        initial |= {"from_date": claim.from_date, "reason": claim.reason}
    form = ClaimClassesForm(
        request.POST or None, stages=claim.school.stages, supplementary=supplementary, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_update(
                actor=request.user,
                claim=claim,
                classes=form.classes,
                from_date=form.cleaned_data.get("from_date"),
                reason=form.cleaned_data.get("reason"),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The claim has been recomputed and saved."))
            return redirect("funding:claim-detail", pk=claim.pk)
    return render(request, "funding/claims/claim_edit.html", {"claim": claim, "form": form})


@login_required
@require_POST
def claim_supplementary_start(request, pk):
    """Start a supplementary claim on an approved annual claim (classes, first day and reason from the form)."""
    annual = _fetch(request, pk)
    permissions.require(request.user, "claim.edit", annual)
    form = ClaimClassesForm(request.POST, stages=annual.school.stages, supplementary=True, prefix="supplement")
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("funding:claim-detail", pk=annual.pk)
    try:
        claim = services.claim_supplementary_create(
            actor=request.user,
            annual=annual,
            classes=form.classes,
            from_date=form.cleaned_data["from_date"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("funding:claim-detail", pk=annual.pk)
    messages.success(request, _("The supplementary claim has been started as a draft. Check it, then submit it."))
    return redirect("funding:claim-detail", pk=claim.pk)


def _decide(request, pk, *, action: str, form_class, call, success: str):
    """Shared body of the POST-only transitions: scoped fetch (404), then the shared POST action."""
    claim = _fetch(request, pk)
    return post_action(
        request,
        claim,
        action=action,
        form_class=form_class,
        call=lambda data: call(claim, data),
        success=success,
        next_url=reverse("funding:claim-detail", kwargs={"pk": claim.pk}),
    )


@login_required
@require_POST
def claim_submit(request, pk):
    return _decide(
        request,
        pk,
        action="claim.edit",
        form_class=CommentForm,
        call=lambda claim, data: services.claim_submit(actor=request.user, claim=claim, note=data["note"]),
        success=_("The claim has been submitted to the bureau for first review."),
    )


@login_required
@require_POST
def claim_pass(request, pk):
    return _decide(
        request,
        pk,
        action="claim.first_review",
        form_class=CommentForm,
        call=lambda claim, data: services.claim_pass(actor=request.user, claim=claim, note=data["note"]),
        success=_("The claim has passed first review and goes to finance."),
    )


@login_required
@require_POST
def claim_return(request, pk):
    return _decide(
        request,
        pk,
        action="claim.first_review",
        form_class=CommentForm,
        call=lambda claim, data: services.claim_return(actor=request.user, claim=claim, note=data["note"]),
        success=_("The claim has been returned to the school with your reasons."),
    )


@login_required
@require_POST
def claim_finance_return(request, pk):
    return _decide(
        request,
        pk,
        action="claim.approve",
        form_class=CommentForm,
        call=lambda claim, data: services.claim_finance_return(actor=request.user, claim=claim, note=data["note"]),
        success=_("The claim has been returned to the school with your reasons."),
    )


@login_required
@require_POST
def claim_approve(request, pk):
    return _decide(
        request,
        pk,
        action="claim.approve",
        form_class=ApproveForm,
        call=lambda claim, data: services.claim_approve(
            actor=request.user, claim=claim, amount=data["amount"], reason=data["reason"]
        ),
        success=_("The claim has been approved."),
    )


@login_required
@require_POST
def claim_allocate(request, pk):
    return _decide(
        request,
        pk,
        action="claim.approve",
        form_class=AllocateForm,
        call=lambda claim, data: services.claim_allocate(
            actor=request.user, claim=claim, allocated_on=data["allocated_on"], voucher_no=data["voucher_no"]
        ),
        success=_("The allocation has been recorded and booked into the school's fund."),
    )


@login_required
@auditing.download("claims")
def claim_export(request):
    """The claim list the viewer may see (with the page's filters) as Excel, amounts as numbers."""
    permissions.require(request.user, "claim.view")
    _form, claims = _filtered(request)
    header, rows = reports.claim_rows(claims=claims)
    response = xlsx_response(
        write_xlsx(title=_("Subsidy claims"), header=header, rows=rows), f"claims-{timezone.localdate():%Y%m%d}.xlsx"
    )
    return response


urlpatterns = [
    path("claims/", claim_list, name="claim-list"),
    path("claims/export/", claim_export, name="claim-export"),
    path("claims/<int:pk>/", claim_detail, name="claim-detail"),
    path("claims/start/<int:school_pk>/", claim_start, name="claim-start"),
    path("claims/<int:pk>/edit/", claim_edit, name="claim-edit"),
    path("claims/<int:pk>/supplementary/", claim_supplementary_start, name="claim-supplementary-start"),
    path("claims/<int:pk>/submit/", claim_submit, name="claim-submit"),
    path("claims/<int:pk>/pass/", claim_pass, name="claim-pass"),
    path("claims/<int:pk>/return/", claim_return, name="claim-return"),
    path("claims/<int:pk>/finance-return/", claim_finance_return, name="claim-finance-return"),
    path("claims/<int:pk>/approve/", claim_approve, name="claim-approve"),
    path("claims/<int:pk>/allocate/", claim_allocate, name="claim-allocate"),
]
