"""The teacher's day (issue 5): today's classes, the one-page session log with its roll, review and substitutes.

Built for a village teacher on a cheap phone: the today page and the log page are the whole journey, the roll of a
whole class is saved by one POST, and "everyone present" is the default, so it needs no JavaScript.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..forms.sessions import SessionLogForm, SubstitutionForm
from ..models import Attendance
from ..selectors import sessions as selectors
from ..services import sessions as services

MARK_COLORS = {Attendance.Mark.PRESENT: "success", Attendance.Mark.ABSENT: "danger", Attendance.Mark.LEAVE: "warning"}


def _roll_from_post(post) -> dict[int, tuple[str, str]]:
    """{student id: (mark, reason)} from the radio buttons `mark-<id>` and text fields `reason-<id>`."""
    marks = {}
    for key, mark in post.items():
        if not key.startswith("mark-"):
            continue
        try:
            student_id = int(key.removeprefix("mark-"))
        except ValueError:
            raise DomainError(_("The roll could not be read; reload the page.")) from None
        marks[student_id] = (mark, post.get(f"reason-{student_id}", ""))
    return marks


def _parse_day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# ---------------------------------------------------------------- the teacher's day


@login_required
def teacher_today(request):
    permissions.require(request.user, "session.log")
    day = selectors.teacher_day(viewer=request.user, today=services.today())
    return render(request, "schools/sessions/session_today.html", {"day": day})


@login_required
def session_log(request, service_class_pk):
    service_class = get_object_or_404(selectors.service_class_list(viewer=request.user), pk=service_class_pk)
    permissions.require(request.user, "session.log", service_class)
    today = services.today()
    day = _parse_day(request.POST.get("date") if request.method == "POST" else request.GET.get("date"))
    if day is None:
        if request.GET.get("date") or request.POST.get("date"):
            messages.error(request, _("That date could not be read; showing today."))
        day = today
    posted_roll = {}
    if request.method == "POST":
        form = SessionLogForm(request.POST, service_class=service_class, actor=request.user)
        try:
            posted_roll = _roll_from_post(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                session = services.session_log(
                    actor=request.user,
                    service_class=service_class,
                    date=data["date"],
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                    class_hours=data["class_hours"],
                    activity_category=data["activity_category"],
                    activity=data["activity"],
                    content_note=data["content_note"],
                    assistants=list(data["assistants"]),
                    marks=posted_roll,
                )
                messages.success(
                    request,
                    _("Session saved: %(present)s present, %(absent)s absent, %(leave)s on leave.")
                    % {"present": session.present, "absent": session.absent, "leave": session.on_leave},
                )
                if session.status == session.Status.NEEDS_CONFIRMATION:
                    messages.info(request, _("It waits for the administrator's confirmation."))
                return redirect("schools:teacher-today")  # back to the day, with the next session at the top
            messages.error(request, _("Check the fields marked below."))
        except DomainError as exc:
            messages.error(request, exc.message)
    page = selectors.log_page(service_class=service_class, day=day, today=today)  # read only to show the page
    try:  # say so before the teacher marks 45 children, not after
        services.session_logging_role(actor=request.user, service_class=service_class, day=day)
        may_log = True
    except PermissionDenied:
        may_log = False
    if request.method != "POST":
        previous = page.previous  # what the class did last time, offered again: the teacher edits, not retypes
        form = SessionLogForm(
            initial={
                "date": day,
                "start_time": page.slot.start_time if page.slot else None,
                "end_time": page.slot.end_time if page.slot else None,
                "class_hours": page.class_hours,
                "activity_category": previous.activity_category if previous else service_class.activity,
                "activity": previous.activity_id if previous else None,
                "content_note": previous.content_note if previous else "",
            },
            service_class=service_class,
            actor=request.user,
        )
    rows = []
    for member in page.members:
        mark, reason = posted_roll.get(member.student_id, (Attendance.Mark.PRESENT, ""))
        rows.append({"member": member, "mark": mark, "reason": reason})
    return render(
        request,
        "schools/sessions/session_log.html",
        {
            "service_class": service_class,
            "page": page,
            "form": form,
            "rows": rows,
            "marks": [(value, label, MARK_COLORS[value]) for value, label in Attendance.Mark.choices],
            "is_today": day == today,
            "may_log": may_log,
            "future": day > today,
        },
    )


# ---------------------------------------------------------------- one session, the review queue


@login_required
def session_detail(request, pk):
    session = get_object_or_404(selectors.session_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "session.view", session)
    return render(
        request,
        "schools/sessions/session_detail.html",
        {
            "session": session,
            "roll": selectors.session_roll(session=session),
            "assistants": selectors.session_assistant_names(session=session),
            "flag": services.flag_message(session.flag),
            "has_today": permissions.can(request.user, "session.log"),
            "can_review": permissions.can(request.user, "session.confirm"),
            "can_confirm": session.status == session.Status.NEEDS_CONFIRMATION
            and permissions.can(request.user, "session.confirm", session),
        },
    )


@login_required
@require_POST
def session_confirm(request, pk):
    session = get_object_or_404(selectors.session_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "session.confirm", session)
    try:
        services.session_confirm(actor=request.user, session=session)
        messages.success(request, _("Session confirmed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    if request.POST.get("next") == "review":
        return redirect("schools:session-review")
    return redirect("schools:session-detail", pk=session.pk)


@login_required
def session_review(request):
    permissions.require(request.user, "session.confirm")
    page = Paginator(selectors.session_review_queue(viewer=request.user), 50).get_page(request.GET.get("page"))
    for session in page:
        session.flag_text = services.flag_message(session.flag)
    return render(request, "schools/sessions/session_review.html", {"page": page})


# ---------------------------------------------------------------- recorded substitutes


@login_required
def substitution_create(request, service_class_pk):
    service_class = get_object_or_404(selectors.service_class_list(viewer=request.user), pk=service_class_pk)
    permissions.require(request.user, "substitution.manage", service_class)
    form = SubstitutionForm(request.POST or None, initial={"date": services.today()}, service_class=service_class)
    if request.method == "POST":
        if form.is_valid():
            try:
                substitution = services.substitution_record(
                    actor=request.user, service_class=service_class, **form.cleaned_data
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("%(name)s stands in for %(class)s on %(date)s.")
                    % {
                        "name": form.cleaned_data["substitute"],
                        "class": service_class.name,
                        "date": substitution.date.isoformat(),
                    },
                )
                return redirect("schools:substitution-create", service_class_pk=service_class.pk)
        else:
            messages.error(request, _("Check the fields marked below."))
    return render(
        request,
        "schools/sessions/session_substitution_form.html",
        {
            "service_class": service_class,
            "form": form,
            "substitutions": selectors.substitution_list(service_class=service_class),
            "log_url": reverse("schools:session-log", args=[service_class.pk]),
        },
    )


urlpatterns = [
    path("today/", teacher_today, name="teacher-today"),
    path("service-classes/<int:service_class_pk>/sessions/new/", session_log, name="session-log"),
    path("service-classes/<int:service_class_pk>/substitutes/new/", substitution_create, name="substitution-create"),
    path("sessions/review/", session_review, name="session-review"),
    path("sessions/<int:pk>/", session_detail, name="session-detail"),
    path("sessions/<int:pk>/confirm/", session_confirm, name="session-confirm"),
]
