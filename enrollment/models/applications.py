"""The application (R14–R15): parent applies → class review → school approval → placement, with its history."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, SchoolYear, ServiceClass, Student, User
from xiji_afterschool.fields import EncryptedCharField
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent

from .agreements import Agreement


class Application(TimeStampedModel):
    """《自愿参加课后服务工作申请表》: parent applies → class review → school approval → placement (R14)."""

    class Status(models.TextChoices):
        # A late application (逾期申请 / 插班申请, after the county's deadline, e.g. a child who joined mid-year) waits
        # for the school first: accepted, it goes through the normal review; or it waits on the school's list (候补).
        LATE = "late", _("Late application, waiting for the school")
        LATE_WAITING = "late_waiting", _("Late application, on the school's waiting list")
        SUBMITTED = "submitted", _("Waiting for class review")
        RETURNED = "returned", _("Returned to the parent")
        CLASS_APPROVED = "class_approved", _("Waiting for school approval")
        APPROVED = "approved", _("Approved, waiting for a place")
        WAITING = "waiting", _("On the waiting list")
        PLACED = "placed", _("Placed in a service class")
        ACTIVE = "active", _("Attending")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = (
        Status.LATE,
        Status.LATE_WAITING,
        Status.SUBMITTED,
        Status.RETURNED,
        Status.CLASS_APPROVED,
        Status.APPROVED,
        Status.WAITING,
    )
    TRANSITIONS = {  # action: (allowed source states, target state)
        "late_accept": ({Status.LATE, Status.LATE_WAITING}, Status.SUBMITTED),
        "late_wait": ({Status.LATE}, Status.LATE_WAITING),
        "resubmit": ({Status.RETURNED}, Status.SUBMITTED),
        "class_approve": ({Status.SUBMITTED}, Status.CLASS_APPROVED),
        "class_return": ({Status.SUBMITTED}, Status.RETURNED),
        "school_approve": ({Status.CLASS_APPROVED}, Status.APPROVED),
        "school_return": ({Status.CLASS_APPROVED}, Status.RETURNED),
        "wait": ({Status.APPROVED}, Status.WAITING),
        "place": ({Status.APPROVED, Status.WAITING}, Status.PLACED),
        "unplace": ({Status.PLACED}, Status.APPROVED),
        "activate": ({Status.PLACED}, Status.ACTIVE),
        "withdraw": (
            {
                Status.LATE,
                Status.LATE_WAITING,
                Status.SUBMITTED,
                Status.RETURNED,
                Status.CLASS_APPROVED,
                Status.APPROVED,
                Status.WAITING,
                Status.PLACED,
                Status.ACTIVE,
            },
            Status.WITHDRAWN,
        ),
    }
    ACTION_LABELS = {  # what each recorded step is called in the status history shown to the parent (R14)
        "submit": _("Applied"),
        "late_accept": _("Late application accepted by the school"),
        "late_wait": _("Late application put on the school's waiting list"),
        "resubmit": _("Corrected and sent again"),
        "class_approve": _("Approved by the class teacher"),
        "class_return": _("Returned by the class teacher"),
        "school_approve": _("Approved by the school"),
        "school_return": _("Returned by the school"),
        "wait": _("Put on the waiting list"),
        "place": _("Placed in a service class"),
        "unplace": _("Taken out of the service class"),
        "activate": _("Started attending"),
        "withdraw": _("Withdrawn"),
        "resign": _("Signed the new agreement"),  # not a move: the application points at a newer agreement
        # issue #14 item 2: the guardian withdrew the sensitive consent, so disability and hardship were removed
        "sensitive_cleared": _("Disability and economic hardship removed (consent withdrawn)"),
    }
    RETURN_ACTIONS = ("class_return", "school_return")
    STATUS_STYLE = {  # the badge's colour
        Status.LATE: "primary",
        Status.LATE_WAITING: "info",
        Status.SUBMITTED: "primary",
        Status.RETURNED: "warning",
        Status.CLASS_APPROVED: "primary",
        Status.APPROVED: "primary",
        Status.WAITING: "info",
        Status.PLACED: "success",
        Status.ACTIVE: "success",
        Status.WITHDRAWN: "secondary",
    }

    class ServiceKind(models.TextChoices):
        REGULAR = "regular", _("Regular after-school service")
        EVENING = "evening", _("Evening service (boarders and senior high)")
        EXTENDED = "extended", _("Extended care (延时托管)")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="applications", verbose_name=_("child"))
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="applications"
    )  # the child's, at applying
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    service_kind = models.CharField(_("service wanted"), max_length=10, choices=ServiceKind.choices)
    extended_reason = models.CharField(_("why extended care is needed"), max_length=300, blank=True)
    pickup_difficulty = models.CharField(_("why pick-up after school is difficult"), max_length=300)
    # R2 priority groups
    dual_working = models.BooleanField(_("both parents work"), default=False)
    migrant_child = models.BooleanField(_("child of migrant workers (随迁子女)"), default=False)
    disability = models.BooleanField(_("child with a disability"), default=False)
    economic_hardship = models.BooleanField(_("family in economic difficulty"), default=False)
    priority_note = models.CharField(_("note on priority"), max_length=300, blank=True)
    preferences = models.JSONField(_("preferred activities, most wanted first"), default=list, blank=True)
    pickup_person = models.CharField(_("who usually picks the child up"), max_length=50)
    pickup_relation = models.CharField(_("their relation to the child"), max_length=16)
    pickup_mobile = EncryptedCharField(_("their mobile number"), kind="mobile", max_length=11)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("applied by"))
    entered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("entered on paper by")
    )
    paper_original_on_file = models.BooleanField(_("paper original on file"), default=False)
    submitted_at = models.DateTimeField(_("applied at"))
    service_class = models.ForeignKey(
        ServiceClass, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    late = models.BooleanField(_("late application"), default=False)  # applied after the county's deadline
    withdrawal_effective = models.DateField(_("withdrawn from"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            # One live application per child and school year (a withdrawn one may be followed by a new one).
            models.UniqueConstraint(
                fields=["student", "school_year"],
                condition=~Q(status="withdrawn"),
                name="enrollment_application_one_live",
            ),
            models.CheckConstraint(
                condition=~Q(service_kind="extended") | ~Q(extended_reason=""), name="enrollment_extended_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(entered_by__isnull=True) | Q(paper_original_on_file=True),
                name="enrollment_application_paper_on_file",
            ),
            # Only a late application waits for the school's decision on lateness.
            models.CheckConstraint(
                condition=~Q(status__in=["late", "late_waiting"]) | Q(late=True),
                name="enrollment_application_late_status_is_late",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["placed", "active"]) | Q(service_class__isnull=False),
                name="enrollment_application_placed_has_class",
            ),
        ]
        indexes = [models.Index(fields=["school", "school_year", "status"], name="enrollment_app_school_status")]

    def __str__(self):
        return f"{self.student} · {self.school_year}"

    @property
    def priority_groups(self) -> int:
        """How many R2 priority groups the family belongs to: the waiting list serves more first."""
        return sum([self.dual_working, self.migrant_child, *self.sensitive_priorities])

    @property
    def sensitive_priorities(self) -> list[bool]:
        """Disability and economic hardship, counted only under the guardian's live sensitive consent (issue #14
        item 2): `sensitive_consent` is annotated by the selectors (`consents.with_consent_flags`); a row read
        without it relies on the write side (withdrawing that consent clears both flags)."""
        if getattr(self, "sensitive_consent", True) is False:
            return [False, False]
        return [self.disability, self.economic_hardship]


class ApplicationEvent(WorkflowEvent):
    """The application's status history, shown to the parent. Never edited."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
