"""The guardian's rights (issue #14, item 5): "My data" with its JSON and Excel copies, requests to correct or
delete data or withdraw consent, the school's answers, and the county's list of overdue requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import formats, timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiji_afterschool import auditing, exports, permissions, workflow
from xiji_afterschool.errors import DomainError, form_errors

from ..forms.data_requests import AnswerForm, DataRequestForm
from ..models import Application, DataRequest
from ..reports import data_requests as reports
from ..rules import data_requests as rules
from ..selectors import applications as applications_selectors
from ..selectors import data_requests as selectors
from ..services import data_requests as services


def _sections(request, *, full: bool):
    permissions.require(request.user, "my_data.view")
    return reports.my_data_sections(selectors.my_data(parent=request.user), full=full)


@login_required
def my_data(request):
    """What is held about the parent and each linked child, masked for the screen, with the downloads and the
    parent's requests."""
    sections = _sections(request, full=False)
    requests = selectors.data_request_list(viewer=request.user).filter(requester=request.user).order_by("-pk")
    return render(request, "enrollment/data_requests/my_data.html", {"sections": sections, "requests": requests})


def _filename(extension: str) -> str:
    return f"{_('my-data')}-{timezone.localdate():%Y%m%d}.{extension}"


@login_required
@auditing.download("my_data_json")
def my_data_json(request):
    """The copy as JSON: the parent's own data in full, other guardians' mobiles masked."""
    sections = _sections(request, full=True)
    response = HttpResponse(
        reports.my_data_json(sections, generated_at=timezone.now()), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, _filename("json"))
    return response


@login_required
@auditing.download("my_data_xlsx")
def my_data_xlsx(request):
    """The copy as an Excel workbook, one sheet per kind of data."""
    sections = _sections(request, full=True)
    return exports.xlsx_response(reports.my_data_xlsx(sections), _filename("xlsx"))


@login_required
def data_request_create(request):
    """A parent asks the school to correct or delete data, or withdraws consent."""
    permissions.require(request.user, "data_request.create")
    targets = selectors.request_targets(parent=request.user)
    if not targets:
        messages.info(request, _("Link a child to your account first: requests go to the child's school."))
        return redirect("enrollment:my-data")
    initial = {"about": request.GET.get("about", ""), "kind": request.GET.get("kind", "")}
    form = DataRequestForm(request.POST or None, targets=targets, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.data_request_submit(
                actor=request.user, kind=data["kind"], school=data["school"], student=data["student"],
                what_is_wrong=data["what_is_wrong"], should_be=data["should_be"], details=data["details"],
            )  # fmt: skip
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Your request was sent to the school. It must answer by %(day)s.")
                % {"day": formats.date_format(created.due_date, "DATE_FORMAT")},
            )
            return redirect("enrollment:data-request-detail", pk=created.pk)
    elif request.method == "POST":
        messages.error(request, form_errors(form))
    return render(request, "enrollment/data_requests/data_request_form.html", {"form": form})


@login_required
def data_request_list(request):
    """The requests the viewer sees: the school's (or the class's) with their due dates, open ones first."""
    permissions.require(request.user, "data_request.view")
    status = request.GET.get("status", "")
    if status not in DataRequest.Status.values:
        status = ""
    today = timezone.localdate()
    qs = selectors.data_request_list(viewer=request.user, status=status).order_by("due_date", "pk")
    rows = [{"request": r, "overdue": r.is_open and rules.is_overdue(today, r.due_date)} for r in qs]
    rows.sort(key=lambda row: (not row["request"].is_open, row["request"].due_date, row["request"].pk))
    context = {"rows": rows, "status": status, "statuses": DataRequest.Status.choices, "today": today}
    return render(request, "enrollment/data_requests/data_request_list.html", context)


@login_required
def data_request_detail(request, pk):
    data_request = get_object_or_404(selectors.data_request_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "data_request.view", data_request)
    can_answer = data_request.is_open and permissions.can(request.user, "data_request.answer", data_request)
    applications = []
    if can_answer and data_request.student_id:  # a withdrawal is done by withdrawing the live application
        applications = list(
            applications_selectors.application_list(viewer=request.user)
            .filter(student_id=data_request.student_id)
            .exclude(status=Application.Status.WITHDRAWN)
        )
    context = {
        "data_request": data_request,
        "history": list(data_request.events.all()),
        "overdue": data_request.is_open and rules.is_overdue(timezone.localdate(), data_request.due_date),
        "can_answer": can_answer,
        "applications": applications,
        "form": AnswerForm() if can_answer else None,
        "actions": workflow.allowed_actions(data_request),
    }
    return render(request, "enrollment/data_requests/data_request_detail.html", context)


@login_required
@require_POST
def data_request_answer(request, pk):
    data_request = get_object_or_404(selectors.data_request_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "data_request.answer", data_request)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            services.data_request_answer(
                actor=request.user,
                request=data_request,
                done=form.cleaned_data["outcome"] == "done",
                answer=form.cleaned_data["answer"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Answer recorded. The family has been told."))
    return redirect("enrollment:data-request-detail", pk=data_request.pk)


@login_required
def data_request_overdue(request):
    """The county (or a township): open requests past their due date, by school — no family's data."""
    if not permissions.can(request.user, "data_request.overdue"):
        raise PermissionDenied("data_request.overdue")
    today = timezone.localdate()
    rows = selectors.overdue_by_school(viewer=request.user, today=today)
    context = {"rows": rows, "today": today, "total": sum(r["count"] for r in rows)}
    return render(request, "enrollment/data_requests/data_request_overdue.html", context)


urlpatterns = [
    path("parent/my-data/", my_data, name="my-data"),
    path("parent/my-data.json", my_data_json, name="my-data-json"),
    path("parent/my-data.xlsx", my_data_xlsx, name="my-data-xlsx"),
    path("data-requests/", data_request_list, name="data-request-list"),
    path("data-requests/new/", data_request_create, name="data-request-create"),
    path("data-requests/overdue/", data_request_overdue, name="data-request-overdue"),
    path("data-requests/<int:pk>/", data_request_detail, name="data-request-detail"),
    path("data-requests/<int:pk>/answer/", data_request_answer, name="data-request-answer"),
]
