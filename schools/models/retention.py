"""How long each class of data is kept (issue #14 item 4): one row per data class the bureau may change, and one row
per nightly sweep saying what it deleted or anonymised. The classes, defaults and bounds are `rules/retention.py`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.models import TimeStampedModel

from ..rules import retention as rules


class RetentionSetting(models.Model):
    """How many days one class of data is kept. The defaults are written by migration 0013 with no date (not a
    TimeStampedModel: a default was set by no one at no time); `updated_at` and `updated_by` say the bureau's last
    change."""

    class Key(models.TextChoices):
        EXPORTS = rules.EXPORTS, rules.CLASSES[rules.EXPORTS][0]
        IMPORTS = rules.IMPORTS, rules.CLASSES[rules.IMPORTS][0]
        LETTERS = rules.LETTERS, rules.CLASSES[rules.LETTERS][0]
        APPLICANTS_CLOSED = rules.APPLICANTS_CLOSED, rules.CLASSES[rules.APPLICANTS_CLOSED][0]
        ATTENDANCE = rules.ATTENDANCE, rules.CLASSES[rules.ATTENDANCE][0]
        MONEY = rules.MONEY, rules.CLASSES[rules.MONEY][0]
        AUDIT = rules.AUDIT, rules.CLASSES[rules.AUDIT][0]
        LOGS = rules.LOGS, rules.CLASSES[rules.LOGS][0]
        VERIFICATION_CODES = rules.VERIFICATION_CODES, rules.CLASSES[rules.VERIFICATION_CODES][0]
        MESSAGES = rules.MESSAGES, rules.CLASSES[rules.MESSAGES][0]
        GATE = rules.GATE, rules.CLASSES[rules.GATE][0]
        SAFETY_RECORDS = rules.SAFETY_RECORDS, rules.CLASSES[rules.SAFETY_RECORDS][0]
        INCIDENTS = rules.INCIDENTS, rules.CLASSES[rules.INCIDENTS][0]
        REQUESTS = rules.REQUESTS, rules.CLASSES[rules.REQUESTS][0]

    key = models.CharField(_("data class"), max_length=24, choices=Key.choices, unique=True)
    days = models.PositiveIntegerField(_("kept for (days)"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("last changed"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("retention setting")
        verbose_name_plural = _("retention settings")
        constraints = [
            # The legal minimums hold whatever writes the row (the form and the service check them with words).
            models.CheckConstraint(
                condition=~Q(key__in=[rules.AUDIT, rules.LOGS]) | Q(days__gte=rules.LOG_MINIMUM_DAYS),
                name="schools_retention_logs_minimum",
            ),
            models.CheckConstraint(
                condition=~Q(key__in=[rules.ATTENDANCE, rules.MONEY]) | Q(days__gte=rules.ACCOUNTING_DAYS),
                name="schools_retention_accounts_minimum",
            ),
        ]

    def __str__(self):
        return f"{self.get_key_display()}: {self.days}"


class RetentionRun(TimeStampedModel):
    """One sweep (`services.retention.sweep`): the moment it swept as of, and how many records of each class it
    deleted or anonymised. One run per moment: a second sweep as of the same moment does nothing."""

    ran_at = models.DateTimeField(_("swept as of"), unique=True)
    counts = models.JSONField(_("records deleted or anonymised, per data class"), default=dict)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self):
        return f"{self.ran_at:%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())
