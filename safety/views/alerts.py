"""Late pick-up alerts (R30, issue 11 §3): one alert with its history, and its resolution by a person."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiji_afterschool import permissions
from xiji_afterschool.actions import post_action

from ..forms.alerts import ResolveForm
from ..selectors import alerts as selectors
from ..selectors import pickups as pickups_selectors
from ..services import alerts as services


@login_required
def alert_detail(request, pk):
    """The alert, who held the child, what happened and its whole history; the resolve form for those who may."""
    alert = get_object_or_404(selectors.late_alert_list(viewer=request.user), pk=pk)
    permissions.require(request.user, "late_alert.view", alert)
    can_resolve = alert.status == alert.Status.OPEN and permissions.can(request.user, "late_alert.resolve", alert)
    # Whoever must resolve it needs to phone the family and, when someone comes, record the hand-over.
    allowed = pickups_selectors.allowed_today(student_ids=[alert.student_id], date=alert.date)[alert.student_id]
    return render(
        request,
        "safety/alerts/alert_detail.html",
        {
            "alert": alert,
            "events": selectors.late_alert_history(alert=alert),
            "form": ResolveForm() if can_resolve else None,
            "contacts": allowed if can_resolve else None,
            "may_hand_over": can_resolve and permissions.can(request.user, "handover.record", alert.session),
        },
    )


@login_required
@require_POST
def alert_resolve(request, pk):
    """Resolve with what happened (the holder, the duty teacher, the school admin); back to the page it came from."""
    alert = get_object_or_404(selectors.late_alert_list(viewer=request.user), pk=pk)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("safety:alert-detail", args=[alert.pk])
    return post_action(
        request,
        alert,
        action="late_alert.resolve",
        call=lambda data: services.late_alert_resolve(
            actor=request.user, alert=alert, resolution=data["resolution"], note=data["note"]
        ),
        success=_("Recorded: %(child)s.") % {"child": alert.student.name},
        next_url=next_url,
        form_class=ResolveForm,
    )


urlpatterns = [
    path("alerts/<int:pk>/", alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/resolve/", alert_resolve, name="alert-resolve"),
]
