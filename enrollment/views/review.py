"""Class review (班级审核) by the class teacher and school approval by the school administrator (R14).

Each queue lists this school year's applications the user may review; each application can be approved or
returned to the parent with a reason, and a page of them approved with one POST (village connections are slow).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from schools.models import ActivityCategory
from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import permissions
from xiji_afterschool.actions import post_action
from xiji_afterschool.errors import DomainError

from ..forms.review import ReviewForm
from ..models import Application
from ..selectors import applications as applications_selectors
from ..selectors import coverage as coverage_selectors
from ..services import review as services

PAGE_SIZE = 100


# The two review steps: who acts, on which status, through which services, and where their pages are.
LEVELS = {
    "class": {
        "action": "application.class_review",
        "status": Application.Status.SUBMITTED,
        "approve": services.application_class_approve,
        "return": services.application_class_return,
        "approve_many": services.application_class_approve_many,
        "queue": "enrollment:review-class",
        "approve_url": "enrollment:application-class-approve",
        "return_url": "enrollment:application-class-return",
        "bulk_url": "enrollment:review-class-bulk-approve",
        "title": gettext_lazy("Class review (班级审核)"),
    },
    "school": {
        "action": "application.school_approve",
        "status": Application.Status.CLASS_APPROVED,
        "approve": services.application_school_approve,
        "return": services.application_school_return,
        "approve_many": services.application_school_approve_many,
        "queue": "enrollment:review-school",
        "approve_url": "enrollment:application-school-approve",
        "return_url": "enrollment:application-school-return",
        "bulk_url": "enrollment:review-school-bulk-approve",
        "title": gettext_lazy("School approval"),
    },
}


def _reviewable(user, level: str, school_year):
    """This year's applications the user may review at this level, whatever their status (scoped per action,
    so a teacher who is also a parent never reviews their own child through the parent role)."""
    qs = applications_selectors.application_list(viewer=user, school_year=school_year)
    return coverage_selectors.scoped_for(user, qs, LEVELS[level]["action"])


def _back(level: str, request):
    url = reverse(LEVELS[level]["queue"])
    return f"{url}?show=all" if request.POST.get("show") == "all" else url


def _queue(request, level: str):
    conf = LEVELS[level]
    permissions.require(request.user, conf["action"])
    school_year = calendar_selectors.current_school_year()
    show_all = request.GET.get("show") == "all"
    context = {"level": level, "conf": conf, "school_year": school_year, "show_all": show_all, "page": None}
    if school_year is not None:
        qs = _reviewable(request.user, level, school_year)
        context["to_review"] = qs.filter(status=conf["status"]).count()
        if not show_all:
            qs = qs.filter(status=conf["status"])
        qs = qs.order_by("student__admin_class__grade", "student__admin_class__number", "submitted_at", "pk")
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        for application in page.object_list:
            application.preference_labels = [
                ActivityCategory(v).label for v in application.preferences if v in ActivityCategory.values
            ]
            application.can_review = application.status == conf["status"]
        context["page"] = page
        if level == "school":  # late applications wait for the school before any review: accept or wait-list
            late = coverage_selectors.scoped_for(
                request.user,
                applications_selectors.application_list(viewer=request.user, school_year=school_year),
                "application.late_decide",
            )
            context["late"] = list(
                late.filter(status__in=[Application.Status.LATE, Application.Status.LATE_WAITING]).order_by(
                    "status", "submitted_at", "pk"
                )
            )
    context["form"] = ReviewForm()
    return render(request, "enrollment/review/review_queue.html", context)


@login_required
def review_class(request):
    """The class teacher's queue: their class's applications waiting for class review (or all, with ?show=all)."""
    return _queue(request, "class")


@login_required
def review_school(request):
    """The school administrator's queue: class-approved applications of their school waiting for approval."""
    return _queue(request, "school")


def _decide(request, pk, level: str, decision: str):
    conf = LEVELS[level]
    application = get_object_or_404(applications_selectors.application_list(viewer=request.user), pk=pk)
    done = _("Approved: %(child)s.") if decision == "approve" else _("Returned to the parent: %(child)s.")
    return post_action(
        request,
        application,
        action=conf["action"],
        form_class=ReviewForm,
        call=lambda data: conf[decision](actor=request.user, application=application, note=data["note"]),
        success=done % {"child": application.student.name},
        next_url=_back(level, request),
        invalid=_("The comment is too long."),
    )


@login_required
@require_POST
def application_class_approve(request, pk):
    return _decide(request, pk, "class", "approve")


@login_required
@require_POST
def application_class_return(request, pk):
    return _decide(request, pk, "class", "return")


@login_required
@require_POST
def application_school_approve(request, pk):
    return _decide(request, pk, "school", "approve")


@login_required
@require_POST
def application_school_return(request, pk):
    return _decide(request, pk, "school", "return")


def _late(request, pk, decision: str):
    application = get_object_or_404(applications_selectors.application_list(viewer=request.user), pk=pk)
    call = services.application_late_accept if decision == "accept" else services.application_late_wait
    done = (
        _("Late application accepted: %(child)s goes to class review.")
        if decision == "accept"
        else _("Late application put on the waiting list: %(child)s.")
    )
    return post_action(
        request,
        application,
        action="application.late_decide",
        form_class=ReviewForm,
        call=lambda data: call(actor=request.user, application=application, note=data["note"]),
        success=done % {"child": application.student.name},
        next_url=_back("school", request),
        invalid=_("The comment is too long."),
    )


@login_required
@require_POST
def application_late_accept(request, pk):
    """The school accepts a late application (逾期申请 / 插班申请): it goes on to class review."""
    return _late(request, pk, "accept")


@login_required
@require_POST
def application_late_wait(request, pk):
    """The school puts a late application on its waiting list (候补)."""
    return _late(request, pk, "wait")


def _bulk(request, level: str):
    conf = LEVELS[level]
    permissions.require(request.user, conf["action"])
    raw = request.POST.getlist("application")
    ids = {int(v) for v in raw if v.isdigit()}
    if len(ids) != len(set(raw)):
        messages.error(request, _("The selection could not be read. Reload the page and try again."))
        return redirect(_back(level, request))
    school_year = calendar_selectors.current_school_year()
    if school_year is None:
        messages.error(request, _("The bureau has not set up the school year yet."))
        return redirect(_back(level, request))
    applications = list(_reviewable(request.user, level, school_year).filter(pk__in=ids))
    if len(applications) != len(ids):
        raise Http404(_("Some of the selected applications are not in your queue."))
    try:
        count = conf["approve_many"](actor=request.user, applications=applications)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext("%(count)d application approved.", "%(count)d applications approved.", count) % {"count": count},
        )
    return redirect(_back(level, request))


@login_required
@require_POST
def review_class_bulk_approve(request):
    """Class-approve the ticked applications together: all or none."""
    return _bulk(request, "class")


@login_required
@require_POST
def review_school_bulk_approve(request):
    """School-approve the ticked applications together: all or none."""
    return _bulk(request, "school")


urlpatterns = [
    path("review/class/", review_class, name="review-class"),
    path("review/class/approve/", review_class_bulk_approve, name="review-class-bulk-approve"),
    path("review/school/", review_school, name="review-school"),
    path("review/school/approve/", review_school_bulk_approve, name="review-school-bulk-approve"),
    path("applications/<int:pk>/class-approve/", application_class_approve, name="application-class-approve"),
    path("applications/<int:pk>/class-return/", application_class_return, name="application-class-return"),
    path("applications/<int:pk>/school-approve/", application_school_approve, name="application-school-approve"),
    path("applications/<int:pk>/school-return/", application_school_return, name="application-school-return"),
    path("applications/<int:pk>/late-accept/", application_late_accept, name="application-late-accept"),
    path("applications/<int:pk>/late-wait/", application_late_wait, name="application-late-wait"),
]
