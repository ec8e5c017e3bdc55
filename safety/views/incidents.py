"""Incidents and insurance (R32): the list, recording an incident, the incident page (a guardian's view names only
their own children), follow-ups, guardians told, closing, the insurance claim and the compensation shares, and the
Excel export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiji_afterschool import auditing, permissions
from xiji_afterschool.actions import post_action
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.exports import write_xlsx, xlsx_response

from ..forms.incidents import (
    CloseForm,
    CompensationForm,
    FollowUpForm,
    GuardianToldForm,
    IncidentFilterForm,
    IncidentForm,
    InsuranceAcceptForm,
    InsuranceFileForm,
    InsuranceForm,
    InsurancePayForm,
    InsuranceRefuseForm,
)
from ..models import IncidentChild, InsuranceClaim
from ..reports import incidents as reports
from ..selectors import incidents as selectors
from ..services import incidents as services


def _filtered(request):
    form = IncidentFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    return form, selectors.incident_list(viewer=request.user, status=status)


@login_required
def incident_list(request):
    """The incidents the viewer may read (a guardian: their children's), and where to record a new one."""
    permissions.require(request.user, "incident.view")
    form, incidents = _filtered(request)
    page = Paginator(incidents, 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "schools": selectors.recordable_schools(viewer=request.user),
        "can_export": not permissions.roles(request.user) <= {"parent"},
    }
    return render(request, "safety/incidents/incident_list.html", context)


@login_required
@auditing.download("incidents")
def incident_export(request):
    """The incident list (with the page's filter) as Excel; counts of children, never their names."""
    permissions.require(request.user, "incident.view")
    _form, incidents = _filtered(request)
    header, rows = reports.incident_rows(incidents=incidents)
    content = write_xlsx(title=_("Incidents"), header=header, rows=rows)
    return xlsx_response(content, f"incidents-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def incident_create(request, school_pk):
    """Record an incident at one of the viewer's schools: what, where, when, and up to three children involved."""
    school = get_object_or_404(selectors.recordable_schools(viewer=request.user), pk=school_pk)
    students = list(selectors.students_of(school=school))
    form = IncidentForm(
        request.POST or None,
        students=students,
        initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_record(
                actor=request.user,
                school=school,
                occurred_at=data["occurred_at"],
                place=data["place"],
                description=data["description"],
                severity=data["severity"],
                during_service=data["during_service"],
                staff_present=data["staff_present"],
                children=form.children,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The incident has been recorded and the guardians have been notified."))
            return redirect("safety:incident-detail", pk=incident.pk)
    return render(request, "safety/incidents/incident_form.html", {"school": school, "form": form})


def _fetch(request, pk):
    incident = get_object_or_404(selectors.incident_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "incident.view", incident)
    return incident


@login_required
def incident_detail(request, pk):
    """One incident. A guardian reads their own children's rows only; the others are counted, not named."""
    incident = _fetch(request, pk)
    user = request.user
    view = selectors.incident_view(viewer=user, incident=incident)
    may_follow = permissions.can(user, "incident.follow_up", incident)
    may_insure = permissions.can(user, "insurance.manage", incident)
    claim = view["insurance"]
    now = timezone.localtime().replace(second=0, microsecond=0)
    context = {
        "incident": incident,
        **view,
        "may_follow": may_follow,
        "can_close": incident.status == incident.Status.OPEN and permissions.can(user, "incident.close", incident),
        "may_insure": may_insure,
        "follow_up_form": FollowUpForm(children=view["children"], initial={"date": timezone.localdate()}),
        "told_form": GuardianToldForm(initial={"told_at": now}),
        "close_form": CloseForm(),
        "insurance_form": InsuranceForm() if may_insure and claim is None else None,
        "file_form": InsuranceFileForm(initial={"filed_on": timezone.localdate()}),
        "accept_form": InsuranceAcceptForm(initial={"decided_on": timezone.localdate()}),
        "refuse_form": InsuranceRefuseForm(initial={"decided_on": timezone.localdate()}),
        "pay_form": InsurancePayForm(
            initial={"paid_on": timezone.localdate(), "amount_paid": claim.amount_claimed if claim else None}
        ),
        "compensation_form": CompensationForm(
            initial={"share_insurer": claim.amount_paid or 0 if claim else 0}
            | (
                {
                    "total": claim.compensation_total,
                    "share_school": claim.share_school,
                    "share_other_party": claim.share_other_party,
                    "share_family": claim.share_family,
                    "other_party": claim.other_party,
                }
                if claim and claim.compensation_total is not None
                else {}
            )
        ),
        "compensation_open": claim is not None and claim.status in services.COMPENSATION_STATUSES,
    }
    return render(request, "safety/incidents/incident_detail.html", context)


def _back(incident) -> str:
    return reverse("safety:incident-detail", args=[incident.pk])


@login_required
@require_POST
def incident_follow_up(request, pk):
    incident = _fetch(request, pk)
    permissions.require(request.user, "incident.follow_up", incident)
    children = list(IncidentChild.objects.filter(incident=incident).select_related("student"))
    form = FollowUpForm(request.POST, children=children)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(_back(incident))
    try:
        services.incident_follow_up(actor=request.user, incident=incident, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The follow-up has been added."))
    return redirect(_back(incident))


@login_required
@require_POST
def incident_guardian_told(request, pk):
    """Record how a guardian of one child involved was told."""
    child = get_object_or_404(
        IncidentChild.objects.filter(incident__in=selectors.incident_detail(viewer=request.user)), pk=pk
    )
    incident = child.incident
    return post_action(
        request,
        incident,
        action="incident.follow_up",
        form_class=GuardianToldForm,
        call=lambda data: services.incident_tell_guardian(actor=request.user, child=child, **data),
        success=_("Recorded that the guardian was told."),
        next_url=_back(incident),
    )


@login_required
@require_POST
def incident_close(request, pk):
    incident = _fetch(request, pk)
    return post_action(
        request,
        incident,
        action="incident.close",
        form_class=CloseForm,
        call=lambda data: services.incident_close(actor=request.user, incident=incident, summary=data["summary"]),
        success=_("The incident has been closed."),
        next_url=_back(incident),
    )


@login_required
@require_POST
def insurance_open(request, pk):
    incident = _fetch(request, pk)
    return post_action(
        request,
        incident,
        action="insurance.manage",
        form_class=InsuranceForm,
        call=lambda data: services.insurance_open(actor=request.user, incident=incident, **data),
        success=_("The insurance has been recorded."),
        next_url=_back(incident),
    )


def _claim_action(service, form_class, success):
    @login_required
    @require_POST
    def view(request, pk):
        claim = get_object_or_404(
            InsuranceClaim.objects.filter(incident__in=selectors.incident_detail(viewer=request.user)), pk=pk
        )
        return post_action(
            request,
            claim.incident,
            action="insurance.manage",
            form_class=form_class,
            call=lambda data: service(actor=request.user, claim=claim, **data),
            success=success,
            next_url=_back(claim.incident) + "#insurance",
        )

    return view


def _compensation(*, actor, claim, total, other_party, **shares):
    return services.insurance_compensation(
        actor=actor, claim=claim, total=total, shares=shares, other_party=other_party
    )


insurance_file = _claim_action(services.insurance_file, InsuranceFileForm, _("The claim has been filed."))
insurance_accept = _claim_action(services.insurance_accept, InsuranceAcceptForm, _("The claim has been accepted."))
insurance_refuse = _claim_action(services.insurance_refuse, InsuranceRefuseForm, _("The refusal has been recorded."))
insurance_pay = _claim_action(services.insurance_pay, InsurancePayForm, _("The payment has been recorded."))
insurance_compensation = _claim_action(
    _compensation, CompensationForm, _("The compensation shares have been recorded.")
)


urlpatterns = [
    path("incidents/", incident_list, name="incident-list"),
    path("incidents/export/", incident_export, name="incident-export"),
    path("incidents/new/<int:school_pk>/", incident_create, name="incident-create"),
    path("incidents/<int:pk>/", incident_detail, name="incident-detail"),
    path("incidents/<int:pk>/follow-up/", incident_follow_up, name="incident-follow-up"),
    path("incidents/children/<int:pk>/told/", incident_guardian_told, name="incident-guardian-told"),
    path("incidents/<int:pk>/close/", incident_close, name="incident-close"),
    path("incidents/<int:pk>/insurance/", insurance_open, name="insurance-open"),
    path("insurance/<int:pk>/file/", insurance_file, name="insurance-file"),
    path("insurance/<int:pk>/accept/", insurance_accept, name="insurance-accept"),
    path("insurance/<int:pk>/refuse/", insurance_refuse, name="insurance-refuse"),
    path("insurance/<int:pk>/pay/", insurance_pay, name="insurance-pay"),
    path("insurance/<int:pk>/compensation/", insurance_compensation, name="insurance-compensation"),
]
