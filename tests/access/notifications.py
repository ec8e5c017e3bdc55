"""Access rows of the inbox and the notification settings (issue 11 §4).

Every signed-in person has an inbox and settings (200) and may mark their own messages read (302); a message is
seen only by the person it was sent to: marking someone else's read is 404 for everyone else. The school
administrator lists the text messages that failed to the school's families and staff and sends one again (a failed
text to a parent of school_a: school_b's administrator and everyone else get 404).
"""

from django.utils import timezone

from schools.models import NotificationKind, TextMessage
from schools.services import notifications as services

from ..conftest import ACTORS
from .cases import Case

SIGNED_IN = [a for a in ACTORS if a != "anonymous"]


def _parents_message(world, tmp_path):
    world.notification = services.notify(
        user=world.parent, kind=NotificationKind.GENERAL, title="通知", body="测试", key="access:notification"
    )


def _failed_text(world, tmp_path):
    world.parent.mobile, world.parent.mobile_verified_at = "13912345678", timezone.now()
    world.parent.save()
    _parents_message(world, tmp_path)
    world.text = TextMessage.objects.get(notification=world.notification)
    TextMessage.objects.filter(pk=world.text.pk).update(status=TextMessage.Status.FAILED, attempts=5, error="down")


MATRIX = {
    "schools:notification-list": Case(ok={a: 200 for a in SIGNED_IN}),
    "schools:notification-settings": Case(ok={a: 200 for a in SIGNED_IN}),
    "schools:notification-read-all": Case(method="post", ok={a: 302 for a in SIGNED_IN}),
    "schools:notification-read": Case(
        method="post", args=lambda w: [w.notification.pk], ok={"parent": 302}, default=404, setup=_parents_message
    ),
    "schools:text-message-failed": Case(ok={"school_admin": 200, "other_school_admin": 200}),
    "schools:text-message-resend": Case(
        method="post", args=lambda w: [w.text.pk], ok={"school_admin": 302}, default=404, setup=_failed_text
    ),
}
