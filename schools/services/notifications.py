"""The one notification service (issue 11 §4): every app tells people through `notify` and `notify_guardians`.

A notification always lands in the user's inbox. Its text-message copy (TextMessage) is decided here:
- SKIPPED when the person does not want this kind as a text (NotificationPreference, or the defaults of
  schools.rules.notifications) or has no verified mobile (User.mobile_verified_at) — the inbox says why;
- HELD until the end of the person's quiet hours for a non-urgent kind (NotificationKind.urgent() is sent anyway);
  the periodic `release_held_text_messages_task` sends it then;
- otherwise QUEUED, and `schools.tasks.send_text_message_task` is enqueued when the caller's transaction commits.
`text_message_send` is what that task runs: one attempt through the one sender (xiji_afterschool.sms), claimed by a
compare-and-set so a redelivered task never sends twice; failures are retried with backoff up to 5 attempts.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiji_afterschool import permissions, sms
from xiji_afterschool.errors import DomainError

from ..models import Guardian, Notification, NotificationKind, NotificationPreference, Student, TextMessage, User
from ..rules import notifications as rules
from ..selectors import notifications as selectors

log = logging.getLogger("xiji.notifications")


def _text_of(notification: Notification) -> str:
    return f"{notification.title}：{notification.body}" if notification.body else notification.title


def _enqueue(text_message_id: int) -> None:
    """Queue the sending task once the caller's transaction commits (robust: a broker that is down is logged, and
    the periodic job queues the text again after STUCK_AFTER; the inbox row is already saved)."""
    from .. import tasks  # the tasks module imports this one

    transaction.on_commit(lambda: tasks.send_text_message_task.delay(text_message_id), robust=True)


# ---------------------------------------------------------------- telling people


@transaction.atomic
def notify(*, user: User, kind: str, title: str, body: str, url: str = "", key: str = "") -> Notification | None:
    """Put one message in `user`'s inbox (and decide its text message). With `key`, a second call for the same user
    and key does nothing and returns None: a retried job or two racing phones never tell anyone twice."""
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, kind=kind, title=title[:80], body=body[:300], url=url[:200], dedupe_key=key[:80]
            )
    except IntegrityError:
        if key and Notification.objects.filter(user=user, dedupe_key=key[:80]).exists():
            return None
        raise
    preference = NotificationPreference.objects.filter(user=user).first()
    mobile = user.mobile if user.mobile and user.mobile_verified_at else ""
    text = TextMessage(notification=notification, mobile=mobile)
    if kind not in selectors.text_kinds_for(user, preference):
        text.status, text.error = TextMessage.Status.SKIPPED, TextMessage.NOT_CHOSEN
    elif not mobile:
        text.status, text.error = TextMessage.Status.SKIPPED, TextMessage.NOT_VERIFIED
    else:
        held_until = None
        if kind not in NotificationKind.urgent():
            held_until = rules.quiet_hours_end(timezone.localtime(), *selectors.quiet_hours_for(preference))
        if held_until:
            text.status, text.send_after = TextMessage.Status.HELD, held_until
        else:
            text.status = TextMessage.Status.QUEUED
    text.save()
    if text.status == TextMessage.Status.QUEUED:
        _enqueue(text.pk)
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


# ---------------------------------------------------------------- sending (the Celery tasks call these)


def text_message_send(*, text_message_id: int) -> TextMessage | None:
    """One attempt to send a queued (or held and due) text. Safe to run twice, or on two workers at once: the
    attempt is claimed by a compare-and-set on (status, attempts, send_after) that also takes a short lease
    (send_after = now + SENDING_LEASE), so a redelivered task after SENT, or one arriving while another worker is
    talking to the provider, does nothing.

    Returns the message after the attempt (status SENT; QUEUED with the error when another attempt is left;
    FAILED after MAX_ATTEMPTS), or None when there was nothing to do.
    """
    now = timezone.now()
    message = TextMessage.objects.select_related("notification").filter(pk=text_message_id).first()
    if message is None:
        return None
    not_before = message.send_after is None or message.send_after <= now
    due = message.status == TextMessage.Status.QUEUED or (
        message.status == TextMessage.Status.HELD and message.send_after is not None
    )
    if not due or not not_before or not message.mobile or message.attempts >= rules.MAX_ATTEMPTS:
        return None
    attempt = message.attempts + 1
    claimed = TextMessage.objects.filter(
        pk=message.pk, status=message.status, attempts=message.attempts, send_after=message.send_after
    ).update(status=TextMessage.Status.QUEUED, attempts=attempt, send_after=now + rules.SENDING_LEASE, updated_at=now)
    if not claimed:
        return None
    mine = TextMessage.objects.filter(pk=message.pk, status=TextMessage.Status.QUEUED, attempts=attempt)
    try:
        reference = sms.send(message.mobile, _text_of(message.notification))
    except sms.SmsError as exc:
        error = (str(exc) or exc.__class__.__name__)[:200]
        final = rules.retry_countdown(attempt) is None
        mine.update(
            status=TextMessage.Status.FAILED if final else TextMessage.Status.QUEUED,
            error=error,
            send_after=None,
            updated_at=timezone.now(),
        )
        log.warning("text message %s attempt %s failed: %s", message.pk, attempt, error)
    else:
        mine.update(
            status=TextMessage.Status.SENT,
            sent_at=timezone.now(),
            provider_reference=str(reference)[:64],
            error="",
            send_after=None,
            updated_at=timezone.now(),
        )
    return TextMessage.objects.get(pk=message.pk)


def text_messages_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Texts to send now: held ones whose quiet hours are over, and queued ones untouched for STUCK_AFTER (their
    task was lost). Held ones become queued here, so the inbox no longer says "held"."""
    now = now or timezone.now()
    held = list(
        TextMessage.objects.filter(status=TextMessage.Status.HELD, send_after__lte=now).values_list("pk", flat=True)
    )
    TextMessage.objects.filter(pk__in=held, status=TextMessage.Status.HELD).update(
        status=TextMessage.Status.QUEUED, updated_at=now
    )
    stuck = TextMessage.objects.filter(
        status=TextMessage.Status.QUEUED, updated_at__lt=now - rules.STUCK_AFTER, attempts__lt=rules.MAX_ATTEMPTS
    ).exclude(pk__in=held)
    return held + list(stuck.values_list("pk", flat=True))


@transaction.atomic
def text_message_resend(*, actor: User, text_message: TextMessage) -> TextMessage:
    """The school sends a failed text again (the provider is back): a fresh round of attempts to the person's
    verified mobile. Raises PermissionDenied; DomainError when it is not failed (any more) or there is no verified
    mobile now."""
    permissions.require(actor, "text_message.resend", text_message)
    user = text_message.notification.user
    if not (user.mobile and user.mobile_verified_at):
        raise DomainError(
            _("%(name)s has no verified mobile number now; the message stays in their inbox.") % {"name": user}
        )
    reset = TextMessage.objects.filter(pk=text_message.pk, status=TextMessage.Status.FAILED).update(
        status=TextMessage.Status.QUEUED, attempts=0, error="", send_after=None, mobile=user.mobile,
        updated_at=timezone.now(),
    )  # fmt: skip
    if not reset:
        raise DomainError(_("This text message is no longer failed; reload the page."))
    _enqueue(text_message.pk)
    text_message.refresh_from_db()
    return text_message


# ---------------------------------------------------------------- the inbox and the settings


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (again: nothing changes). Raises PermissionDenied."""
    permissions.require(actor, "notification.view", notification)
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    permissions.require(actor, "notification.view")
    mine = permissions.scope(actor, Notification.objects.all(), action="notification.view")
    return mine.filter(read_at=None).update(read_at=timezone.now())


@transaction.atomic
def notification_preference_save(
    *, actor: User, text_kinds: list[str], quiet_from: datetime.time | None, quiet_until: datetime.time | None
) -> NotificationPreference:
    """Save the actor's own choices: which kinds also come as a text, and quiet hours (both times, or neither).
    Raises PermissionDenied; DomainError for an unknown kind or half of the quiet hours."""
    permissions.require(actor, "notification.preferences")
    unknown = set(text_kinds) - set(NotificationKind.values)
    if unknown:
        raise DomainError(_("Choose only the kinds listed."))
    if (quiet_from is None) != (quiet_until is None):
        raise DomainError(_("Give both ends of the quiet hours, or neither."))
    if quiet_from is not None and quiet_from == quiet_until:
        raise DomainError(_("Quiet hours must start and end at different times."))
    preference, _created = NotificationPreference.objects.update_or_create(
        user=actor,
        defaults={
            "text_kinds": [k for k in NotificationKind.values if k in set(text_kinds)],
            "quiet_from": quiet_from,
            "quiet_until": quiet_until,
        },
    )
    return preference
