"""The activity catalogue (R9–R11) and the outside partners that host activities (R11, R12)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..forms.activities import ActivityForm, PartnerForm
from ..models import Activity, ActivityCategory, Partner, School
from ..selectors import activities as selectors
from ..selectors import roster as roster_selectors
from ..services import activities as services

# --- Views ---


def _school(request, school_pk) -> School:
    return get_object_or_404(roster_selectors.school_list(viewer=request.user), pk=school_pk)


@login_required
def activity_list(request, school_pk):
    school = _school(request, school_pk)
    permissions.require(request.user, "activity.view", school)
    by_category = {}
    for activity in selectors.activity_list_qs(viewer=request.user, school=school):
        by_category.setdefault(activity.category, []).append(activity)
    groups = [
        {"value": value, "label": label, "activities": by_category[value]}
        for value, label in ActivityCategory.choices
        if value in by_category
    ]
    return render(
        request,
        "schools/activities/activity_list.html",
        {
            "school": school,
            "groups": groups,
            "empty_categories": [label for value, label in ActivityCategory.choices if value not in by_category],
            "activity_count": sum(len(g["activities"]) for g in groups),
            "partners": selectors.partner_list_qs(viewer=request.user, school=school),
            "can_manage": permissions.can(request.user, "activity.manage", school),
        },
    )


def _activity_form(request, school: School, activity: Activity | None):
    """Shared by create and edit: the caller has already checked "activity.manage" on the object."""
    initial = {}
    if activity is not None:
        initial = {
            "name": activity.name,
            "category": activity.category,
            "partner": activity.partner_id,
            "description": activity.description,
        }
    partners = Partner.objects.filter(school=school).order_by("name")
    form = ActivityForm(request.POST or None, initial=initial, partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_save(actor=request.user, school=school, activity=activity, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Activity saved."))
            return redirect("schools:activity-list", school_pk=school.pk)
    return render(
        request,
        "schools/activities/activity_form.html",
        {"school": school, "activity": activity, "form": form, "has_partners": partners.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request, school_pk):
    school = _school(request, school_pk)
    permissions.require(request.user, "activity.manage", school)
    return _activity_form(request, school, None)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, school_pk, pk):
    school = _school(request, school_pk)
    activity = get_object_or_404(selectors.activity_list_qs(viewer=request.user, school=school), pk=pk)
    permissions.require(request.user, "activity.manage", activity)
    return _activity_form(request, school, activity)


def _partner_form(request, school: School, partner: Partner | None):
    initial = {} if partner is None else {"name": partner.name, "kind": partner.kind, "contact": partner.contact}
    form = PartnerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_save(actor=request.user, school=school, partner=partner, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Partner saved."))
            return redirect("schools:activity-list", school_pk=school.pk)
    return render(request, "schools/activities/partner_form.html", {"school": school, "partner": partner, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def partner_create(request, school_pk):
    school = _school(request, school_pk)
    permissions.require(request.user, "activity.manage", school)
    return _partner_form(request, school, None)


@login_required
@require_http_methods(["GET", "POST"])
def partner_edit(request, school_pk, pk):
    school = _school(request, school_pk)
    partner = get_object_or_404(selectors.partner_list_qs(viewer=request.user, school=school), pk=pk)
    permissions.require(request.user, "activity.manage", partner)
    return _partner_form(request, school, partner)


urlpatterns = [
    path("schools/<int:school_pk>/activities/", activity_list, name="activity-list"),
    path("schools/<int:school_pk>/activities/new/", activity_create, name="activity-create"),
    path("schools/<int:school_pk>/activities/<int:pk>/edit/", activity_edit, name="activity-edit"),
    path("schools/<int:school_pk>/partners/new/", partner_create, name="partner-create"),
    path("schools/<int:school_pk>/partners/<int:pk>/edit/", partner_edit, name="partner-edit"),
]
