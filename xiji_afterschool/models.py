"""Abstract bases only: the project package has no concrete models."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class WorkflowEvent(models.Model):
    """One step in a record's life, never edited: written only by `xiji_afterschool.workflow` (start, transition, log).

    A concrete event model adds the foreign key to its record with `related_name="events"` and inherits Meta
    (`class Meta(WorkflowEvent.Meta)`). The record's model keeps the words: `Status` labels the statuses,
    `ACTION_LABELS` the actions. Each step is done either by a person (`actor`) or by the system on its own, such
    as a scheduled job (`by_system`, no actor) — never both, never neither.
    """

    GENERIC_ACTION_LABELS = {"create": _("Created")}

    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(_("status before"), max_length=16, blank=True)  # "" for the creation event
    to_status = models.CharField(_("status after"), max_length=16)
    note = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acted by"),
    )
    by_system = models.BooleanField(_("done by the system"), default=False)
    created_at = models.DateTimeField(_("acted at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]
        constraints = [
            # Who did it is always known: a person, or the system on its own (a scheduled job), never both.
            models.CheckConstraint(
                condition=Q(actor__isnull=False, by_system=False) | Q(actor__isnull=True, by_system=True),
                name="%(app_label)s_%(class)s_person_or_system",
            ),
        ]

    def __str__(self):
        return f"{self.record} {self.action}"

    @classmethod
    def record_field(cls) -> models.ForeignKey:
        """The foreign key to the record whose history this is (the one with related_name="events")."""
        return next(f for f in cls._meta.fields if f.is_relation and f.remote_field.related_name == "events")

    @property
    def record(self):
        return getattr(self, self.record_field().name)

    @property
    def action_label(self) -> str:
        """What the history shows for this step, in the reader's language (the record model's ACTION_LABELS)."""
        labels = getattr(self.record_field().related_model, "ACTION_LABELS", {})
        return str(labels.get(self.action) or self.GENERIC_ACTION_LABELS.get(self.action) or self.action)

    def _status_label(self, value: str) -> str:
        statuses = dict(self.record_field().related_model.Status.choices)
        return str(statuses.get(value, value))

    @property
    def from_status_label(self) -> str:
        return self._status_label(self.from_status)

    @property
    def to_status_label(self) -> str:
        return self._status_label(self.to_status)

    @property
    def who(self) -> str:
        """The person who did it, or the system."""
        return str(self.actor) if self.actor_id else str(_("The system"))
