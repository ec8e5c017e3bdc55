"""The duty roster (值班表, issue 11 §2): the school's month, one day set, last week copied."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError, form_errors

from ..forms.duty import CopyWeekForm, DutyDayForm, parse_month
from ..rules import duty as rules
from ..selectors import duty as selectors
from ..services import duty as services


def _month_url(school_pk: int, day: datetime.date) -> str:
    return reverse("safety:duty-month", args=[school_pk]) + f"?month={day:%Y-%m}"


@login_required
def duty_mine(request):
    """The menu's link: the roster of the school the admin runs."""
    school = selectors.duty_school_list(viewer=request.user, action="duty_roster.manage").first()
    if school is None:
        raise Http404
    return redirect("safety:duty-month", school.pk)


@login_required
def duty_month(request, pk):
    """One row per school day of the month; today and later can be set (school admin), past days are shown."""
    school = get_object_or_404(selectors.duty_school_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "duty_roster.view", school)
    today = timezone.localdate()
    month = parse_month(request.GET.get("month"), today)
    rows = selectors.duty_month(school=school, month=month)
    can_manage = permissions.can(request.user, "duty_roster.manage", school)
    first, last = rules.month_bounds(month)
    # "Copy last week" for each week of the month that still has a school day to set.
    weeks = sorted({rules.week_start(r.day) for r in rows if r.editable})
    return render(
        request,
        "safety/duty/duty_month.html",
        {
            "school": school,
            "month": month,
            "previous": first - datetime.timedelta(days=1),
            "next": last + datetime.timedelta(days=1),
            "rows": rows,
            "can_manage": can_manage,
            "teachers": list(selectors.duty_teacher_choices(school=school)) if can_manage else [],
            "gates": list(selectors.gate_keeper_choices(school=school)) if can_manage else [],
            "weeks": weeks if can_manage else [],
            "today": today,
        },
    )


@login_required
@require_POST
def duty_set(request, pk, day):
    """Set one day's duty teacher and gate keeper."""
    school = get_object_or_404(selectors.duty_school_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "duty_roster.manage", school)
    try:
        date = datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    form = DutyDayForm(request.POST, school=school)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            services.duty_roster_set(actor=request.user, school=school, date=date, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Duty roster saved for %(day)s.") % {"day": f"{date:%Y-%m-%d}"})
    return redirect(_month_url(school.pk, date))


@login_required
@require_POST
def duty_copy_week(request, pk):
    """Copy last week's roster onto the open school days of a week."""
    school = get_object_or_404(selectors.duty_school_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "duty_roster.manage", school)
    form = CopyWeekForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("safety:duty-month", school.pk)
    week = form.cleaned_data["week"]
    try:
        copied = services.duty_roster_copy_week(actor=request.user, school=school, week=week)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Last week's roster copied onto %(n)s day(s).") % {"n": copied})
    return redirect(_month_url(school.pk, week))


urlpatterns = [
    path("duty/", duty_mine, name="duty-mine"),
    path("schools/<int:pk>/duty/", duty_month, name="duty-month"),
    path("schools/<int:pk>/duty/copy-week/", duty_copy_week, name="duty-copy-week"),
    path("schools/<int:pk>/duty/<str:day>/", duty_set, name="duty-set"),
]
