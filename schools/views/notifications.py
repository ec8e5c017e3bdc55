"""The inbox (every signed-in person: /notifications/), marking read, and the notification settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError, form_errors

from ..forms.notifications import PreferenceForm
from ..models import NotificationKind
from ..rules import roster as roster_rules
from ..selectors import notifications as selectors
from ..services import notifications as services


@login_required
def notification_list(request):
    permissions.require(request.user, "notification.view")
    page = Paginator(selectors.inbox(viewer=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "schools/notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one read; with next=open, go on to the page it links to."""
    notification = get_object_or_404(selectors.inbox(viewer=request.user), pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    target = notification.url
    if request.POST.get("next") == "open" and target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("schools:notification-list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All messages are marked read."))
    return redirect("schools:notification-list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    permissions.require(request.user, "notification.preferences")
    initial = selectors.preference_initial(request.user)
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.notification_preference_save(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("schools:notification-settings")
        else:
            messages.error(request, form_errors(form))
    context = {
        "form": form,
        "saved": initial["saved"],
        "urgent": [label for value, label in NotificationKind.choices if value in NotificationKind.urgent()],
        "mobile": roster_rules.mask_mobile(request.user.mobile or ""),
        "verified": bool(request.user.mobile and request.user.mobile_verified_at),
    }
    return render(request, "schools/notifications/notification_settings.html", context)


@login_required
def text_message_failed(request):
    """The school administrator's list of text messages that failed, with a button to send one again."""
    permissions.require(request.user, "text_message.view_failed")
    page = Paginator(selectors.failed_text_messages(viewer=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "schools/notifications/text_message_failed.html", {"page": page})


@login_required
@require_POST
def text_message_resend(request, pk):
    text_message = get_object_or_404(selectors.text_message_for_resend(viewer=request.user), pk=pk)
    permissions.require(request.user, "text_message.resend", text_message)
    try:
        services.text_message_resend(actor=request.user, text_message=text_message)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The text message is being sent again."))
    return redirect("schools:text-message-failed")


urlpatterns = [
    path("notifications/", notification_list, name="notification-list"),
    path("notifications/<int:pk>/read/", notification_read, name="notification-read"),
    path("notifications/read-all/", notification_read_all, name="notification-read-all"),
    path("notifications/settings/", notification_settings, name="notification-settings"),
    path("notifications/failed-texts/", text_message_failed, name="text-message-failed"),
    path("notifications/texts/<int:pk>/resend/", text_message_resend, name="text-message-resend"),
]
