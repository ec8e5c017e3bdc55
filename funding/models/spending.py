"""The spending plan (R25): how the school will use the year's money, by earmarked category."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, SchoolYear, User
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent

from .ledger import MONEY, ZERO


def minutes_path(instance, filename: str) -> str:
    return f"funding/minutes/{instance.school_id}/{filename}"


class SpendingPlan(TimeStampedModel):
    """How the school will use the year's money, by earmarked category, with the record of its approval by the
    office meeting (办公会) and the staff congress (教代会). No teacher pay run before it is approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved by office meeting and staff congress")

    TRANSITIONS = {"record_approval": ({Status.DRAFT}, Status.APPROVED)}
    ACTION_LABELS = {"record_approval": _("Approval recorded")}
    STATUS_STYLE = {Status.DRAFT: "secondary", Status.APPROVED: "success"}

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


class SpendingPlanEvent(WorkflowEvent):
    spending_plan = models.ForeignKey(SpendingPlan, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("spending plan event")
        verbose_name_plural = _("spending plan events")
