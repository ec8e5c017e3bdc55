"""The console's summary tables (R3, R34): numbers computed from the raw rows by `services/console.py` and read by
every console page, so a page costs the same however many sessions, roll marks and applications the county has.

A refresh replaces a school year's rows of the schools it computed in one transaction: a page sees the previous
numbers or the new ones, never a mixture. `ConsoleRefresh` records every attempt, so a page can say when its numbers
were computed and that a later attempt failed.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from schools.models import School, SchoolYear, ServiceClass, User

HOURS = {"max_digits": 10, "decimal_places": 1, "default": Decimal("0.0")}
MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0.00")}


class ConsoleRefresh(models.Model):
    """One computation of a school year's console numbers: of every school (school is None) or of one school."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Computing")
        DONE = "done", _("Computed")
        FAILED = "failed", _("Failed; the previous numbers are kept")

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(_("why"), max_length=20)  # nightly, change, request, command, demo
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    schools = models.PositiveIntegerField(_("schools computed"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("console refresh")
        verbose_name_plural = _("console refreshes")

    def __str__(self):
        return f"{self.school_year} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class SchoolFigures(models.Model):
    """One school's numbers for one school year, as of `computed_at` (numbers for the whole year to that day)."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="console_figures")
    computed_at = models.DateTimeField()
    computed_for = models.DateField()  # "to date" means up to and including this day
    # Coverage (R3) and the priority groups (R2)
    required = models.BooleanField(default=False)  # a compulsory-education school: must offer the service
    offers_service = models.BooleanField(default=False)  # at least one service class this year
    has_filed_plan = models.BooleanField(default=False)
    students = models.PositiveIntegerField(default=0)
    applicants = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    placed = models.PositiveIntegerField(default=0)
    waiting = models.PositiveIntegerField(default=0)
    not_placed = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)  # children in a service class now
    groups = models.JSONField(default=dict)  # {group: {"applicants": n, "placed": n}}
    # Who serves
    service_classes = models.PositiveIntegerField(default=0)
    teachers = models.PositiveIntegerField(default=0)
    volunteers = models.PositiveIntegerField(default=0)
    # Delivery against plan (R4, R5)
    planned_hours = models.PositiveIntegerField(default=0)  # to date
    year_planned_hours = models.PositiveIntegerField(default=0)  # the whole year
    delivered_hours = models.DecimalField(**HOURS)
    service_weeks = models.PositiveSmallIntegerField(default=0)  # weeks of the calendar with service
    delivered_weeks = models.PositiveSmallIntegerField(default=0)  # weeks in which any class was served
    target_weeks = models.PositiveSmallIntegerField(default=40)  # 40 (5+2) or 42 (6+2)
    classes_without_sessions = models.PositiveIntegerField(default=0)
    weeks_behind = models.PositiveSmallIntegerField(default=0)  # of the last four complete weeks
    sessions = models.PositiveIntegerField(default=0)
    present_marks = models.PositiveIntegerField(default=0)
    roll_marks = models.PositiveIntegerField(default=0)
    # Money (R21–R27)
    claimed = models.DecimalField(**MONEY)
    approved_amount = models.DecimalField(**MONEY)
    allocated = models.DecimalField(**MONEY)
    spent = models.DecimalField(**MONEY)
    settled = models.DecimalField(**MONEY)
    claims_first_review = models.PositiveIntegerField(default=0)
    # Safety (R28–R32) and compliance (R12)
    late_pickups = models.PositiveIntegerField(default=0)
    open_hazards = models.PositiveIntegerField(default=0)
    incidents = models.PositiveIntegerField(default=0)
    flags = models.PositiveIntegerField(default=0)
    flags_confirmed = models.PositiveIntegerField(default=0)
    flags_waiting = models.PositiveIntegerField(default=0)
    flags_accepted = models.PositiveIntegerField(default=0)  # reviewed by the county: accepted
    flags_violations = models.PositiveIntegerField(default=0)  # reviewed by the county: a violation
    # Special inspections (R35): inspections of the year (not cancelled), closed ones, findings issued, and their
    # rectifications not yet accepted (and of those, past their deadline)
    inspections = models.PositiveIntegerField(default=0)
    inspections_closed = models.PositiveIntegerField(default=0)
    findings = models.PositiveIntegerField(default=0)
    rectifications_open = models.PositiveIntegerField(default=0)
    rectifications_overdue = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("school figures")
        verbose_name_plural = _("school figures")
        constraints = [models.UniqueConstraint(fields=["school_year", "school"], name="bureau_schoolfigures_once")]

    def __str__(self):
        return f"{self.school} {self.school_year}"


class ClassFigures(models.Model):
    """One service class's numbers for its school year."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    service_class = models.ForeignKey(ServiceClass, on_delete=models.CASCADE, related_name="console_figures")
    stage = models.CharField(max_length=16)
    members = models.PositiveIntegerField(default=0)
    planned_hours = models.PositiveIntegerField(default=0)
    delivered_hours = models.DecimalField(**HOURS)
    sessions = models.PositiveIntegerField(default=0)
    present_marks = models.PositiveIntegerField(default=0)
    roll_marks = models.PositiveIntegerField(default=0)
    weeks_behind = models.PositiveSmallIntegerField(default=0)
    last_session = models.DateField(null=True, blank=True)
    flags = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("class figures")
        verbose_name_plural = _("class figures")
        constraints = [
            models.UniqueConstraint(fields=["school_year", "service_class"], name="bureau_classfigures_once")
        ]

    def __str__(self):
        return f"{self.service_class} {self.school_year}"


class WeekFigures(models.Model):
    """One school's week (Monday to Sunday) of one school year: what was planned and what happened.

    `service_class` is None for the school's row; class rows carry the class's own week."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    service_class = models.ForeignKey(ServiceClass, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    week = models.DateField()  # its Monday
    planned_hours = models.PositiveIntegerField(default=0)
    delivered_hours = models.DecimalField(**HOURS)
    sessions = models.PositiveIntegerField(default=0)
    present_marks = models.PositiveIntegerField(default=0)
    roll_marks = models.PositiveIntegerField(default=0)
    late_pickups = models.PositiveIntegerField(default=0)
    incidents = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("week figures")
        verbose_name_plural = _("week figures")
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "school", "week"],
                condition=models.Q(service_class__isnull=True),
                name="bureau_weekfigures_school_once",
            ),
            models.UniqueConstraint(
                fields=["school_year", "service_class", "week"],
                condition=models.Q(service_class__isnull=False),
                name="bureau_weekfigures_class_once",
            ),
        ]
        indexes = [models.Index(fields=["school_year", "week"], name="bureau_weekfigures_year_week")]

    def __str__(self):
        return f"{self.service_class or self.school} {self.week:%Y-%m-%d}"
