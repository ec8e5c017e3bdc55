"""The home pages of the county's money departments (finance, HR, audit) and a school's funding overview."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import path

from schools.selectors import calendar as calendar_selectors
from schools.selectors import roster as roster_selectors
from xiji_afterschool import permissions

from ..selectors import disclosure as disclosure_selectors
from ..selectors import homes as selectors
from ..selectors import model_classes as model_class_selectors


@login_required
def finance_home(request):
    """Finance bureau: claims awaiting approval and allocation (R23), settlements to confirm, the year's totals."""
    permissions.require(request.user, "home.finance")
    school_year = calendar_selectors.current_school_year()
    context = selectors.finance_home(viewer=request.user, school_year=school_year)
    context |= {
        "school_year": school_year,
        "schools": roster_selectors.school_list(viewer=request.user).count(),
    }
    return render(request, "funding/homes/finance_home.html", context)


@login_required
def hr_home(request):
    """HR reviewer: schools' teacher pay schemes to review (R27)."""
    permissions.require(request.user, "home.hr")
    context = selectors.hr_home(viewer=request.user)
    context["schools"] = roster_selectors.school_list(viewer=request.user).count()
    return render(request, "funding/homes/hr_home.html", context)


@login_required
def auditor_home(request):
    """Audit bureau: the county's money for the year, and every school's records, read-only (R26)."""
    permissions.require(request.user, "home.auditor")
    school_year = calendar_selectors.current_school_year()
    context = selectors.auditor_home(viewer=request.user, school_year=school_year)
    context |= {
        "school_year": school_year,
        "schools": roster_selectors.school_list(viewer=request.user).count(),
    }
    return render(request, "funding/homes/auditor_home.html", context)


@login_required
def school_funding(request, school_pk):
    """One school's funding this year, each part linking to its page: the school admin's item 13, the county's view."""
    school = get_object_or_404(selectors.funding_schools(viewer=request.user), pk=school_pk)
    permissions.require(request.user, "claim.view", school)
    school_year = calendar_selectors.current_school_year()
    context = selectors.school_funding(viewer=request.user, school=school, school_year=school_year)
    user = request.user
    context |= {
        "school": school,
        "current_semester": disclosure_selectors.current_semester(school_year),
        "can_claim": permissions.can(user, "claim.edit", school),
        "can_publish": permissions.can(user, "disclosure.publish", school),
        "model_classes": list(
            model_class_selectors.model_class_list(viewer=user, school_year=school_year).filter(
                service_class__school=school
            )
        )
        if school_year and permissions.can(user, "model_class.view")
        else None,
    }
    return render(request, "funding/homes/school_funding.html", context)


urlpatterns = [
    path("finance/", finance_home, name="finance-home"),
    path("hr/", hr_home, name="hr-home"),
    path("audit/", auditor_home, name="auditor-home"),
    path("schools/<int:school_pk>/", school_funding, name="school-funding"),
]
