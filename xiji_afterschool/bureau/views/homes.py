"""The county console's homes: the bureau's headline numbers and the inspector's home."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from enrollment.selectors import data_requests as data_requests_selectors
from funding.selectors import claims as claims_selectors
from safety.selectors import alerts as alerts_selectors
from safety.selectors import hazards as hazards_selectors
from safety.selectors import incidents as incidents_selectors
from schools.selectors import calendar as calendar_selectors
from schools.selectors import plans as plans_selectors
from schools.selectors import roster as roster_selectors
from xiji_afterschool import permissions

from ..selectors import inspections as inspections_selectors


def safety_numbers(viewer, school_year) -> dict:
    """The county's safety this school year (R28–R32): late pick-ups, hazards, incidents — each links to its rows."""
    since = school_year.start_date if school_year else None
    return {
        "late": alerts_selectors.late_alert_counts(viewer=viewer, since=since) if since else None,
        "hazards": hazards_selectors.hazard_summary(viewer=viewer),
        "incidents": incidents_selectors.incident_counts(viewer=viewer, since=since) if since else None,
    }


@login_required
def home(request):
    """County console: headline numbers, plans awaiting review and the schools of each township (R3, R34)."""
    permissions.require(request.user, "home.bureau")
    school_year = calendar_selectors.current_school_year()
    context = {
        "totals": roster_selectors.county_totals(),
        "townships": roster_selectors.township_summary(viewer=request.user),
        "school_year": school_year,
        "safety": safety_numbers(request.user, school_year),
        "claims_first_review": claims_selectors.claim_queue(viewer=request.user).count(),
        "data_requests_overdue": data_requests_selectors.overdue_requests(
            viewer=request.user, today=timezone.localdate()
        ).count(),
    }
    if school_year:
        status = plans_selectors.plan_status(viewer=request.user, school_year=school_year)
        context["plans_waiting"] = plans_selectors.plan_list(
            viewer=request.user, school_year=school_year, status="at_bureau"
        ).count()
        context["next_plan"] = plans_selectors.review_queue(viewer=request.user, school_year=school_year).first()
        context["schools_without_filed_plan"] = sum(1 for row in status if row["filed"] is None)
        context["schools_overdue"] = sum(1 for row in status if row["overdue"])
    return render(request, "bureau/homes/home.html", context)  # the console's numbers: on its own pages


@login_required
def inspector_home(request):
    """Inspector: inspections today and coming, answers to verify, findings awaiting rectification, overdue
    rectifications (R35), and the county's safety numbers."""
    user = request.user
    permissions.require(user, "home.inspector")
    school_year = calendar_selectors.current_school_year()
    today = timezone.localdate()
    waiting = inspections_selectors.rectifications_waiting(viewer=user)
    context = {
        "today": today,
        "school_year": school_year,
        "upcoming": inspections_selectors.upcoming(viewer=user, today=today)[:20],
        "to_verify": inspections_selectors.rectifications_to_verify(viewer=user)[:20],
        "awaiting": waiting.filter(deadline__gte=today)[:20],
        "overdue": waiting.filter(deadline__lt=today)[:20],
        "counts": inspections_selectors.inspection_counts(viewer=user, school_year=school_year)
        if school_year
        else None,
        "may_schedule": permissions.can(user, "inspection.manage"),
        "totals": roster_selectors.county_totals(),
        "safety": safety_numbers(user, school_year),
    }
    return render(request, "bureau/homes/inspector_home.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("inspector/", inspector_home, name="inspector-home"),
]
