from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from schools import selectors as school_selectors
from xiji_afterschool import permissions


@login_required
def home(request):
    """County console: headline numbers and the schools of each township (R3, R34)."""
    permissions.require(request.user, "home.bureau")
    townships = school_selectors.township_summary(viewer=request.user)
    return render(request, "bureau/home.html", {"totals": school_selectors.county_totals(), "townships": townships})


@login_required
def inspector_home(request):
    """Inspector: special inspections and findings (R35) arrive with their issue; schools list now."""
    permissions.require(request.user, "home.inspector")
    return render(request, "bureau/inspector_home.html", {"totals": school_selectors.county_totals()})
