"""Roster import (issue 4, item 8): template download, upload and check, preview, import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiji_afterschool import actions, permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.exports import xlsx_response

from ..forms.imports import RosterUploadForm
from ..models import RosterImport
from ..selectors import imports as selectors
from ..selectors import roster as roster_selectors
from ..services import imports as services


def _school(request, school_pk):
    school = get_object_or_404(roster_selectors.school_list(viewer=request.user), pk=school_pk)
    permissions.require(request.user, "roster.import", school)
    return school


def _roster_import(request, pk) -> RosterImport:
    roster_import = get_object_or_404(selectors.roster_import_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "roster.import", roster_import)
    return roster_import


@login_required
def roster_import_template(request, school_pk):
    school = _school(request, school_pk)
    content = services.roster_import_template(actor=request.user, school=school)
    return xlsx_response(content, f"roster-template-{school.code}.xlsx")


@login_required
def roster_import_upload(request, school_pk):
    school = _school(request, school_pk)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            roster_import = services.roster_import_check(
                actor=request.user, school=school, upload=form.cleaned_data["file"]
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            roster_import.refresh_from_db()
            if roster_import.is_failed:  # the queue could not be reached, or (run at once) the file is unreadable
                messages.error(request, roster_import.error)
            elif roster_import.is_waiting:
                messages.info(
                    request, _("The file has been uploaded. It is being checked; this page shows the result.")
                )
            else:
                messages.info(request, _("The file has been uploaded and checked."))
            return redirect("schools:roster-import-detail", pk=roster_import.pk)
    recent = selectors.roster_import_list(viewer=request.user).filter(school=school)[:10]
    return render(
        request, "schools/imports/roster_import_upload.html", {"school": school, "form": form, "recent": recent}
    )


@login_required
def roster_import_detail(request, pk):
    roster_import = _roster_import(request, pk)
    page = Paginator(roster_import.errors, 50).get_page(request.GET.get("page"))
    bad_rows = len(roster_import.errors)
    return render(
        request,
        "schools/imports/roster_import_detail.html",
        {
            "roster_import": roster_import,
            "page": page,
            "bad_rows": bad_rows,
            "good_rows": max(roster_import.row_count - bad_rows, 0),
            "can_import": roster_import.status == RosterImport.Status.READY,
            "percent": min(round(100 * roster_import.progress_done / roster_import.progress_total), 100)
            if roster_import.progress_total
            else 0,
        },
    )


@login_required
@require_POST
def roster_import_retry(request, pk):
    roster_import = _roster_import(request, pk)
    return actions.job_retry(
        request,
        roster_import,
        call=lambda: services.roster_import_retry(actor=request.user, roster_import=roster_import),
        next_url=reverse("schools:roster-import-detail", args=[roster_import.pk]),
    )


@login_required
@require_POST
def roster_import_confirm(request, pk):
    roster_import = _roster_import(request, pk)
    try:
        roster_import = services.roster_import_apply(actor=request.user, roster_import=roster_import)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if roster_import.status == RosterImport.Status.IMPORTED:
            messages.success(
                request,
                _("Imported: %(created)s students added, %(updated)s updated, %(guardians)s new guardians.")
                % {
                    "created": roster_import.students_created,
                    "updated": roster_import.students_updated,
                    "guardians": roster_import.guardians_created,
                },
            )
        else:
            messages.error(
                request, _("The roster has changed since the check and some rows no longer fit; nothing was imported.")
            )
    return redirect("schools:roster-import-detail", pk=roster_import.pk)


urlpatterns = [
    path("schools/<int:school_pk>/roster-import/template.xlsx", roster_import_template, name="roster-import-template"),
    path("schools/<int:school_pk>/roster-import/", roster_import_upload, name="roster-import-upload"),
    path("roster-imports/<int:pk>/", roster_import_detail, name="roster-import-detail"),
    path("roster-imports/<int:pk>/retry/", roster_import_retry, name="roster-import-retry"),
    path("roster-imports/<int:pk>/import/", roster_import_confirm, name="roster-import-confirm"),
]
