"""Reads of notifications: one's own inbox (scoped through the access engine) and its unread count."""

import datetime

from django.db.models import QuerySet

from xiji_afterschool import permissions

from ..models import Notification, NotificationPreference, TextMessage, User
from ..rules import notifications as rules


def text_kinds_for(user: User, preference: NotificationPreference | None) -> set[str]:
    """The kinds `user` gets as a text message: their own choice once saved, else the defaults of their roles."""
    if preference is not None:
        return set(preference.text_kinds)
    return rules.default_text_kinds(permissions.roles(user))


def quiet_hours_for(preference: NotificationPreference | None) -> tuple[datetime.time | None, datetime.time | None]:
    """The person's quiet hours (none when they cleared them), or the default 21:30–07:00 until they choose."""
    if preference is not None:
        return preference.quiet_from, preference.quiet_until
    return rules.DEFAULT_QUIET_FROM, rules.DEFAULT_QUIET_UNTIL


def inbox(*, viewer: User) -> QuerySet:
    """The viewer's own notifications, newest first, with their text messages (one query per page)."""
    qs = Notification.objects.select_related("text_message")
    return permissions.scope(viewer, qs, action="notification.view").order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    """Unread notifications of `user`: the top bar's badge. The sign-in backend annotates the request's user with it
    (schools.services.accounts), so a page costs no extra query; otherwise one indexed count."""
    annotated = getattr(user, "unread_notification_count", None)
    if annotated is not None:
        return annotated
    return Notification.objects.filter(user=user, read_at=None).count()


def preference_initial(user: User) -> dict:
    """The settings form's starting values: the person's saved choices, or the defaults they get today."""
    preference = NotificationPreference.objects.filter(user=user).first()
    quiet_from, quiet_until = quiet_hours_for(preference)
    return {
        "text_kinds": sorted(text_kinds_for(user, preference)),
        "quiet_from": quiet_from,
        "quiet_until": quiet_until,
        "saved": preference is not None,
    }


def failed_text_messages(*, viewer: User) -> QuerySet:
    """Text messages that failed after every attempt, to the families and staff of the viewer's school."""
    qs = TextMessage.objects.filter(status=TextMessage.Status.FAILED).select_related("notification__user")
    return permissions.scope(viewer, qs, action="text_message.view_failed").order_by("-updated_at", "-pk")


def text_message_for_resend(*, viewer: User) -> QuerySet:
    return permissions.scope(
        viewer, TextMessage.objects.select_related("notification__user"), action="text_message.resend"
    )
