"""Timetables (R4–R8): one per school × semester × stage, versioned, fixed once in force; their slots."""

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.models import TimeStampedModel

from .calendar import Semester, ServiceMode
from .roster import School, Stage


class Season(models.TextChoices):
    SUMMER = "summer", _("Summer timetable")
    WINTER = "winter", _("Winter timetable")


class Timetable(TimeStampedModel):
    """One school's service times for one stage in one semester (R8). Fixed once in force: a change is a new version."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="timetables")
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="timetables")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    effective_from = models.DateField(_("in force from"))
    opening_season = models.CharField(_("timetable at the start"), max_length=8, choices=Season.choices)
    switch_date = models.DateField(_("switch to the other timetable on"), null=True, blank=True)
    created_by = models.ForeignKey("schools.User", on_delete=models.PROTECT, related_name="+", null=True)

    Season = Season

    class Meta:
        ordering = ["school", "semester", "stage", "-version"]
        verbose_name = _("timetable")
        verbose_name_plural = _("timetables")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "semester", "stage", "version"], name="schools_timetable_unique_version"
            )
        ]

    def __str__(self):
        return f"{self.school} {self.semester} {self.get_stage_display()} v{self.version}"

    @property
    def mode(self) -> ServiceMode:
        return ServiceMode.for_stage(self.stage)

    def versions_after(self):
        return Timetable.objects.filter(
            school=self.school_id, semester=self.semester_id, stage=self.stage, version__gt=self.version
        )

    def season_on(self, day: datetime.date) -> str:
        if self.switch_date and day >= self.switch_date:
            return Season.WINTER if self.opening_season == Season.SUMMER else Season.SUMMER
        return self.opening_season


class TimetableSlot(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("After-school service")
        EVENING = "evening", _("Evening service (boarders, senior high)")
        EXTENDED = "extended", _("Extended care (延时托管)")

    timetable = models.ForeignKey(Timetable, on_delete=models.CASCADE, related_name="slots")
    season = models.CharField(_("season"), max_length=8, choices=Season.choices)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (1, _("Mon")),
            (2, _("Tue")),
            (3, _("Wed")),
            (4, _("Thu")),
            (5, _("Fri")),
            (6, _("Sat")),
            (7, _("Sun")),
        ],
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))

    class Meta:
        ordering = ["season", "weekday", "start_time"]
        verbose_name = _("timetable slot")
        verbose_name_plural = _("timetable slots")
        constraints = [
            models.CheckConstraint(condition=Q(start_time__lt=F("end_time")), name="schools_slot_starts_before_end"),
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=7), name="schools_slot_weekday_1_7"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def minutes(self) -> int:
        start = self.start_time.hour * 60 + self.start_time.minute
        return self.end_time.hour * 60 + self.end_time.minute - start
