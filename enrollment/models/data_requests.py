"""The guardian's rights over the data held about them and their children (issue #14, item 5): a request for a
correction, a deletion or the withdrawal of consent, sent to the school and answered within 15 working days."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, Student, User
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent


class DataRequest(TimeStampedModel):
    """A guardian asks the school to correct or delete data, or withdraws consent; the school answers by the due
    date (15 working days, `enrollment.rules.data_requests.due_date`), done or refused with a reason."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correct my data")
        DELETION = "deletion", _("Delete my data")
        # Kept for the requests sent before issue #14 item 2: a consent is now withdrawn directly, at once, on the
        # guardian's "My consents" page (enrollment.services.consents), so no new request of this kind is taken.
        WITHDRAWAL = "withdrawal", _("Withdraw my consent")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for the school's answer")
        DONE = "done", _("Answered: done")
        REFUSED = "refused", _("Answered: refused")

    OPEN = (Status.SUBMITTED,)
    NEW_KINDS = (Kind.CORRECTION, Kind.DELETION)  # what a guardian may send now
    TRANSITIONS = {  # action: (allowed source states, target state)
        "complete": ({Status.SUBMITTED}, Status.DONE),
        "refuse": ({Status.SUBMITTED}, Status.REFUSED),
    }
    ACTION_LABELS = {
        "submit": _("Request sent to the school"),
        "complete": _("Answered by the school: done"),
        "refuse": _("Answered by the school: refused"),
    }
    STATUS_STYLE = {Status.SUBMITTED: "primary", Status.DONE: "success", Status.REFUSED: "secondary"}

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="data_requests", verbose_name=_("school"))
    # None: the request is about the guardian's own data (name, mobile), kept by this school.
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="data_requests", verbose_name=_("child")
    )
    requester = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="data_requests", verbose_name=_("requested by")
    )
    kind = models.CharField(_("request"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    what_is_wrong = models.CharField(_("what is wrong"), max_length=300, blank=True)
    should_be = models.CharField(_("what it should be"), max_length=300, blank=True)
    details = models.TextField(_("details"), max_length=1000, blank=True)
    submitted_at = models.DateTimeField(_("sent at"))
    due_date = models.DateField(_("answer due by"))
    answer = models.TextField(_("answer"), max_length=1000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        constraints = [
            # A correction says what is wrong and what it should be, or the school cannot act on it.
            models.CheckConstraint(
                condition=~Q(kind="correction") | (~Q(what_is_wrong="") & ~Q(should_be="")),
                name="enrollment_datarequest_correction_complete",
            ),
            # A refusal always gives the family its reason.
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(answer=""), name="enrollment_datarequest_refusal_has_reason"
            ),
            # An answered request says who answered and when.
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(answered_at__isnull=False, answered_by__isnull=False),
                name="enrollment_datarequest_answer_recorded",
            ),
        ]
        # The overdue lists: open requests by due date, and a school's open requests.
        indexes = [
            models.Index(fields=["status", "due_date"], name="enrollment_datareq_due"),
            models.Index(fields=["school", "status"], name="enrollment_datareq_school"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class DataRequestEvent(WorkflowEvent):
    """The data request's history, shown to the guardian and the school. Never edited."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("data request event")
        verbose_name_plural = _("data request events")
