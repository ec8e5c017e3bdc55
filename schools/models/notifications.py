"""Notifications (R30, issue 11): one inbox per user for the whole system, and text messages through the one
pluggable sender. Services call `schools.services.notifications.notify(...)`; nothing else writes these rows."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.fields import EncryptedCharField
from xiji_afterschool.models import TimeStampedModel

from .roster import User


class NotificationKind(models.TextChoices):
    """What a notification is about; users choose per kind whether it also comes as a text message."""

    HANDED_OVER = "handed_over", _("Your child was handed over")
    LATE_PICKUP = "late_pickup", _("Late pick-up")
    ABSENT = "absent", _("Absent from the service")
    INCIDENT = "incident", _("Incident involving your child")
    APPLICATION = "application", _("Application")
    AGREEMENT = "agreement", _("Service agreement")
    SAFETY = "safety", _("Safety work")  # staff: hazards due or escalated, drills, duty
    GENERAL = "general", _("General")

    @classmethod
    def urgent(cls) -> set[str]:
        """Sent as a text message even in the user's quiet hours: a child's safety cannot wait until morning."""
        return {cls.LATE_PICKUP, cls.INCIDENT}


class Notification(models.Model):
    """One message in one user's inbox. Never edited except `read_at`."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=80)
    body = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=200, blank=True)
    # The same event never reaches a user twice (a retried job, two phones): one row per user and key.
    dedupe_key = models.CharField(_("key"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""), name="schools_notification_once_per_key"
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="schools_notification_unread")]

    def __str__(self):
        return f"{self.user} · {self.title}"


class TextMessage(TimeStampedModel):
    """The text message (SMS) copy of a notification: queued, sent by a Celery task through the configured sender,
    retried, and its failure shown. `skipped` when the user has no verified mobile or chose the inbox only."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        HELD = "held", _("Held until quiet hours end")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")

    # Why a text was not sent (`error` of a skipped one): stored as these fixed words, shown translated by `note()`.
    NOT_VERIFIED = "mobile not verified"
    NOT_CHOSEN = "inbox only (chosen)"

    notification = models.OneToOneField(Notification, on_delete=models.CASCADE, related_name="text_message")
    mobile = EncryptedCharField(_("mobile number"), kind="mobile", max_length=11, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=200, blank=True)
    send_after = models.DateTimeField(_("send after"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")

    def __str__(self):
        return f"{self.mobile} · {self.get_status_display()}"

    def note(self) -> str:
        """What happened to the text, in the reader's words: shown under the message in the inbox ("" for none)."""
        if self.status == self.Status.SENT:
            return gettext("Also sent as a text message.")
        if self.status == self.Status.HELD and self.send_after:
            return gettext("Text message held until %(time)s (quiet hours).") % {
                "time": timezone.localtime(self.send_after).strftime("%H:%M")
            }
        if self.status == self.Status.FAILED:
            return gettext("Text message failed after %(attempts)s attempts: %(error)s") % {
                "attempts": self.attempts,
                "error": self.error,
            }
        if self.status == self.Status.QUEUED:
            if self.attempts and self.error:
                return gettext("Text message not delivered yet (attempt %(attempts)s failed: %(error)s); retrying.") % {
                    "attempts": self.attempts,
                    "error": self.error,
                }
            return gettext("Text message being sent.")
        if self.status == self.Status.SKIPPED and self.error == self.NOT_VERIFIED:
            return gettext("Text message not sent: mobile number not verified.")
        return ""  # skipped by the person's own choice: nothing to say


class NotificationPreference(TimeStampedModel):
    """A user's choices: which kinds also come as a text message, and quiet hours for the non-urgent ones."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="notification_preference")
    text_kinds = models.JSONField(_("also as a text message"), default=list, blank=True)
    quiet_from = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)
