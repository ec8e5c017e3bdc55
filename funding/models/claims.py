"""Claims (R22–R23): the county subsidy of 30 yuan per service class per class-hour, claimed by each school for
its year, first reviewed by the bureau, approved and allocated by finance."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, SchoolYear, Stage, User
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent

from .ledger import MONEY, ZERO


class Claim(TimeStampedModel):
    """A school's claim for a year's subsidy (申请). Lines: classes × planned days × class-hours a day × rate.

    Three different people submit, first-review (bureau, 初审) and approve (finance, 核拨); finance then records
    the allocation (拨付) with a date and voucher number, which books the money into the school's fund.
    """

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual claim")
        SUPPLEMENTARY = "supplementary", _("Supplementary claim")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting first review")
        RETURNED = "returned", _("Returned")
        PASSED = "passed", _("Passed first review")
        APPROVED = "approved", _("Approved by finance")
        ALLOCATED = "allocated", _("Allocated")

    EDITABLE = (Status.DRAFT, Status.RETURNED)
    FIXED = (Status.APPROVED, Status.ALLOCATED)  # amounts and lines can never change again
    TRANSITIONS = {  # action: (allowed source states, target state)
        "submit": ({Status.DRAFT, Status.RETURNED}, Status.SUBMITTED),
        "pass": ({Status.SUBMITTED}, Status.PASSED),
        "return": ({Status.SUBMITTED}, Status.RETURNED),
        "finance_return": ({Status.PASSED}, Status.RETURNED),
        "approve": ({Status.PASSED}, Status.APPROVED),
        "allocate": ({Status.APPROVED}, Status.ALLOCATED),
    }
    ACTION_LABELS = {  # the history's wording
        "submit": _("Submitted to the bureau"),
        "pass": _("Passed first review"),
        "return": _("Returned by the bureau"),
        "finance_return": _("Returned by finance"),
        "approve": _("Approved by finance"),
        "allocate": _("Allocation recorded"),
    }
    STATUS_STYLE = {  # the badge's colour
        Status.DRAFT: "secondary",
        Status.SUBMITTED: "primary",
        Status.RETURNED: "warning",
        Status.PASSED: "primary",
        Status.APPROVED: "info",
        Status.ALLOCATED: "success",
    }

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="claims", verbose_name=_("school"))
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="claims", verbose_name=_("school year")
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.ANNUAL)
    supplements = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplementary_claims",
        verbose_name=_("supplements the claim"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Inputs, stored so anyone can recompute the claim by hand.
    rate = models.DecimalField(_("yuan per class per class-hour"), **MONEY)
    rate_date = models.DateField(_("rate in force on"))
    class_hours_per_day = models.PositiveSmallIntegerField(_("class-hours per day"))
    from_date = models.DateField(_("days counted from"))  # the first service day, or a supplement's start
    reason = models.TextField(_("reason"), blank=True)  # why a supplementary claim is needed
    requested_amount = models.DecimalField(_("amount claimed"), **MONEY, default=ZERO)
    approved_amount = models.DecimalField(_("amount approved"), **MONEY, null=True, blank=True)
    reduction_reason = models.TextField(_("why less was approved"), blank=True)
    allocated_on = models.DateField(_("allocated on"), null=True, blank=True)
    voucher_no = models.CharField(_("voucher number"), max_length=40, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    first_reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-school_year__start_date", "school__code", "created_at"]
        verbose_name = _("subsidy claim")
        verbose_name_plural = _("subsidy claims")
        constraints = [
            # One annual claim per school and year; more money comes by a supplementary claim linked to it.
            models.UniqueConstraint(
                fields=["school", "school_year"], condition=Q(kind="annual"), name="funding_claim_one_annual"
            ),
            models.CheckConstraint(
                condition=Q(kind="annual", supplements__isnull=True)
                | Q(kind="supplementary", supplements__isnull=False),
                name="funding_claim_supplement_linked",
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="funding_claim_rate_gt_0"),
            models.CheckConstraint(condition=Q(requested_amount__gte=0), name="funding_claim_requested_gte_0"),
            # Finance may approve less (with a reason), never more, never a negative amount.
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True)
                | Q(approved_amount__gte=0, approved_amount__lte=F("requested_amount")),
                name="funding_claim_approved_within_requested",
            ),
            # Separation of duties: whoever submits, first-reviews and approves are three different people.
            models.CheckConstraint(
                condition=Q(first_reviewed_by__isnull=True) | ~Q(first_reviewed_by=F("submitted_by")),
                name="funding_claim_reviewer_not_submitter",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | (~Q(approved_by=F("submitted_by")) & ~Q(approved_by=F("first_reviewed_by"))),
                name="funding_claim_approver_not_submitter_or_reviewer",
            ),
            models.UniqueConstraint(
                fields=["voucher_no"], condition=~Q(voucher_no=""), name="funding_claim_unique_voucher"
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.school_year} {self.get_kind_display()}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class ClaimLine(models.Model):
    """One stage of a claim at one rate: service classes × planned service days × class-hours a day × rate = amount.

    The days are those on which that rate is in force (R22: each day at its own rate), so a standard changed by the
    bureau mid-year gives the stage two lines."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    service_classes = models.PositiveIntegerField(_("service classes"))
    planned_days = models.PositiveIntegerField(_("planned service days"))
    class_hours_per_day = models.PositiveSmallIntegerField(_("class-hours per day"))
    rate = models.DecimalField(_("yuan per class per class-hour"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["claim", "pk"]
        verbose_name = _("claim line")
        verbose_name_plural = _("claim lines")
        constraints = [
            # A rate change inside the counted days splits a stage into one line per rate.
            models.UniqueConstraint(fields=["claim", "stage", "rate"], name="funding_claimline_one_per_stage_rate"),
            models.CheckConstraint(condition=Q(service_classes__gte=0), name="funding_claimline_classes_gte_0"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_claimline_amount_gte_0"),
        ]

    def __str__(self):
        return f"{self.claim} {self.get_stage_display()}"

    @property
    def class_hours(self) -> int:
        return self.service_classes * self.planned_days * self.class_hours_per_day


class ClaimEvent(WorkflowEvent):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")
