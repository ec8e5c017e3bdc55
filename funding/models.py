"""Funding (R22–R27, R37): the county subsidy of 30 yuan per service class per class-hour, claimed by each school
for its year, first reviewed by the bureau, approved and allocated by finance; settled at year end against the
class-hours actually delivered; spent only on the four earmarked categories through an append-only ledger;
teacher pay divided by recorded workload under a scheme HR approves; disclosed every semester.

Money is Decimal yuan with two places (`xiji_afterschool.money`). Families are never charged (R37): no model here
has a fee. Approved records and ledger entries never change: the services refuse, and on PostgreSQL triggers
(migration 0002) refuse too.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, SchoolYear, Semester, Stage, User
from xiji_afterschool.models import TimeStampedModel

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")
HALF_FEN = Decimal("0.005")


class Category(models.TextChoices):
    """The four earmarked uses of the subsidy (专款专用, R24); nothing else may be spent from it."""

    TEACHER = "teacher", _("Teacher subsidies")
    STAFF = "staff", _("Staff and management subsidies")
    RUNNING = "running", _("Daily running costs")
    CONSUMABLES = "consumables", _("Consumables")


class FundingEvent(models.Model):
    """A workflow's transition log: never edited. Concrete logs add the FK named by `related_name="events"`."""

    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(_("status before"), max_length=16)
    to_status = models.CharField(_("status after"), max_length=16)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("acted by"))
    note = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("acted at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


# ---------------------------------------------------------------- claims (R23)


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


class ClaimEvent(FundingEvent):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")

    class Meta(FundingEvent.Meta):
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")

    def __str__(self):
        return f"{self.claim} {self.action}"


# ---------------------------------------------------------------- settlement (决算)


class Settlement(TimeStampedModel):
    """Year-end settlement: class-hours delivered (session log) × the rate in force on each day, against the
    money allocated. The difference is a shortfall (the county owes the school) or a surplus (the school owes)."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed by the school")
        CONFIRMED = "confirmed", _("Confirmed by finance")

    class Outcome(models.TextChoices):
        SURPLUS = "surplus", _("Surplus")
        SHORTFALL = "shortfall", _("Shortfall")
        BALANCED = "balanced", _("Balanced")

    TRANSITIONS = {"confirm": ({Status.FILED}, Status.CONFIRMED)}

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="settlements", verbose_name=_("school"))
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="settlements", verbose_name=_("school year")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.FILED, db_index=True)
    delivered_class_hours = models.DecimalField(_("class-hours delivered"), max_digits=10, decimal_places=1)
    delivered_amount = models.DecimalField(_("delivered × rate"), **MONEY)
    allocated_amount = models.DecimalField(_("allocated"), **MONEY)
    difference = models.DecimalField(_("difference"), **MONEY)  # delivered − allocated
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    filed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-school_year__start_date", "school__code"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="funding_settlement_one_per_year"),
            # difference = delivered − allocated. Within half a fen: on PostgreSQL (two-place decimals) that is
            # exact equality; SQLite computes the subtraction in floating point (590.00 − 589.99 ≠ 0.01 there).
            models.CheckConstraint(
                condition=Q(
                    difference__gte=F("delivered_amount") - F("allocated_amount") - HALF_FEN,
                    difference__lte=F("delivered_amount") - F("allocated_amount") + HALF_FEN,
                ),
                name="funding_settlement_difference_adds_up",
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.school_year}"


class SettlementLine(models.Model):
    """Delivered class-hours of one service class at one rate (a rate change mid-year gives two lines)."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    service_class_name = models.CharField(_("service class"), max_length=40)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    sessions = models.PositiveIntegerField(_("sessions"))
    class_hours = models.DecimalField(_("class-hours"), max_digits=10, decimal_places=1)
    rate = models.DecimalField(_("yuan per class per class-hour"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["settlement", "pk"]
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")

    def __str__(self):
        return f"{self.settlement} {self.service_class_name}"


class SettlementEvent(FundingEvent):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="events")

    class Meta(FundingEvent.Meta):
        verbose_name = _("settlement event")
        verbose_name_plural = _("settlement events")

    def __str__(self):
        return f"{self.settlement} {self.action}"


# ---------------------------------------------------------------- spending plan (R25)


def minutes_path(instance, filename: str) -> str:
    return f"funding/minutes/{instance.school_id}/{filename}"


class SpendingPlan(TimeStampedModel):
    """How the school will use the year's money, by earmarked category, with the record of its approval by the
    office meeting (办公会) and the staff congress (教代会). No teacher pay run before it is approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved by office meeting and staff congress")

    TRANSITIONS = {"record_approval": ({Status.DRAFT}, Status.APPROVED)}

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="spending_plans", verbose_name=_("school")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="spending_plans", verbose_name=_("school year")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    budget_teacher = models.DecimalField(_("teacher subsidies"), **MONEY, default=ZERO)
    budget_staff = models.DecimalField(_("staff and management subsidies"), **MONEY, default=ZERO)
    budget_running = models.DecimalField(_("daily running costs"), **MONEY, default=ZERO)
    budget_consumables = models.DecimalField(_("consumables"), **MONEY, default=ZERO)
    summary = models.TextField(_("how the money will be used"), blank=True)
    office_meeting_date = models.DateField(_("office meeting date"), null=True, blank=True)
    office_meeting_resolution = models.CharField(_("office meeting resolution number"), max_length=60, blank=True)
    office_meeting_minutes = models.FileField(_("office meeting minutes"), upload_to=minutes_path, blank=True)
    staff_congress_date = models.DateField(_("staff congress date"), null=True, blank=True)
    staff_congress_resolution = models.CharField(_("staff congress resolution number"), max_length=60, blank=True)
    staff_congress_minutes = models.FileField(_("staff congress minutes"), upload_to=minutes_path, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-school_year__start_date", "school__code"]
        verbose_name = _("spending plan")
        verbose_name_plural = _("spending plans")
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="funding_spendingplan_one_per_year"),
            models.CheckConstraint(
                condition=Q(
                    budget_teacher__gte=0, budget_staff__gte=0, budget_running__gte=0, budget_consumables__gte=0
                ),
                name="funding_spendingplan_budgets_gte_0",
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.school_year}"

    @property
    def budget_total(self) -> Decimal:
        return self.budget_teacher + self.budget_staff + self.budget_running + self.budget_consumables


class SpendingPlanEvent(FundingEvent):
    spending_plan = models.ForeignKey(SpendingPlan, on_delete=models.CASCADE, related_name="events")

    class Meta(FundingEvent.Meta):
        verbose_name = _("spending plan event")
        verbose_name_plural = _("spending plan events")

    def __str__(self):
        return f"{self.spending_plan} {self.action}"


# ---------------------------------------------------------------- the earmarked fund and its ledger (R24)


class Fund(TimeStampedModel):
    """A school's earmarked subsidy for one year (专项资金). `allocated` and `spent` are running totals kept by
    the ledger services under a row lock; the database refuses spending beyond the allocation."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="funds", verbose_name=_("school"))
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="funds", verbose_name=_("school year")
    )
    allocated = models.DecimalField(_("allocated"), **MONEY, default=ZERO)
    spent = models.DecimalField(_("spent"), **MONEY, default=ZERO)

    class Meta:
        ordering = ["-school_year__start_date", "school__code"]
        verbose_name = _("earmarked fund")
        verbose_name_plural = _("earmarked funds")
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="funding_fund_one_per_year"),
            # Spending can never exceed the money allocated (R24).
            models.CheckConstraint(
                condition=Q(spent__gte=0, spent__lte=F("allocated")), name="funding_fund_no_overspend"
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.school_year}"

    @property
    def balance(self) -> Decimal:
        return self.allocated - self.spent


class LedgerEntry(models.Model):
    """One line of the fund's ledger, never edited or deleted (a mistake gets a reversing entry).

    ALLOCATION: money in, from an allocated claim. SPENDING: money out in one earmarked category.
    REVERSAL: cancels one spending entry (same category and amount), so the money is available again.
    `amount` is always positive; the kind says which way it goes.
    """

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("Allocation received")
        SPENDING = "spending", _("Spending")
        REVERSAL = "reversal", _("Reversal")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries", verbose_name=_("fund"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, db_index=True)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=200)
    voucher_no = models.CharField(_("voucher number"), max_length=40, blank=True)
    claim = models.OneToOneField(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entry", verbose_name=_("claim")
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_ledgerentry_amount_gt_0"),
            # Money in has no category and comes from a claim; money out is always in one earmarked category.
            models.CheckConstraint(
                condition=Q(kind="allocation", category="", claim__isnull=False, reverses__isnull=True)
                | Q(kind="spending", claim__isnull=True, reverses__isnull=True) & ~Q(category="")
                | Q(kind="reversal", claim__isnull=True, reverses__isnull=False) & ~Q(category=""),
                name="funding_ledgerentry_kind_shape",
            ),
        ]

    def __str__(self):
        return f"{self.fund} {self.get_kind_display()} {self.amount}"


# ---------------------------------------------------------------- teacher pay by workload (R27)

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


class PaySchemeEvent(FundingEvent):
    scheme = models.ForeignKey(PayScheme, on_delete=models.CASCADE, related_name="events")

    class Meta(FundingEvent.Meta):
        verbose_name = _("pay scheme event")
        verbose_name_plural = _("pay scheme events")

    def __str__(self):
        return f"{self.scheme} {self.action}"


class PayRun(TimeStampedModel):
    """Teacher pay for a period (closed months of the hours record): the pool divided by weighted workload.

    A draft's shares are recomputed on every change; approving it books the pool as teacher-subsidy spending
    in the ledger and fixes the run for good.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved and paid")

    TRANSITIONS = {"approve": ({Status.DRAFT}, Status.APPROVED)}

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


class PayRunEvent(FundingEvent):
    run = models.ForeignKey(PayRun, on_delete=models.CASCADE, related_name="events")

    class Meta(FundingEvent.Meta):
        verbose_name = _("pay run event")
        verbose_name_plural = _("pay run events")

    def __str__(self):
        return f"{self.run} {self.action}"


# ---------------------------------------------------------------- public disclosure (R26)


class Disclosure(TimeStampedModel):
    """A semester's public disclosure (公示) for one school, frozen when published: money allocated, spent by
    category, teacher subsidies in total and their range. Never names a person."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("school"))
    semester = models.ForeignKey(
        Semester, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("semester")
    )
    data = models.JSONField(_("figures"))
    published_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-semester__start_date", "school__code"]
        verbose_name = _("public disclosure")
        verbose_name_plural = _("public disclosures")
        constraints = [models.UniqueConstraint(fields=["school", "semester"], name="funding_disclosure_one_per_term")]

    def __str__(self):
        return f"{self.school} {self.semester}"
