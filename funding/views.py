from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from schools import selectors as school_selectors
from xiji_afterschool import permissions


@login_required
def finance_home(request):
    """Finance bureau: claims awaiting approval and allocation (R23); the list fills once claims exist."""
    permissions.require(request.user, "home.finance")
    return render(
        request, "funding/finance_home.html", {"schools": school_selectors.school_list(viewer=request.user).count()}
    )


@login_required
def hr_home(request):
    """HR reviewer: schools' teacher pay schemes to review (R27)."""
    permissions.require(request.user, "home.hr")
    return render(
        request, "funding/hr_home.html", {"schools": school_selectors.school_list(viewer=request.user).count()}
    )
