"""The home pages of the county's money departments: finance, HR and audit."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

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


@login_required
def auditor_home(request):
    """Audit bureau: every school's claims, settlements, ledgers and disclosures, read-only (R26)."""
    permissions.require(request.user, "home.auditor")
    return render(
        request, "funding/auditor_home.html", {"schools": school_selectors.school_list(viewer=request.user).count()}
    )


urlpatterns = [
    path("finance/", finance_home, name="finance-home"),
    path("hr/", hr_home, name="hr-home"),
    path("audit/", auditor_home, name="auditor-home"),
]
