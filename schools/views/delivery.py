"""Delivery against plan (issue 5, item 5): one school's classes, and the county's schools least delivered first."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from xiji_afterschool import permissions

from ..rules import delivery as rules
from ..selectors import calendar as calendar_selectors
from ..selectors import delivery as selectors
from ..selectors import roster as roster_selectors

PAGE_SIZE = 50  # schools a page of the county table, as the other county lists


@login_required
@require_GET
def delivery_school(request, school_pk):
    """Per service class of the current school year: planned vs delivered class-hours to date; weeks behind mode."""
    school = get_object_or_404(roster_selectors.school_list(viewer=request.user), pk=school_pk)
    permissions.require(request.user, "delivery.view", school)
    school_year = calendar_selectors.current_school_year()
    today = timezone.localdate()
    delivery = selectors.delivery_school(school=school, school_year=school_year, today=today) if school_year else None
    return render(
        request,
        "schools/delivery/delivery_school.html",
        {
            "school": school,
            "school_year": school_year,
            "today": today,
            "delivery": delivery,
            "year_weeks": selectors.year_weeks(school=school, school_year=school_year) if school_year else None,
            "weeks_checked": rules.BEHIND_WEEKS_CHECKED,
        },
    )


@login_required
@require_GET
def delivery_county(request):
    """Every school the viewer may read, least delivered first, with the behind-mode flag: 50 schools a page (the
    order and the count of schools behind are of them all), so the page costs the same for 20 schools or 250."""
    permissions.require(request.user, "delivery.view")
    school_year = calendar_selectors.current_school_year()
    today = timezone.localdate()
    rows = selectors.delivery_county(viewer=request.user, school_year=school_year, today=today) if school_year else []
    return render(
        request,
        "schools/delivery/delivery_county.html",
        {
            "school_year": school_year,
            "today": today,
            "rows": rows,
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "behind": sum(1 for r in rows if r.behind),
            "weeks_checked": rules.BEHIND_WEEKS_CHECKED,
        },
    )


urlpatterns = [
    path("schools/<int:school_pk>/delivery/", delivery_school, name="delivery-school"),
    path("delivery/", delivery_county, name="delivery-county"),
]
