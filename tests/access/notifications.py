"""Access rows of the inbox and the notification settings (issue 11 §4).

Every signed-in person has an inbox and settings (200) and may mark their own messages read (302); a message is
seen only by the person it was sent to: marking someone else's read is 404 for everyone else.
"""

from schools.models import NotificationKind
from schools.services import notifications as services

from ..conftest import ACTORS
from .cases import Case

SIGNED_IN = [a for a in ACTORS if a != "anonymous"]


def _parents_message(world, tmp_path):
    world.notification = services.notify(
        user=world.parent, kind=NotificationKind.GENERAL, title="通知", body="测试", key="access:notification"
    )


MATRIX = {
    "schools:notification-list": Case(ok={a: 200 for a in SIGNED_IN}),
    "schools:notification-settings": Case(ok={a: 200 for a in SIGNED_IN}),
    "schools:notification-read-all": Case(method="post", ok={a: 302 for a in SIGNED_IN}),
    "schools:notification-read": Case(
        method="post", args=lambda w: [w.notification.pk], ok={"parent": 302}, default=404, setup=_parents_message
    ),
}
