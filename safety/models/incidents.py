"""Incidents and campus injury insurance (安全事件、校园伤害, R32, issue 11 §7).

An incident is written once and never edited: what happened, where and when, the children involved (each with the
injury and the first aid), the staff present and who recorded it. What comes later is appended: follow-ups (a
correction is a follow-up of kind "correction" carrying the corrected text), each guardian told (time, how, by
whom), and the closing summary (the only change the incident row itself takes, by the workflow). On PostgreSQL
triggers refuse any other change (migration safety/0002_append_only_triggers).

The insurance claim (校方责任险 / 学平险) is a workflow of its own beside the incident: not filed → filed →
accepted → paid, or refused; how the compensation was shared is recorded against the total, to the fen."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, Student, User
from schools.rules import roster as roster_rules
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent

MONEY = {"max_digits": 12, "decimal_places": 2}


class Incident(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor (first aid at school)")
        MEDICAL = "medical", _("Seen by a doctor")
        SERIOUS = "serious", _("Serious (hospital)")

    TRANSITIONS = {"close": ({Status.OPEN}, Status.CLOSED)}
    ACTION_LABELS = {
        "record": _("Incident recorded"),
        "close": _("Closed"),
        "follow_up": _("Follow-up added"),
        "correction": _("Correction added"),
        "guardian_told": _("Guardian told"),
    }
    STATUS_STYLE = {Status.OPEN: "warning", Status.CLOSED: "success"}

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("school"))
    occurred_at = models.DateTimeField(_("when it happened"))
    place = models.CharField(_("place"), max_length=100)
    description = models.TextField(_("what happened"))
    during_service = models.BooleanField(_("during the after-school service"), default=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    staff_present = models.CharField(_("staff present"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="incidents_recorded", verbose_name=_("recorded by")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    closing_summary = models.TextField(_("closing summary"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            # A closed incident always says how it ended.
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(closing_summary="") & Q(closed_at__isnull=False)),
                name="safety_incident_closed_with_summary",
            ),
        ]
        indexes = [models.Index(fields=["school", "occurred_at"], name="safety_incident_school_time")]

    def __str__(self):
        return f"{self.school} {self.occurred_at:%Y-%m-%d %H:%M} {self.place}"


class IncidentChild(models.Model):
    """One child involved: the injury and the first aid, as recorded with the incident. Never edited."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="children")
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="incidents_involved", verbose_name=_("student")
    )
    injury = models.CharField(_("injury"), max_length=300)
    first_aid = models.CharField(_("first aid given"), max_length=300, blank=True)
    first_aid_by = models.CharField(_("first aid given by"), max_length=50, blank=True)

    class Meta:
        ordering = ["incident", "pk"]
        verbose_name = _("child involved")
        verbose_name_plural = _("children involved")
        constraints = [
            models.UniqueConstraint(fields=["incident", "student"], name="safety_incidentchild_once"),
        ]

    def __str__(self):
        return f"{self.incident} {self.student}"


class GuardianContact(models.Model):
    """A guardian of one child involved was told: when, how and by whom (告知家长). Appended, never edited."""

    class How(models.TextChoices):
        PHONE = "phone", _("By phone")
        IN_PERSON = "in_person", _("In person")
        SMS = "sms", _("By text message")

    child = models.ForeignKey(IncidentChild, on_delete=models.PROTECT, related_name="contacts")
    told_at = models.DateTimeField(_("told at"))
    how = models.CharField(_("how"), max_length=10, choices=How.choices)
    guardian_name = models.CharField(_("guardian told"), max_length=50, validators=[roster_rules.validate_name])
    note = models.CharField(_("note"), max_length=200, blank=True)
    told_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("told by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["child", "told_at", "pk"]
        verbose_name = _("guardian told")
        verbose_name_plural = _("guardians told")

    def __str__(self):
        return f"{self.child} {self.get_how_display()} {self.told_at:%Y-%m-%d %H:%M}"


class IncidentFollowUp(models.Model):
    """A later note on an incident; a correction carries the corrected text. Appended, never edited.

    `child` set: the note concerns one child, and only that child's guardians (with the school and supervisors)
    read it — a hospital report names nobody else's child."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Follow-up")
        CORRECTION = "correction", _("Correction")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="follow_ups")
    child = models.ForeignKey(IncidentChild, on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.NOTE)
    date = models.DateField(_("date"))
    note = models.TextField(_("note"))
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["incident", "date", "pk"]
        verbose_name = _("incident follow-up")
        verbose_name_plural = _("incident follow-ups")
        constraints = [models.CheckConstraint(condition=~Q(note=""), name="safety_incidentfollowup_note")]

    def __str__(self):
        return f"{self.incident} {self.get_kind_display()} {self.date}"


class IncidentEvent(WorkflowEvent):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")


class InsuranceClaim(TimeStampedModel):
    """The incident's campus injury insurance claim, and how the compensation was shared (损害赔偿)."""

    class Policy(models.TextChoices):
        SCHOOL_LIABILITY = "liability", _("School liability insurance (校方责任险)")
        STUDENT_ACCIDENT = "accident", _("Student accident insurance (学平险)")

    class Status(models.TextChoices):
        NOT_FILED = "not_filed", _("Not filed")
        FILED = "filed", _("Filed with the insurer")
        ACCEPTED = "accepted", _("Accepted by the insurer")
        PAID = "paid", _("Paid")
        REFUSED = "refused", _("Refused by the insurer")

    TRANSITIONS = {
        "file": ({Status.NOT_FILED}, Status.FILED),
        "accept": ({Status.FILED}, Status.ACCEPTED),
        "refuse": ({Status.FILED}, Status.REFUSED),
        "pay": ({Status.ACCEPTED}, Status.PAID),
    }
    ACTION_LABELS = {
        "open": _("Insurance recorded"),
        "file": _("Claim filed"),
        "accept": _("Claim accepted"),
        "refuse": _("Claim refused"),
        "pay": _("Claim paid"),
        "compensation": _("Compensation shares recorded"),
    }
    STATUS_STYLE = {
        Status.NOT_FILED: "secondary",
        Status.FILED: "primary",
        Status.ACCEPTED: "info",
        Status.PAID: "success",
        Status.REFUSED: "danger",
    }

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="insurance")
    policy = models.CharField(_("insurance"), max_length=10, choices=Policy.choices)
    insurer = models.CharField(_("insurer"), max_length=60)
    policy_no = models.CharField(_("policy no."), max_length=40)
    status = models.CharField(
        _("claim status"), max_length=10, choices=Status.choices, default=Status.NOT_FILED, db_index=True
    )
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    amount_claimed = models.DecimalField(_("amount claimed"), **MONEY, null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    refusal_reason = models.CharField(_("why refused"), max_length=200, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    amount_paid = models.DecimalField(_("amount paid"), **MONEY, null=True, blank=True)
    # How the whole compensation was shared; the four shares add up to the total to the fen.
    compensation_total = models.DecimalField(_("total compensation"), **MONEY, null=True, blank=True)
    share_insurer = models.DecimalField(_("paid by the insurer"), **MONEY, null=True, blank=True)
    share_school = models.DecimalField(_("paid by the school"), **MONEY, null=True, blank=True)
    share_other_party = models.DecimalField(_("paid by another party"), **MONEY, null=True, blank=True)
    share_family = models.DecimalField(_("borne by the family"), **MONEY, null=True, blank=True)
    other_party = models.CharField(_("other party"), max_length=60, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("insurance claim")
        verbose_name_plural = _("insurance claims")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_claimed__isnull=True) | Q(amount_claimed__gt=0),
                name="safety_insurance_claimed_gt_0",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__isnull=True) | Q(amount_paid__gte=0, amount_paid__lte=F("amount_claimed")),
                name="safety_insurance_paid_within_claimed",
            ),
            # The shares are recorded together and add up to the total (the service says which is wrong first).
            models.CheckConstraint(
                condition=Q(
                    compensation_total__isnull=True,
                    share_insurer__isnull=True,
                    share_school__isnull=True,
                    share_other_party__isnull=True,
                    share_family__isnull=True,
                )
                | Q(
                    compensation_total=F("share_insurer")
                    + F("share_school")
                    + F("share_other_party")
                    + F("share_family"),
                    share_insurer__gte=0,
                    share_school__gte=0,
                    share_other_party__gte=0,
                    share_family__gte=0,
                ),
                name="safety_insurance_shares_sum",
            ),
        ]

    def __str__(self):
        return f"{self.incident} {self.insurer} {self.policy_no}"


class InsuranceClaimEvent(WorkflowEvent):
    claim = models.ForeignKey(InsuranceClaim, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("insurance claim event")
        verbose_name_plural = _("insurance claim events")
