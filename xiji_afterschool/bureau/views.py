"""The county console: headline numbers, the county calendar and milestones, every school's plan status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools import planning, reports
from schools import selectors as school_selectors
from schools import services as school_services
from schools.forms import CalendarDayForm, PlanStatusFilterForm, SchoolYearForm
from schools.models import CalendarDay
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.exports import write_xlsx, xlsx_response


@login_required
def home(request):
    """County console: headline numbers, plans awaiting review and the schools of each township (R3, R34)."""
    permissions.require(request.user, "home.bureau")
    school_year = school_selectors.current_school_year()
    context = {
        "totals": school_selectors.county_totals(),
        "townships": school_selectors.township_summary(viewer=request.user),
        "school_year": school_year,
    }
    if school_year:
        status = school_selectors.plan_status(viewer=request.user, school_year=school_year)
        context["plans_waiting"] = school_selectors.plan_list(
            viewer=request.user, school_year=school_year, status="at_bureau"
        ).count()
        context["schools_without_filed_plan"] = sum(1 for row in status if row["filed"] is None)
        context["schools_overdue"] = sum(1 for row in status if row["overdue"])
    return render(request, "bureau/home.html", context)  # coverage and delivery: linked, computed on their pages


@login_required
def inspector_home(request):
    """Inspector: special inspections and findings (R35) arrive with their issue; schools list now."""
    permissions.require(request.user, "home.inspector")
    return render(request, "bureau/inspector_home.html", {"totals": school_selectors.county_totals()})


@login_required
def calendar(request, pk=None):
    """The school year: semesters, milestones, days without service, and what they mean in service days."""
    permissions.require(request.user, "calendar.view")
    years = school_selectors.school_year_list(viewer=request.user)
    school_year = get_object_or_404(years, pk=pk) if pk else school_selectors.current_school_year()
    context = {
        "years": years,
        "school_year": school_year,
        "can_manage": permissions.can(request.user, "calendar.manage"),
    }
    if school_year:
        context["summary"] = planning.year_summary(school_year)
        context["days"] = school_year.calendar_days.all()
        context["day_form"] = CalendarDayForm()
    return render(request, "bureau/calendar.html", context)


@login_required
def school_year_edit(request, pk=None):
    permissions.require(request.user, "calendar.manage")
    school_year = get_object_or_404(school_selectors.school_year_list(viewer=request.user), pk=pk) if pk else None
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
            saved = school_services.school_year_save(
                actor=request.user, school_year=school_year, semesters=semesters, **data
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("School year saved."))
            return redirect("bureau:calendar-year", pk=saved.pk)
    return render(request, "bureau/school_year_form.html", {"form": form, "school_year": school_year})


@login_required
@require_POST
def calendar_day_add(request, pk):
    permissions.require(request.user, "calendar.manage")
    school_year = get_object_or_404(school_selectors.school_year_list(viewer=request.user), pk=pk)
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        try:
            school_services.calendar_day_set(actor=request.user, school_year=school_year, **form.cleaned_data)
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
        CalendarDay.objects.filter(school_year__in=school_selectors.school_year_list(viewer=request.user)), pk=pk
    )
    school_services.calendar_day_remove(actor=request.user, day=day)
    messages.success(request, _("Calendar updated."))
    return redirect("bureau:calendar-year", pk=day.school_year_id)


def _plan_status(request):
    permissions.require(request.user, "plan.review_queue")
    school_year = school_selectors.current_school_year()
    if school_year is None:
        raise Http404(_("No school year is set up."))
    form = PlanStatusFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = school_selectors.plan_status(
        viewer=request.user,
        school_year=school_year,
        township_id=filters.get("township") and filters["township"].pk,
        school_type=filters.get("school_type", ""),
        only_missing=filters.get("only_missing", False),
    )
    return form, school_year, rows


@login_required
def plan_status(request):
    """R3: every school's plan status; which schools have no filed plan yet."""
    form, school_year, rows = _plan_status(request)
    return render(
        request,
        "bureau/plan_status.html",
        {"form": form, "school_year": school_year, "rows": rows, "missing": sum(1 for r in rows if r["filed"] is None)},
    )


@login_required
def plan_status_export(request):
    _form, school_year, rows = _plan_status(request)
    header, data = reports.plan_status_rows(rows=rows)
    content = write_xlsx(title=_("Plan status"), header=header, rows=data)
    return xlsx_response(content, f"plan-status-{school_year.name}-{timezone.localdate():%Y%m%d}.xlsx")
