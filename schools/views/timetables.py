"""Service timetables (R4–R8): per school, semester and stage; fixed once in force, changed by a new version."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..forms.timetables import TimetableHeaderForm, TimetableReviseForm, TimetableRowFormSet
from ..models import Stage, Timetable
from ..rules import calendar as calendar_rules
from ..selectors import calendar as calendar_selectors
from ..selectors import roster as roster_selectors
from ..selectors import timetables as selectors
from ..services import timetables as services


@login_required
def timetable_list(request, school_pk):
    school = get_object_or_404(roster_selectors.school_list(viewer=request.user), pk=school_pk)
    permissions.require(request.user, "timetable.view", school)
    school_year = calendar_selectors.current_school_year()
    timetables = (
        selectors.timetable_list(viewer=request.user, school=school, school_year=school_year) if school_year else []
    )
    latest = {}
    for t in timetables:
        latest.setdefault((t.semester_id, t.stage), t)
    grid = []
    for semester in school_year.semesters.all() if school_year else []:
        for stage in school.stages:
            grid.append(
                {
                    "semester": semester,
                    "stage": Stage(stage),
                    "timetable": latest.get((semester.pk, stage)),
                    "planned_days": calendar_rules.planned_days(school_year, stage, semester=semester),
                }
            )
    return render(
        request,
        "schools/timetables/timetable_list.html",
        {
            "school": school,
            "school_year": school_year,
            "grid": grid,
            "can_edit": permissions.can(request.user, "timetable.edit", school),
        },
    )


@login_required
@require_POST
def timetable_start(request, school_pk):
    school = get_object_or_404(roster_selectors.school_list(viewer=request.user), pk=school_pk)
    permissions.require(request.user, "timetable.edit", school)
    school_year = calendar_selectors.current_school_year()
    semester = school_year.semesters.filter(pk=request.POST.get("semester")).first() if school_year else None
    if semester is None or request.POST.get("stage") not in school.stages:
        messages.error(request, _("Choose a semester and stage of this school."))
        return redirect("schools:timetable-list", school_pk=school.pk)
    try:
        timetable = services.timetable_create(
            actor=request.user, school=school, semester=semester, stage=request.POST["stage"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("schools:timetable-list", school_pk=school.pk)
    return redirect("schools:timetable-edit", pk=timetable.pk)


def _rows_initial(timetable: Timetable) -> list[dict]:
    """Group the stored slots back into form rows: the same times on several days become one row."""
    groups = {}
    for slot in timetable.slots.all():
        key = (slot.season, slot.kind, slot.start_time, slot.end_time)
        groups.setdefault(key, []).append(slot.weekday)
    return [
        {"season": season, "kind": kind, "start_time": start, "end_time": end, "weekdays": days}
        for (season, kind, start, end), days in groups.items()
    ]


@login_required
def timetable_edit(request, pk):
    timetable = get_object_or_404(
        selectors.timetable_list_qs(viewer=request.user).select_related("school", "semester"), pk=pk
    )
    permissions.require(request.user, "timetable.view", timetable)
    can_edit = permissions.can(request.user, "timetable.edit", timetable)
    fixed = timetable.effective_from <= timezone.localdate()
    header = TimetableHeaderForm(
        request.POST or None,
        initial={"opening_season": timetable.opening_season, "switch_date": timetable.switch_date},
    )
    rows = TimetableRowFormSet(request.POST or None, initial=_rows_initial(timetable), prefix="rows")
    if request.method == "POST":
        permissions.require(request.user, "timetable.edit", timetable)
        if header.is_valid() and rows.is_valid():
            slot_rows = [
                services.SlotRow(
                    **{k: f.cleaned_data[k] for k in ("season", "kind", "weekdays", "start_time", "end_time")}
                )
                for f in rows.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            try:
                services.timetable_save(
                    actor=request.user,
                    timetable=timetable,
                    rows=slot_rows,
                    opening_season=header.cleaned_data["opening_season"],
                    switch_date=header.cleaned_data["switch_date"],
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Timetable saved."))
                return redirect("schools:timetable-list", school_pk=timetable.school_id)
    return render(
        request,
        "schools/timetables/timetable_edit.html",
        {
            "timetable": timetable,
            "header": header,
            "rows": rows,
            "can_edit": can_edit and not fixed,
            "can_revise": can_edit and fixed and not timetable.versions_after().exists(),
            "fixed": fixed,
            "revise_form": TimetableReviseForm(),
            "slots": timetable.slots.all(),
        },
    )


@login_required
@require_POST
def timetable_revise(request, pk):
    timetable = get_object_or_404(selectors.timetable_list_qs(viewer=request.user), pk=pk)
    permissions.require(request.user, "timetable.edit", timetable)
    form = TimetableReviseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date the new version comes into force."))
        return redirect("schools:timetable-edit", pk=timetable.pk)
    try:
        new = services.timetable_revise(
            actor=request.user, timetable=timetable, effective_from=form.cleaned_data["effective_from"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("schools:timetable-edit", pk=timetable.pk)
    messages.success(
        request, _("Version %(version)s started; change it before it comes into force.") % {"version": new.version}
    )
    return redirect("schools:timetable-edit", pk=new.pk)


urlpatterns = [
    path("schools/<int:school_pk>/timetables/", timetable_list, name="timetable-list"),
    path("schools/<int:school_pk>/timetables/start/", timetable_start, name="timetable-start"),
    path("timetables/<int:pk>/", timetable_edit, name="timetable-edit"),
    path("timetables/<int:pk>/revise/", timetable_revise, name="timetable-revise"),
]
