"""The hours record (明细档案, R21): months closed by the administrator, then only signed adjustments."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.models import TimeStampedModel

from .roster import School, User
from .sessions import Session


class HoursMonth(TimeStampedModel):
    """A school's month of the hours record (明细档案, R21), closed by the administrator: then only adjustments."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="hours_months")
    month = models.DateField(_("month"))  # the first day of the month
    closed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-month"]
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        constraints = [
            models.UniqueConstraint(fields=["school", "month"], name="schools_hoursmonth_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="schools_hoursmonth_first_day"),
        ]

    def __str__(self):
        return f"{self.school} {self.month:%Y-%m}"


class HoursAdjustment(TimeStampedModel):
    """A correction to a closed month: never an edit of the sessions, always a signed entry with a reason."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="hours_adjustments")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="hours_adjustments")
    month = models.DateField(_("month"))
    role = models.CharField(
        _("as"), max_length=12, choices=[*Session.TeacherRole.choices, ("assistant", _("Assistant"))]
    )
    class_hours = models.DecimalField(_("class-hours (+/-)"), max_digits=5, decimal_places=1)
    sessions = models.SmallIntegerField(_("sessions (+/-)"), default=0)
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-month", "created_at"]
        verbose_name = _("hours adjustment")
        verbose_name_plural = _("hours adjustments")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="schools_hoursadjustment_has_reason"),
            models.CheckConstraint(
                condition=~Q(class_hours=0) | ~Q(sessions=0), name="schools_hoursadjustment_not_empty"
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.month:%Y-%m} {self.class_hours}"
