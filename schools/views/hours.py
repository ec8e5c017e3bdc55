"""The hours record (明细档案, R21): a school's month, one person's month, the Excel export, closing a month and
adjusting a closed one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiji_afterschool import auditing, permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.exports import write_xlsx, xlsx_response

from ..forms.hours import AdjustForm
from ..models import HoursMonth
from ..reports import hours as reports
from ..rules import hours as rules
from ..selectors import hours as selectors
from ..selectors import roster as roster_selectors
from ..services import hours as services

# ---------------------------------------------------------------- helpers


def _school(request, school_pk):
    return get_object_or_404(roster_selectors.school_list(viewer=request.user), pk=school_pk)


def _month(request):
    """The month asked for in ?month=YYYY-MM; missing or malformed -> the current month (malformed: with a note)."""
    current = rules.month_start(timezone.localdate())
    text = request.GET.get("month")
    if not text:
        return current
    month = rules.parse_month(text)
    if month is None:
        messages.error(request, _("“%(text)s” is not a month: showing the current month.") % {"text": text[:20]})
        return current
    return month


def _month_nav(month):
    current = rules.month_start(timezone.localdate())
    following = rules.shift_month(month, 1)
    return {
        "previous": rules.shift_month(month, -1),
        "following": following if following <= current else None,
        "current": current if month != current else None,
    }


def _hours_url(school_pk, month, person_pk=None):
    if person_pk:
        url = reverse("schools:hours-person", args=[school_pk, person_pk])
    else:
        url = reverse("schools:hours-school", args=[school_pk])
    return f"{url}?month={month:%Y-%m}"


# ---------------------------------------------------------------- the hours record


@login_required
@require_GET
def hours_school(request, school_pk):
    """A school's month: every teacher and volunteer (as far as the viewer may read), totals, closing state."""
    school = _school(request, school_pk)
    permissions.require(request.user, "hours.view", school)
    month = _month(request)
    record = selectors.hours_record(viewer=request.user, school=school, month=month)
    today = timezone.localdate()
    ended = record.last_day <= today
    return render(
        request,
        "schools/hours/hours_school.html",
        {
            "school": school,
            "record": record,
            "month": month,
            "nav": _month_nav(month),
            "ended": ended,
            "can_close": ended and record.closed is None and permissions.can(request.user, "hours.close_month", school),
            "can_adjust": record.closed is not None and permissions.can(request.user, "hours.adjust", school),
        },
    )


@login_required
@require_GET
def hours_person(request, school_pk, user_pk):
    """One person's month at one school: sessions, adjustments with reasons, totals. A teacher: their own only."""
    school = _school(request, school_pk)
    person = get_object_or_404(selectors.hours_people(viewer=request.user, school=school), pk=user_pk)
    permissions.require(request.user, "hours.view", person)
    month = _month(request)
    detail = selectors.hours_person(school=school, person=person, month=month)
    return render(
        request,
        "schools/hours/hours_person.html",
        {
            "school": school,
            "person": person,
            "detail": detail,
            "month": month,
            "nav": _month_nav(month),
            "can_see_school": permissions.can(request.user, "hours.view", school),
            "can_adjust": detail.closed is not None and permissions.can(request.user, "hours.adjust", school),
        },
    )


@login_required
@require_GET
def hours_mine(request):
    """The menu's "My hours" for a teacher, class teacher or volunteer: their own month at the school where they run
    sessions (the first one, by school, when they serve at several; the page links the others' months the same way)."""
    permissions.require(request.user, "hours.view")
    staff = [m for m in permissions.memberships(request.user) if m.role in permissions.SESSION_STAFF and m.school_id]
    if not staff:
        messages.info(request, _("You have no hours record: you run no sessions at any school."))
        return redirect("home")
    school_pk = min(m.school_id for m in staff)
    return redirect("schools:hours-person", school_pk=school_pk, user_pk=request.user.pk)


@login_required
@require_GET
@auditing.download("hours", model="schools.School", key="school_pk")
def hours_export(request, school_pk):
    """The school's month as an Excel workbook (class-hours as numbers), with the same rows the viewer sees."""
    school = _school(request, school_pk)
    permissions.require(request.user, "hours.view", school)
    month = _month(request)
    record = selectors.hours_record(viewer=request.user, school=school, month=month)
    header, rows = reports.hours_report_rows(record)
    title = _("Hours %(month)s") % {"month": f"{month:%Y-%m}"}
    response = xlsx_response(
        write_xlsx(title=title, header=header, rows=rows), f"hours-{school.code}-{month:%Y-%m}.xlsx"
    )
    return response


@login_required
@require_POST
def hours_close(request, school_pk):
    school = _school(request, school_pk)
    permissions.require(request.user, "hours.close_month", school)
    month = rules.parse_month(request.POST.get("month"))
    if month is None:
        messages.error(request, _("Choose the month to close."))
        return redirect("schools:hours-school", school_pk=school.pk)
    try:
        services.hours_month_close(actor=request.user, school=school, month=month)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(month)s is closed. Corrections are now adjustments with a reason.") % {"month": f"{month:%Y-%m}"},
        )
    return redirect(_hours_url(school.pk, month))


@login_required
@require_http_methods(["GET", "POST"])
def hours_adjust(request, school_pk):
    """Correct a closed month: a signed adjustment with a reason. Adjustments are never edited or deleted."""
    school = _school(request, school_pk)
    permissions.require(request.user, "hours.adjust", school)
    closed_months = list(HoursMonth.objects.filter(school=school).order_by("-month").values_list("month", flat=True))
    initial = {"month": request.GET.get("month", ""), "person": request.GET.get("person"), "sessions": 0}
    form = AdjustForm(request.POST or None, school=school, closed_months=closed_months, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hours_adjust(
                actor=request.user,
                school=school,
                person=data["person"],
                month=data["month"],
                role=data["role"],
                class_hours=data["class_hours"],
                sessions=data["sessions"],
                reason=data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Adjustment recorded for %(name)s.") % {"name": data["person"]})
            return redirect(_hours_url(school.pk, data["month"], data["person"].pk))
    return render(
        request,
        "schools/hours/hours_adjust.html",
        {
            "school": school,
            "form": form,
            "closed_months": closed_months,
            "adjustments": selectors.adjustment_list(school=school),
        },
    )


urlpatterns = [
    path("hours/mine/", hours_mine, name="hours-mine"),
    path("schools/<int:school_pk>/hours/", hours_school, name="hours-school"),
    path("schools/<int:school_pk>/hours/people/<int:user_pk>/", hours_person, name="hours-person"),
    path("schools/<int:school_pk>/hours/export.xlsx", hours_export, name="hours-export"),
    path("schools/<int:school_pk>/hours/close/", hours_close, name="hours-close"),
    path("schools/<int:school_pk>/hours/adjust/", hours_adjust, name="hours-adjust"),
]
