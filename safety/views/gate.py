"""The gate (门卫登记, issue 11 §5, §9): the gate keeper's phone page (today only), visitor entries and their one-tap
time out, corrections, paper gate sheets typed in afterwards, the printable gate sheet; the school admin's log of
any day and the month's Excel; the class teacher's early-leave permissions and the gate's record of the departure."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.models import AdminClass, School, User
from xiji_afterschool import auditing, permissions, uploads
from xiji_afterschool.actions import post_action
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.exports import render_pdf, write_xlsx, xlsx_response
from xiji_afterschool.forms import CommentForm

from ..forms.gate import (
    ChildSearchForm,
    DepartForm,
    EarlyLeaveForm,
    LogDayForm,
    MonthForm,
    PaperVisitForm,
    VisitCorrectionForm,
    VisitForm,
)
from ..models import EarlyLeave, Visit
from ..reports import gate as reports
from ..selectors import gate as selectors
from ..services import gate as services


def _school_for(request, action: str) -> School:
    """The viewer's school for `action` (403 without the right or without a school)."""
    permissions.require(request.user, action)
    school = permissions.scope(request.user, School.objects.all(), action=action).first()
    if school is None:
        raise PermissionDenied(action)
    return school


def _visitor_fields(data: dict) -> dict:
    keys = ("name", "id_checked", "id_last4", "purpose", "purpose_note", "host_name", "mobile")
    return {key: data[key] for key in keys}


@login_required
def gate_today(request):
    """The gate's phone page: today, the duty roster, open late pick-ups (red, at the top), today's early leaves,
    the buses, the visitors inside, and a search for today's authorised adults of a child."""
    school = _school_for(request, "gate.view")
    today = timezone.localdate()
    classes = AdminClass.objects.filter(school=school)
    search = ChildSearchForm(request.GET or None, classes=classes)
    found, searched = [], False
    if search.is_bound and search.is_valid():
        searched = bool(search.cleaned_data["q"] or search.cleaned_data["admin_class"])
        found = selectors.adults_today(
            school=school, query=search.cleaned_data["q"], admin_class=search.cleaned_data["admin_class"]
        )
    context = {
        "school": school,
        "today": today,
        "duty": selectors.duty_of_day(school=school, date=today),
        "alerts": selectors.open_late_alerts(school=school, date=today),
        "early_leaves": selectors.early_leaves_of_day(viewer=request.user, school=school, date=today),
        "buses": selectors.buses_of_day(school=school, date=today),
        "inside": selectors.visits_inside(viewer=request.user, school=school),
        "visits_today": selectors.visit_list(viewer=request.user).filter(school=school, date=today).count(),
        "search": search,
        "searched": searched,
        "found": found,
    }
    return render(request, "safety/gate/gate_today.html", context)


@login_required
def visit_add(request):
    """A visitor enters: the gate keeper's form (time in now, or up to 2 hours back)."""
    school = _school_for(request, "visit.record")
    staff = User.objects.filter(memberships__school=school).distinct()  # a parent's membership has no school
    form = VisitForm(request.POST or None, staff=staff.order_by("full_name"))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            time_in = None
            if data["time_in"]:
                time_in = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), data["time_in"]))
            try:
                visit = services.visit_record(
                    actor=request.user, school=school, host=data["host"], time_in=time_in, **_visitor_fields(data)
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("%(name)s entered at %(time)s.") % {
                    "name": visit.name, "time": timezone.localtime(visit.time_in).strftime("%H:%M")})  # fmt: skip
                return redirect("safety:gate-today")
        else:
            messages.error(request, form_errors(form))
    context = {"form": form, "school": school, "title": _("New visitor"), "back": reverse("safety:gate-today")}
    return render(request, "safety/gate/visit_form.html", context)


def _visit(request, pk) -> Visit:
    return get_object_or_404(permissions.scope(request.user, Visit.objects.all()), pk=pk)


@login_required
@require_POST
def visit_leave(request, pk):
    """One tap "离校": the visitor's time out is now."""
    visit = _visit(request, pk)
    permissions.require(request.user, "visit.record", visit)
    try:
        services.visit_sign_out(actor=request.user, visit=visit)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s left at %(time)s.") % {
            "name": visit.name, "time": timezone.localtime(visit.time_out).strftime("%H:%M")})  # fmt: skip
    return redirect("safety:gate-today")


def _back_to_day(request, date: datetime.date) -> str:
    if permissions.can(request.user, "visit.view_log"):
        return f"{reverse('safety:gate-log')}?date={date:%Y-%m-%d}"
    return reverse("safety:gate-today")


@login_required
def visit_correct(request, pk):
    """A new entry correcting one, with the reason; the old entry stays, marked as corrected."""
    visit = _visit(request, pk)
    permissions.require(request.user, "visit.correct", visit)
    form = VisitCorrectionForm(request.POST or None, initial=VisitCorrectionForm.initial_of(visit))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.visit_correct(
                    actor=request.user, visit=visit, reason=data["reason"], time_in=data["time_in"],
                    time_out=data["time_out"], **_visitor_fields(data),
                )  # fmt: skip
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The correction was recorded; the first entry stays, marked corrected."))
                return redirect(_back_to_day(request, visit.date))
        else:
            messages.error(request, form_errors(form))
    context = {"form": form, "visit": visit, "title": _("Correct an entry"), "back": _back_to_day(request, visit.date)}
    return render(request, "safety/gate/visit_form.html", context)


@login_required
def visit_paper(request):
    """Type in a paper gate sheet (where phones failed), one visitor at a time, within 3 days of its day."""
    school = _school_for(request, "visit.enter_paper")
    form = PaperVisitForm(request.POST or None, initial={"day": request.GET.get("day") or timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                visit = services.visit_enter_paper(
                    actor=request.user, school=school, day=data["day"], time_in=data["time_in"],
                    time_out=data["time_out"], **_visitor_fields(data),
                )  # fmt: skip
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("%(name)s entered from the paper sheet. Next visitor:") % {
                    "name": visit.name})  # fmt: skip
                return redirect(f"{reverse('safety:visit-paper')}?day={visit.date:%Y-%m-%d}")
        else:
            messages.error(request, form_errors(form))
    back = reverse("safety:gate-today" if permissions.can(request.user, "gate.view") else "safety:gate-log")
    context = {"form": form, "school": school, "title": _("Enter a paper gate sheet"), "paper": True, "back": back}
    return render(request, "safety/gate/visit_form.html", context)


def _log_day(request) -> datetime.date:
    form = LogDayForm(request.GET or None)
    return form.cleaned_data["date"] if form.is_bound and form.is_valid() else timezone.localdate()


@login_required
def gate_log(request):
    """The school admin's gate log of any day: visitors (corrections shown) and early leaves."""
    school = _school_for(request, "visit.view_log")
    day = _log_day(request)
    context = {
        "school": school,
        "day": day,
        "form": LogDayForm(initial={"date": day}),
        "month_form": MonthForm(initial={"month": f"{day:%Y-%m}"}),
        "visits": selectors.visits_of_day(viewer=request.user, school=school, date=day, action="visit.view_log"),
        "early_leaves": selectors.early_leaves_of_day(viewer=request.user, school=school, date=day),
        "cancel_form": CommentForm(),
    }
    return render(request, "safety/gate/gate_log.html", context)


@login_required
@auditing.download("gate_log")
def gate_log_export(request):
    """The gate log of one month as Excel (the school admin)."""
    school = _school_for(request, "visit.view_log")
    form = MonthForm(request.GET or None)
    if not (form.is_bound and form.is_valid()):
        messages.error(request, _("Enter a month as YYYY-MM."))
        return redirect("safety:gate-log")
    month = form.cleaned_data["month"]
    visits = selectors.visits_of_month(viewer=request.user, school=school, year=month.year, month=month.month)
    header, rows = reports.visit_rows(visits)
    content = write_xlsx(title=_("Gate log"), header=header, rows=rows)
    return xlsx_response(content, f"{school.name}-{_('Gate log')}-{month:%Y-%m}.xlsx")


@login_required
@auditing.download("gate_sheet")
def gate_sheet(request):
    """The printable gate sheet of a day (PDF): visitors and blank rows, early leaves, buses. The gate: today's."""
    school = _school_for(request, "gate_sheet.print")
    day = _log_day(request)
    if day != timezone.localdate() and not permissions.can(request.user, "visit.view_log", school):
        raise PermissionDenied("gate_sheet.print")
    context = reports.gate_sheet_context(viewer=request.user, school=school, date=day)
    pdf = render_pdf("safety/gate/gate_sheet_pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{_('Gate sheet')}-{day:%Y-%m-%d}.pdf")
    return response


@login_required
@auditing.download("collector_photo", model="safety.Collector")
def collector_photo(request, pk):
    """The photo of a listed adult allowed to collect a child of the gate's school today (nothing else)."""
    school = _school_for(request, "gate.view")
    collector = selectors.photo_collector(school=school, collector_id=pk)
    if collector is None:
        raise Http404
    return uploads.photo_response(collector.photo)


# ---------------------------------------------------------------- early leave


@login_required
def early_leave_list(request):
    """The class teacher's early leaves (from a week ago) and where to permit one."""
    permissions.require(request.user, "early_leave.permit")
    context = {"early_leaves": selectors.early_leaves_for_teacher(viewer=request.user), "cancel_form": CommentForm()}
    return render(request, "safety/gate/early_leave_list.html", context)


@login_required
def early_leave_add(request):
    """Permit an early leave: choose the child and day (then the page lists that day's allowed adults), the time,
    the reason and the adult."""
    permissions.require(request.user, "early_leave.permit")
    students = selectors.permit_students(viewer=request.user)
    data = request.POST if request.method == "POST" else (request.GET or None)
    probe = EarlyLeaveForm(data, students=students)
    adults = []
    if probe.is_bound:
        probe.is_valid()
        student, day = probe.cleaned_data.get("student"), probe.cleaned_data.get("date")
        if student and day:
            adults = [(key, label) for key, label, _snapshot in services.adult_choices(student=student, date=day)]
    form = EarlyLeaveForm(data, students=students, adults=adults)
    if request.method == "POST":
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                services.early_leave_permit(
                    actor=request.user, student=cleaned["student"], date=cleaned["date"], leave_at=cleaned["leave_at"],
                    reason=cleaned["reason"], adult=cleaned["adult"], note=cleaned["note"],
                )  # fmt: skip
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Early leave permitted. The gate sees it on the day."))
                return redirect("safety:early-leave-list")
        else:
            messages.error(request, form_errors(form))
    elif probe.is_bound:
        form = EarlyLeaveForm(initial=probe.cleaned_data, students=students, adults=adults)
    context = {"form": form, "adults": adults, "chosen": bool(adults)}
    return render(request, "safety/gate/early_leave_form.html", context)


def _early_leave(request, pk) -> EarlyLeave:
    return get_object_or_404(permissions.scope(request.user, EarlyLeave.objects.all()), pk=pk)


@login_required
@require_POST
def early_leave_cancel(request, pk):
    early_leave = _early_leave(request, pk)
    if permissions.can(request.user, "early_leave.permit"):
        next_url = reverse("safety:early-leave-list")
    else:
        next_url = f"{reverse('safety:gate-log')}?date={early_leave.date:%Y-%m-%d}"
    return post_action(
        request,
        early_leave,
        action="early_leave.cancel",
        call=lambda data: services.early_leave_cancel(actor=request.user, early_leave=early_leave, note=data["note"]),
        success=_("The early leave was cancelled."),
        next_url=next_url,
    )


@login_required
@require_POST
def early_leave_depart(request, pk):
    """The gate's one tap: the child left with the named adult (confirmed), now."""
    early_leave = _early_leave(request, pk)
    permissions.require(request.user, "early_leave.depart", early_leave)
    form = DepartForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("safety:gate-today")
    try:
        services.early_leave_depart(actor=request.user, early_leave=early_leave, confirmed=True)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(child)s left at %(time)s with %(adult)s.") % {
            "child": early_leave.student.name, "time": timezone.localtime(early_leave.left_at).strftime("%H:%M"),
            "adult": early_leave.adult_name})  # fmt: skip
    return redirect("safety:gate-today")


urlpatterns = [
    path("gate/", gate_today, name="gate-today"),
    path("gate/visitors/new/", visit_add, name="visit-add"),
    path("gate/visitors/<int:pk>/left/", visit_leave, name="visit-leave"),
    path("gate/visitors/<int:pk>/correct/", visit_correct, name="visit-correct"),
    path("gate/paper/", visit_paper, name="visit-paper"),
    path("gate/log/", gate_log, name="gate-log"),
    path("gate/log/export/", gate_log_export, name="gate-log-export"),
    path("gate/sheet/", gate_sheet, name="gate-sheet"),
    path("gate/adults/<int:pk>/photo/", collector_photo, name="gate-photo"),
    path("gate/early-leave/<int:pk>/left/", early_leave_depart, name="early-leave-depart"),
    path("early-leave/", early_leave_list, name="early-leave-list"),
    path("early-leave/new/", early_leave_add, name="early-leave-add"),
    path("early-leave/<int:pk>/cancel/", early_leave_cancel, name="early-leave-cancel"),
]
