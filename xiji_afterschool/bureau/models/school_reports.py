"""School reports filed in windows (直报, R34): the bureau opens a reporting window for a period with a deadline;
every school gets a report pre-filled from its own records; the school corrects a figure only with a reason,
submits; the township reviews its village schools and teaching points; the bureau files (备案) or returns it.

window: open --close--> closed
report: draft --submit--> submitted --township_review--> reviewed --file--> filed
        (central and other schools: submitted --file--> filed); submitted/reviewed --return--> draft
A filed report never changes (the service refuses; on PostgreSQL a trigger refuses too).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, SchoolYear, User
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent

FIGURE = {"max_digits": 14, "decimal_places": 2}

# The figures every report carries, in the order of the statistics table: name -> label.
FIGURES = {
    "students": _("Students enrolled"),
    "applicants": _("Students who applied"),
    "served": _("Students served"),
    "service_classes": _("Service classes"),
    "teachers": _("After-school teachers"),
    "volunteers": _("Volunteers"),
    "planned_hours": _("Planned class-hours"),
    "delivered_hours": _("Delivered class-hours"),
    "attendance_rate": _("Attendance rate (%)"),
    "subsidy_claimed": _("Subsidy claimed (yuan)"),
    "subsidy_approved": _("Subsidy approved (yuan)"),
    "subsidy_spent": _("Subsidy spent (yuan)"),
}
# Figures that are not summed in a subtotal (a rate is recomputed from its parts instead).
RATE_FIGURES = ("attendance_rate",)
MONEY_FIGURES = ("subsidy_claimed", "subsidy_approved", "subsidy_spent")


class ReportWindow(TimeStampedModel):
    """One reporting round opened by the bureau: a period, a deadline, and late reports accepted until `late_until`
    (the deadline itself when no grace is given); closing the window ends all submission."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly report")
        SEMESTER = "semester", _("Semester report")
        YEAR = "year", _("Annual report")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    TRANSITIONS = {"close": ({Status.OPEN}, Status.CLOSED)}
    ACTION_LABELS = {"open": _("Window opened"), "close": _("Window closed")}
    STATUS_STYLE = {Status.OPEN: "primary", Status.CLOSED: "secondary"}

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="report_windows", verbose_name=_("school year")
    )
    title = models.CharField(_("title"), max_length=80)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    deadline = models.DateField(_("deadline"))
    late_until = models.DateField(_("late reports accepted until"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by"))

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("reporting window")
        verbose_name_plural = _("reporting windows")
        constraints = [
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="bureau_window_period"),
            models.CheckConstraint(condition=Q(late_until__gte=models.F("deadline")), name="bureau_window_late_until"),
            models.UniqueConstraint(
                fields=["kind", "period_start", "period_end"], name="bureau_window_one_per_kind_and_period"
            ),
        ]

    def __str__(self):
        return self.title


class ReportWindowEvent(WorkflowEvent):
    window = models.ForeignKey(ReportWindow, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("reporting window event")
        verbose_name_plural = _("reporting window events")


class SchoolReport(TimeStampedModel):
    """One school's report in one window, its figures pre-filled from the school's records when the window opened."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not submitted")
        SUBMITTED = "submitted", _("Submitted")
        TOWNSHIP_REVIEWED = "reviewed", _("Reviewed by the township")
        FILED = "filed", _("Filed")

    EDITABLE = (Status.DRAFT,)
    TRANSITIONS = {
        "submit": ({Status.DRAFT}, Status.SUBMITTED),
        "township_review": ({Status.SUBMITTED}, Status.TOWNSHIP_REVIEWED),
        "file": ({Status.SUBMITTED, Status.TOWNSHIP_REVIEWED}, Status.FILED),
        "return": ({Status.SUBMITTED, Status.TOWNSHIP_REVIEWED}, Status.DRAFT),
    }
    ACTION_LABELS = {
        "create": _("Pre-filled from the school's records"),
        "correct": _("Figures corrected"),
        "submit": _("Submitted"),
        "township_review": _("Reviewed by the township"),
        "file": _("Filed by the bureau"),
        "return": _("Returned for correction"),
    }
    STATUS_STYLE = {
        Status.DRAFT: "secondary",
        Status.SUBMITTED: "primary",
        Status.TOWNSHIP_REVIEWED: "info",
        Status.FILED: "success",
    }

    window = models.ForeignKey(ReportWindow, on_delete=models.PROTECT, related_name="reports", verbose_name=_("window"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="reports", verbose_name=_("school"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # The first submission decides lateness; a report returned for correction keeps it.
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    is_late = models.BooleanField(_("submitted after the deadline"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["window", "school__township__code", "school__code"]
        verbose_name = _("school report")
        verbose_name_plural = _("school reports")
        constraints = [
            models.UniqueConstraint(fields=["window", "school"], name="bureau_school_report_once_per_window"),
        ]

    def __str__(self):
        return f"{self.school} · {self.window}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def needs_township_review(self) -> bool:
        """Village schools and teaching points go through their township; other schools straight to the bureau."""
        return self.school.is_dependent


class SchoolReportEvent(WorkflowEvent):
    report = models.ForeignKey(SchoolReport, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("school report event")
        verbose_name_plural = _("school report events")


class ReportFigure(models.Model):
    """One figure of a report: what the records gave (computed, never changed) and what the school reports; a
    reported value other than the computed one carries its reason (the database checks it too)."""

    report = models.ForeignKey(SchoolReport, on_delete=models.CASCADE, related_name="figures")
    name = models.CharField(_("figure"), max_length=24, choices=list(FIGURES.items()))
    position = models.PositiveSmallIntegerField(default=0)
    computed = models.DecimalField(_("from the records"), **FIGURE, null=True, blank=True)
    reported = models.DecimalField(_("reported"), **FIGURE, null=True, blank=True)
    reason = models.TextField(_("reason for the change"), blank=True)

    class Meta:
        ordering = ["report", "position"]
        verbose_name = _("report figure")
        verbose_name_plural = _("report figures")
        constraints = [
            models.UniqueConstraint(fields=["report", "name"], name="bureau_report_figure_once"),
            models.CheckConstraint(
                condition=Q(reported__gte=0) | Q(reported__isnull=True), name="bureau_report_figure_not_negative"
            ),
            # IS NOT DISTINCT FROM, spelled for both backends: equal, both null, or a reason given.
            models.CheckConstraint(
                condition=Q(reported=models.F("computed"))
                | Q(reported__isnull=True, computed__isnull=True)
                | ~Q(reason=""),
                name="bureau_report_figure_change_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.report} {self.name}"

    @property
    def label(self) -> str:
        return str(FIGURES.get(self.name, self.name))

    @property
    def changed(self) -> bool:
        return self.reported != self.computed
