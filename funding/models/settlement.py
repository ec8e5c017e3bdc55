"""Year-end settlement (决算): class-hours actually delivered against the money allocated."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, SchoolYear, Stage, User
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent

from .ledger import HALF_FEN, MONEY


class Settlement(TimeStampedModel):
    """Year-end settlement: class-hours delivered (session log) × the rate in force on each day, against the
    money allocated. The difference is a shortfall (the county owes the school) or a surplus (the school owes)."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed by the school")
        CONFIRMED = "confirmed", _("Confirmed by finance")

    class Outcome(models.TextChoices):
        SURPLUS = "surplus", _("Surplus")
        SHORTFALL = "shortfall", _("Shortfall")
        BALANCED = "balanced", _("Balanced")

    TRANSITIONS = {"confirm": ({Status.FILED}, Status.CONFIRMED)}
    ACTION_LABELS = {  # "file" starts it; "refile" (new figures while still filed) does not move it
        "file": _("Filed by the school"),
        "refile": _("Filed again"),
        "confirm": _("Confirmed"),
    }
    STATUS_STYLE = {Status.FILED: "warning", Status.CONFIRMED: "success"}

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="settlements", verbose_name=_("school"))
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="settlements", verbose_name=_("school year")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.FILED, db_index=True)
    delivered_class_hours = models.DecimalField(_("class-hours delivered"), max_digits=10, decimal_places=1)
    delivered_amount = models.DecimalField(_("delivered × rate"), **MONEY)
    allocated_amount = models.DecimalField(_("allocated"), **MONEY)
    difference = models.DecimalField(_("difference"), **MONEY)  # delivered − allocated
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    filed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-school_year__start_date", "school__code"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="funding_settlement_one_per_year"),
            # difference = delivered − allocated. Within half a fen: on PostgreSQL (two-place decimals) that is
            # exact equality; SQLite computes the subtraction in floating point (590.00 − 589.99 ≠ 0.01 there).
            models.CheckConstraint(
                condition=Q(
                    difference__gte=F("delivered_amount") - F("allocated_amount") - HALF_FEN,
                    difference__lte=F("delivered_amount") - F("allocated_amount") + HALF_FEN,
                ),
                name="funding_settlement_difference_adds_up",
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.school_year}"


class SettlementLine(models.Model):
    """Delivered class-hours of one service class at one rate (a rate change mid-year gives two lines)."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    service_class_name = models.CharField(_("service class"), max_length=40)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    sessions = models.PositiveIntegerField(_("sessions"))
    class_hours = models.DecimalField(_("class-hours"), max_digits=10, decimal_places=1)
    rate = models.DecimalField(_("yuan per class per class-hour"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["settlement", "pk"]
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")

    def __str__(self):
        return f"{self.settlement} {self.service_class_name}"


class SettlementEvent(WorkflowEvent):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("settlement event")
        verbose_name_plural = _("settlement events")
