"""Compliance flags at the county (issue #12): the county's review of a flagged session the school has confirmed.

A session whose content note reads like new lessons is stored flagged and waits for the school's administrator
(schools.Session.flag, R12). Once the school has confirmed it, the bureau or an inspector reviews it once: accepted,
or a violation with a note. A review is never changed (on PostgreSQL a trigger refuses UPDATE and DELETE).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import Session, User


class FlagState(models.TextChoices):
    """Where a flagged session stands (derived from the session and its review, never stored)."""

    WAITING_SCHOOL = "waiting_school", _("Waiting for the school")
    WAITING_COUNTY = "waiting_county", _("Waiting for the county")
    ACCEPTED = "accepted", _("Accepted by the county")
    VIOLATION = "violation", _("Violation")


FLAG_STATE_STYLE = {
    FlagState.WAITING_SCHOOL: "warning",
    FlagState.WAITING_COUNTY: "primary",
    FlagState.ACCEPTED: "success",
    FlagState.VIOLATION: "danger",
}


class FlagReview(models.Model):
    """The county's one review of a flagged session: accepted, or a violation with a note. Never edited."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted by the county")
        VIOLATION = "violation", _("Violation")

    OUTCOME_STYLE = {Outcome.ACCEPTED: "success", Outcome.VIOLATION: "danger"}

    # One review per session: a second one (two inspectors at once) is refused by the database.
    session = models.OneToOneField(
        Session, on_delete=models.PROTECT, related_name="flag_review", verbose_name=_("session")
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, db_index=True)
    note = models.TextField(_("note"), blank=True)
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    class Meta:
        ordering = ["-reviewed_at", "-pk"]
        verbose_name = _("flag review")
        verbose_name_plural = _("flag reviews")
        constraints = [
            # A violation says what was wrong: the school is told, and it has to know why.
            models.CheckConstraint(
                condition=Q(outcome="accepted") | ~Q(note=""), name="bureau_flagreview_violation_has_note"
            ),
        ]

    def __str__(self):
        return f"{self.session} {self.outcome}"
