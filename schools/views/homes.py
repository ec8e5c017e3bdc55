"""The role homes of the schools app: school administrator, class teacher, township."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from xiji_afterschool import permissions

from ..selectors import calendar as calendar_selectors
from ..selectors import plans as plans_selectors
from ..selectors import roster as roster_selectors


def _my_schools(user, action):
    return [m.school for m in permissions.memberships_for(user, action) if m.school_id]


@login_required
def school_home(request):
    permissions.require(request.user, "home.school_admin")
    schools = _my_schools(request.user, "home.school_admin")
    school_year = calendar_selectors.current_school_year()
    rows = []
    for school in schools:
        plans = (
            plans_selectors.plan_list(viewer=request.user, school_year=school_year).filter(school=school)
            if school_year
            else []
        )
        rows.append(
            {
                "school": school,
                "classes": roster_selectors.admin_class_list(viewer=request.user, school=school),
                "exports": roster_selectors.roster_export_list(viewer=request.user).filter(school=school)[:5],
                "plan": plans[0] if plans else None,
                "milestones": plans_selectors.milestones(school=school, school_year=school_year) if school_year else [],
            }
        )
    return render(request, "schools/homes/school_home.html", {"rows": rows, "school_year": school_year})


@login_required
def township_home(request):
    permissions.require(request.user, "home.township")
    townships = [m.township for m in permissions.memberships_for(request.user, "home.township")]
    school_year = calendar_selectors.current_school_year()
    context = {"townships": townships, "school_year": school_year, "rows": []}
    if school_year:
        context["rows"] = [
            row
            for township in townships
            for row in plans_selectors.plan_status(
                viewer=request.user, school_year=school_year, township_id=township.pk, with_student_count=True
            )
        ]
        context["to_forward"] = plans_selectors.plan_list(
            viewer=request.user, school_year=school_year, status="at_township"
        )
    return render(request, "schools/homes/township_home.html", context)


urlpatterns = [
    path("school/", school_home, name="school-home"),
    path("township/", township_home, name="township-home"),
]
