"""The parent's journey: register, link a child, apply and sign (R13–R15), re-sign, withdraw, correct a returned
application; the school's agreement texts; and the paper path (代录) for families without a smartphone.

Pages are short and phone-first: most parents use a cheap phone on a slow connection.
"""

import ipaddress
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from schools import selectors as school_selectors
from schools.models import ActivityCategory, StudentGuardian
from schools.validators import mask_mobile
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.exports import render_pdf

from .. import selectors
from ..forms import (
    AgreementTextForm,
    ApplicationForm,
    ChildLinkForm,
    DeclineForm,
    PaperSignForm,
    RegisterForm,
    ResubmitForm,
    SignForm,
    WithdrawForm,
)
from ..models import Agreement, Application
from ..services import agreements, applications, parents
from ..services.agreements import Signature

# What each recorded step is called in the status history shown to the parent (R14).
EVENT_LABELS = {
    "submit": gettext_lazy("Applied"),
    "resubmit": gettext_lazy("Corrected and sent again"),
    "class_approve": gettext_lazy("Approved by the class teacher"),
    "class_return": gettext_lazy("Returned by the class teacher"),
    "school_approve": gettext_lazy("Approved by the school"),
    "school_return": gettext_lazy("Returned by the school"),
    "wait": gettext_lazy("Put on the waiting list"),
    "place": gettext_lazy("Placed in a service class"),
    "unplace": gettext_lazy("Taken out of the service class"),
    "activate": gettext_lazy("Started attending"),
    "withdraw": gettext_lazy("Withdrawn"),
    "resign": gettext_lazy("Signed the new agreement"),
}
RETURN_ACTIONS = ("class_return", "school_return")


def client_address(request) -> str | None:
    """The signer's address: the first X-Forwarded-For hop behind the proxy, else REMOTE_ADDR; None if not an IP."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
    for candidate in (forwarded, request.META.get("REMOTE_ADDR", "")):
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def _signature(request, data: dict) -> Signature:
    return Signature(
        signer_name=data["signer_name"],
        relation=data["relation"],
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[: agreements.USER_AGENT_MAX],
    )


def _events(application: Application) -> list[dict]:
    return [
        {"event": e, "label": EVENT_LABELS.get(e.action, e.action), "returned": e.action in RETURN_ACTIONS}
        for e in application.events.all()
    ]


def _preference_labels(values: list[str]) -> list[str]:
    labels = dict(ActivityCategory.choices)
    return [str(labels.get(v, v)) for v in values]


# ---------------------------------------------------------------- accounts


def register(request):
    """Public: a parent creates an account with their mobile number (SMS verification is a deployment add-on)."""
    if request.user.is_authenticated:
        return redirect("home")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = parents.parent_register(
                mobile=data["mobile"], full_name=data["full_name"], password=data["password1"]
            )
        except DomainError as exc:
            form.add_error("mobile", exc.message)
        else:
            login(request, user)
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("enrollment:parent-home")
    return render(request, "enrollment/register.html", {"form": form})


@login_required
def child_link(request):
    permissions.require(request.user, "child.link")
    form = ChildLinkForm(request.POST or None, initial={"code": request.GET.get("code", "")[:20]})
    if request.method == "POST" and form.is_valid():
        try:
            student = parents.child_link(
                actor=request.user, code=form.cleaned_data["code"], relation=form.cleaned_data["relation"]
            )
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, _("%(name)s is now linked to your account.") % {"name": student.name})
            return redirect("enrollment:parent-home")
    return render(request, "enrollment/child_link.html", {"form": form})


# ---------------------------------------------------------------- agreement texts (the school)


@login_required
def agreement_text_list(request):
    """The school admin's agreement texts for the current year, and the form to publish a new version."""
    permissions.require(request.user, "agreement.publish")
    school_year = school_selectors.current_school_year()
    rows = []
    for membership in permissions.memberships_for(request.user, "agreement.publish"):
        school = membership.school
        texts = (
            list(selectors.agreement_text_list(viewer=request.user).filter(school=school, school_year=school_year))
            if school_year
            else []
        )
        current = texts[0] if texts else None
        body = current.body if current else agreements.default_agreement_text(school=school)
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
    return render(request, "enrollment/agreement_text_list.html", {"rows": rows, "school_year": school_year})


@login_required
@require_POST
def agreement_text_publish(request, school_pk):
    school = get_object_or_404(school_selectors.school_list(viewer=request.user), pk=school_pk)
    permissions.require(request.user, "agreement.publish", school)
    school_year = school_selectors.current_school_year()
    form = AgreementTextForm(request.POST)
    if school_year is None:
        messages.error(request, _("The county has not set up the school year yet."))
    elif not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            text = agreements.agreement_text_publish(
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


# ---------------------------------------------------------------- applying and signing


def _summary(form: ApplicationForm) -> list[tuple[str, str]]:
    """What the parent chose on screen 1, shown above the signature on screen 2."""
    data = form.cleaned_data
    kinds = dict(form.fields["service_kind"].choices)
    relations = dict(StudentGuardian.Relation.choices)
    priorities = [str(form.fields[name].label) for name in ApplicationForm.PRIORITY_FIELDS if data.get(name)]
    rows = [(_("Service wanted"), str(kinds.get(data["service_kind"], "")))]
    if data.get("extended_reason") and data["service_kind"] == Application.ServiceKind.EXTENDED:
        rows.append((_("Why extended care is needed"), data["extended_reason"]))
    rows += [
        (_("Why pick-up is difficult"), data["pickup_difficulty"]),
        (_("Priority"), "、".join(priorities) or "—"),
        (_("Activities wanted"), "、".join(_preference_labels(data["preferences"])) or "—"),
        (
            _("Usually picked up by"),
            f"{data['pickup_person']} · {relations.get(data['pickup_relation'], '')} · {data['pickup_mobile']}",
        ),
    ]
    return rows


@login_required
def application_create(request, student_pk):
    """Screen 1: the application form. Screen 2: the informed items, the agreement, sign (or “I do not agree”).

    Stateless between the screens: screen 2 carries screen 1's answers as hidden fields and both are validated again
    when the parent signs.
    """
    student = get_object_or_404(school_selectors.student_list(viewer=request.user), pk=student_pk)
    permissions.require(request.user, "application.create", student)
    school_year = school_selectors.current_school_year()
    live = applications.live_application(student=student, school_year=school_year) if school_year else None
    if live is not None:
        messages.info(request, _("%(name)s already has an application for this school year.") % {"name": student.name})
        return redirect("enrollment:application-detail", pk=live.pk)
    text = selectors.current_agreement_text(school=student.school, school_year=school_year) if school_year else None
    is_open = selectors.applications_open(school_year)
    context = {"student": student, "school_year": school_year, "text": text, "is_open": is_open}
    if not is_open or text is None:
        return render(request, "enrollment/application_form.html", {**context, "screen": "closed"})

    informed = selectors.informed_items(school=student.school, school_year=school_year)
    context["informed"] = informed
    step = request.POST.get("step", "") if request.method == "POST" else ""
    app_form = ApplicationForm(
        request.POST if step in ("details", "sign", "edit") else None,
        student=student,
        categories=informed["categories"],
    )
    signer_initial = {
        "text_version": text.version,
        "signer_name": request.user.full_name,
        "relation": selectors.guardian_relation(user=request.user, student=student),
    }

    def screen_1():
        return render(request, "enrollment/application_form.html", {**context, "screen": "apply", "form": app_form})

    def screen_2(sign_form, mode="sign"):
        context.update(screen=mode, form=app_form, sign_form=sign_form)
        if mode == "sign":
            context["summary"] = _summary(app_form)
        return render(request, "enrollment/application_form.html", context)

    if step == "edit" or not step:
        if step == "edit":
            app_form.is_valid()  # show the answers again, with any problem marked
        return screen_1()
    if step == "details":
        return screen_2(SignForm(initial=signer_initial)) if app_form.is_valid() else screen_1()
    if step == "sign":
        if not app_form.is_valid():
            return screen_1()
        sign_form = SignForm(request.POST)
        if not sign_form.is_valid():
            return screen_2(sign_form)
        try:
            application = applications.application_submit(
                actor=request.user,
                student=student,
                data=app_form.application_data(),
                text_version=sign_form.cleaned_data["text_version"],
                signature=_signature(request, sign_form.cleaned_data),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            if applications.live_application(student=student, school_year=school_year) is not None:
                return redirect("enrollment:application-create", student_pk=student.pk)
            fresh = selectors.current_agreement_text(school=student.school, school_year=school_year)
            if fresh is None or not selectors.applications_open(school_year):
                return redirect("enrollment:parent-home")
            context["text"] = fresh
            keep = {k: sign_form.cleaned_data[k] for k in ("signer_name", "relation")}
            return screen_2(SignForm(initial={**keep, "text_version": fresh.version}))
        messages.success(
            request,
            _("Application sent. The class teacher reviews it next; you will see each step here."),
        )
        return redirect("enrollment:application-detail", pk=application.pk)
    if step == "decline":
        return screen_2(DeclineForm(initial=signer_initial), mode="decline")
    if step == "decline_confirm":
        decline_form = DeclineForm(request.POST)
        if not decline_form.is_valid():
            return screen_2(decline_form, mode="decline")
        try:
            agreements.agreement_decline(
                actor=request.user,
                student=student,
                school_year=school_year,
                text_version=decline_form.cleaned_data["text_version"],
                signature=_signature(request, decline_form.cleaned_data),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("enrollment:parent-home")
        messages.success(
            request,
            _("Your choice is recorded: %(name)s will not take part. You can still apply later.")
            % {"name": student.name},
        )
        return redirect("enrollment:parent-home")
    return screen_1()


@login_required
def application_enter(request, student_pk):
    """代录: a class teacher (own class) or the school admin enters a signed paper application and agreement."""
    student = get_object_or_404(school_selectors.student_list(viewer=request.user), pk=student_pk)
    permissions.require(request.user, "application.enter_on_behalf", student)
    school_year = school_selectors.current_school_year()
    live = applications.live_application(student=student, school_year=school_year) if school_year else None
    text = selectors.current_agreement_text(school=student.school, school_year=school_year) if school_year else None
    context = {"student": student, "school_year": school_year, "text": text, "live": live}
    if live is not None or text is None:
        return render(request, "enrollment/application_enter.html", context)
    informed = selectors.informed_items(school=student.school, school_year=school_year)
    data = request.POST if request.method == "POST" else None
    app_form = ApplicationForm(data, student=student, categories=informed["categories"])
    sign_form = PaperSignForm(data, initial={"text_version": text.version})
    if request.method == "POST" and app_form.is_valid() and sign_form.is_valid():
        try:
            application = applications.application_enter_on_behalf(
                actor=request.user,
                student=student,
                data=app_form.application_data(),
                text_version=sign_form.cleaned_data["text_version"],
                signature=_signature(request, sign_form.cleaned_data),
                paper_original_on_file=sign_form.cleaned_data["paper_original_on_file"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("enrollment:application-enter", student_pk=student.pk)
        messages.success(request, _("The paper application of %(name)s is entered.") % {"name": student.name})
        return redirect("enrollment:application-detail", pk=application.pk)
    context.update(form=app_form, sign_form=sign_form, informed=informed)
    return render(request, "enrollment/application_enter.html", context)


# ---------------------------------------------------------------- one application


def _fetch_application(request, pk) -> Application:
    application = get_object_or_404(selectors.application_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "application.view", application)
    return application


@login_required
def application_detail(request, pk):
    application = _fetch_application(request, pk)
    user = request.user
    current = selectors.current_agreement_text(school=application.school, school_year=application.school_year)
    live = application.status != Application.Status.WITHDRAWN
    show_mobile = permissions.can(user, "application.view_contact", application)
    events = _events(application)
    context = {
        "application": application,
        "events": events,
        "preferences": _preference_labels(application.preferences),
        "pickup_relation": dict(StudentGuardian.Relation.choices).get(
            application.pickup_relation, application.pickup_relation
        ),
        "pickup_mobile": application.pickup_mobile if show_mobile else mask_mobile(application.pickup_mobile),
        "needs_new_signature": selectors.needs_new_signature(application, current.version if current else None)
        and permissions.can(user, "application.create", application.student),
        "can_view_agreement": permissions.can(user, "agreement.view", application.agreement),
        "can_withdraw": live and permissions.can(user, "application.withdraw", application),
        "can_edit": application.status == Application.Status.RETURNED
        and permissions.can(user, "application.resubmit", application),
        "withdraw_form": WithdrawForm(),
        "return_note": next((e["event"].note for e in reversed(events) if e["returned"]), ""),
    }
    return render(request, "enrollment/application_detail.html", context)


@login_required
@require_POST
def application_withdraw(request, pk):
    application = _fetch_application(request, pk)
    permissions.require(request.user, "application.withdraw", application)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            applications.application_withdraw(
                actor=request.user,
                application=application,
                effective=form.cleaned_data["effective"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The application is withdrawn from %(date)s.") % {"date": form.cleaned_data["effective"].isoformat()},
            )
    return redirect("enrollment:application-detail", pk=application.pk)


@login_required
def application_edit(request, pk):
    """A returned application: the parent (or the school, for a paper one) corrects it and sends it again."""
    application = _fetch_application(request, pk)
    permissions.require(request.user, "application.resubmit", application)
    if application.status != Application.Status.RETURNED:
        messages.info(request, _("Only a returned application can be changed."))
        return redirect("enrollment:application-detail", pk=application.pk)
    offered = selectors.informed_items(school=application.school, school_year=application.school_year)["categories"]
    categories = (offered or list(ActivityCategory.values)) + [
        p for p in application.preferences if p not in (offered or ActivityCategory.values)
    ]
    data = request.POST if request.method == "POST" else None
    form = ApplicationForm(
        data, student=application.student, categories=categories, initial=ApplicationForm.initial_from(application)
    )
    note_form = ResubmitForm(data)
    if request.method == "POST" and form.is_valid() and note_form.is_valid():
        try:
            applications.application_resubmit(
                actor=request.user,
                application=application,
                data=form.application_data(),
                note=note_form.cleaned_data["note"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("enrollment:application-detail", pk=application.pk)
        messages.success(request, _("The corrected application is sent to the class teacher again."))
        return redirect("enrollment:application-detail", pk=application.pk)
    events = _events(application)
    context = {
        "application": application,
        "form": form,
        "note_form": note_form,
        "return_note": next((e["event"].note for e in reversed(events) if e["returned"]), ""),
    }
    return render(request, "enrollment/application_edit.html", context)


@login_required
def agreement_resign(request, pk):
    """The school published a new agreement text: the parent signs it for this application (R13)."""
    application = _fetch_application(request, pk)
    permissions.require(request.user, "application.create", application.student)
    current = selectors.current_agreement_text(school=application.school, school_year=application.school_year)
    if not selectors.needs_new_signature(application, current.version if current else None):
        messages.info(request, _("This application is already signed on the school's current agreement."))
        return redirect("enrollment:application-detail", pk=application.pk)
    initial = {
        "text_version": current.version,
        "signer_name": request.user.full_name,
        "relation": selectors.guardian_relation(user=request.user, student=application.student),
    }
    form = SignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agreements.agreement_resign(
                actor=request.user,
                application=application,
                text_version=form.cleaned_data["text_version"],
                signature=_signature(request, form.cleaned_data),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("enrollment:agreement-resign", pk=application.pk)
        messages.success(request, _("Thank you: the new agreement is signed."))
        return redirect("enrollment:application-detail", pk=application.pk)
    context = {"application": application, "text": current, "form": form, "previous": application.agreement}
    return render(request, "enrollment/agreement_resign.html", context)


@login_required
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
        "relation": dict(StudentGuardian.Relation.choices).get(agreement.relation, agreement.relation),
        "signed": agreement.decision == Agreement.Decision.SIGNED,
        "printed_at": timezone.localtime(),
    }
    pdf = render_pdf("pdf/agreement.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{agreement.student.name}-{agreement.text.school_year.name}-v{agreement.text.version}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


urlpatterns = [
    path("register/", register, name="register"),
    path("children/link/", child_link, name="child-link"),
    path("children/<int:student_pk>/apply/", application_create, name="application-create"),
    path("students/<int:student_pk>/paper-application/", application_enter, name="application-enter"),
    path("applications/<int:pk>/", application_detail, name="application-detail"),
    path("applications/<int:pk>/withdraw/", application_withdraw, name="application-withdraw"),
    path("applications/<int:pk>/edit/", application_edit, name="application-edit"),
    path("applications/<int:pk>/agreement/", agreement_resign, name="agreement-resign"),
    path("agreements/<int:pk>/agreement.pdf", agreement_pdf, name="agreement-pdf"),
    path("agreements/texts/", agreement_text_list, name="agreement-text-list"),
    path("agreements/texts/publish/<int:school_pk>/", agreement_text_publish, name="agreement-text-publish"),
]
