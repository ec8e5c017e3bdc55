"""The guardian's separate consent (issue #14, item 2; PIPL Art. 28–31, CAC 2019 Provisions on children's personal
information): a versioned consent text per kind, and each guardian's act of consenting for one child — given online
or on a signed paper form (代录, kept as a scan) — which the guardian can withdraw."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from schools.models import Student, User
from schools.rules.retention import ANONYMISED
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent


class ConsentKind(models.TextChoices):
    # Everything about a child under 14 is sensitive under PIPL Art. 28; the second consent covers the items that
    # carry extra risk and are only used for priority (R2) and safety: disability, economic hardship, health.
    PERSONAL = "personal", _("Personal information")
    SENSITIVE = "sensitive", _("Sensitive personal information")


class ConsentText(TimeStampedModel):
    """The county's consent text of one kind; a new wording is the next version. Seeded by a data migration."""

    kind = models.CharField(_("kind"), max_length=10, choices=ConsentKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("consent text"))
    effective_from = models.DateField(_("effective from"))

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="enrollment_consenttext_version")]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"


class Consent(TimeStampedModel):
    """One guardian's consent of one kind for one child: given (online by the guardian, or on paper and entered by
    the class teacher with the form's scan), then possibly withdrawn. Never deleted; withdrawal is a transition."""

    Kind = ConsentKind

    class Status(models.TextChoices):
        GIVEN = "given", _("Given")
        WITHDRAWN = "withdrawn", pgettext_lazy("consent status", "Withdrawn")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper form (entered by the school)")

    TRANSITIONS = {"withdraw": ({Status.GIVEN}, Status.WITHDRAWN)}
    ACTION_LABELS = {
        "give": _("Consent given"),
        "record_paper": _("Paper consent form entered"),
        "withdraw": _("Consent withdrawn"),
    }
    STATUS_STYLE = {Status.GIVEN: "success", Status.WITHDRAWN: "secondary"}

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="consents", verbose_name=_("child"))
    kind = models.CharField(_("kind"), max_length=10, choices=ConsentKind.choices)
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="consents", verbose_name=_("text"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.GIVEN, db_index=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    given_at = models.DateTimeField(_("given at"))
    # Online: the guardian's account. Paper: None (the guardian signed the form; `entered_by` typed it in).
    given_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("given by")
    )
    signer_name = models.CharField(_("guardian's name"), max_length=50)
    relation = models.CharField(_("relation to the child"), max_length=16)
    entered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("entered on paper by")
    )
    scan = models.FileField(_("scan of the signed form"), upload_to="consents/%Y/", blank=True)
    scan_content_type = models.CharField(max_length=40, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("withdrawn by")
    )

    class Meta:
        ordering = ["student", "kind", "-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            # One live consent per child and kind: giving it again while it stands would only blur the history.
            models.UniqueConstraint(
                fields=["student", "kind"], condition=Q(status="given"), name="enrollment_consent_one_live"
            ),
            # The record's kind is its text's kind (kept on the row for the constraint above).
            # Online consent is the guardian's own act; a paper one has the signed form's scan until the child's
            # data is anonymised, when the scan (a signature, a name) is deleted with the rest (issue #14).
            models.CheckConstraint(
                condition=Q(channel="online", given_by__isnull=False, entered_by__isnull=True)
                | (Q(channel="paper", entered_by__isnull=False) & (~Q(scan="") | Q(signer_name=ANONYMISED))),
                name="enrollment_consent_channel_recorded",
            ),
            # A withdrawn consent says when and by whom.
            models.CheckConstraint(
                condition=Q(status="given", withdrawn_at__isnull=True)
                | Q(status="withdrawn", withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="enrollment_consent_withdrawal_recorded",
            ),
        ]
        indexes = [models.Index(fields=["student", "kind", "status"], name="enrollment_consent_live")]

    def __str__(self):
        return f"{self.student} · {self.get_kind_display()} v{self.text.version} · {self.get_status_display()}"

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.GIVEN


class ConsentEvent(WorkflowEvent):
    """The consent's history (given, entered from paper, withdrawn), shown to the guardian. Never edited."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
