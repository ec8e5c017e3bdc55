"""Hazards (排查整治隐患, R31): the list (open first, by deadline, overdue in red; escalated first for the county), a
direct report, the page with its history and the forms of the steps the viewer may take, the steps themselves
(POST only), and the rectification photos served through the policy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiji_afterschool import auditing, permissions, uploads
from xiji_afterschool.actions import post_action
from xiji_afterschool.errors import DomainError, form_errors
from xiji_afterschool.forms import CommentForm

from ..forms.hazards import AssignForm, HazardFilterForm, RectifyForm, ReferForm, ReplyForm, ReportForm, ReturnForm
from ..models import Hazard, RectificationPhoto
from ..selectors import hazards as selectors
from ..selectors import venues as venue_selectors
from ..services import hazards as services


@login_required
def hazard_list(request):
    user = request.user
    permissions.require(user, "hazard.view")
    form = HazardFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(selectors.hazard_list(viewer=user, status=status), 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "summary": selectors.hazard_summary(viewer=user),
        "may_report": permissions.can(user, "hazard.report"),
    }
    return render(request, "safety/hazards/hazard_list.html", context)


@login_required
def hazard_report(request):
    """Report a hazard at the reporter's school (the first school where they may report)."""
    user = request.user
    permissions.require(user, "hazard.report")
    school = permissions.memberships_for(user, "hazard.report")[0].school
    venues = venue_selectors.venue_list(viewer=user, school=school, action="hazard.report").filter(active=True)
    initial = {}
    venue_pk = request.GET.get("venue", "")
    if venue_pk.isdigit():
        initial["venue"] = venues.filter(pk=venue_pk).first()
    form = ReportForm(request.POST or None, venues=venues, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                hazard = services.hazard_report(
                    actor=user,
                    school=school,
                    category=data["category"],
                    description=data["description"],
                    venue=data["venue"],
                    place=data["place"],
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The hazard has been reported to the school admin."))
                return redirect("safety:hazard-detail", pk=hazard.pk)
        else:
            messages.error(request, form_errors(form))
    return render(request, "safety/hazards/hazard_report.html", {"form": form, "school": school})


def _fetch(request, pk) -> Hazard:
    hazard = get_object_or_404(selectors.hazard_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "hazard.view", hazard)
    return hazard


@login_required
def hazard_detail(request, pk):
    hazard = _fetch(request, pk)
    user = request.user
    status = Hazard.Status
    may_manage = permissions.can(user, "hazard.manage", hazard)
    context = {
        "hazard": hazard,
        "events": hazard.events.all(),
        "rectifications": hazard.rectifications.all(),
        "can_assign": hazard.status == status.OPEN and may_manage,
        "can_rectify": hazard.status == status.ASSIGNED and permissions.can(user, "hazard.rectify", hazard),
        "can_verify": hazard.status == status.RECTIFIED and may_manage,
        "can_refer": hazard.status in (status.OPEN, status.ASSIGNED) and may_manage,
        "can_reply": permissions.can(user, "hazard.record_reply", hazard),
        "assign_form": AssignForm(staff=services.school_staff(hazard.school)) if may_manage else None,
        "rectify_form": RectifyForm(),
        "return_form": ReturnForm(),
        "refer_form": ReferForm(),
        "reply_form": ReplyForm(),
        "close_form": CommentForm(),
    }
    return render(request, "safety/hazards/hazard_detail.html", context)


def _step(request, pk, *, action: str, form_class, call, success: str, form_kwargs=None):
    hazard = _fetch(request, pk)
    kwargs = form_kwargs(hazard) if form_kwargs else {}
    return post_action(
        request,
        hazard,
        action=action,
        form_class=lambda data: form_class(data, **kwargs),
        call=lambda data: call(hazard, data),
        success=success,
        next_url=reverse("safety:hazard-detail", kwargs={"pk": hazard.pk}),
    )


@login_required
@require_POST
def hazard_assign(request, pk):
    return _step(
        request,
        pk,
        action="hazard.manage",
        form_class=AssignForm,
        form_kwargs=lambda hazard: {"staff": services.school_staff(hazard.school)},
        call=lambda hazard, data: services.hazard_assign(
            actor=request.user,
            hazard=hazard,
            responsible=data["responsible"],
            deadline=data["deadline"],
            note=data["note"],
        ),
        success=_("The hazard has been assigned; the responsible person has been told."),
    )


@login_required
@require_POST
def hazard_rectify(request, pk):
    hazard = _fetch(request, pk)
    permissions.require(request.user, "hazard.rectify", hazard)
    form = RectifyForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            services.hazard_rectify(
                actor=request.user,
                hazard=hazard,
                note=form.cleaned_data["note"],
                photos=request.FILES.getlist("photos"),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The rectification has been recorded for the school admin to verify."))
    return redirect("safety:hazard-detail", pk=hazard.pk)


@login_required
@require_POST
def hazard_close(request, pk):
    return _step(
        request,
        pk,
        action="hazard.manage",
        form_class=CommentForm,
        call=lambda hazard, data: services.hazard_close(actor=request.user, hazard=hazard, note=data["note"]),
        success=_("The rectification has been verified and the hazard closed."),
    )


@login_required
@require_POST
def hazard_return(request, pk):
    return _step(
        request,
        pk,
        action="hazard.manage",
        form_class=ReturnForm,
        call=lambda hazard, data: services.hazard_return(
            actor=request.user, hazard=hazard, note=data["note"], deadline=data["deadline"]
        ),
        success=_("The hazard has been returned to the responsible person."),
    )


@login_required
@require_POST
def hazard_refer(request, pk):
    return _step(
        request,
        pk,
        action="hazard.manage",
        form_class=ReferForm,
        call=lambda hazard, data: services.hazard_refer(
            actor=request.user, hazard=hazard, to=data["to"], reference=data["reference"], note=data["note"]
        ),
        success=_("The hazard has been referred."),
    )


@login_required
@require_POST
def hazard_reply(request, pk):
    return _step(
        request,
        pk,
        action="hazard.record_reply",
        form_class=ReplyForm,
        call=lambda hazard, data: services.hazard_record_reply(
            actor=request.user, hazard=hazard, reply=data["reply"], close=data["outcome"] == "close"
        ),
        success=_("The reply has been recorded."),
    )


@login_required
@auditing.download("hazard_photo", model="safety.RectificationPhoto")
def hazard_photo(request, pk):
    """A rectification photo, to whoever may see its hazard (never served from MEDIA_URL)."""
    hazards = selectors.hazard_list(viewer=request.user)
    photo = get_object_or_404(
        RectificationPhoto.objects.select_related("rectification__hazard"),
        pk=pk,
        rectification__hazard__in=hazards.values("pk"),
    )
    permissions.require(request.user, "hazard.view", photo.rectification.hazard)
    return uploads.photo_response(photo.file, content_type=photo.content_type)


urlpatterns = [
    path("hazards/", hazard_list, name="hazard-list"),
    path("hazards/report/", hazard_report, name="hazard-report"),
    path("hazards/<int:pk>/", hazard_detail, name="hazard-detail"),
    path("hazards/<int:pk>/assign/", hazard_assign, name="hazard-assign"),
    path("hazards/<int:pk>/rectify/", hazard_rectify, name="hazard-rectify"),
    path("hazards/<int:pk>/close/", hazard_close, name="hazard-close"),
    path("hazards/<int:pk>/return/", hazard_return, name="hazard-return"),
    path("hazards/<int:pk>/refer/", hazard_refer, name="hazard-refer"),
    path("hazards/<int:pk>/reply/", hazard_reply, name="hazard-reply"),
    path("hazards/photos/<int:pk>/", hazard_photo, name="hazard-photo"),
]
