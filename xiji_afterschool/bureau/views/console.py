"""The county console (R3, R34): county → township → school → class, for a school year and a period, read from the
summary tables; the bureau may ask for the numbers to be computed now; the county's workbook."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools.models import SchoolYear
from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import auditing, charts, money, permissions
from xiji_afterschool.exports import xlsx_response

from .. import tasks
from ..reports import console as reports
from ..selectors import console as selectors
from ..selectors import feedback as feedback_selectors
from ..selectors import reminders as reminders_selectors

# Pages of other apps a console number links to, by the action that opens them.
LINKED_ACTIONS = (
    "coverage.view", "delivery.view", "claim.view", "ledger.view", "settlement.view", "hazard.view",
    "incident.view", "late_alert.view", "service_class.view", "session.view", "plan.review_queue",
    "compliance.view", "inspection.view", "feedback.list", "overdue.view",
)  # fmt: skip


def _year_and_period(request):
    """The chosen school year (?year=, else the current one) and period (?period=year|1|2)."""
    years = selectors.school_years()
    year_pk = request.GET.get("year", "")
    if year_pk.isdigit():
        school_year = get_object_or_404(years, pk=year_pk)
    else:
        school_year = calendar_selectors.current_school_year()
    if school_year is None:
        raise Http404(_("No school year is set up."))
    choices = selectors.periods(school_year)
    period = request.GET.get("period", selectors.YEAR)
    if period not in {value for value, *_rest in choices}:
        period = selectors.YEAR
    return years, school_year, period, choices


def _context(request, school_year, period, choices, years, **extra) -> dict:
    return {
        "can_county": not selectors.school_level_only(viewer=request.user),
        "years": years,
        "school_year": school_year,
        "period": period,
        "periods": choices,
        "period_label": next(label for value, label, *_rest in choices if value == period),
        "query": f"year={school_year.pk}&period={period}",
        "refresh": selectors.last_refresh(school_year=school_year),
        "can_open_class": permissions.can(request.user, "service_class.view"),
        "can_refresh": permissions.can(request.user, "console.refresh"),
        **extra,
    }


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def _card(value, label, url="", warn=False) -> dict:
    return {"value": value, "label": label, "url": url, "warn": warn}


def _sections(request, t: dict, school_year, *, school=None, township=None) -> list[dict]:
    """The cards of one summary (the county's, a township's or a school's), each linking to the rows behind it
    when the reader may open that page: coverage, delivery, claims, ledger, settlement, hazards, incidents."""
    can = {action: permissions.can(request.user, action) for action in LINKED_ACTIONS}
    where = f"?township={township.pk}" if township else ""

    def url(action, name, *args, query=""):
        return reverse(name, args=args) + query if can[action] else ""

    anchor = "#console-classes" if school else "#console-schools"
    service = []
    if not school:
        service.append(_card(
            f"{t['required_offering']} / {t['required']}", _("Schools required to offer the service that offer it"),
            url("plan.review_queue", "bureau:plan-status"), t["required_offering"] < t["required"],
        ))  # fmt: skip
    service += [
        _card(t["served"], _("Students served (of %(n)s enrolled)") % {"n": t["students"]},
              reverse("schools:service-class-list", args=[school.pk]) if school and can["service_class.view"] else ""),
        _card(t["applicants"], _("Applied; %(p)s placed (%(c)s)") % {"p": t["placed"], "c": _pct(t["coverage"])},
              url("coverage.view", "enrollment:coverage-school", school.pk) if school
              else url("coverage.view", "enrollment:coverage-county", query=where)),
    ]  # fmt: skip
    if not school:
        service.append(_card(t["students_without_service"], _("Students at schools with no service"), anchor,
                             bool(t["students_without_service"])))  # fmt: skip
    service += [
        _card(t["service_classes"], _("Service classes"), anchor),
        _card(f"{t['teachers']} / {t['volunteers']}", _("Teachers / volunteers")),
    ]
    delivery = [
        _card(_pct(t["delivery"]),
              _("%(d)s of %(p)s class-hours planned to date delivered")
              % {"d": t["delivered_hours"], "p": t["planned_hours"]},
              url("delivery.view", "schools:delivery-school", school.pk) if school
              else url("delivery.view", "schools:delivery-county"),
              t["delivery"] is not None and t["delivery"] < 90),
    ]  # fmt: skip
    if school:
        delivery.append(_card(
            f"{t['service_weeks']} / {t['target_weeks']}",
            _("Weeks of service in the calendar against the plan's year (%(d)s weeks served so far)")
            % {"d": t["delivered_weeks"]},
            warn=t["service_weeks"] < t["target_weeks"],
        ))  # fmt: skip
    else:
        delivery.append(_card(
            t["short_year_schools"], _("Schools whose calendar has fewer service weeks than the plan's 40 (senior high 42)"),
            anchor, bool(t["short_year_schools"]),
        ))  # fmt: skip
    delivery += [
        _card(t["classes_without_sessions"], _("Service classes with no session yet"), anchor,
              bool(t["classes_without_sessions"])),
        _card(_pct(t["attendance"]), _("Attendance (%(p)s present of %(r)s on the rolls)")
              % {"p": t["present_marks"], "r": t["roll_marks"]}),
    ]  # fmt: skip
    claims = url("claim.view", "funding:claim-list", query=f"?school_year={school_year.pk}")
    ledger = (url("ledger.view", "funding:ledger-detail", school.pk, school_year.pk) if school
              else url("ledger.view", "funding:ledger-list"))  # fmt: skip
    settled = (url("settlement.view", "funding:settlement-detail", school.pk, school_year.pk) if school
               else url("settlement.view", "funding:settlement-list"))  # fmt: skip
    money_cards = [
        _card(money.format_yuan(t["claimed"]), _("Claimed"), claims),
        _card(money.format_yuan(t["approved_amount"]), _("Approved"), claims),
        _card(money.format_yuan(t["allocated"]), _("Allocated"), ledger),
        _card(money.format_yuan(t["spent"]), _("Spent"), ledger),
        _card(money.format_yuan(t["settled"]), _("Settled"), settled),
        _card(t["claims_first_review"], _("Claims waiting for first review"), claims, bool(t["claims_first_review"])),
    ]
    safety = [
        _card(t["late_pickups"], _("Late pick-ups"), warn=bool(t["late_pickups"])),
        _card(t["open_hazards"], _("Hazards not closed"), url("hazard.view", "safety:hazard-list"),
              bool(t["open_hazards"])),
        _card(t["incidents"], _("Incidents"), url("incident.view", "safety:incident-list")),
        _card(t["flags"], _("Sessions flagged as possible new lessons (R12): %(c)s confirmed by the school, %(w)s waiting")
              % {"c": t["flags_confirmed"], "w": t["flags_waiting"]}, url("compliance.view", "bureau:compliance-list"),
              bool(t["flags_waiting"])),
        _card(f"{t['flags_accepted']} / {t['flags_violations']}", _("Flags reviewed by the county: accepted / violations"),
              url("compliance.view", "bureau:compliance-list"), bool(t["flags_violations"])),
    ]  # fmt: skip
    inspections = [
        _card(f"{t['inspections_closed']} / {t['inspections']}", _("Special inspections closed / this year"),
              url("inspection.view", "bureau:inspection-list")),
        _card(t["findings"], _("Findings issued to schools"), url("inspection.view", "bureau:inspection-list")),
        _card(t["rectifications_open"], _("Rectifications not yet accepted (%(n)s past their deadline)")
              % {"n": t["rectifications_overdue"]}, url("inspection.view", "bureau:inspection-list"),
              bool(t["rectifications_overdue"])),
    ]  # fmt: skip
    return [
        {"id": "service", "title": _("Service and coverage"), "cards": service},
        {"id": "delivery", "title": _("Delivery against plan"), "cards": delivery},
        {"id": "money", "title": _("Subsidy"), "cards": money_cards},
        {"id": "safety", "title": _("Safety and compliance"), "cards": safety},
        {"id": "inspections", "title": _("Special inspections (督导)"), "cards": inspections},
    ]


def _oversight(request, school_year) -> dict:
    """What the county page shows besides the summary: overdue deadlines and feedback by theme (live counts of
    small tables), each with its list."""
    out = {}
    if permissions.can(request.user, "overdue.view"):
        out["overdue"] = len(reminders_selectors.overdue_items(request.user))
    if permissions.can(request.user, "feedback.list"):
        themes = feedback_selectors.feedback_counts(request.user, since=school_year.start_date)
        out["feedback"] = feedback_selectors.feedback_response_stats(request.user, since=school_year.start_date)
        out["feedback_chart"] = charts.bar_chart(
            [charts.Bar(str(t["label"]), t["total"], note=_("%(n)s waiting for an answer") % {"n": t["open"]} if t["open"] else "",
                        warn=bool(t["overdue"])) for t in themes],
            title=_("Opinions, suggestions and complaints this school year, by theme"),
        )  # fmt: skip
    return out


def _weekly_chart(weeks) -> str:
    return charts.weekly_chart(
        [charts.Week(f"{w['week']:%-m/%-d}", w["planned_hours"] or 0, w["delivered_hours"] or 0) for w in weeks],
        title=_("Class-hours per week: planned and delivered"),
        planned_label=_("Planned"),
        delivered_label=_("Delivered"),
        behind_label=_("Delivered below plan"),
    )


def _group_chart(total, groups) -> str:
    bars = [charts.Bar(str(label), total["groups"][key]["coverage"]) for key, label in groups]
    bars.insert(0, charts.Bar(_("All applicants"), total["coverage"]))
    return charts.bar_chart(bars, title=_("Coverage by priority group (placed ÷ applicants)"), unit="%", scale_max=100)


@login_required
def county(request):
    """The county (a township coordinator: their township; a school: straight to its page)."""
    permissions.require(request.user, "console.view")
    years, school_year, period, choices = _year_and_period(request)
    schools = selectors.visible_schools(viewer=request.user)
    if selectors.school_level_only(viewer=request.user) and schools.count() == 1:  # a school: its own page
        return redirect(
            f"{reverse('bureau:console-school', args=[schools.get().pk])}?year={school_year.pk}&period={period}"
        )
    data = selectors.county(viewer=request.user, school_year=school_year, period=period)
    query = f"year={school_year.pk}&period={period}"
    township_bars = [
        charts.Bar(
            str(t["township"]),
            t["coverage"],
            url=f"{reverse('bureau:console-township', args=[t['township'].pk])}?{query}",
            note=f"{t['placed']}/{t['applicants']}",
            warn=t["coverage"] is not None and t["coverage"] < 80,
        )
        for t in data["townships"]
    ]
    delivery_bars = [
        charts.Bar(
            str(t["township"]),
            t["delivery"],
            url=f"{reverse('bureau:console-township', args=[t['township'].pk])}?{query}",
            warn=t["delivery"] is not None and t["delivery"] < 90,
        )
        for t in data["townships"]
    ]
    context = _context(
        request, school_year, period, choices, years,
        data=data,
        total=data["total"],
        sections=_sections(request, data["total"], school_year),
        oversight=_oversight(request, school_year),
        weekly_chart=_weekly_chart(data["weeks"]),
        group_chart=_group_chart(data["total"], data["groups"]),
        township_chart=charts.bar_chart(
            township_bars, title=_("Coverage by township (placed ÷ applicants)"), unit="%", scale_max=100, target=80
        ),
        delivery_chart=charts.bar_chart(
            delivery_bars, title=_("Delivered ÷ planned class-hours by township"), unit="%", scale_max=100, target=90
        ),
    )  # fmt: skip
    return render(request, "bureau/console/county.html", context)


@login_required
def township(request, pk):
    permissions.require(request.user, "console.view")
    years, school_year, period, choices = _year_and_period(request)
    township = get_object_or_404(selectors.visible_townships(viewer=request.user), pk=pk)
    data = selectors.township(viewer=request.user, school_year=school_year, township=township, period=period)
    query = f"year={school_year.pk}&period={period}"
    school_bars = [
        charts.Bar(
            r["school"].name,
            r["delivery"],
            url=f"{reverse('bureau:console-school', args=[r['school'].pk])}?{query}",
            warn=r["delivery"] is not None and r["delivery"] < 90,
        )
        for r in data["schools"]
    ]
    context = _context(
        request, school_year, period, choices, years,
        township=township, data=data, total=data["total"],
        sections=_sections(request, data["total"], school_year, township=township),
        weekly_chart=_weekly_chart(data["weeks"]),
        group_chart=_group_chart(data["total"], data["groups"]),
        school_chart=charts.bar_chart(
            school_bars, title=_("Delivered ÷ planned class-hours by school"), unit="%", scale_max=100, target=90
        ),
    )  # fmt: skip
    return render(request, "bureau/console/township.html", context)


@login_required
def school(request, pk):
    permissions.require(request.user, "console.view")
    years, school_year, period, choices = _year_and_period(request)
    school = get_object_or_404(selectors.visible_schools(viewer=request.user).select_related("township"), pk=pk)
    data = selectors.school(viewer=request.user, school_year=school_year, school=school, period=period)
    context = _context(request, school_year, period, choices, years, school=school, data=data)
    if data:
        context.update(
            total=data["row"],
            attention_rows=[data["row"]],
            sections=_sections(request, data["row"], school_year, school=school),
            weekly_chart=_weekly_chart(data["weeks"]),
            group_chart=_group_chart(data["row"], data["groups"]),
        )
    return render(request, "bureau/console/school.html", context)


@login_required
def service_class(request, pk):
    permissions.require(request.user, "console.view")
    years, school_year, period, choices = _year_and_period(request)
    service_class = get_object_or_404(
        selectors.visible_classes(viewer=request.user).select_related("school__township", "teacher"), pk=pk
    )
    data = selectors.service_class(
        viewer=request.user, school_year=school_year, service_class=service_class, period=period
    )
    context = _context(request, school_year, period, choices, years, service_class=service_class, data=data)
    if data:
        context["weekly_chart"] = _weekly_chart(data["weeks"])
    return render(request, "bureau/console/service_class.html", context)


@login_required
@require_POST
def refresh(request):
    """The bureau asks for the numbers now: queued for a worker (at once when Celery runs eagerly)."""
    permissions.require(request.user, "console.refresh")
    year_pk = request.POST.get("year", "")
    school_year = (
        get_object_or_404(SchoolYear, pk=year_pk) if year_pk.isdigit() else calendar_selectors.current_school_year()
    )
    if school_year is None:
        raise Http404(_("No school year is set up."))
    tasks.refresh_console_task.delay(school_year.pk, requested_by=request.user.pk)
    messages.success(request, _("The numbers are being computed; this page shows them when they are ready."))
    return redirect(f"{reverse('bureau:console')}?year={school_year.pk}")


@login_required
@auditing.download("console")
def export(request):
    """The console's numbers as a workbook (county, townships, schools): what `county_report --format xlsx` writes."""
    permissions.require(request.user, "console.view")
    _years, school_year, period, _choices = _year_and_period(request)
    data = selectors.county(viewer=request.user, school_year=school_year, period=period)
    content = reports.workbook(data=data, school_year=school_year, period=period)
    return xlsx_response(content, f"console-{school_year.name}-{timezone.localdate():%Y%m%d}.xlsx")


urlpatterns = [
    path("console/", county, name="console"),
    path("console/townships/<int:pk>/", township, name="console-township"),
    path("console/schools/<int:pk>/", school, name="console-school"),
    path("console/classes/<int:pk>/", service_class, name="console-class"),
    path("console/refresh/", refresh, name="console-refresh"),
    path("console/export.xlsx", export, name="console-export"),
]
