"""Late pick-up alerts (R30, issue 11 §3): a child still not handed over some minutes after their session ends.
Raised and repeated by a scheduled job; resolved by a person, with what happened."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from schools.models import School, Session, Student, User
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent

from .handovers import Handover


class LateAlert(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Not yet collected")
        RESOLVED = "resolved", _("Resolved")

    class Resolution(models.TextChoices):
        COLLECTED = "collected", _("Collected late")
        GUARDIAN_REACHED = "reached", _("Guardian reached; the child stays with staff until collected")
        TAKEN_HOME = "taken_home", _("Taken home by a member of staff with the guardian's consent")
        OTHER = "other", _("Other (see note)")

    TRANSITIONS = {"resolve": ({Status.OPEN}, Status.RESOLVED)}
    ACTION_LABELS = {"raise": _("Raised"), "remind": _("Reminder sent"), "resolve": _("Resolved")}
    STATUS_STYLE = {Status.OPEN: "danger", Status.RESOLVED: "success"}

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="late_alerts", verbose_name=_("school"))
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="late_alerts", verbose_name=_("student")
    )
    date = models.DateField(_("date"))
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="late_alerts", verbose_name=_("session")
    )
    holder = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="late_alerts_held", verbose_name=_("held by")
    )  # the adult who held the child when the alert was raised
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    reminders = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    resolution = models.CharField(_("what happened"), max_length=12, choices=Resolution.choices, blank=True)
    resolved_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, null=True, blank=True, related_name="late_alerts")

    class Meta:
        ordering = ["-date", "status", "pk"]
        verbose_name = _("late pick-up alert")
        verbose_name_plural = _("late pick-up alerts")
        constraints = [
            models.UniqueConstraint(fields=["student", "session"], name="safety_latealert_once_per_session"),
        ]

    def __str__(self):
        return f"{self.student} {self.date:%Y-%m-%d}"


class LateAlertEvent(WorkflowEvent):
    alert = models.ForeignKey(LateAlert, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("late pick-up alert event")
        verbose_name_plural = _("late pick-up alert events")
