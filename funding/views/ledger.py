"""The earmarked ledger (R24): the county's table of funds, a school's fund page, spending, reversal, Excel export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.models import School, SchoolYear
from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import auditing, permissions
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.exports import write_xlsx, xlsx_response

from ..forms.ledger import ReverseForm, SpendForm, YearForm
from ..models import ZERO
from ..reports import ledger as reports
from ..selectors import ledger as selectors
from ..services import ledger as services


def school_and_year(request, school_pk, year_pk, action: str, *, seen_with: str = "") -> tuple[School, SchoolYear]:
    """The school (404 outside what the viewer sees for `seen_with`, default `action`) and the year; then 403
    without the right to `action` (so a reader asking to edit gets 403, not 404)."""
    schools = permissions.scope(request.user, School.objects.all(), action=seen_with or action)
    school = get_object_or_404(schools, pk=school_pk)
    school_year = get_object_or_404(
        permissions.scope(request.user, SchoolYear.objects.all()).prefetch_related("semesters"), pk=year_pk
    )
    permissions.require(request.user, action, school)
    return school, school_year


def chosen_year(request) -> tuple[YearForm, SchoolYear | None]:
    form = YearForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return form, year or calendar_selectors.current_school_year()


@login_required
def ledger_list(request):
    """Every school's fund for a year (the county) or the school's own: allocated, spent, balance."""
    permissions.require(request.user, "ledger.view")
    form, school_year = chosen_year(request)
    rows = selectors.fund_table(viewer=request.user, school_year=school_year) if school_year else []
    totals = {
        "allocated": sum((r["fund"].allocated for r in rows), ZERO),
        "spent": sum((r["fund"].spent for r in rows), ZERO),
    }
    totals["balance"] = totals["allocated"] - totals["spent"]
    return render(
        request,
        "funding/ledger/ledger_list.html",
        {"form": form, "school_year": school_year, "rows": rows, "totals": totals},
    )


@login_required
def ledger_detail(request, school_pk, year_pk):
    """A school's fund for a year: totals, spending by category against the plan, every entry."""
    school, school_year = school_and_year(request, school_pk, year_pk, "ledger.view")
    fund = selectors.fund_of(viewer=request.user, school=school, school_year=school_year)
    entries = selectors.ledger_entries(fund=fund)
    for entry in entries:  # the service's rule, with what the selector already knows about each row
        entry.reversible = services.ledger_reversible(
            entry, reversed_=entry.reversal is not None, pays_run=entry.pays_run
        )
    plan = selectors.spending_plan_of(viewer=request.user, school=school, school_year=school_year)
    can_record = permissions.can(request.user, "ledger.record", school)
    context = {
        "school": school,
        "school_year": school_year,
        "fund": fund,
        "entries": entries,
        "totals": selectors.ledger_totals(entries=entries),
        "categories": selectors.category_rows(fund=fund, entries=entries, plan=plan),
        "plan": plan,
        "can_record": can_record,
        "spend_form": SpendForm(initial={"date": timezone.localdate()}) if can_record else None,
    }
    return render(request, "funding/ledger/ledger_detail.html", context)


@login_required
@require_POST
def ledger_spend(request, school_pk, year_pk):
    school, school_year = school_and_year(request, school_pk, year_pk, "ledger.view")
    permissions.require(request.user, "ledger.record", school)
    form = SpendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was recorded. %(errors)s") % {"errors": form_errors(form)})
    else:
        try:
            services.ledger_spend(
                actor=request.user, fund=services.fund_for(school=school, school_year=school_year), **form.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The spending has been recorded."))
    return redirect("funding:ledger-detail", school_pk=school.pk, year_pk=school_year.pk)


@login_required
@require_POST
def ledger_reverse(request, pk):
    entry = get_object_or_404(selectors.ledger_entry_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "ledger.record", entry.fund)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was recorded. %(errors)s") % {"errors": form_errors(form)})
    else:
        try:
            services.ledger_reverse(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Entry %(number)s has been reversed.") % {"number": entry.pk})
    return redirect("funding:ledger-detail", school_pk=entry.fund.school_id, year_pk=entry.fund.school_year_id)


@login_required
@auditing.download("ledger", model="schools.School", key="school_pk")
def ledger_export(request, school_pk, year_pk):
    """The fund's entries as Excel, with totals that reconcile to the fund to the fen."""
    school, school_year = school_and_year(request, school_pk, year_pk, "ledger.view")
    fund = selectors.fund_of(viewer=request.user, school=school, school_year=school_year)
    header, rows = reports.ledger_rows(fund=fund, entries=selectors.ledger_entries(fund=fund))
    content = write_xlsx(title=_("Ledger"), header=header, rows=rows)
    label = _("ledger")  # outside the f-string, where makemessages finds it
    return xlsx_response(content, f"{school.name}-{school_year.name}-{label}.xlsx")


@login_required
@auditing.download("subsidy_report", model="schools.School", key="school_pk")
def subsidy_report(request, school_pk, year_pk):
    """The audit report of one school's subsidy for one year (every claim with its inputs and lines, who did what,
    the settlement with its lines) as Excel: the same workbook as `manage.py subsidy_report --format xlsx`."""
    school, school_year = school_and_year(request, school_pk, year_pk, "subsidy_report.view")
    report = reports.subsidy_report(school=school, school_year=school_year)
    return xlsx_response(reports.subsidy_workbook(report), f"subsidy-{school.code}-{school_year.start_date:%Y}.xlsx")


urlpatterns = [
    path("ledger/", ledger_list, name="ledger-list"),
    path("ledger/<int:school_pk>/<int:year_pk>/", ledger_detail, name="ledger-detail"),
    path("ledger/<int:school_pk>/<int:year_pk>/spend/", ledger_spend, name="ledger-spend"),
    path("ledger/entry/<int:pk>/reverse/", ledger_reverse, name="ledger-reverse"),
    path("ledger/<int:school_pk>/<int:year_pk>/export/", ledger_export, name="ledger-export"),
    path("ledger/<int:school_pk>/<int:year_pk>/subsidy-report/", subsidy_report, name="subsidy-report"),
]
