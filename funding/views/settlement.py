"""The year-end settlement (决算): the county table, a school's settlement, filing (school) and confirming (finance)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiji_afterschool import permissions
from xiji_afterschool.actions import post_action
from xiji_afterschool.errors import DomainError
from xiji_afterschool.forms import CommentForm

from ..forms.ledger import YearForm
from ..models import ZERO, Settlement
from ..selectors import settlement as selectors
from ..services import settlement as services
from .ledger import school_and_year


@login_required
def settlement_list(request):
    """Per school for one year: allocated, delivered, difference and status (schools not yet filed included)."""
    permissions.require(request.user, "settlement.view")
    form = YearForm(request.GET or None)
    school_year = (form.cleaned_data.get("year") if form.is_valid() else None) or selectors.default_settlement_year()
    if not request.GET and school_year is not None:
        form = YearForm(initial={"year": school_year})
    rows = selectors.settlement_table(viewer=request.user, school_year=school_year) if school_year else []
    filed = [r["settlement"] for r in rows if r["settlement"]]
    totals = {
        "allocated": sum((s.allocated_amount for s in filed), ZERO),
        "delivered": sum((s.delivered_amount for s in filed), ZERO),
        "difference": sum((s.difference for s in filed), ZERO),
    }
    context = {"form": form, "school_year": school_year, "rows": rows, "totals": totals, "filed": len(filed)}
    context["can_report"] = permissions.can(request.user, "subsidy_report.view")
    return render(request, "funding/settlement/settlement_list.html", context)


@login_required
def settlement_detail(request, school_pk, year_pk):
    """The school's settlement for the year; before filing, what filing now would give."""
    school, school_year = school_and_year(request, school_pk, year_pk, "settlement.view")
    settlement = selectors.settlement_of(viewer=request.user, school=school, school_year=school_year)
    user = request.user
    preview, preview_error = None, ""
    try:  # also for a confirmed settlement: what the session log holds that is not paid, and why
        preview = selectors.settlement_figures(school=school, school_year=school_year)
    except DomainError as exc:
        preview_error = exc.message
    events = list(settlement.events.select_related("actor")) if settlement else []
    filings = [e.created_at for e in events if e.action in ("file", "refile")]
    context = {
        "school": school,
        "school_year": school_year,
        "settlement": settlement,
        "lines": list(settlement.lines.all()) if settlement else [],
        "events": events,
        "filed_at": filings[-1] if filings else None,
        "preview": preview if settlement is None else None,
        "preview_error": preview_error,
        "excluded": preview.excluded if preview else [],
        "per_day": preview.per_day if preview else None,
        "changed": settlement is not None
        and settlement.status == Settlement.Status.FILED
        and preview is not None
        and (preview.delivered_amount, preview.allocated_amount)
        != (settlement.delivered_amount, settlement.allocated_amount),
        "year_ended": selectors.year_has_ended(school_year),
        "last_day": selectors.year_last_day(school_year),
        "can_file": (settlement is None or settlement.status == Settlement.Status.FILED)
        and permissions.can(user, "settlement.file", school),
        "can_confirm": settlement is not None
        and settlement.status == Settlement.Status.FILED
        and permissions.can(user, "settlement.confirm", settlement),
        "note_form": CommentForm(),
    }
    context["can_report"] = permissions.can(user, "subsidy_report.view", school)
    shown = settlement.difference if settlement else (preview.difference if preview else None)
    context["outcome_words"] = selectors.outcome_words(shown) if shown is not None else ""
    return render(request, "funding/settlement/settlement_detail.html", context)


@login_required
@require_POST
def settlement_file(request, school_pk, year_pk):
    school, school_year = school_and_year(request, school_pk, year_pk, "settlement.view")
    permissions.require(request.user, "settlement.file", school)
    try:
        settlement = services.settlement_file(actor=request.user, school=school, school_year=school_year)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The settlement has been filed: %(outcome)s.") % {"outcome": settlement.get_outcome_display()},
        )
    return redirect("funding:settlement-detail", school_pk=school.pk, year_pk=school_year.pk)


@login_required
@require_POST
def settlement_confirm(request, pk):
    settlement = get_object_or_404(selectors.settlement_list(viewer=request.user), pk=pk)
    return post_action(
        request,
        settlement,
        action="settlement.confirm",
        call=lambda data: services.settlement_confirm(actor=request.user, settlement=settlement, note=data["note"]),
        success=_("The settlement has been confirmed."),
        next_url=reverse(
            "funding:settlement-detail",
            kwargs={"school_pk": settlement.school_id, "year_pk": settlement.school_year_id},
        ),
        invalid=_("The comment is too long."),
    )


urlpatterns = [
    path("settlements/", settlement_list, name="settlement-list"),
    path("settlements/<int:school_pk>/<int:year_pk>/", settlement_detail, name="settlement-detail"),
    path("settlements/<int:school_pk>/<int:year_pk>/file/", settlement_file, name="settlement-file"),
    path("settlements/<int:pk>/confirm/", settlement_confirm, name="settlement-confirm"),
]
