"""Teacher pay by recorded workload (R27): the school's pay scheme, approved by HR, and pay runs over closed
months of the hours record."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, SchoolYear, User
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent

from .ledger import MONEY, LedgerEntry

# County bounds on the performance factor (优绩优酬): a scheme may narrow them, never widen them.
PERFORMANCE_FLOOR = Decimal("0.50")
PERFORMANCE_CEILING = Decimal("1.50")


class PayScheme(TimeStampedModel):
    """The school's scheme for dividing teacher pay (绩效分配方案): a weight per role and the bounds of the
    performance factor. The HR reviewer approves it; an approved scheme is fixed (a change is a new version)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting HR review")
        RETURNED = "returned", _("Returned by HR")
        APPROVED = "approved", _("Approved by HR")

    EDITABLE = (Status.DRAFT, Status.RETURNED)
    TRANSITIONS = {
        "submit": ({Status.DRAFT, Status.RETURNED}, Status.SUBMITTED),
        "approve": ({Status.SUBMITTED}, Status.APPROVED),
        "return": ({Status.SUBMITTED}, Status.RETURNED),
    }
    ACTION_LABELS = {"submit": _("Submitted to HR"), "approve": _("Approved"), "return": _("Returned")}
    STATUS_STYLE = {
        Status.DRAFT: "secondary",
        Status.SUBMITTED: "warning",
        Status.RETURNED: "danger",
        Status.APPROVED: "success",
    }

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pay_schemes", verbose_name=_("school"))
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="pay_schemes", verbose_name=_("school year")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    weight_responsible = models.DecimalField(
        _("weight: responsible teacher"), max_digits=4, decimal_places=2, default=Decimal("1.00")
    )
    weight_substitute = models.DecimalField(
        _("weight: substitute"), max_digits=4, decimal_places=2, default=Decimal("1.00")
    )
    weight_assistant = models.DecimalField(
        _("weight: assistant"), max_digits=4, decimal_places=2, default=Decimal("0.50")
    )
    performance_min = models.DecimalField(
        _("lowest performance factor"), max_digits=4, decimal_places=2, default=Decimal("0.80")
    )
    performance_max = models.DecimalField(
        _("highest performance factor"), max_digits=4, decimal_places=2, default=Decimal("1.20")
    )
    assessment = models.TextField(_("how performance is assessed"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-school_year__start_date", "school__code", "-version"]
        verbose_name = _("pay scheme")
        verbose_name_plural = _("pay schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "version"], name="funding_payscheme_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(weight_responsible__gt=0, weight_substitute__gt=0, weight_assistant__gt=0),
                name="funding_payscheme_weights_gt_0",
            ),
            # The factor's range lies within the county's bounds and contains 1 (an ordinary month's work).
            models.CheckConstraint(
                condition=Q(
                    performance_min__gte=PERFORMANCE_FLOOR,
                    performance_min__lte=Decimal("1"),
                    performance_max__gte=Decimal("1"),
                    performance_max__lte=PERFORMANCE_CEILING,
                ),
                name="funding_payscheme_performance_bounds",
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.school_year} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class PaySchemeEvent(WorkflowEvent):
    scheme = models.ForeignKey(PayScheme, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("pay scheme event")
        verbose_name_plural = _("pay scheme events")


class PayRun(TimeStampedModel):
    """Teacher pay for a period (closed months of the hours record): the pool divided by weighted workload.

    A draft's shares are recomputed on every change; approving it books the pool as teacher-subsidy spending
    in the ledger and fixes the run for good.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved and paid")

    TRANSITIONS = {"approve": ({Status.DRAFT}, Status.APPROVED)}
    ACTION_LABELS = {  # set_factor and recompute change a draft's shares, not its status
        "approve": _("Approved"),
        "set_factor": _("Performance factor set"),
        "recompute": _("Shares recomputed"),
    }
    STATUS_STYLE = {Status.DRAFT: "secondary", Status.APPROVED: "success"}

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pay_runs", verbose_name=_("school"))
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="pay_runs", verbose_name=_("school year")
    )
    scheme = models.ForeignKey(PayScheme, on_delete=models.PROTECT, related_name="runs", verbose_name=_("pay scheme"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    first_month = models.DateField(_("from month"))  # first day of a month
    last_month = models.DateField(_("to month"))  # first day of a month
    pool = models.DecimalField(_("amount to divide"), **MONEY)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    ledger_entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="pay_run"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-first_month", "school__code"]
        verbose_name = _("pay run")
        verbose_name_plural = _("pay runs")
        constraints = [
            models.CheckConstraint(condition=Q(pool__gt=0), name="funding_payrun_pool_gt_0"),
            models.CheckConstraint(
                condition=Q(first_month__lte=F("last_month"), first_month__day=1, last_month__day=1),
                name="funding_payrun_months",
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.first_month:%Y-%m}–{self.last_month:%Y-%m}"


class PayShare(models.Model):
    """One teacher's share of a pay run and every input it was computed from."""

    run = models.ForeignKey(PayRun, on_delete=models.CASCADE, related_name="shares")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="pay_shares", verbose_name=_("teacher"))
    responsible_hours = models.DecimalField(_("class-hours as responsible"), max_digits=8, decimal_places=1)
    substitute_hours = models.DecimalField(_("class-hours as substitute"), max_digits=8, decimal_places=1)
    assistant_hours = models.DecimalField(_("class-hours as assistant"), max_digits=8, decimal_places=1)
    workload = models.DecimalField(_("weighted workload"), max_digits=10, decimal_places=2)
    performance_factor = models.DecimalField(
        _("performance factor"), max_digits=4, decimal_places=2, default=Decimal("1.00")
    )
    performance_reason = models.CharField(_("reason for the factor"), max_length=200, blank=True)
    points = models.DecimalField(_("points"), max_digits=12, decimal_places=4)  # workload × factor
    amount = models.DecimalField(_("pay"), **MONEY)

    class Meta:
        ordering = ["run", "-amount", "pk"]
        verbose_name = _("pay share")
        verbose_name_plural = _("pay shares")
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="funding_payshare_one_per_person"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_payshare_amount_gte_0"),
            # A factor other than 1 needs its reason (优绩优酬 is explained, never arbitrary).
            models.CheckConstraint(
                condition=Q(performance_factor=Decimal("1.00")) | ~Q(performance_reason=""),
                name="funding_payshare_factor_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.run} {self.person}"


class PayRunEvent(WorkflowEvent):
    run = models.ForeignKey(PayRun, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("pay run event")
        verbose_name_plural = _("pay run events")
