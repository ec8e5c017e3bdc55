"""The parent's home (each child with this year's application and its newest step, R14) and the class teacher's
(their students with their applications, the number waiting for review, 代录 where there is nothing yet)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import permissions

from ..selectors import applications as applications_selectors
from ..selectors import homes as selectors


@login_required
def parent_home(request):
    """A parent's children: each with this year's application and its newest step, or an Apply button (R14)."""
    permissions.require(request.user, "home.parent")
    school_year = calendar_selectors.current_school_year()
    rows = selectors.parent_home_rows(parent=request.user, school_year=school_year)
    for row in rows:
        event = row.get("last_event")
        row["last_label"] = event.action_label if event else ""
    context = {
        "rows": rows,
        "school_year": school_year,
        "is_open": applications_selectors.applications_open(school_year),
    }
    return render(request, "enrollment/homes/parent_home.html", context)


@login_required
def class_home(request):
    permissions.require(request.user, "home.class_teacher")
    classes = [m.admin_class for m in permissions.memberships_for(request.user, "home.class_teacher")]
    school_year = calendar_selectors.current_school_year()
    context = {"classes": classes, "school_year": school_year}
    context |= selectors.class_home_rows(viewer=request.user, classes=classes, school_year=school_year)
    return render(request, "enrollment/homes/class_home.html", context)


urlpatterns = [
    path("parent/", parent_home, name="parent-home"),
    path("class/", class_home, name="class-home"),
]
