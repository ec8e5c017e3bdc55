"""Feedback (意见建议与投诉, R33, R37): opinions, suggestions and complaints from parents, students, deputies,
CPPCC members and the public; answered by the school or the bureau against a deadline."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from schools.models import School, User
from schools.rules.roster import validate_mobile
from xiji_afterschool.fields import EncryptedCharField
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent


class Feedback(TimeStampedModel):
    """One message from outside, with the tracking code its sender looks it up by. Routed when received: a fee
    complaint or a message about no school goes to the bureau, any other to the school's administrator."""

    class Kind(models.TextChoices):
        OPINION = "opinion", pgettext_lazy("feedback", "Opinion")
        SUGGESTION = "suggestion", pgettext_lazy("feedback", "Suggestion")
        COMPLAINT = "complaint", pgettext_lazy("feedback", "Complaint")
        FEE_COMPLAINT = "fee_complaint", pgettext_lazy("feedback", "Complaint about a fee")

    class Sender(models.TextChoices):
        PARENT = "parent", pgettext_lazy("feedback", "Parent")
        STUDENT = "student", pgettext_lazy("feedback", "Student")
        DEPUTY = "deputy", pgettext_lazy("feedback", "People's congress deputy")
        CPPCC = "cppcc", pgettext_lazy("feedback", "CPPCC member")
        PUBLIC = "public", pgettext_lazy("feedback", "Member of the public")

    class Theme(models.TextChoices):
        FEES = "fees", pgettext_lazy("feedback", "Fees")
        SAFETY = "safety", pgettext_lazy("feedback", "Safety")
        CONTENT = "content", pgettext_lazy("feedback", "Content and teaching")
        TIMETABLE = "timetable", pgettext_lazy("feedback", "Timetable")
        CARE = "care", pgettext_lazy("feedback", "Food and care")
        STAFF = "staff", pgettext_lazy("feedback", "Staff")
        OTHER = "other", pgettext_lazy("feedback", "Other")

    class Handler(models.TextChoices):
        SCHOOL = "school", pgettext_lazy("feedback", "The school")
        BUREAU = "bureau", pgettext_lazy("feedback", "The education bureau")

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("feedback", "Received")
        ASSIGNED = "assigned", pgettext_lazy("feedback", "Assigned")
        REFERRED = "referred", pgettext_lazy("feedback", "Referred to market supervision")
        ANSWERED = "answered", pgettext_lazy("feedback", "Answered")
        CLOSED = "closed", pgettext_lazy("feedback", "Closed")

    TRANSITIONS = {
        "assign": ({Status.RECEIVED}, Status.ASSIGNED),
        # R37: a fee complaint may be referred to the market supervision bureau (市场监管局), which checks fees.
        "refer": ({Status.ASSIGNED}, Status.REFERRED),
        "answer": ({Status.ASSIGNED, Status.REFERRED}, Status.ANSWERED),
        "close": ({Status.ANSWERED}, Status.CLOSED),
    }
    ACTION_LABELS = {
        "submit": pgettext_lazy("feedback", "Received"),
        "assign": pgettext_lazy("feedback", "Routed"),
        "refer": pgettext_lazy("feedback", "Referred to market supervision"),
        "answer": pgettext_lazy("feedback", "Answered"),
        "close": pgettext_lazy("feedback", "Closed"),
    }
    STATUS_STYLE = {
        Status.RECEIVED: "secondary",
        Status.ASSIGNED: "primary",
        Status.REFERRED: "warning",
        Status.ANSWERED: "success",
        Status.CLOSED: "dark",
    }
    # Waiting for an answer: these count against the deadline (a referral is itself an answer to the sender).
    OPEN = (Status.RECEIVED, Status.ASSIGNED)

    code = models.CharField(_("tracking code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    sender = models.CharField(_("sent by"), max_length=12, choices=Sender.choices)
    name = models.CharField(_("sender's name"), max_length=40, blank=True)
    mobile = EncryptedCharField(_("mobile"), kind="mobile", max_length=11, blank=True, validators=[validate_mobile])
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("account")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("school")
    )
    theme = models.CharField(_("theme"), max_length=12, choices=Theme.choices, db_index=True)
    text = models.TextField(_("message"), max_length=2000)
    handler = models.CharField(_("answered by"), max_length=8, choices=Handler.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    due_on = models.DateField(_("answer due"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    referral_note = models.TextField(_("referral"), blank=True)
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            # Routing (rules/feedback.py): a fee complaint is the bureau's, never left to the school it is about.
            models.CheckConstraint(
                condition=~Q(kind="fee_complaint") | Q(handler="bureau"), name="bureau_feedback_fee_to_bureau"
            ),
            # A school can answer only what is about it.
            models.CheckConstraint(
                condition=~Q(handler="school") | Q(school__isnull=False), name="bureau_feedback_school_handler"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""), name="bureau_feedback_answer_has_text"
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def is_overdue(self) -> bool:
        return self.status in self.OPEN and self.due_on < timezone.localdate()

    @property
    def is_anonymous(self) -> bool:
        return not self.name and not self.mobile and self.submitted_by_id is None


class FeedbackEvent(WorkflowEvent):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("feedback event")
        verbose_name_plural = _("feedback events")
