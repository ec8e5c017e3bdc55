"""Placement into service classes (组班, R14/R19): the administrator's page with the suggestion and the waiting list,
applying the suggestion in one go, and placing or moving one child by hand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from schools.selectors import calendar as calendar_selectors
from schools.selectors import roster as roster_selectors
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..forms.placement import ApplyForm, PlaceForm
from ..selectors import applications as applications_selectors
from ..selectors import placement as selectors
from ..services import placement as services


def _school(request, school_pk):
    school = get_object_or_404(roster_selectors.school_list(viewer=request.user), pk=school_pk)
    permissions.require(request.user, "application.place", school)
    return school


@login_required
def placement(request, school_pk):
    school = _school(request, school_pk)
    school_year = calendar_selectors.current_school_year()
    board = (
        selectors.placement_board(viewer=request.user, school=school, school_year=school_year) if school_year else None
    )
    return render(
        request,
        "enrollment/placement/placement_board.html",
        {"school": school, "school_year": school_year, "board": board},
    )


@login_required
@require_POST
def placement_apply(request, school_pk):
    school = _school(request, school_pk)
    school_year = calendar_selectors.current_school_year()
    form = ApplyForm(request.POST)
    if school_year is None or not form.is_valid():
        messages.error(request, _("Nothing was placed: the form was not complete. Reload the page and try again."))
        return redirect("enrollment:placement", school_pk=school.pk)
    try:
        result = services.placement_apply(
            actor=request.user,
            school=school,
            school_year=school_year,
            confirmed_ids=form.cleaned_data["application"],
            signature=form.cleaned_data["signature"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext("%(count)s child placed.", "%(count)s children placed.", result.placed) % {"count": result.placed}
            + " "
            + ngettext("%(count)s more on the waiting list.", "%(count)s more on the waiting list.", result.waiting)
            % {"count": result.waiting},
        )
    return redirect("enrollment:placement", school_pk=school.pk)


@login_required
@require_POST
def application_place(request, pk):
    application = get_object_or_404(applications_selectors.application_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "application.place", application)
    form = PlaceForm(request.POST, application=application, viewer=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose a service class of the child's school for this school year."))
    else:
        service_class = form.cleaned_data["service_class"]
        try:
            services.application_place(actor=request.user, application=application, service_class=service_class)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s is placed in %(class)s.") % {"name": application.student.name, "class": service_class.name},
            )
    return redirect("enrollment:placement", school_pk=application.school_id)


urlpatterns = [
    path("placement/<int:school_pk>/", placement, name="placement"),
    path("placement/<int:school_pk>/apply/", placement_apply, name="placement-apply"),
    path("applications/<int:pk>/place/", application_place, name="application-place"),
]
