"""The gate (门卫登记, R29, issue 11 §5): the visitor log and early leave.

A visitor entry is never edited: the one-time "left" tap fills its time out, and a mistake is corrected by a new
entry that names the one it corrects, with a reason (PostgreSQL triggers refuse anything else; migration
safety/0002_append_only_triggers). Only the last four characters of a visitor's ID are kept: the gate checks the card, the
record says it was checked.

An early leave (提前离校) is the class teacher's permission for a child to leave before the end of the day with one of
the adults allowed to collect them that day; the gate records the departure with that adult."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from schools.models import Guardian, School, Student, User
from schools.rules import roster as roster_rules
from xiji_afterschool.fields import EncryptedCharField
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent

from .pickups import Collector, Delegation


class Visit(models.Model):
    """One visitor's entry in the gate log (来访登记)."""

    class Purpose(models.TextChoices):
        PARENT = "parent", _("Parent visit")
        MEALS = "meals", _("Meal delivery")
        REPAIRS = "repairs", _("Repairs")
        INSPECTION = "inspection", _("Inspection from above")
        PARCEL = "parcel", _("Parcel delivery")
        OTHER = "other", _("Other")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="visits", verbose_name=_("school"))
    date = models.DateField(_("date"), db_index=True)  # the local day of time_in: the log is read by day
    name = models.CharField(_("visitor"), max_length=50, validators=[roster_rules.validate_name])
    id_checked = models.BooleanField(_("identity document checked"), default=False)
    id_last4 = models.CharField(_("ID, last 4 characters"), max_length=4, blank=True)
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    purpose_note = models.CharField(_("details"), max_length=100, blank=True)
    host_name = models.CharField(_("visiting"), max_length=50, validators=[roster_rules.validate_name], blank=True)
    host = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("visiting (staff)")
    )
    mobile = EncryptedCharField(
        _("mobile number"), kind="mobile", max_length=11, blank=True, validators=[roster_rules.validate_mobile]
    )
    time_in = models.DateTimeField(_("time in"))
    time_out = models.DateTimeField(_("time out"), null=True, blank=True)
    out_recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    on_paper = models.BooleanField(_("entered from a paper sheet"), default=False)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections", verbose_name=_("corrects")
    )
    correction_reason = models.CharField(_("why corrected"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["date", "time_in", "pk"]
        verbose_name = _("visitor entry")
        verbose_name_plural = _("visitor log")
        indexes = [models.Index(fields=["school", "date"], name="safety_visit_school_day")]
        constraints = [
            # The minimum personal data: a tick and the last four characters, never the whole number.
            models.CheckConstraint(
                condition=Q(id_checked=True, id_last4__regex=r"^[0-9A-Z]{4}$") | Q(id_checked=False, id_last4=""),
                name="safety_visit_id_last4",
            ),
            models.CheckConstraint(
                condition=Q(time_out__isnull=True) | Q(time_out__gte=F("time_in")), name="safety_visit_out_after_in"
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(correction_reason=""), name="safety_visit_correction_reason"
            ),
            # One correction per entry: a later mistake corrects the correction, so the chain stays a line.
            models.UniqueConstraint(fields=["corrects"], name="safety_visit_corrected_once"),
        ]

    def __str__(self):
        return f"{self.name} {self.date:%Y-%m-%d}"

    @property
    def masked_mobile(self) -> str:
        return roster_rules.mask_mobile(self.mobile)

    @property
    def visiting(self) -> str:
        return self.host_name or (str(self.host) if self.host_id else "")


class EarlyLeave(TimeStampedModel):
    """提前离校: the class teacher's permission for a child to leave early with a named allowed adult."""

    class Status(models.TextChoices):
        PERMITTED = "permitted", _("Permitted")
        LEFT = "left", _("Left school")
        CANCELLED = "cancelled", _("Cancelled")

    class Reason(models.TextChoices):
        SICK = "sick", _("Sick leave")
        DOCTOR = "doctor", _("Doctor's appointment")
        FAMILY = "family", _("Family matter")
        OTHER = "other", _("Other")

    TRANSITIONS = {
        "leave": ({Status.PERMITTED}, Status.LEFT),
        "cancel": ({Status.PERMITTED}, Status.CANCELLED),
    }
    ACTION_LABELS = {"permit": _("Permitted"), "leave": _("Left school"), "cancel": _("Cancelled")}
    STATUS_STYLE = {Status.PERMITTED: "warning", Status.LEFT: "success", Status.CANCELLED: "secondary"}

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="early_leaves", verbose_name=_("school"))
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="early_leaves", verbose_name=_("student")
    )
    date = models.DateField(_("date"))
    leave_at = models.TimeField(_("leaves at"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=100, blank=True)
    # Who collects: exactly one of the child's allowed adults on that day, as written at the time.
    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    collector = models.ForeignKey(Collector, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    adult_name = models.CharField(_("collected by"), max_length=50, validators=[roster_rules.validate_name])
    adult_relation = models.CharField(_("relation"), max_length=30)
    adult_mobile = EncryptedCharField(_("mobile number"), kind="mobile", max_length=11, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PERMITTED, db_index=True
    )
    permitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("permitted by"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    left_recorded_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded at the gate by"),
    )

    class Meta:
        ordering = ["date", "leave_at", "pk"]
        verbose_name = _("early leave")
        verbose_name_plural = _("early leaves")
        indexes = [models.Index(fields=["school", "date"], name="safety_earlyleave_school_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(guardian__isnull=False, collector__isnull=True, delegation__isnull=True)
                | Q(guardian__isnull=True, collector__isnull=False, delegation__isnull=True)
                | Q(guardian__isnull=True, collector__isnull=True, delegation__isnull=False),
                name="safety_earlyleave_one_adult",
            ),
            models.CheckConstraint(
                condition=~Q(status="left") | Q(left_at__isnull=False, left_recorded_by__isnull=False),
                name="safety_earlyleave_left_recorded",
            ),
            # One live permission per child and day: two phones cannot both permit (cancel one to change it).
            models.UniqueConstraint(
                fields=["student", "date"],
                condition=Q(status__in=["permitted", "left"]),
                name="safety_earlyleave_one_per_day",
            ),
        ]

    def __str__(self):
        return f"{self.student} {self.date:%Y-%m-%d} {self.leave_at:%H:%M}"

    @property
    def adult_key(self) -> str:
        if self.guardian_id:
            return f"g{self.guardian_id}"
        if self.collector_id:
            return f"c{self.collector_id}"
        return f"d{self.delegation_id}"

    @property
    def masked_adult_mobile(self) -> str:
        return roster_rules.mask_mobile(self.adult_mobile)


class EarlyLeaveEvent(WorkflowEvent):
    early_leave = models.ForeignKey(EarlyLeave, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("early leave event")
        verbose_name_plural = _("early leave events")
