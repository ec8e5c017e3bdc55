"""Every school's plan status (R3), on the page and as a workbook."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.forms.plans import PlanStatusFilterForm
from schools.reports import plans as plans_reports
from schools.selectors import calendar as calendar_selectors
from schools.selectors import plans as plans_selectors
from xiji_afterschool import auditing, permissions
from xiji_afterschool.exports import write_xlsx, xlsx_response


def _plan_status(request):
    permissions.require(request.user, "plan.review_queue")
    school_year = calendar_selectors.current_school_year()
    if school_year is None:
        raise Http404(_("No school year is set up."))
    form = PlanStatusFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = plans_selectors.plan_status(
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
        "bureau/plans/plan_status.html",
        {"form": form, "school_year": school_year, "rows": rows, "missing": sum(1 for r in rows if r["filed"] is None)},
    )


@login_required
@auditing.download("plan_status")
def plan_status_export(request):
    _form, school_year, rows = _plan_status(request)
    header, data = plans_reports.plan_status_rows(rows=rows)
    content = write_xlsx(title=_("Plan status"), header=header, rows=data)
    return xlsx_response(content, f"plan-status-{school_year.name}-{timezone.localdate():%Y%m%d}.xlsx")


urlpatterns = [
    path("plans/status/", plan_status, name="plan-status"),
    path("plans/status.xlsx", plan_status_export, name="plan-status-export"),
]
