"""Venue checks (活动场所安全检查, R29): the school's venues and the checks due this week (本周待检), a venue's page with
its checks, adding and changing venues (school admin), the one-screen checklist on the phone, a check's record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from schools.models import School
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..forms.venues import CheckForm, VenueForm
from ..models import CheckCategory, Venue
from ..selectors import venues as selectors
from ..services import venues as services


@login_required
def venue_list(request):
    """The checks due this week (for those who do checks) and the venues the viewer may see."""
    user = request.user
    permissions.require(user, "venue.view")
    may_check = permissions.can(user, "venue_check.record")
    due = selectors.due_checks(viewer=user) if may_check else []
    page = Paginator(selectors.venue_list(viewer=user), 50).get_page(request.GET.get("page"))
    context = {
        "due": due,
        "may_check": may_check,
        "page": page,
        "schools": selectors.managed_schools(viewer=user),
    }
    return render(request, "safety/venues/venue_list.html", context)


def _venue(request, pk) -> Venue:
    venue = get_object_or_404(selectors.venue_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "venue.view", venue)
    return venue


@login_required
def venue_detail(request, pk):
    venue = _venue(request, pk)
    user = request.user
    due = [d for d in selectors.due_checks(viewer=user) if d.schedule.venue_id == venue.pk] if venue.active else []
    context = {
        "venue": venue,
        "due": due,
        "checks": selectors.check_list(viewer=user, venue=venue)[:50],
        "may_check": venue.active and permissions.can(user, "venue_check.record", venue),
        "may_manage": permissions.can(user, "venue.manage", venue),
    }
    return render(request, "safety/venues/venue_detail.html", context)


def _schedule_initial(venue: Venue) -> dict:
    return {f"every_{s.category}": s.every_days for s in venue.schedules.all()}


@login_required
def venue_create(request, school_pk):
    school = get_object_or_404(permissions.scope(request.user, School.objects.all(), action="venue.view"), pk=school_pk)
    permissions.require(request.user, "venue.manage", school)
    form = VenueForm(request.POST or None, partners=selectors.partners_of(school))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            venue = services.venue_create(
                actor=request.user,
                school=school,
                kind=data["kind"],
                name=data["name"],
                partner=data["partner"],
                schedule=form.schedule(),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The venue has been added with its checks."))
            return redirect("safety:venue-detail", pk=venue.pk)
    return render(request, "safety/venues/venue_form.html", {"form": form, "school": school})


@login_required
def venue_edit(request, pk):
    venue = _venue(request, pk)
    permissions.require(request.user, "venue.manage", venue)
    initial = {"name": venue.name, "partner": venue.partner, "active": venue.active, **_schedule_initial(venue)}
    form = VenueForm(request.POST or None, partners=selectors.partners_of(venue.school), editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.venue_update(
                actor=request.user,
                venue=venue,
                name=data["name"],
                partner=data["partner"],
                schedule=form.schedule() or {},
                active=data["active"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The venue has been saved."))
            return redirect("safety:venue-detail", pk=venue.pk)
    return render(request, "safety/venues/venue_form.html", {"form": form, "school": venue.school, "venue": venue})


@login_required
def check_create(request, pk, category):
    """The checklist on one screen: each item 合格 / 不合格 (+ note); saved as one record, failed items open hazards."""
    venue = _venue(request, pk)
    permissions.require(request.user, "venue_check.record", venue)
    if category not in CheckCategory.values or not venue.schedules.filter(category=category).exists():
        messages.error(request, _("This kind of check does not apply to this venue."))
        return redirect("safety:venue-detail", pk=venue.pk)
    form = CheckForm(request.POST or None, category=category)
    if request.method == "POST":
        if form.is_valid():
            try:
                check = services.check_record(
                    actor=request.user,
                    venue=venue,
                    category=category,
                    results=form.results(),
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                if check.failed_count:
                    messages.warning(
                        request,
                        _("Check saved. %(n)s failed item(s) opened hazards for the school admin.")
                        % {"n": check.failed_count},
                    )
                else:
                    messages.success(request, _("Check saved: every item passed."))
                return redirect("safety:check-detail", pk=check.pk)
        else:
            messages.error(request, _("Mark every item; say what is wrong with each failed one."))
    context = {"venue": venue, "category": CheckCategory(category), "form": form}
    return render(request, "safety/venues/check_form.html", context)


@login_required
def check_detail(request, pk):
    check = get_object_or_404(selectors.check_detail(viewer=request.user), pk=pk)
    permissions.require(request.user, "venue.view", check.venue)
    return render(request, "safety/venues/check_detail.html", {"check": check, "items": check.items.all()})


urlpatterns = [
    path("venues/", venue_list, name="venue-list"),
    path("venues/new/<int:school_pk>/", venue_create, name="venue-create"),
    path("venues/<int:pk>/", venue_detail, name="venue-detail"),
    path("venues/<int:pk>/edit/", venue_edit, name="venue-edit"),
    path("venues/<int:pk>/check/<str:category>/", check_create, name="check-create"),
    path("checks/<int:pk>/", check_detail, name="check-detail"),
]
