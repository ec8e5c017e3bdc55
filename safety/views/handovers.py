"""Hand-over pages (R30, issue 11 §2, §9): the dismissal page with its one-tap buttons, the staff hand-over, the
holder's page (the care staff's home), the receipt on the bus and in the dormitory, corrections, the paper sheet
and its entry, the school's confirmation setting, and a guardian's view of their child's hand-overs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.models import School, Student
from xiji_afterschool import auditing, permissions
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.exports import render_pdf

from ..forms.handovers import (
    ConsentForm,
    CorrectionForm,
    PaperSheetForm,
    SafetySettingsForm,
    StaffHandoverForm,
    TapForm,
)
from ..models import Relation, SafetySettings
from ..reports import handovers as reports
from ..rules import handovers as rules
from ..selectors import handovers as selectors
from ..services import handovers as services


def _session(request, pk):
    session = get_object_or_404(selectors.session_for_handover(viewer=request.user), pk=pk)
    permissions.require(request.user, "handover.record", session)
    return session


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _row_html(request, row, confirmation) -> str:
    context = {"row": row, "confirmation": confirmation, "relations": Relation.choices}
    if request.POST.get("next") == "care":
        context["next"] = "care"
    return render_to_string("safety/handovers/_row.html", context, request=request)


@login_required
def dismissal(request, pk):
    """放学交接: one screen, every present child, one tap each."""
    session = _session(request, pk)
    page = selectors.dismissal_page(session=session, viewer=request.user)
    return render(
        request, "safety/handovers/dismissal.html", {"page": page, "session": session, "relations": Relation.choices}
    )


@login_required
@require_POST
def tap(request, pk, student_pk):
    """One tap: hand one child over. With fetch: JSON with the row re-drawn; without: back to the child's row."""
    session = _session(request, pk)
    student = get_object_or_404(
        Student.objects.select_related("admin_class").distinct(), pk=student_pk, attendance__session=session
    )
    form = TapForm(request.POST)
    ok, message = False, ""
    if not form.is_valid():
        message = form_errors(form)
    else:
        extra = {"code": form.cleaned_data["code"], "signature": form.cleaned_data["signature"]}
        if form.cleaned_data["to"] == "consent":
            row = selectors.dismissal_row(session=session, student=student, viewer=request.user)
            consent = ConsentForm(request.POST, guardians=row.guardians)
            if not consent.is_valid():
                message = form_errors(consent)
                form = None
            else:
                extra["consent"] = services.Consent(
                    guardian_id=consent.cleaned_data["guardian"], phoned=consent.cleaned_data["phoned"],
                    said=consent.cleaned_data["said"], name=consent.cleaned_data["name"],
                    relation=consent.cleaned_data["relation"], mobile=consent.cleaned_data["mobile"],
                )  # fmt: skip
        if not message:
            try:
                handover = services.handover_one(
                    actor=request.user, session=session, student=student, choice=form.cleaned_data["to"], **extra
                )
                ok, message = True, services.handover_text(handover)
            except DomainError as exc:
                message = exc.message
    if _wants_json(request):
        row = selectors.dismissal_row(session=session, student=student, viewer=request.user)
        confirmation = selectors.confirmation_of(session.service_class.school_id)
        return JsonResponse(
            {"ok": ok, "message": str(message), "html": _row_html(request, row, confirmation), "done": row.done},
            status=200 if ok else 409,
        )
    (messages.success if ok else messages.error)(request, message)
    back = request.POST.get("next", "")
    if back == "care":
        return redirect(f"{reverse('safety:held-children')}#child-{student.pk}")
    return redirect(f"{reverse('safety:handover-dismissal', args=[session.pk])}#child-{student.pk}")


@login_required
def staff_handover(request, pk):
    """交接班 from a session: the children the viewer still holds, all preselected, to one member of staff."""
    session = _session(request, pk)
    page = selectors.dismissal_page(session=session, viewer=request.user)
    held = [r for r in page.rows if r.mine and r.final is None]
    return _staff_form(request, held, session.service_class.school_id, reverse("safety:handover-staff", args=[pk]),
                       reverse("safety:handover-dismissal", args=[pk]))  # fmt: skip


@login_required
def held_staff_handover(request):
    """交接班 from the holder's page: the children the viewer holds now, to another member of staff."""
    permissions.require(request.user, "handover.hold")
    page = selectors.care_page(viewer=request.user, date=timezone.localdate())
    held = [r for r in page.held if r.mine]
    if not held:
        messages.info(request, _("You hold no child now."))
        return redirect("safety:held-children")
    school_id = held[0].session.service_class.school_id
    back = reverse("safety:held-children")
    return _staff_form(request, held, school_id, reverse("safety:held-staff"), back)


def _staff_form(request, held, school_id, action, back):
    staff = selectors.staff_receivers(school_id=school_id, exclude_id=request.user.pk)
    children = [(r.student.pk, f"{r.student.name} · {r.student.admin_class}") for r in held]
    form = StaffHandoverForm(request.POST or None, staff=staff, children=children)
    if request.method == "POST":
        if form.is_valid():
            by_student = {r.student.pk: r for r in held}
            pairs = [(by_student[pk].session, by_student[pk].student) for pk in form.cleaned_data["children"]]
            receiver = next(u for u in staff if u.pk == form.cleaned_data["to_staff"])
            try:
                done = services.handover_to_staff(actor=request.user, pairs=pairs, to_staff=receiver)
                messages.success(request, _("%(n)s children handed to %(name)s.") % {"n": len(done), "name": receiver})
                return redirect(back)
            except DomainError as exc:
                messages.error(request, exc.message)
        else:
            messages.error(request, form_errors(form))
    context = {"form": form, "held": held, "action": action, "back": back}
    return render(request, "safety/handovers/staff_handover.html", context)


@login_required
def held_children(request):
    """我看护的学生: the care staff's home and every holder's page."""
    permissions.require(request.user, "handover.hold")
    page = selectors.care_page(viewer=request.user, date=timezone.localdate())
    return render(request, "safety/handovers/held_children.html", {"page": page, "relations": Relation.choices})


@login_required
@require_POST
def receive(request, pk):
    """已上车 / 已到宿舍 / 已接收: the one-time receipt."""
    handover = get_object_or_404(selectors.handover_to_receive(viewer=request.user), pk=pk)
    permissions.require(request.user, "handover.receive", handover)
    try:
        services.handover_receive(actor=request.user, handover=handover)
        messages.success(request, _("%(child)s: receipt confirmed.") % {"child": handover.student.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("safety:held-children")


@login_required
def correct(request, pk):
    """更正: a new record naming the one it corrects, with the reason."""
    handover = get_object_or_404(selectors.handover_for_correction(viewer=request.user), pk=pk)
    if handover.session is None:
        raise Http404
    session = _session(request, handover.session_id)
    row = selectors.dismissal_row(session=session, student=handover.student, viewer=request.user)
    choices = [(c.key, c.label) for c in row.choices]
    choices.append((f"staff:{request.user.pk}", _("Not handed over: the child is still with me")))
    form = CorrectionForm(request.POST or None, choices=choices)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.handover_correct(
                    actor=request.user, handover=handover, choice=form.cleaned_data["to"],
                    reason=form.cleaned_data["reason"], code=request.POST.get("code", "")[:6],
                    signature=request.POST.get("signature", "")[: rules.SIGNATURE_MAX_CHARS + 100],
                )  # fmt: skip
                messages.success(request, _("The record is corrected."))
                return redirect(
                    f"{reverse('safety:handover-dismissal', args=[session.pk])}#child-{handover.student_id}"
                )
            except DomainError as exc:
                messages.error(request, exc.message)
        else:
            messages.error(request, form_errors(form))
    context = {"form": form, "handover": handover, "session": session, "row": row}
    return render(request, "safety/handovers/correct.html", context)


@login_required
@auditing.download("handover_sheet")
def sheet(request, pk):
    """The printable class hand-over sheet (§9) for when phones fail."""
    session = _session(request, pk)
    context = reports.sheet_context(session=session, viewer=request.user)
    pdf = render_pdf("safety/handovers/sheet_pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="handover-{session.date:%Y%m%d}-{session.pk}.pdf"'
    return response


@login_required
def paper_entry(request, pk):
    """A filled paper sheet entered afterwards (by the teacher or the school admin, within 3 days)."""
    session = _session(request, pk)
    page = selectors.dismissal_page(session=session, viewer=request.user)
    open_rows = [r for r in page.rows if r.final is None]
    form = PaperSheetForm(request.POST or None, rows=open_rows, day=session.date)
    if request.method == "POST":
        if form.is_valid():
            entries = [services.Entry(session=session, student=row.student, choice=choice, at=at)
                       for row, choice, at in form.entries()]  # fmt: skip
            try:
                if not entries:
                    raise DomainError(_("Fill in at least one child."))
                done = services.handover_record(actor=request.user, entries=entries, on_paper=True)
                messages.success(request, _("%(n)s hand-overs entered from the paper sheet.") % {"n": len(done)})
                return redirect("safety:handover-dismissal", pk=session.pk)
            except DomainError as exc:
                messages.error(request, exc.message)
        else:
            messages.error(request, form_errors(form))
    context = {
        "form": form,
        "session": session,
        "open": rules.paper_entry_open(day=session.date, today=timezone.localdate()),
    }
    return render(request, "safety/handovers/paper_entry.html", context)


@login_required
def settings_edit(request):
    """The school admin's choice: one tap, a pick-up code, or a signature."""
    permissions.require(request.user, "safety_settings.edit")
    schools = permissions.scope(request.user, School.objects.all(), action="safety_settings.edit")
    school = schools.order_by("pk").first()
    if school is None:
        raise Http404
    current = SafetySettings.objects.filter(school=school).first()
    initial = {"confirmation": current.confirmation if current else SafetySettings.Confirmation.NONE}
    form = SafetySettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.safety_settings_set(
                    actor=request.user, school=school, confirmation=form.cleaned_data["confirmation"]
                )
                messages.success(request, _("Saved."))
                return redirect("safety:settings-edit")
            except DomainError as exc:
                messages.error(request, exc.message)
        else:
            messages.error(request, form_errors(form))
    return render(request, "safety/handovers/settings.html", {"form": form, "school": school})


@login_required
def student_handovers(request, pk):
    """A guardian's view: their own child's hand-overs of the last 30 days (anyone else's child: 404)."""
    student = get_object_or_404(selectors.history_student(viewer=request.user), pk=pk)
    permissions.require(request.user, "handover.history", student)
    rows = selectors.student_history(student=student, today=timezone.localdate())
    return render(request, "safety/handovers/student_handovers.html", {"student": student, "rows": rows})


urlpatterns = [
    path("sessions/<int:pk>/handover/", dismissal, name="handover-dismissal"),
    path("sessions/<int:pk>/handover/<int:student_pk>/", tap, name="handover-tap"),
    path("sessions/<int:pk>/handover/staff/", staff_handover, name="handover-staff"),
    path("sessions/<int:pk>/handover/sheet.pdf", sheet, name="handover-sheet"),
    path("sessions/<int:pk>/handover/paper/", paper_entry, name="handover-paper"),
    path("care/", held_children, name="held-children"),
    path("care/staff/", held_staff_handover, name="held-staff"),
    path("handovers/<int:pk>/receive/", receive, name="handover-receive"),
    path("handovers/<int:pk>/correct/", correct, name="handover-correct"),
    path("settings/", settings_edit, name="settings-edit"),
    path("students/<int:pk>/handovers/", student_handovers, name="student-handovers"),
]
