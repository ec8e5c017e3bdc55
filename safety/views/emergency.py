"""Emergency plans, drills and safety education (R28): the schools' status list, a school's page (plans, this
semester's drills and sessions, what is missing), a plan and its versions, and the school admin's forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import User
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..forms.emergency import DrillForm, EducationForm, PlanForm
from ..selectors import emergency as selectors
from ..services import emergency as services


@login_required
def emergency_list(request):
    """The schools the viewer reads, each with what it still lacks; a school admin of one school goes to its page."""
    permissions.require(request.user, "emergency.view")
    rows = selectors.school_status_list(viewer=request.user)
    if len(rows) == 1:
        return redirect("safety:emergency-school", school_pk=rows[0]["school"].pk)
    return render(request, "safety/emergency/emergency_list.html", {"rows": rows})


def _school(request, school_pk):
    school = get_object_or_404(selectors.emergency_schools(viewer=request.user), pk=school_pk)
    permissions.require(request.user, "emergency.view", school)
    return school


def _managed_school(request, school_pk):
    school = _school(request, school_pk)
    if school.pk not in selectors.manageable_school_ids(viewer=request.user):
        permissions.require(request.user, "emergency.manage", school)  # raises: not this school's admin
    return school


@login_required
def emergency_school(request, school_pk):
    school = _school(request, school_pk)
    context = {
        "school": school,
        **selectors.school_overview(viewer=request.user, school=school),
        "can_manage": school.pk in selectors.manageable_school_ids(viewer=request.user),
    }
    return render(request, "safety/emergency/emergency_school.html", context)


def _staff(school):
    return User.objects.filter(memberships__school=school).distinct().order_by("full_name", "username")


def _plan_form_page(request, *, school, form, plan=None):
    return render(request, "safety/emergency/plan_form.html", {"school": school, "form": form, "plan": plan})


@login_required
def plan_create(request, school_pk):
    school = _managed_school(request, school_pk)
    form = PlanForm(
        request.POST or None,
        staff=_staff(school),
        initial={"scenario": request.GET.get("scenario"), "effective_from": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                actor=request.user,
                school=school,
                scenario=data["scenario"],
                title=data["title"],
                procedure=data["procedure"],
                effective_from=data["effective_from"],
                duties=form.duties,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The emergency plan has been saved."))
            return redirect("safety:emergency-plan-detail", pk=plan.pk)
    return _plan_form_page(request, school=school, form=form)


def _plan(request, pk):
    plan = get_object_or_404(selectors.plan_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "emergency.view", plan)
    return plan


@login_required
def plan_detail(request, pk):
    """One version of a plan, its responsibilities and procedure, and every version of its scenario."""
    plan = _plan(request, pk)
    context = {
        "plan": plan,
        "versions": selectors.plan_versions(plan=plan),
        "can_revise": plan.is_current and permissions.can(request.user, "emergency.manage", plan),
    }
    return render(request, "safety/emergency/plan_detail.html", context)


@login_required
def plan_revise(request, pk):
    plan = _plan(request, pk)
    permissions.require(request.user, "emergency.manage", plan)
    initial = {
        "title": plan.title,
        "procedure": plan.procedure,
        "effective_from": timezone.localdate(),
        **{f"duty_{d.duty}": d.person_id for d in plan.duties.all()},
    }
    form = PlanForm(request.POST or None, staff=_staff(plan.school), revising=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.plan_revise(
                actor=request.user,
                plan=plan,
                title=data["title"],
                procedure=data["procedure"],
                effective_from=data["effective_from"],
                duties=form.duties,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Version %(v)s of the plan is now in force.") % {"v": new.version})
            return redirect("safety:emergency-plan-detail", pk=new.pk)
    return _plan_form_page(request, school=plan.school, form=form, plan=plan)


def _record_page(request, school_pk, *, form_class, service, success, title, initial):
    school = _managed_school(request, school_pk)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, school=school, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, success)
            return redirect("safety:emergency-school", school_pk=school.pk)
    return render(request, "safety/emergency/record_form.html", {"school": school, "form": form, "title": title})


@login_required
def drill_create(request, school_pk):
    return _record_page(
        request,
        school_pk,
        form_class=DrillForm,
        service=services.drill_record,
        success=_("The drill has been recorded."),
        title=_("Record a drill"),
        initial={"date": timezone.localdate(), "scenario": request.GET.get("scenario")},
    )


@login_required
def education_create(request, school_pk):
    return _record_page(
        request,
        school_pk,
        form_class=EducationForm,
        service=services.education_record,
        success=_("The safety-education session has been recorded."),
        title=_("Record a safety-education session"),
        initial={"date": timezone.localdate(), "class_hours": 1},
    )


urlpatterns = [
    path("emergency/", emergency_list, name="emergency-list"),
    path("emergency/schools/<int:school_pk>/", emergency_school, name="emergency-school"),
    path("emergency/schools/<int:school_pk>/plans/new/", plan_create, name="emergency-plan-create"),
    path("emergency/plans/<int:pk>/", plan_detail, name="emergency-plan-detail"),
    path("emergency/plans/<int:pk>/revise/", plan_revise, name="emergency-plan-revise"),
    path("emergency/schools/<int:school_pk>/drills/new/", drill_create, name="drill-create"),
    path("emergency/schools/<int:school_pk>/education/new/", education_create, name="education-create"),
]
