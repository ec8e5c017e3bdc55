"""The agreement (R13): the school's agreement texts, re-signing a new text, and the signed agreement as a PDF."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.models import StudentGuardian
from schools.selectors import calendar as calendar_selectors
from schools.selectors import roster as roster_selectors
from xiji_afterschool import auditing, permissions
from xiji_afterschool.clients import client_address
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.exports import render_pdf

from ..forms.agreements import AgreementTextForm, SignForm
from ..models import Agreement
from ..selectors import agreements as selectors
from ..selectors import applications as applications_selectors
from ..selectors import parents as parents_selectors
from ..services import agreements as services


def signature(request, data: dict) -> services.Signature:
    return services.Signature(
        signer_name=data["signer_name"],
        relation=data["relation"],
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[: services.USER_AGENT_MAX],
    )


# ---------------------------------------------------------------- agreement texts (the school)


@login_required
def agreement_text_list(request):
    """The school admin's agreement texts for the current year, and the form to publish a new version."""
    permissions.require(request.user, "agreement.publish")
    school_year = calendar_selectors.current_school_year()
    rows = []
    for membership in permissions.memberships_for(request.user, "agreement.publish"):
        school = membership.school
        texts = (
            list(selectors.agreement_text_list(viewer=request.user).filter(school=school, school_year=school_year))
            if school_year
            else []
        )
        current = texts[0] if texts else None
        body = current.body if current else services.default_agreement_text(school=school)
        outdated = selectors.outdated_signature_count(school=school, school_year=school_year, current=current)
        rows.append(
            {
                "school": school,
                "texts": texts,
                "current": current,
                "outdated": outdated,
                "form": AgreementTextForm(initial={"body": body}),
            }
        )
    return render(request, "enrollment/agreements/agreement_text_list.html", {"rows": rows, "school_year": school_year})


@login_required
@require_POST
def agreement_text_publish(request, school_pk):
    school = get_object_or_404(roster_selectors.school_list(viewer=request.user), pk=school_pk)
    permissions.require(request.user, "agreement.publish", school)
    school_year = calendar_selectors.current_school_year()
    form = AgreementTextForm(request.POST)
    if school_year is None:
        messages.error(request, _("The county has not set up the school year yet."))
    elif not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            text = services.agreement_text_publish(
                actor=request.user, school=school, school_year=school_year, body=form.cleaned_data["body"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Version %(version)s published. Families who signed an earlier version are asked to sign again.")
                % {"version": text.version},
            )
    return redirect("enrollment:agreement-text-list")


@login_required
def agreement_resign(request, pk):
    """The school published a new agreement text: the parent signs it for this application (R13)."""
    application = get_object_or_404(applications_selectors.application_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "application.view", application)
    permissions.require(request.user, "application.create", application.student)
    current = selectors.current_agreement_text(school=application.school, school_year=application.school_year)
    if not selectors.needs_new_signature(application, current.version if current else None):
        messages.info(request, _("This application is already signed on the school's current agreement."))
        return redirect("enrollment:application-detail", pk=application.pk)
    initial = {
        "text_version": current.version,
        "signer_name": request.user.full_name,
        "relation": parents_selectors.guardian_relation(user=request.user, student=application.student),
    }
    form = SignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_resign(
                actor=request.user,
                application=application,
                text_version=form.cleaned_data["text_version"],
                signature=signature(request, form.cleaned_data),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("enrollment:agreement-resign", pk=application.pk)
        messages.success(request, _("Thank you: the new agreement is signed."))
        return redirect("enrollment:application-detail", pk=application.pk)
    context = {"application": application, "text": current, "form": form, "previous": application.agreement}
    return render(request, "enrollment/agreements/agreement_resign.html", context)


@login_required
@auditing.download("agreement", model="enrollment.Agreement")
def agreement_pdf(request, pk):
    """The signed (or declined) agreement as a printable document: the child, the text, the signer and the time."""
    agreement = get_object_or_404(
        selectors.agreement_list(viewer=request.user).select_related(
            "student__admin_class", "text__school_year", "entered_by"
        ),
        pk=pk,
    )
    permissions.require(request.user, "agreement.view", agreement)
    context = {
        "agreement": agreement,
        "student": agreement.student,
        "text": agreement.text,
        "relation": StudentGuardian.Relation.label_of(agreement.relation),
        "signed": agreement.decision == Agreement.Decision.SIGNED,
        "printed_at": timezone.localtime(),
    }
    pdf = render_pdf("enrollment/agreements/agreement_pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{agreement.student.name}-{agreement.text.school_year.name}-v{agreement.text.version}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


urlpatterns = [
    path("applications/<int:pk>/agreement/", agreement_resign, name="agreement-resign"),
    path("agreements/<int:pk>/agreement.pdf", agreement_pdf, name="agreement-pdf"),
    path("agreements/texts/", agreement_text_list, name="agreement-text-list"),
    path("agreements/texts/publish/<int:school_pk>/", agreement_text_publish, name="agreement-text-publish"),
]
