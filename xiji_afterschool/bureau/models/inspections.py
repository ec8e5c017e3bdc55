"""Special inspections (专项督导, R35, issue #12 item 4): scheduled or unannounced visits to a school by the county's
inspectors, a fixed checklist, findings with photographic evidence, rectifications with deadlines answered by the
school, re-inspection and closure.

Inspection:     scheduled --start--> in_progress --issue--> findings_issued --respond (school)--> rectifying
                rectifying --reinspect--> reinspected --close--> closed;  findings_issued --close--> closed (no
                findings);  reinspected --resume--> rectifying (a rectification reopened);  scheduled --cancel-->
Rectification:  open --respond--> responded --accept--> accepted;  responded --reopen--> reopened --respond-->
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, SchoolYear
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent


class CheckItem(models.TextChoices):
    """The county's fixed checklist (督导检查表): one row per item in every inspection, in this order."""

    PLAN_FILED = "plan_filed", _("Implementation plan filed")
    TIMETABLE_KEPT = "timetable_kept", _("Timetable kept")
    NO_FEES = "no_fees", _("No fees charged")
    NO_NEW_CONTENT = "no_new_content", _("No new-content teaching")
    HANDOVER_RECORDS = "handover_records", _("Hand-over records kept")
    SAFETY_CHECKS = "safety_checks", _("Safety checks done")
    PAY_BY_WORKLOAD = "pay_by_workload", _("Teacher pay by workload")
    DISCLOSURE = "disclosure", _("Public disclosure published")


class Inspection(TimeStampedModel):
    """One special inspection (专项督导) of one school in a school year."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled inspection")  # 计划督导: the school is told in advance
        UNANNOUNCED = "unannounced", _("Unannounced inspection")  # 随机督导: the school must not see it coming

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        FINDINGS_ISSUED = "findings_issued", _("Findings issued")
        RECTIFYING = "rectifying", _("Being rectified")
        REINSPECTED = "reinspected", _("Re-inspected")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {  # action: (allowed source states, target state)
        "start": ({Status.SCHEDULED}, Status.IN_PROGRESS),
        "cancel": ({Status.SCHEDULED}, Status.CANCELLED),
        "issue": ({Status.IN_PROGRESS}, Status.FINDINGS_ISSUED),
        "respond": ({Status.FINDINGS_ISSUED}, Status.RECTIFYING),  # the school's first response
        "reinspect": ({Status.RECTIFYING}, Status.REINSPECTED),
        "resume": ({Status.REINSPECTED}, Status.RECTIFYING),  # a rectification was reopened
        "close": ({Status.FINDINGS_ISSUED, Status.REINSPECTED}, Status.CLOSED),
    }
    ACTION_LABELS = {
        "schedule": _("Scheduled"),
        "start": _("Inspection started"),
        "cancel": _("Cancelled"),
        "checks": _("Checklist recorded"),
        "finding": _("Finding recorded"),
        "issue": _("Findings issued to the school"),
        "respond": _("The school started rectifying"),
        "reinspect": _("Re-inspected"),
        "resume": _("Back to rectification"),
        "close": _("Closed"),
    }
    STATUS_STYLE = {
        Status.SCHEDULED: "secondary",
        Status.IN_PROGRESS: "primary",
        Status.FINDINGS_ISSUED: "warning",
        Status.RECTIFYING: "warning",
        Status.REINSPECTED: "info",
        Status.CLOSED: "success",
        Status.CANCELLED: "dark",
    }
    # What a school sees: every inspection once its findings are issued; a scheduled one from the start (the school
    # is told), never an unannounced one before the inspectors have been (R35).
    ISSUED = (Status.FINDINGS_ISSUED, Status.RECTIFYING, Status.REINSPECTED, Status.CLOSED)
    ACTIVE = (Status.SCHEDULED, Status.IN_PROGRESS, Status.FINDINGS_ISSUED, Status.RECTIFYING, Status.REINSPECTED)

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("school"))
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("school year")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    planned_date = models.DateField(_("planned date"), db_index=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspections", verbose_name=_("inspectors")
    )
    focus = models.CharField(_("focus"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    issued_at = models.DateTimeField(_("findings issued at"), null=True, blank=True)
    reinspection_note = models.TextField(_("re-inspection"), blank=True)
    reinspected_at = models.DateTimeField(_("re-inspected at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-planned_date", "-pk"]
        verbose_name = _("special inspection")
        verbose_name_plural = _("special inspections")
        constraints = [
            # Issued findings carry the day they reached the school (the school's deadlines count from it).
            models.CheckConstraint(
                condition=~Q(status__in=["findings_issued", "rectifying", "reinspected", "closed"])
                | Q(issued_at__isnull=False),
                name="bureau_inspection_issued_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.planned_date:%Y-%m-%d} {self.get_kind_display()}"


class InspectionEvent(WorkflowEvent):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("inspection event")
        verbose_name_plural = _("inspection events")


class InspectionCheck(models.Model):
    """One checklist item of an inspection and its result (blank until the inspector records it)."""

    class Result(models.TextChoices):
        PENDING = "", _("Not checked yet")
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="checks")
    item = models.CharField(_("check item"), max_length=20, choices=CheckItem.choices)
    position = models.PositiveSmallIntegerField(_("no."))
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["inspection", "position"]
        verbose_name = _("inspection check")
        verbose_name_plural = _("inspection checks")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="bureau_inspection_check_once"),
        ]

    def __str__(self):
        return f"{self.inspection_id} {self.get_item_display()}"


class Finding(models.Model):
    """A problem the inspectors found (督导发现问题), with photographic evidence; it gets one rectification."""

    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor")
        MAJOR = "major", _("Major")
        SERIOUS = "serious", _("Serious")

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    check_item = models.ForeignKey(
        InspectionCheck, on_delete=models.PROTECT, related_name="findings", verbose_name=_("check item")
    )
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["inspection", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return f"{self.inspection} #{self.pk}"


class FindingPhoto(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("photo"), upload_to="bureau/findings/%Y/")
    content_type = models.CharField(_("file type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        ordering = ["finding", "pk"]
        verbose_name = _("finding photo")
        verbose_name_plural = _("finding photos")

    def __str__(self):
        return self.file.name


class Rectification(TimeStampedModel):
    """What the school must put right for one finding, by a deadline (整改), its answer and the inspector's verdict."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the school")
        RESPONDED = "responded", _("Answered, to verify")
        ACCEPTED = "accepted", _("Accepted")
        REOPENED = "reopened", _("Reopened")

    TRANSITIONS = {
        "respond": ({Status.OPEN, Status.REOPENED}, Status.RESPONDED),
        "accept": ({Status.RESPONDED}, Status.ACCEPTED),
        "reopen": ({Status.RESPONDED}, Status.REOPENED),
    }
    ACTION_LABELS = {
        "create": _("Rectification required"),
        "respond": _("The school answered"),
        "accept": _("Accepted"),
        "reopen": _("Reopened: not rectified yet"),
        "remind": _("Reminder sent"),
    }
    STATUS_STYLE = {
        Status.OPEN: "danger",
        Status.RESPONDED: "info",
        Status.ACCEPTED: "success",
        Status.REOPENED: "warning",
    }
    PENDING = (Status.OPEN, Status.REOPENED)  # waiting for the school

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="rectification")
    deadline = models.DateField(_("rectify by"), db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    response = models.TextField(_("the school's response"), blank=True)
    response_photo = models.FileField(_("photo"), upload_to="bureau/rectifications/%Y/", blank=True)
    response_photo_type = models.CharField(_("file type"), max_length=40, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("inspection rectification")
        verbose_name_plural = _("inspection rectifications")
        constraints = [
            # An answered rectification carries the answer (the inspector verifies what was said).
            models.CheckConstraint(
                condition=Q(status__in=["open"]) | (~Q(response="") & Q(responded_at__isnull=False)),
                name="bureau_rectification_answered_has_response",
            ),
        ]

    def __str__(self):
        return f"{self.finding} {self.deadline:%Y-%m-%d}"


class RectificationEvent(WorkflowEvent):
    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")
