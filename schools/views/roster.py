"""The roster: schools, students and the roster export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiji_afterschool import actions, auditing, permissions
from xiji_afterschool.errors import DomainError

from ..forms.roster import SchoolFilterForm, StudentForm, StudentSearchForm
from ..models import RosterExport
from ..selectors import roster as selectors
from ..services import roster as services


@login_required
def school_list(request):
    permissions.require(request.user, "school.list")
    form = SchoolFilterForm(request.GET or None)
    township_id, school_type = None, ""
    if form.is_valid():
        township = form.cleaned_data["township"]
        township_id, school_type = (township.pk if township else None), form.cleaned_data["school_type"]
    schools = selectors.school_list(
        viewer=request.user, township_id=township_id, school_type=school_type, with_student_count=True
    )
    page = Paginator(schools, 50).get_page(request.GET.get("page"))
    return render(request, "schools/roster/school_list.html", {"form": form, "page": page})


@login_required
def school_detail(request, pk):
    school = get_object_or_404(selectors.school_list(viewer=request.user, with_student_count=True), pk=pk)
    permissions.require(request.user, "school.view", school)
    classes = selectors.admin_class_list(viewer=request.user, school=school)
    return render(
        request,
        "schools/roster/school_detail.html",
        {"school": school, "classes": classes, "can_export": permissions.can(request.user, "roster.export", school)},
    )


@login_required
def student_list(request):
    permissions.require(request.user, "student.list")
    form = StudentSearchForm(request.GET or None)
    search, admin_class_id = "", None
    if form.is_valid():
        search, admin_class_id = form.cleaned_data["q"].strip(), form.cleaned_data["admin_class"]
    students = selectors.student_list(viewer=request.user, admin_class_id=admin_class_id, search=search)
    page = Paginator(students, 50).get_page(request.GET.get("page"))
    return render(request, "schools/roster/student_list.html", {"form": form, "page": page, "search": search})


@login_required
def student_detail(request, pk):
    student = get_object_or_404(selectors.student_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "student.view", student)
    return render(
        request,
        "schools/roster/student_detail.html",
        {
            "student": student,
            "guardian_links": selectors.student_guardians(student=student),
            "show_identifiers": permissions.can(request.user, "student.view_identifiers", student),
        },
    )


@login_required
def student_edit(request, pk):
    """The school corrects a student's roster data; after saving, back to the student's page."""
    student = get_object_or_404(selectors.student_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "student.edit", student)
    initial = {name: getattr(student, name) for name in services.EDITABLE_FIELDS}
    form = StudentForm(request.POST or None, initial=initial, school=student.school)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.student_update(actor=request.user, student=student, **changed)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The roster data of %(name)s is saved.") % {"name": form.cleaned_data["name"]})
            return redirect("schools:student-detail", pk=student.pk)
    return render(request, "schools/roster/student_edit.html", {"student": student, "form": form})


@login_required
@require_POST
def roster_export_create(request, school_pk):
    school = get_object_or_404(selectors.school_list(viewer=request.user), pk=school_pk)
    export = services.roster_export_request(actor=request.user, school=school)
    actions.job_requested(
        request, export, success=_("The roster export has started. This page will show when it is ready.")
    )
    return redirect("schools:roster-export-detail", pk=export.pk)


@login_required
def roster_export_detail(request, pk):
    export = get_object_or_404(selectors.roster_export_list(viewer=request.user), pk=pk)
    can_retry = permissions.can(request.user, "roster.export", export.school)
    return render(request, "schools/roster/roster_export_detail.html", {"export": export, "can_retry": can_retry})


@login_required
@require_POST
def roster_export_retry(request, pk):
    export = get_object_or_404(selectors.roster_export_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "roster.export", export.school)
    return actions.job_retry(
        request,
        export,
        call=lambda: services.roster_export_retry(actor=request.user, export=export),
        next_url=reverse("schools:roster-export-detail", args=[export.pk]),
    )


@login_required
@auditing.download("roster", model="schools.RosterExport")
def roster_export_download(request, pk):
    export = get_object_or_404(selectors.roster_export_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "roster.export", export.school)
    if export.status != RosterExport.Status.DONE or not export.file:
        raise Http404(_("This export is not ready."))
    label = _("roster")
    filename = f"{export.school.name}-{label}-{export.created_at:%Y%m%d}.xlsx"
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=filename)


urlpatterns = [
    path("schools/", school_list, name="school-list"),
    path("schools/<int:pk>/", school_detail, name="school-detail"),
    path("schools/<int:school_pk>/roster-export/", roster_export_create, name="roster-export-create"),
    path("students/", student_list, name="student-list"),
    path("students/<int:pk>/", student_detail, name="student-detail"),
    path("students/<int:pk>/edit/", student_edit, name="student-edit"),
    path("exports/<int:pk>/", roster_export_detail, name="roster-export-detail"),
    path("exports/<int:pk>/retry/", roster_export_retry, name="roster-export-retry"),
    path("exports/<int:pk>/download/", roster_export_download, name="roster-export-download"),
]
