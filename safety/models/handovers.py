"""Hand-over (交接, R30, issue 11 §2): every present child passes from the adult holding them to a listed adult,
the bus, the dormitory, home alone where permitted, or another member of staff — one append-only record each.

Per child and day the records are numbered (`sequence`): a new record takes the next number, so two phones
recording the same child at once cannot both succeed (the database refuses the second), and the latest record
says who holds the child now. A mistake is corrected by a new record that names the one it corrects."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import Guardian, School, Session, Student, User
from schools.rules import roster as roster_rules
from xiji_afterschool.fields import EncryptedCharField
from xiji_afterschool.models import TimeStampedModel

from .pickups import BusRoute, Collector, Delegation, Dormitory, WalkHomePermission


class DutyRoster(TimeStampedModel):
    """One school day's duty teacher (值班教师) and gate keeper (门卫): who answers for late pick-ups and the gate."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="duty_days", verbose_name=_("school"))
    date = models.DateField(_("date"))
    duty_teacher = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="duty_days", verbose_name=_("duty teacher")
    )
    gate_keeper = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="gate_days", verbose_name=_("gate keeper")
    )
    note = models.CharField(_("note"), max_length=100, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["school", "-date"]
        verbose_name = _("duty roster day")
        verbose_name_plural = _("duty roster")
        constraints = [models.UniqueConstraint(fields=["school", "date"], name="safety_dutyroster_one_per_day")]

    def __str__(self):
        return f"{self.school} {self.date:%Y-%m-%d} {self.duty_teacher}"


class Handover(models.Model):
    """One hand-over of one child: never edited (except the receiving staff's one-time confirmation)."""

    class To(models.TextChoices):
        COLLECTOR = "collector", _("Listed adult")
        DELEGATE = "delegate", _("Adult announced for today")
        CONSENT = "consent", _("Adult approved by the guardian by phone")
        BUS = "bus", _("School bus")
        DORMITORY = "dormitory", _("Dormitory")
        ALONE = "alone", _("Went home alone (permitted)")
        STAFF = "staff", _("Another member of staff")

    # After these the child has left the school's hands for the day (the bus and dormitory: into the escort's or
    # dormitory teacher's, which their own confirmation records).
    FINAL = {To.COLLECTOR, To.DELEGATE, To.CONSENT, To.BUS, To.DORMITORY, To.ALONE}

    class Confirmation(models.TextChoices):
        NONE = "", _("No confirmation asked")
        SIGNATURE = "signature", _("Signed on the phone")
        CODE = "code", _("Pick-up code checked")
        PAPER = "paper", _("Signed on the paper sheet")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("student"))
    date = models.DateField(_("date"))
    sequence = models.PositiveSmallIntegerField(_("no."))
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers", verbose_name=_("session")
    )
    to = models.CharField(_("handed to"), max_length=10, choices=To.choices)
    from_staff = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="handovers_given", verbose_name=_("from")
    )
    to_staff = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handovers_taken",
        verbose_name=_("to staff"),
    )
    collector = models.ForeignKey(Collector, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers")
    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers")
    delegation = models.ForeignKey(
        Delegation, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers"
    )
    walk_home = models.ForeignKey(
        WalkHomePermission, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers"
    )
    bus_route = models.ForeignKey(BusRoute, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers")
    dormitory = models.ForeignKey(Dormitory, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers")
    # Who took the child, as written at the time (a listed adult may later be removed from the list).
    recipient_name = models.CharField(_("taken by"), max_length=50, validators=[roster_rules.validate_name], blank=True)
    recipient_relation = models.CharField(_("relation"), max_length=16, blank=True)
    recipient_mobile = EncryptedCharField(_("mobile number"), kind="mobile", max_length=11, blank=True)
    consent_note = models.CharField(_("guardian's consent by phone"), max_length=200, blank=True)
    confirmation = models.CharField(_("confirmation"), max_length=10, choices=Confirmation.choices, blank=True)
    signature = models.TextField(_("signature"), blank=True)  # an SVG path drawn on the phone, kept small
    handed_at = models.DateTimeField(_("handed over at"))
    on_paper = models.BooleanField(_("entered from a paper sheet"), default=False)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections", verbose_name=_("corrects")
    )
    correction_reason = models.CharField(_("why corrected"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)  # the escort's / staff's confirmation
    received_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["date", "student", "sequence"]
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        constraints = [
            models.UniqueConstraint(fields=["student", "date", "sequence"], name="safety_handover_sequence"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="safety_handover_sequence_from_1"),
            models.CheckConstraint(
                condition=~Q(to="staff") | Q(to_staff__isnull=False), name="safety_handover_staff_named"
            ),
            models.CheckConstraint(
                condition=~Q(to="consent") | ~Q(consent_note=""), name="safety_handover_consent_noted"
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(correction_reason=""), name="safety_handover_correction_reason"
            ),
        ]
        indexes = [models.Index(fields=["date", "session"], name="safety_handover_day_session")]

    def __str__(self):
        return f"{self.student} {self.date:%Y-%m-%d} #{self.sequence} → {self.get_to_display()}"

    @property
    def is_final(self) -> bool:
        return self.to in self.FINAL

    @property
    def recipient_relation_label(self) -> str:
        """The stored relation value in the reader's language (a roster guardian's in the roster's words)."""
        from .pickups import Relation

        if self.guardian_id and self.to == self.To.COLLECTOR:
            from schools.models import StudentGuardian

            return StudentGuardian.Relation.label_of(self.recipient_relation)
        return str(dict(Relation.choices).get(self.recipient_relation, self.recipient_relation))

    @property
    def recipient_label(self) -> str:
        """ "奶奶 马桂花", or what the child was handed to (the bus, the dormitory…) when no adult is named."""
        if self.recipient_name and self.to in (self.To.COLLECTOR, self.To.DELEGATE, self.To.CONSENT):
            return f"{self.recipient_relation_label} {self.recipient_name}".strip()
        return self.recipient_name or str(self.get_to_display())


class SafetySettings(TimeStampedModel):
    """A school's own safety choices (R30): whether the adult taking a child confirms it, and how.

    "code": a listed adult says their six-digit pick-up code, a roster guardian or a one-day delegate the last four
    digits of their own mobile (the number the school already holds); "signature": the adult signs on the phone."""

    class Confirmation(models.TextChoices):
        NONE = "none", _("No confirmation (one tap)")
        CODE = "code", _("Pick-up code")
        SIGNATURE = "signature", _("Signature on the phone")

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="safety_settings", verbose_name=_("school")
    )
    confirmation = models.CharField(
        _("confirmation at hand-over"), max_length=10, choices=Confirmation.choices, default=Confirmation.NONE
    )
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("school safety settings")
        verbose_name_plural = _("school safety settings")

    def __str__(self):
        return f"{self.school} · {self.get_confirmation_display()}"
