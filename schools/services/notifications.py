"""The one notification service (issue 11 §4): every app tells people through `notify` and `notify_guardians`.

A notification always lands in the user's inbox; its text-message copy is queued for the Celery task that sends
it through the configured sender (see `schools.tasks`), unless the user has no verified mobile."""

from django.db import IntegrityError, transaction

from ..models import Guardian, Notification, NotificationKind, Student, TextMessage, User


def notify(*, user: User, kind: str, title: str, body: str, url: str = "", key: str = "") -> Notification | None:
    """Put one message in `user`'s inbox (and queue its text message). With `key`, a second call for the same user
    and key does nothing and returns None: a retried job or two racing phones never tell anyone twice."""
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, kind=kind, title=title[:80], body=body[:300], url=url, dedupe_key=key
            )
    except IntegrityError:
        if key and Notification.objects.filter(user=user, dedupe_key=key).exists():
            return None
        raise
    mobile = user.mobile if user.mobile and user.mobile_verified_at else ""
    TextMessage.objects.create(
        notification=notification,
        mobile=mobile,
        status=TextMessage.Status.QUEUED if mobile else TextMessage.Status.SKIPPED,
        error="" if mobile else "no verified mobile",
    )
    return notification


def guardian_users(student: Student) -> list[User]:
    """The registered guardians of a child (those with an account); a guardian without one cannot be told here."""
    return list(User.objects.filter(guardian__in=Guardian.objects.filter(student_links__student=student)).distinct())


def notify_guardians(*, student: Student, kind: str, title: str, body: str, url: str = "", key: str = "") -> int:
    """Tell every registered guardian of `student`; returns how many were told (0 when none has an account)."""
    told = 0
    for user in guardian_users(student):
        if notify(user=user, kind=kind, title=title, body=body, url=url, key=key):
            told += 1
    return told
