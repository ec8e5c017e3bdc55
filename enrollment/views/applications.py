"""The application (R13–R15): apply and sign, the paper path (代录) for families without a smartphone, the
status page, withdrawal, and correcting a returned application.

Pages are short and phone-first: most parents use a cheap phone on a slow connection.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.models import ActivityCategory, StudentGuardian
from schools.rules import roster as roster_rules
from schools.selectors import calendar as calendar_selectors
from schools.selectors import roster as roster_selectors
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError, form_errors

from ..forms.agreements import DeclineForm, PaperSignForm, SignForm
from ..forms.applications import ApplicationForm, ResubmitForm, WithdrawForm
from ..forms.consents import ConsentForm, PaperConsentForm
from ..models import Application
from ..reports import letters as letters_reports
from ..selectors import agreements as agreements_selectors
from ..selectors import applications as selectors
from ..selectors import letters as letters_selectors
from ..selectors import parents as parents_selectors
from ..services import agreements as agreements_services
from ..services import applications as services
from . import agreements as agreements_views


def _events(application: Application) -> list[dict]:
    return [
        {"event": e, "label": e.action_label, "returned": e.action in Application.RETURN_ACTIONS}
        for e in application.events.all()
    ]


def _preference_labels(values: list[str]) -> list[str]:
    labels = dict(ActivityCategory.choices)
    return [str(labels.get(v, v)) for v in values]


# ---------------------------------------------------------------- the child's page: the letter, apply and sign


def _letter(request, student, school_year):
    """The Letter to Parents of the child's school, read inline on the child's page (None before the plan is filed)."""
    plan = letters_selectors.filed_plan(school=student.school, school_year=school_year) if school_year else None
    if plan is None:
        return None
    base_url = f"{request.scheme}://{request.get_host()}"
    return letters_reports.letter_context(school=student.school, school_year=school_year, plan=plan, base_url=base_url)


@login_required
def application_create(request, student_pk):
    """The child's page (one screen): the Letter to Parents (folded), the application, the informed items, the
    agreement and the signature, sent with one button. The pick-up person is pre-filled from the account (the
    guardian's name, relation and mobile). After the county's deadline the same page takes a late application
    (逾期申请 / 插班申请), naming the deadline, the class teacher and the school's telephone. “I do not agree” is
    a second, short page (step=decline).
    """
    student = get_object_or_404(roster_selectors.student_list(viewer=request.user), pk=student_pk)
    permissions.require(request.user, "application.create", student)
    school_year = calendar_selectors.current_school_year()
    live = agreements_services.live_application(student=student, school_year=school_year) if school_year else None
    if live is not None:
        messages.info(request, _("%(name)s already has an application for this school year.") % {"name": student.name})
        return redirect("enrollment:application-detail", pk=live.pk)
    text = (
        agreements_selectors.current_agreement_text(school=student.school, school_year=school_year)
        if school_year
        else None
    )
    is_open = selectors.applications_open(school_year)
    context = {
        "student": student,
        "school_year": school_year,
        "text": text,
        "is_open": is_open,
        "letter": _letter(request, student, school_year),
        "late": school_year is not None and not is_open,
        "contacts": selectors.late_contacts(student=student),
    }
    if text is None:
        return render(request, "enrollment/applications/application_form.html", {**context, "screen": "closed"})

    informed = agreements_selectors.informed_items(school=student.school, school_year=school_year)
    context["informed"] = informed
    step = request.POST.get("step", "") if request.method == "POST" else ""
    relation = parents_selectors.guardian_relation(user=request.user, student=student)
    app_form = ApplicationForm(
        request.POST if step == "sign" else None,
        student=student,
        categories=informed["categories"],
        initial={
            "pickup_person": request.user.full_name,
            "pickup_relation": relation,
            "pickup_mobile": request.user.mobile or "",
        },
    )
    signer_initial = {"text_version": text.version, "signer_name": request.user.full_name, "relation": relation}

    def page(sign_form, mode="apply", consent_form=None):
        consent_form = consent_form or ConsentForm(student=student)  # the separate consents (issue #14 item 2)
        return render(
            request,
            "enrollment/applications/application_form.html",
            {**context, "screen": mode, "form": app_form, "sign_form": sign_form, "consent_form": consent_form},
        )

    if step == "sign":
        sign_form = SignForm(request.POST)
        consent_form = ConsentForm(request.POST, student=student, application_form=app_form)
        forms_valid = app_form.is_valid() & sign_form.is_valid() & consent_form.is_valid()  # every problem at once
        if not forms_valid:
            return page(sign_form, consent_form=consent_form)
        try:
            application = services.application_submit(
                actor=request.user,
                student=student,
                data=app_form.application_data(),
                text_version=sign_form.cleaned_data["text_version"],
                signature=agreements_views.signature(request, sign_form.cleaned_data),
                consents=consent_form.versions(),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            context["consent_form"] = ConsentForm(student=student)
            if agreements_services.live_application(student=student, school_year=school_year) is not None:
                return redirect("enrollment:application-create", student_pk=student.pk)
            fresh = agreements_selectors.current_agreement_text(school=student.school, school_year=school_year)
            if fresh is None:
                return redirect("enrollment:parent-home")
            context["text"] = fresh
            keep = {k: sign_form.cleaned_data[k] for k in ("signer_name", "relation")}
            return page(SignForm(initial={**keep, "text_version": fresh.version}))
        if application.status == Application.Status.LATE:
            messages.success(
                request,
                _("Late application sent. The school decides next: it accepts it or puts it on its waiting list."),
            )
        else:
            messages.success(
                request, _("Application sent. The class teacher reviews it next; you will see each step here.")
            )
        return redirect("enrollment:parent-home")
    if step == "decline":
        return page(DeclineForm(initial=signer_initial), mode="decline")
    if step == "decline_confirm":
        decline_form = DeclineForm(request.POST)
        if not decline_form.is_valid():
            return page(decline_form, mode="decline")
        try:
            agreements_services.agreement_decline(
                actor=request.user,
                student=student,
                school_year=school_year,
                text_version=decline_form.cleaned_data["text_version"],
                signature=agreements_views.signature(request, decline_form.cleaned_data),
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
    return page(SignForm(initial=signer_initial))


@login_required
def application_enter(request, student_pk):
    """代录: a class teacher (own class) or the school admin enters a signed paper application and agreement."""
    student = get_object_or_404(roster_selectors.student_list(viewer=request.user), pk=student_pk)
    permissions.require(request.user, "application.enter_on_behalf", student)
    school_year = calendar_selectors.current_school_year()
    live = agreements_services.live_application(student=student, school_year=school_year) if school_year else None
    text = (
        agreements_selectors.current_agreement_text(school=student.school, school_year=school_year)
        if school_year
        else None
    )
    context = {"student": student, "school_year": school_year, "text": text, "live": live}
    if live is not None or text is None:
        return render(request, "enrollment/applications/application_enter.html", context)
    informed = agreements_selectors.informed_items(school=student.school, school_year=school_year)
    data = request.POST if request.method == "POST" else None
    app_form = ApplicationForm(data, student=student, categories=informed["categories"])
    sign_form = PaperSignForm(data, initial={"text_version": text.version})
    consent_form = PaperConsentForm(data, request.FILES or None, student=student, application_form=app_form)
    if request.method == "POST" and all([app_form.is_valid(), sign_form.is_valid(), consent_form.is_valid()]):
        try:
            application = services.application_enter_on_behalf(
                actor=request.user,
                student=student,
                data=app_form.application_data(),
                text_version=sign_form.cleaned_data["text_version"],
                signature=agreements_views.signature(request, sign_form.cleaned_data),
                paper_original_on_file=sign_form.cleaned_data["paper_original_on_file"],
                consent_kinds=consent_form.kinds(),
                consent_scan=consent_form.cleaned_data["scan"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("enrollment:application-enter", student_pk=student.pk)
        messages.success(request, _("The paper application of %(name)s is entered.") % {"name": student.name})
        return redirect("enrollment:application-detail", pk=application.pk)
    context.update(form=app_form, sign_form=sign_form, informed=informed, consent_form=consent_form)
    return render(request, "enrollment/applications/application_enter.html", context)


# ---------------------------------------------------------------- one application


def _fetch_application(request, pk) -> Application:
    application = get_object_or_404(selectors.application_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "application.view", application)
    return application


@login_required
def application_detail(request, pk):
    application = _fetch_application(request, pk)
    user = request.user
    current = agreements_selectors.current_agreement_text(
        school=application.school, school_year=application.school_year
    )
    live = application.status != Application.Status.WITHDRAWN
    show_mobile = permissions.can(user, "application.view_contact", application)
    events = _events(application)
    context = {
        "application": application,
        "events": events,
        "preferences": _preference_labels(application.preferences),
        "pickup_relation": StudentGuardian.Relation.label_of(application.pickup_relation),
        "pickup_mobile": application.pickup_mobile
        if show_mobile
        else roster_rules.mask_mobile(application.pickup_mobile),
        "needs_new_signature": agreements_selectors.needs_new_signature(
            application, current.version if current else None
        )
        and permissions.can(user, "application.create", application.student),
        "can_view_agreement": permissions.can(user, "agreement.view", application.agreement),
        "can_withdraw": live and permissions.can(user, "application.withdraw", application),
        "can_edit": application.status == Application.Status.RETURNED
        and permissions.can(user, "application.resubmit", application),
        "withdraw_form": WithdrawForm(),
        "return_note": next((e["event"].note for e in reversed(events) if e["returned"]), ""),
        "late_contacts": selectors.late_contacts(student=application.student)
        if application.status in (Application.Status.LATE, Application.Status.LATE_WAITING)
        else None,
    }
    return render(request, "enrollment/applications/application_detail.html", context)


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
            services.application_withdraw(
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
    offered = agreements_selectors.informed_items(school=application.school, school_year=application.school_year)[
        "categories"
    ]
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
            services.application_resubmit(
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
    return render(request, "enrollment/applications/application_edit.html", context)


urlpatterns = [
    path("children/<int:student_pk>/apply/", application_create, name="application-create"),
    path("students/<int:student_pk>/paper-application/", application_enter, name="application-enter"),
    path("applications/<int:pk>/", application_detail, name="application-detail"),
    path("applications/<int:pk>/withdraw/", application_withdraw, name="application-withdraw"),
    path("applications/<int:pk>/edit/", application_edit, name="application-edit"),
]
