"""Service classes (组班, R19): the school's list for the current year, forming and changing a class, its members.

A teacher or volunteer sees the classes they teach; the school administrator forms and changes them; the township,
bureau and inspectors read.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..forms.classes import ServiceClassForm
from ..models import AdminClass, ServiceClass
from ..selectors import calendar as calendar_selectors
from ..selectors import classes as selectors
from ..selectors import roster as roster_selectors
from ..services import classes as services


def _school(request, school_pk, action):
    school = get_object_or_404(roster_selectors.school_list(viewer=request.user), pk=school_pk)
    permissions.require(request.user, action, school)
    return school


@login_required
def service_class_list(request, school_pk):
    school = _school(request, school_pk, "service_class.view")
    school_year = calendar_selectors.current_school_year()
    classes = (
        list(selectors.service_class_list(viewer=request.user, school=school, school_year=school_year))
        if school_year
        else []
    )
    school_classes = list(AdminClass.objects.filter(school=school))
    rows = [{"class": c, "draws_from": selectors.draws_from_labels(c, school_classes)} for c in classes]
    return render(
        request,
        "schools/classes/service_class_list.html",
        {
            "school": school,
            "school_year": school_year,
            "rows": rows,
            "places": sum(c.capacity for c in classes),
            "taken": sum(c.occupied for c in classes),
            "can_manage": bool(school_year) and permissions.can(request.user, "service_class.manage", school),
            "can_place": bool(school_year) and permissions.can(request.user, "application.place", school),
        },
    )


def _save(request, form, *, school, school_year, service_class=None):
    """Run the service with the form's data; the saved class, or None with the refusal shown as a message."""
    data = form.cleaned_data
    try:
        return services.service_class_save(
            actor=request.user,
            school=school,
            school_year=school_year,
            service_class=service_class,
            name=data["name"],
            kind=data["kind"],
            activity=data["activity"],
            teacher=data["teacher"],
            capacity=data["capacity"],
            admin_classes=form.drawn_classes(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return None


@login_required
def service_class_create(request, school_pk):
    school = _school(request, school_pk, "service_class.manage")
    school_year = calendar_selectors.current_school_year()
    if school_year is None:
        messages.error(request, _("The bureau has not set up the school year yet."))
        return redirect("schools:service-class-list", school_pk=school.pk)
    form = ServiceClassForm(request.POST or None, school=school, initial={"capacity": 30})
    if request.method == "POST" and form.is_valid():
        service_class = _save(request, form, school=school, school_year=school_year)
        if service_class is not None:
            messages.success(request, _("Service class “%(name)s” formed.") % {"name": service_class.name})
            return redirect("schools:service-class-detail", pk=service_class.pk)
    return render(
        request,
        "schools/classes/service_class_form.html",
        {"school": school, "school_year": school_year, "form": form, "service_class": None},
    )


def _service_class(request, pk, action) -> ServiceClass:
    service_class = get_object_or_404(selectors.service_class_list(viewer=request.user), pk=pk)
    permissions.require(request.user, action, service_class)
    return service_class


@login_required
def service_class_edit(request, pk):
    service_class = _service_class(request, pk, "service_class.manage")
    school = service_class.school
    form = ServiceClassForm(
        request.POST or None,
        school=school,
        initial=ServiceClassForm.initial_for(service_class, list(AdminClass.objects.filter(school=school))),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, school=school, school_year=service_class.school_year, service_class=service_class)
        if saved is not None:
            messages.success(request, _("Service class “%(name)s” saved.") % {"name": saved.name})
            return redirect("schools:service-class-detail", pk=saved.pk)
    return render(
        request,
        "schools/classes/service_class_form.html",
        {"school": school, "school_year": service_class.school_year, "form": form, "service_class": service_class},
    )


@login_required
def service_class_detail(request, pk):
    service_class = _service_class(request, pk, "service_class.view")
    today = timezone.localdate()
    members = list(selectors.service_class_members(service_class=service_class))
    current = [m for m in members if m.end_date is None or m.end_date > today]
    return render(
        request,
        "schools/classes/service_class_detail.html",
        {
            "service_class": service_class,
            "school": service_class.school,
            "draws_from": selectors.draws_from_labels(
                service_class, list(AdminClass.objects.filter(school=service_class.school_id))
            ),
            "members": current,
            "former": [m for m in members if m not in current],
            "today": today,
            "can_manage": permissions.can(request.user, "service_class.manage", service_class),
        },
    )


urlpatterns = [
    path("schools/<int:school_pk>/service-classes/", service_class_list, name="service-class-list"),
    path("schools/<int:school_pk>/service-classes/new/", service_class_create, name="service-class-create"),
    path("service-classes/<int:pk>/", service_class_detail, name="service-class-detail"),
    path("service-classes/<int:pk>/edit/", service_class_edit, name="service-class-edit"),
]
