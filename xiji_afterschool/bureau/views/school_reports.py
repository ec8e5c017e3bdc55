"""School reports filed in windows (直报): the bureau's windows and the open form, a window's every school with the
late and missing ones, the school's report form (computed beside reported, a reason per change), the township's
review queue, the bureau's file/return, and the two workbooks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import auditing, permissions
from xiji_afterschool.actions import post_action
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.exports import xlsx_response
from xiji_afterschool.forms import CommentForm

from ..forms.school_reports import FiguresForm, TownshipFilterForm, WindowOpenForm
from ..models import ReportWindow, SchoolReport
from ..reports import school_reports as reports
from ..selectors import school_reports as selectors
from ..services import school_reports as services


def _window(request, pk) -> ReportWindow:
    window = get_object_or_404(selectors.window_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "report_window.view", window)
    return window


def _report(request, pk) -> SchoolReport:
    report = get_object_or_404(selectors.report_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "school_report.view", report)
    return report


@login_required
def window_list(request):
    """Every reporting window with how many schools submitted and how many reports are filed; the bureau's queue of
    reports ready to file; the overdue reports."""
    permissions.require(request.user, "report_window.view")
    user = request.user
    context = {
        "windows": selectors.window_list(viewer=user)[:100],
        "can_open": permissions.can(user, "report_window.manage"),
        "queue": selectors.bureau_queue(viewer=user)[:100] if permissions.can(user, "school_report.file") else [],
        "overdue": selectors.overdue_reports(viewer=user)[:100],
    }
    return render(request, "bureau/school_reports/window_list.html", context)


@login_required
def window_open(request):
    """The bureau opens a window: every school's report is pre-filled from its records for the period."""
    permissions.require(request.user, "report_window.manage")
    school_year = calendar_selectors.current_school_year()
    form = WindowOpenForm(request.POST or None, initial={"school_year": school_year})
    if request.method == "POST":
        if form.is_valid():
            try:
                window = services.window_open(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The window is open; every school's report is pre-filled."))
                return redirect("bureau:report-window-detail", pk=window.pk)
        else:
            messages.error(request, form_errors(form))
    return render(request, "bureau/school_reports/window_open.html", {"form": form})


@login_required
def window_detail(request, pk):
    """Every school's report in the window the viewer sees (a township: its own schools), the late and the missing
    ones, filtered by township, with each school's figures."""
    window = _window(request, pk)
    form = TownshipFilterForm(request.GET or None)
    township = form.cleaned_data.get("township") if form.is_valid() else None
    overview = selectors.window_overview(viewer=request.user, window=window, township_id=township and township.pk)
    context = {
        "window": window,
        "form": form,
        **overview,
        "can_manage": permissions.can(request.user, "report_window.manage", window),
        "close_form": CommentForm(),
    }
    return render(request, "bureau/school_reports/window_detail.html", context)


@login_required
@require_POST
def window_close(request, pk):
    window = _window(request, pk)
    return post_action(
        request,
        window,
        action="report_window.manage",
        call=lambda data: services.window_close(actor=request.user, window=window, note=data["note"]),
        success=_("The window is closed: nothing more can be submitted in it."),
        next_url=reverse("bureau:report-window-detail", kwargs={"pk": window.pk}),
    )


def _table(request, window):
    return selectors.figure_table(reports=list(selectors.report_list(viewer=request.user, window=window)))


@login_required
@auditing.download("school_reports")
def window_export(request, pk):
    """The window's reports as the education statistics table (Excel): township subtotals and the county total."""
    window = _window(request, pk)
    content = reports.statistics_workbook(window=window, table=_table(request, window))
    return xlsx_response(content, f"{window.title}-{_('statistics table')}.xlsx")


@login_required
@auditing.download("school_reports_city")
def window_city_summary(request, pk):
    """The county summary for the city (固原市): by township, by school type and the schools, one workbook."""
    window = _window(request, pk)
    content = reports.city_summary_workbook(window=window, table=_table(request, window))
    return xlsx_response(content, f"{window.title}-{_('summary for the city')}.xlsx")


@login_required
def report_list(request):
    """The school admin's reports; the township's queue (its village schools and teaching points to review) and
    every report of its schools."""
    permissions.require(request.user, "school_report.view")
    user = request.user
    context = {
        "reports": selectors.report_list(viewer=user)[:200],
        "queue": selectors.township_queue(viewer=user)
        if permissions.can(user, "school_report.township_review")
        else [],
    }
    return render(request, "bureau/school_reports/report_list.html", context)


@login_required
def report_detail(request, pk):
    """The report: each figure from the records beside the reported value and its reason (a form while the school
    may still change it), the actions the viewer may take now, and the history."""
    report = _report(request, pk)
    user = request.user
    figures = list(report.figures.all())
    status = SchoolReport.Status
    may_edit = (
        permissions.can(user, "school_report.edit", report)
        and report.is_editable
        and report.window.status == ReportWindow.Status.OPEN
    )
    may_review = (
        report.status == status.SUBMITTED
        and report.needs_township_review
        and permissions.can(user, "school_report.township_review", report)
    )
    may_file = permissions.can(user, "school_report.file", report) and (
        report.status == status.TOWNSHIP_REVIEWED
        or (report.status == status.SUBMITTED and not report.needs_township_review)
    )
    may_bureau_return = permissions.can(user, "school_report.file", report) and report.status in (
        status.SUBMITTED,
        status.TOWNSHIP_REVIEWED,
    )
    context = {
        "report": report,
        "window": report.window,
        "figures": figures,
        "form": FiguresForm(figures=figures) if may_edit else None,
        "may_edit": may_edit,
        "may_review": may_review,
        "may_file": may_file,
        "may_return": may_review or may_bureau_return,
        "decision_form": CommentForm(),
        "events": report.events.all(),
    }
    return render(request, "bureau/school_reports/report_detail.html", context)


@login_required
@require_POST
def report_edit(request, pk):
    """Save the reported figures (and submit them when the school pressed "Save and submit")."""
    report = _report(request, pk)
    permissions.require(request.user, "school_report.edit", report)
    form = FiguresForm(request.POST, figures=list(report.figures.all()))
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("bureau:school-report-detail", pk=report.pk)
    try:
        services.report_correct(actor=request.user, report=report, values=form.values())
        if "submit" in request.POST:
            services.report_submit(actor=request.user, report=report)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The report has been submitted.") if "submit" in request.POST else _("The figures are saved.")
        )
    return redirect("bureau:school-report-detail", pk=report.pk)


def _decide(request, pk, *, action: str, call, success: str):
    report = _report(request, pk)
    return post_action(
        request,
        report,
        action=action,
        call=lambda data: call(report, data),
        success=success,
        next_url=reverse("bureau:school-report-detail", kwargs={"pk": report.pk}),
    )


@login_required
@require_POST
def report_submit(request, pk):
    return _decide(
        request,
        pk,
        action="school_report.edit",
        call=lambda report, data: services.report_submit(actor=request.user, report=report, note=data["note"]),
        success=_("The report has been submitted."),
    )


@login_required
@require_POST
def report_review(request, pk):
    return _decide(
        request,
        pk,
        action="school_report.township_review",
        call=lambda report, data: services.report_township_review(actor=request.user, report=report, note=data["note"]),
        success=_("The report has been passed on to the bureau."),
    )


@login_required
@require_POST
def report_file(request, pk):
    return _decide(
        request,
        pk,
        action="school_report.file",
        call=lambda report, data: services.report_file(actor=request.user, report=report, note=data["note"]),
        success=_("The report is filed and locked."),
    )


@login_required
@require_POST
def report_return(request, pk):
    report = _report(request, pk)
    action = (
        "school_report.file"
        if permissions.can(request.user, "school_report.file", report)
        else "school_report.township_review"
    )
    return post_action(
        request,
        report,
        action=action,
        call=lambda data: services.report_return(actor=request.user, report=report, note=data["note"]),
        success=_("The report has been returned to the school with your note."),
        next_url=reverse("bureau:school-report-detail", kwargs={"pk": report.pk}),
    )


urlpatterns = [
    path("school-reports/windows/", window_list, name="report-window-list"),
    path("school-reports/windows/open/", window_open, name="report-window-open"),
    path("school-reports/windows/<int:pk>/", window_detail, name="report-window-detail"),
    path("school-reports/windows/<int:pk>/close/", window_close, name="report-window-close"),
    path("school-reports/windows/<int:pk>/statistics.xlsx", window_export, name="report-window-export"),
    path("school-reports/windows/<int:pk>/city-summary.xlsx", window_city_summary, name="report-window-city-summary"),
    path("school-reports/", report_list, name="school-report-list"),
    path("school-reports/<int:pk>/", report_detail, name="school-report-detail"),
    path("school-reports/<int:pk>/edit/", report_edit, name="school-report-edit"),
    path("school-reports/<int:pk>/submit/", report_submit, name="school-report-submit"),
    path("school-reports/<int:pk>/review/", report_review, name="school-report-review"),
    path("school-reports/<int:pk>/file/", report_file, name="school-report-file"),
    path("school-reports/<int:pk>/return/", report_return, name="school-report-return"),
]
