"""Model custody classes (示范性课后托管班, R36): the bureau, with the county trade union (总工会), recognises a
service class as a model class for a school year against the published criteria, and a grant is booked into the
school's earmarked fund when it is recognised."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import SchoolYear, ServiceClass, User
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent

from .ledger import MONEY


class Criterion(models.TextChoices):
    """The published criteria of a model class (评选标准); a proposal names those the class meets."""

    SAFETY = "safety", _("Safe every day: hand-over records complete, no incident")
    CONTENT = "content", _("Rich activities, no new-lesson teaching")
    ATTENDANCE = "attendance", _("Children come steadily (high attendance)")
    SATISFACTION = "satisfaction", _("Parents and children satisfied")
    RECORDS = "records", _("Service records complete and on time")
    TEACHERS = "teachers", _("Teachers and volunteers well organised")


class ModelClass(TimeStampedModel):
    """A service class proposed, and then recognised, as a model custody class for one school year.

    Recognition books `grant_amount` into the school's earmarked fund (one ledger entry, in the same transaction).
    Revoking keeps the history and the ledger as they are: a booked grant is never un-booked (the ledger is
    append-only); finance settles it at the year's settlement.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        RECOGNISED = "recognised", _("Recognised")
        REVOKED = "revoked", _("Revoked")

    TRANSITIONS = {  # action: (allowed source states, target state)
        "recognise": ({Status.PROPOSED}, Status.RECOGNISED),
        "revoke": ({Status.PROPOSED, Status.RECOGNISED}, Status.REVOKED),
    }
    ACTION_LABELS = {
        "propose": _("Proposed as a model class"),
        "recognise": _("Recognised, grant booked"),
        "revoke": _("Revoked"),
    }
    STATUS_STYLE = {Status.PROPOSED: "primary", Status.RECOGNISED: "success", Status.REVOKED: "secondary"}

    service_class = models.ForeignKey(
        ServiceClass, on_delete=models.PROTECT, related_name="model_classes", verbose_name=_("service class")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="model_classes", verbose_name=_("school year")
    )
    criteria = models.JSONField(_("criteria met"), default=list)  # Criterion values
    citation = models.TextField(_("why it is a model"), blank=True)
    grant_amount = models.DecimalField(_("grant"), **MONEY)
    with_trade_union = models.BooleanField(_("together with the county trade union"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by"))
    recognised_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recognised by")
    )
    recognised_on = models.DateField(_("recognised on"), null=True, blank=True)

    class Meta:
        ordering = ["-school_year__start_date", "service_class__school__code", "service_class__name"]
        verbose_name = _("model custody class")
        verbose_name_plural = _("model custody classes")
        constraints = [
            # A class is a model class once a year (a revoked one stays in the record).
            models.UniqueConstraint(fields=["service_class", "school_year"], name="funding_modelclass_once_a_year"),
            models.CheckConstraint(condition=Q(grant_amount__gt=0), name="funding_modelclass_grant_gt_0"),
            # Recognised means someone recognised it on a day.
            models.CheckConstraint(
                condition=~Q(status="recognised") | Q(recognised_by__isnull=False, recognised_on__isnull=False),
                name="funding_modelclass_recognised_by_someone",
            ),
        ]

    def __str__(self):
        return f"{self.service_class.school} {self.service_class} {self.school_year}"

    @property
    def school(self):
        return self.service_class.school

    def criteria_labels(self) -> list[str]:
        labels = dict(Criterion.choices)
        return [str(labels[c]) for c in self.criteria if c in labels]


class ModelClassEvent(WorkflowEvent):
    model_class = models.ForeignKey(ModelClass, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("model class event")
        verbose_name_plural = _("model class events")
