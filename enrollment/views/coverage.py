"""Coverage (R3, R2): per school and grade, who applied, was approved, has a place, waits or withdrew.

The school administrator sees their school; a township coordinator its schools; the bureau and inspectors every
school, least covered first, with an Excel export.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.forms.roster import SchoolFilterForm
from schools.selectors import calendar as calendar_selectors
from schools.selectors import roster as roster_selectors
from xiji_afterschool import auditing, permissions
from xiji_afterschool.exports import write_xlsx, xlsx_response

from ..selectors import coverage as selectors

PAGE_SIZE = 50  # schools a page of the county table, as the other county lists


@login_required
def coverage_school(request, school_pk):
    """One school, per grade, with the same numbers for each priority group."""
    school = get_object_or_404(roster_selectors.school_list(viewer=request.user), pk=school_pk)
    permissions.require(request.user, "coverage.view", school)
    school_year = calendar_selectors.current_school_year()
    context = {"school": school, "school_year": school_year, "groups": selectors.PRIORITY_GROUPS}
    if school_year is not None:
        context["data"] = selectors.school_coverage(viewer=request.user, school=school, school_year=school_year)
    return render(request, "enrollment/coverage/coverage_school.html", context)


def _county(request):
    permissions.require(request.user, "coverage.view")
    form = SchoolFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    school_year = calendar_selectors.current_school_year()
    data = None
    if school_year is not None:
        data = selectors.county_coverage(
            viewer=request.user,
            school_year=school_year,
            township_id=filters.get("township") and filters["township"].pk,
            school_type=filters.get("school_type", ""),
        )
    return form, school_year, data


@login_required
def coverage_county(request):
    """Every school the user may see coverage of, least covered first; schools needing attention are marked. 50
    schools a page (the order, the count needing attention and the totals are of them all), so the page costs the
    same for 20 schools or 250; the export has them all."""
    form, school_year, data = _county(request)
    context = {"form": form, "school_year": school_year, "data": data, "groups": selectors.PRIORITY_GROUPS}
    if data is not None:
        context["attention"] = sum(1 for r in data["schools"] if r["needs_attention"])
        context["page"] = Paginator(data["schools"], PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enrollment/coverage/coverage_county.html", context)


@login_required
@auditing.download("coverage")
def coverage_county_export(request):
    """The county table as an Excel workbook (same filters and scope as the page)."""
    _form, school_year, data = _county(request)
    if data is None:
        raise Http404(_("No school year is set up."))
    header, rows = selectors.county_export_rows(coverage=data)
    content = write_xlsx(title=_("Coverage"), header=header, rows=rows)
    return xlsx_response(content, f"coverage-{school_year.start_date.year}-{timezone.localdate():%Y%m%d}.xlsx")


urlpatterns = [
    path("coverage/", coverage_county, name="coverage-county"),
    path("coverage/export.xlsx", coverage_county_export, name="coverage-county-export"),
    path("coverage/schools/<int:school_pk>/", coverage_school, name="coverage-school"),
]
