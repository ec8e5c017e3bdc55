"""The county calendar: settings, school years, semesters, days without service."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.models import TimeStampedModel

from .roster import Stage


class ServiceMode(models.TextChoices):
    """R4: "5+2", 5 days a week, 40 weeks; R5: "6+2", 6 days a week, 42 weeks (senior high)."""

    FIVE_PLUS_TWO = "5+2", _("5+2: five days a week, two hours a day")
    SIX_PLUS_TWO = "6+2", _("6+2: six days a week, two hours a day")

    @classmethod
    def for_stage(cls, stage: str) -> "ServiceMode":
        return cls.SIX_PLUS_TWO if stage == Stage.SENIOR else cls.FIVE_PLUS_TWO

    @property
    def weekdays(self) -> tuple[int, ...]:
        """ISO weekdays served: Monday=1 … Saturday=6."""
        return (1, 2, 3, 4, 5, 6) if self == ServiceMode.SIX_PLUS_TWO else (1, 2, 3, 4, 5)

    @property
    def weeks(self) -> int:
        return 42 if self == ServiceMode.SIX_PLUS_TWO else 40


class CountySettings(TimeStampedModel):
    """County-wide settings; exactly one row (pk=1), changed by the bureau."""

    class_hours_per_day = models.PositiveSmallIntegerField(
        _("class-hours per service day"),
        default=2,
        help_text=_("How many class-hours one 2-hour service day counts as."),
    )
    earliest_pickup_time = models.TimeField(_("earliest pick-up time"), default=datetime.time(17, 30))
    late_log_days = models.PositiveSmallIntegerField(_("days after which a session log needs confirmation"), default=3)
    # R30: a child not handed over this long after their session ends raises a late pick-up alert, repeated until
    # someone resolves it.
    late_pickup_minutes = models.PositiveSmallIntegerField(
        _("minutes after the session before a late pick-up alert"), default=15
    )
    late_pickup_repeat_minutes = models.PositiveSmallIntegerField(
        _("minutes between late pick-up reminders"), default=10
    )

    class Meta:
        verbose_name = _("county settings")
        verbose_name_plural = _("county settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="schools_countysettings_single_row"),
            models.CheckConstraint(
                condition=Q(class_hours_per_day__gte=1, class_hours_per_day__lte=4),
                name="schools_countysettings_hours_1_to_4",
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "CountySettings":
        return cls.objects.get_or_create(pk=1)[0]


class SchoolYear(TimeStampedModel):
    """A school year (e.g. 2026–2027) with the county's milestones (R18)."""

    name = models.CharField(_("name"), max_length=20, unique=True)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    plan_deadline = models.DateField(_("school plans due"))
    application_deadline = models.DateField(_("applications due"))
    refinement_deadline = models.DateField(_("plan refinement due"))

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lt=F("end_date")), name="schools_schoolyear_starts_before_end"
            ),
            # Deadlines must fall inside the year they belong to.
            models.CheckConstraint(
                condition=Q(plan_deadline__gte=F("start_date"), plan_deadline__lte=F("end_date"))
                & Q(application_deadline__gte=F("start_date"), application_deadline__lte=F("end_date"))
                & Q(refinement_deadline__gte=F("start_date"), refinement_deadline__lte=F("end_date")),
                name="schools_schoolyear_deadlines_inside",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.start_date and self.end_date and self.start_date >= self.end_date:
            raise ValidationError({"end_date": _("The last day must come after the first day.")})
        for field in ("plan_deadline", "application_deadline", "refinement_deadline"):
            day = getattr(self, field)
            if day and self.start_date and self.end_date and not self.start_date <= day <= self.end_date:
                raise ValidationError({field: _("A deadline must fall inside the school year.")})


class Semester(TimeStampedModel):
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="semesters")
    number = models.PositiveSmallIntegerField(
        _("semester"), choices=[(1, _("Autumn semester")), (2, _("Spring semester"))]
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))

    class Meta:
        ordering = ["school_year", "number"]
        verbose_name = _("semester")
        verbose_name_plural = _("semesters")
        constraints = [
            models.UniqueConstraint(fields=["school_year", "number"], name="schools_semester_unique_number"),
            models.CheckConstraint(
                condition=Q(start_date__lt=F("end_date")), name="schools_semester_starts_before_end"
            ),
        ]

    def __str__(self):
        return f"{self.school_year} {self.get_number_display()}"

    def clean(self):
        year = self.school_year
        if self.start_date and self.end_date:
            if self.start_date >= self.end_date:
                raise ValidationError({"end_date": _("The last day must come after the first day.")})
            if not (year.start_date <= self.start_date and self.end_date <= year.end_date):
                raise ValidationError(_("A semester must lie inside its school year."))


class CalendarDay(TimeStampedModel):
    """An exception to the weekly pattern: a day without service, or a make-up working day (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        EXAM = "exam", _("Examination")
        NO_SERVICE = "no_service", _("Other day without service")
        MAKEUP_WORKDAY = "makeup", _("Make-up working day")

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="calendar_days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=60, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [models.UniqueConstraint(fields=["school_year", "date"], name="schools_calendarday_unique_date")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
