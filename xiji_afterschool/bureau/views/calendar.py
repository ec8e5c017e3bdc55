"""The county calendar: school years with their semesters and milestones, and the days without service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.forms.calendar import CalendarDayForm, SchoolYearForm
from schools.models import CalendarDay
from schools.rules import calendar as calendar_rules
from schools.selectors import calendar as calendar_selectors
from schools.services import calendar as calendar_services
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError


@login_required
def calendar(request, pk=None):
    """The school year: semesters, milestones, days without service, and what they mean in service days."""
    permissions.require(request.user, "calendar.view")
    years = calendar_selectors.school_year_list(viewer=request.user)
    school_year = get_object_or_404(years, pk=pk) if pk else calendar_selectors.current_school_year()
    context = {
        "years": years,
        "school_year": school_year,
        "can_manage": permissions.can(request.user, "calendar.manage"),
    }
    if school_year:
        context["summary"] = calendar_rules.year_summary(school_year)
        context["days"] = school_year.calendar_days.all()
        context["day_form"] = CalendarDayForm()
    return render(request, "bureau/calendar/calendar.html", context)


@login_required
def school_year_edit(request, pk=None):
    permissions.require(request.user, "calendar.manage")
    school_year = get_object_or_404(calendar_selectors.school_year_list(viewer=request.user), pk=pk) if pk else None
    initial = {}
    if school_year:
        semesters = list(school_year.semesters.order_by("number"))
        initial = {
            f: getattr(school_year, f)
            for f in ("name", "start_date", "end_date", "plan_deadline", "application_deadline", "refinement_deadline")
        }
        if len(semesters) == 2:
            initial.update(
                autumn_start=semesters[0].start_date, autumn_end=semesters[0].end_date,
                spring_start=semesters[1].start_date, spring_end=semesters[1].end_date,
            )  # fmt: skip
    form = SchoolYearForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        semesters = [
            {"start_date": data.pop("autumn_start"), "end_date": data.pop("autumn_end")},
            {"start_date": data.pop("spring_start"), "end_date": data.pop("spring_end")},
        ]
        try:
            saved = calendar_services.school_year_save(
                actor=request.user, school_year=school_year, semesters=semesters, **data
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("School year saved."))
            return redirect("bureau:calendar-year", pk=saved.pk)
    return render(request, "bureau/calendar/school_year_form.html", {"form": form, "school_year": school_year})


@login_required
@require_POST
def calendar_day_add(request, pk):
    permissions.require(request.user, "calendar.manage")
    school_year = get_object_or_404(calendar_selectors.school_year_list(viewer=request.user), pk=pk)
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        try:
            calendar_services.calendar_day_set(actor=request.user, school_year=school_year, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Calendar updated."))
    else:
        messages.error(request, _("Enter a valid date and kind."))
    return redirect("bureau:calendar-year", pk=school_year.pk)


@login_required
@require_POST
def calendar_day_remove(request, pk):
    permissions.require(request.user, "calendar.manage")
    day = get_object_or_404(
        CalendarDay.objects.filter(school_year__in=calendar_selectors.school_year_list(viewer=request.user)), pk=pk
    )
    calendar_services.calendar_day_remove(actor=request.user, day=day)
    messages.success(request, _("Calendar updated."))
    return redirect("bureau:calendar-year", pk=day.school_year_id)


urlpatterns = [
    path("calendar/", calendar, name="calendar"),
    path("calendar/<int:pk>/", calendar, name="calendar-year"),
    path("calendar/new/", school_year_edit, name="school-year-create"),
    path("calendar/<int:pk>/edit/", school_year_edit, name="school-year-edit"),
    path("calendar/<int:pk>/days/", calendar_day_add, name="calendar-day-add"),
    path("calendar/days/<int:pk>/remove/", calendar_day_remove, name="calendar-day-remove"),
]
