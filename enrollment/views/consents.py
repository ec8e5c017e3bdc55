"""The guardian's separate consent (issue #14, item 2): "My consents" (授权记录) per child with giving and
withdrawing, the confirmation page that says what a withdrawal does before it is done, the paper consent form
with its scan (代录) for the class teacher or the school, and the scan itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.selectors import roster as roster_selectors
from xiji_afterschool import auditing, permissions, uploads
from xiji_afterschool.clients import client_address
from xiji_afterschool.errors import DomainError, form_errors

from ..forms.consents import ConsentForm, PaperConsentForm, PaperSignerForm, WithdrawConsentForm
from ..selectors import consents as selectors
from ..selectors import parents as parents_selectors
from ..services import consents as services


@login_required
def consent_list(request):
    """The parent's consents, per child: each with version, time, who, relation, channel and status; the boxes for a
    consent not given (or withdrawn); a withdraw button on each live one."""
    permissions.require(request.user, "consent.give")
    rows = selectors.my_consents(parent=request.user)
    for row in rows:
        row["form"] = ConsentForm(student=row["child"], require_personal=False) if row["missing"] else None
    return render(request, "enrollment/consents/consent_list.html", {"rows": rows})


@login_required
@require_POST
def consent_give(request, student_pk):
    permissions.require(request.user, "consent.give")  # guardians only (403); then their own children (404)
    student = get_object_or_404(roster_selectors.children_of(parent=request.user), pk=student_pk)
    permissions.require(request.user, "consent.give", student)
    form = ConsentForm(request.POST, student=student, require_personal=False)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    elif not form.versions():
        messages.error(request, _("Tick the consent you want to give."))
    else:
        try:
            services.consents_give(
                actor=request.user, student=student, versions=form.versions(),
                relation=parents_selectors.guardian_relation(user=request.user, student=student),
                ip_address=client_address(request),
            )  # fmt: skip
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your consent is recorded."))
    return redirect("enrollment:consent-list")


@login_required
def consent_withdraw(request, pk):
    """GET: what withdrawing this consent will do, in plain words, and the confirmation. POST: withdraw."""
    consent = get_object_or_404(selectors.consent_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "consent.withdraw", consent)
    if not consent.is_live:
        messages.info(request, _("This consent is already withdrawn."))
        return redirect("enrollment:consent-list")
    form = WithdrawConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(actor=request.user, consent=consent, note=form.cleaned_data["note"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The consent is withdrawn."))
        return redirect("enrollment:consent-list")
    context = {"consent": consent, "effects": selectors.withdrawal_effects(consent), "form": form}
    return render(request, "enrollment/consents/consent_withdraw.html", context)


@login_required
def consent_paper(request, student_pk):
    """代录: the class teacher (own class) or the school enters a consent form signed on paper, with its scan."""
    student = get_object_or_404(roster_selectors.student_list(viewer=request.user), pk=student_pk)
    permissions.require(request.user, "consent.record_paper", student)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = PaperConsentForm(data, files, student=student, require_personal=False)
    sign_form = PaperSignerForm(data)
    if request.method == "POST" and form.is_valid() and sign_form.is_valid():
        try:
            services.consent_record_paper(
                actor=request.user, student=student, kinds=form.kinds(), scan=form.cleaned_data["scan"],
                signer_name=sign_form.cleaned_data["signer_name"], relation=sign_form.cleaned_data["relation"],
            )  # fmt: skip
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The paper consent of %(name)s is entered.") % {"name": student.name})
            return redirect("schools:student-detail", pk=student.pk)
    elif request.method == "POST":
        messages.error(request, form_errors(form) or form_errors(sign_form))
    context = {"student": student, "form": form, "sign_form": sign_form, "live": selectors.live_consents(student)}
    return render(request, "enrollment/consents/consent_paper.html", context)


@login_required
@auditing.download("consent_scan", model="enrollment.Consent")
def consent_scan(request, pk):
    """The scan of a paper consent form: the family, the class teacher and the school."""
    consent = get_object_or_404(selectors.consent_list(viewer=request.user).exclude(scan=""), pk=pk)
    permissions.require(request.user, "consent.view", consent)
    return uploads.photo_response(consent.scan, content_type=consent.scan_content_type)


urlpatterns = [
    path("parent/consents/", consent_list, name="consent-list"),
    path("children/<int:student_pk>/consents/", consent_give, name="consent-give"),
    path("consents/<int:pk>/withdraw/", consent_withdraw, name="consent-withdraw"),
    path("consents/<int:pk>/scan/", consent_scan, name="consent-scan"),
    path("students/<int:student_pk>/paper-consent/", consent_paper, name="consent-paper"),
]
