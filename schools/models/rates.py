"""The subsidy standard (R22). Kept in schools, not funding: a school plan's funding estimate needs the rate in force,
and schools never imports funding; the funding app reads the same rows."""

import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.models import TimeStampedModel


class SubsidyRate(TimeStampedModel):
    """R22: yuan per service class per class-hour, in force from a date. A new standard is a new row."""

    amount = models.DecimalField(_("yuan per class per class-hour"), max_digits=8, decimal_places=2)
    effective_from = models.DateField(_("effective from"), unique=True)
    note = models.CharField(_("basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("subsidy rate")
        verbose_name_plural = _("subsidy rates")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="schools_subsidyrate_amount_gt_0")]

    def __str__(self):
        return f"¥{self.amount} / {self.effective_from:%Y-%m-%d}"

    @classmethod
    def in_force(cls, day: datetime.date) -> Decimal | None:
        rate = cls.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
        return rate.amount if rate else None
