"""Thin views: parse, ask the policy through selectors and services, render."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from xiji_afterschool import permissions

from .. import auth, selectors, services
from ..forms import LoginForm, SchoolFilterForm, StudentSearchForm
from ..models import RosterExport

log = logging.getLogger("xiji.auth")


def _client_address(request) -> str:
    # Behind the reverse proxy the first X-Forwarded-For hop is the client; direct, REMOTE_ADDR.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier, address = form.cleaned_data["username"], _client_address(request)
        if auth.is_locked(identifier, address):
            minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
            message = ngettext(
                "Too many failed sign-in attempts. Please wait %(minutes)s minute and try again.",
                "Too many failed sign-in attempts. Please wait %(minutes)s minutes and try again.",
                minutes,
            )
            form.add_error(None, message % {"minutes": minutes})
        else:
            user = authenticate(request, username=identifier, password=form.cleaned_data["password"])
            if user is None:
                auth.record_failure(identifier, address)
                form.add_error(None, _("The mobile number/username or password is not correct."))
            else:
                auth.clear_failures(identifier)
                login(request, user)
                log.info("login ok user_id=%s", user.pk)
                next_url = request.POST.get("next") or request.GET.get("next")
                if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                    return redirect(next_url)
                return redirect("home")
    return render(request, "schools/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        log.info("logout user_id=%s", request.user.pk)
    logout(request)
    return redirect("login")


def _my_schools(user, action):
    return [m.school for m in permissions.memberships_for(user, action) if m.school_id]


@login_required
def school_home(request):
    permissions.require(request.user, "home.school_admin")
    schools = _my_schools(request.user, "home.school_admin")
    school_year = selectors.current_school_year()
    rows = []
    for school in schools:
        plans = (
            selectors.plan_list(viewer=request.user, school_year=school_year).filter(school=school)
            if school_year
            else []
        )
        rows.append(
            {
                "school": school,
                "classes": selectors.admin_class_list(viewer=request.user, school=school),
                "exports": selectors.roster_export_list(viewer=request.user).filter(school=school)[:5],
                "plan": plans[0] if plans else None,
                "milestones": selectors.milestones(school=school, school_year=school_year) if school_year else [],
            }
        )
    return render(request, "schools/school_home.html", {"rows": rows, "school_year": school_year})


@login_required
def class_home(request):
    permissions.require(request.user, "home.class_teacher")
    classes = [m.admin_class for m in permissions.memberships_for(request.user, "home.class_teacher")]
    students = selectors.student_list(viewer=request.user).filter(admin_class__in=classes)
    return render(request, "schools/class_home.html", {"classes": classes, "students": students})


@login_required
def township_home(request):
    permissions.require(request.user, "home.township")
    townships = [m.township for m in permissions.memberships_for(request.user, "home.township")]
    school_year = selectors.current_school_year()
    context = {"townships": townships, "school_year": school_year, "rows": []}
    if school_year:
        context["rows"] = [
            row
            for township in townships
            for row in selectors.plan_status(viewer=request.user, school_year=school_year, township_id=township.pk)
        ]
        context["to_forward"] = selectors.plan_list(viewer=request.user, school_year=school_year, status="at_township")
    return render(request, "schools/township_home.html", context)


@login_required
def school_list(request):
    permissions.require(request.user, "school.list")
    form = SchoolFilterForm(request.GET or None)
    township_id, school_type = None, ""
    if form.is_valid():
        township = form.cleaned_data["township"]
        township_id, school_type = (township.pk if township else None), form.cleaned_data["school_type"]
    schools = selectors.school_list(viewer=request.user, township_id=township_id, school_type=school_type)
    page = Paginator(schools, 50).get_page(request.GET.get("page"))
    return render(request, "schools/school_list.html", {"form": form, "page": page})


@login_required
def school_detail(request, pk):
    school = get_object_or_404(selectors.school_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "school.view", school)
    classes = selectors.admin_class_list(viewer=request.user, school=school)
    return render(
        request,
        "schools/school_detail.html",
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
    return render(request, "schools/student_list.html", {"form": form, "page": page, "search": search})


@login_required
def student_detail(request, pk):
    student = get_object_or_404(selectors.student_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "student.view", student)
    return render(
        request,
        "schools/student_detail.html",
        {
            "student": student,
            "guardian_links": selectors.student_guardians(student=student),
            "show_identifiers": permissions.can(request.user, "student.view_identifiers", student),
        },
    )


@login_required
@require_POST
def roster_export_create(request, school_pk):
    school = get_object_or_404(selectors.school_list(viewer=request.user), pk=school_pk)
    export = services.roster_export_request(actor=request.user, school=school)
    messages.success(request, _("The roster export has started. This page will show when it is ready."))
    return redirect("schools:roster-export-detail", pk=export.pk)


@login_required
def roster_export_detail(request, pk):
    export = get_object_or_404(selectors.roster_export_list(viewer=request.user), pk=pk)
    return render(request, "schools/roster_export_detail.html", {"export": export})


@login_required
def roster_export_download(request, pk):
    export = get_object_or_404(selectors.roster_export_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "roster.export", export.school)
    if export.status != RosterExport.Status.DONE or not export.file:
        raise Http404(_("This export is not ready."))
    label = _("roster")
    filename = f"{export.school.name}-{label}-{export.created_at:%Y%m%d}.xlsx"
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=filename)
