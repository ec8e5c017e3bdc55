"""The earmarked fund and its append-only ledger (R24), the four earmarked categories, and the money shape every
funding amount uses (Decimal yuan with two places, `xiji_afterschool.money`).

Families are never charged (R37): no funding model has a fee. Approved records and ledger entries never change:
the services refuse, and on PostgreSQL triggers (migration 0002) refuse too.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, SchoolYear, User
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

    ALLOCATION: money in, from an allocated claim or a recognised model class's grant (R36). SPENDING: money out in one earmarked category.
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
        "Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entry", verbose_name=_("claim")
    )
    model_class = models.OneToOneField(
        "ModelClass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entry",
        verbose_name=_("model class grant"),
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
            # Money in has no category and comes from one claim or one model class's grant; money out is always in
            # one earmarked category.
            models.CheckConstraint(
                condition=Q(kind="allocation", category="", reverses__isnull=True)
                & (Q(claim__isnull=False, model_class__isnull=True) | Q(claim__isnull=True, model_class__isnull=False))
                | Q(kind="spending", claim__isnull=True, model_class__isnull=True, reverses__isnull=True)
                & ~Q(category="")
                | Q(kind="reversal", claim__isnull=True, model_class__isnull=True, reverses__isnull=False)
                & ~Q(category=""),
                name="funding_ledgerentry_kind_shape",
            ),
        ]

    def __str__(self):
        return f"{self.fund} {self.get_kind_display()} {self.amount}"
