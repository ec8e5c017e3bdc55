"""Service classes (组班, R19): the school's list for the current year, forming and changing a class, its members.

A teacher or volunteer sees the classes they teach; the school administrator forms and changes them; the township,
bureau and inspectors read.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from .. import selectors
from ..models import ActivityCategory, AdminClass, Grade, ServiceClass
from ..services import classes as services


class TeacherChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.username


class ServiceClassForm(forms.Form):
    """Input shape only; the service checks the rules (teacher of this school, capacity, classes, unique name)."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=40)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of service"), choices=ServiceClass.Kind.choices)
    activity = forms.ChoiceField(label=gettext_lazy("Activity"), choices=ActivityCategory.choices)
    teacher = TeacherChoiceField(
        label=gettext_lazy("Responsible teacher"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Not chosen yet"),
        help_text=gettext_lazy("Exactly one teacher is responsible. A class without one cannot take students."),
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Capacity"), min_value=services.MIN_CAPACITY, max_value=services.MAX_CAPACITY
    )
    grades = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Whole grades it draws from"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    admin_classes = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Single classes it draws from"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Grades and classes may be mixed. Choose none to take children from the whole school."),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_classes = list(AdminClass.objects.filter(school=school).order_by("grade", "number"))
        self.fields["teacher"].queryset = selectors.eligible_teachers(school=school)
        self.fields["admin_classes"].queryset = AdminClass.objects.filter(school=school).order_by("grade", "number")
        grades = sorted({ac.grade for ac in self.school_classes})
        self.fields["grades"].choices = [(g, Grade(g).label) for g in grades]

    def drawn_classes(self) -> list[AdminClass]:
        """The chosen classes plus every class of the chosen grades."""
        grades = set(self.cleaned_data["grades"])
        chosen = {ac.pk: ac for ac in self.cleaned_data["admin_classes"]}
        chosen.update({ac.pk: ac for ac in self.school_classes if ac.grade in grades})
        return sorted(chosen.values(), key=lambda ac: (ac.grade, ac.number))

    @classmethod
    def initial_for(cls, service_class: ServiceClass, school_classes: list[AdminClass]) -> dict:
        drawn = {ac.pk for ac in service_class.admin_classes.all()}
        per_grade: dict[int, list[int]] = {}
        for ac in school_classes:
            per_grade.setdefault(ac.grade, []).append(ac.pk)
        whole = [g for g, pks in per_grade.items() if set(pks) <= drawn]
        single = [pk for pk in drawn if not any(pk in per_grade[g] for g in whole)]
        return {
            "name": service_class.name,
            "kind": service_class.kind,
            "activity": service_class.activity,
            "teacher": service_class.teacher_id,
            "capacity": service_class.capacity,
            "grades": whole,
            "admin_classes": single,
        }


def _school(request, school_pk, action):
    school = get_object_or_404(selectors.school_list(viewer=request.user), pk=school_pk)
    permissions.require(request.user, action, school)
    return school


@login_required
def service_class_list(request, school_pk):
    school = _school(request, school_pk, "service_class.view")
    school_year = selectors.current_school_year()
    classes = (
        list(selectors.service_class_list(viewer=request.user, school=school, school_year=school_year))
        if school_year
        else []
    )
    school_classes = list(AdminClass.objects.filter(school=school))
    rows = [{"class": c, "draws_from": selectors.draws_from_labels(c, school_classes)} for c in classes]
    return render(
        request,
        "schools/service_class_list.html",
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
    school_year = selectors.current_school_year()
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
        "schools/service_class_form.html",
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
        "schools/service_class_form.html",
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
        "schools/service_class_detail.html",
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
