"""Venues, their safety checks and hazards (活动场所安全检查、排查整治隐患; R29, R31, issue 11 §6).

A venue of a school (classroom, canteen, school bus, a partner's place…) has the check categories that apply to it,
each on its own schedule. A check walks the category's built-in checklist (safety/rules/venues.py) and is stored
with every item's wording and result; it is never edited. A failed item opens a hazard; hazards are also reported
directly. A hazard is assigned to a responsible person with a deadline, rectified (with photos), verified and closed
by the school admin, or referred (移交) to the township or the county department that owns it and tracked until
the reply. A scheduled job escalates an overdue hazard to the bureau once.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import Partner, School, User
from xiji_afterschool.models import TimeStampedModel, WorkflowEvent

from ..rules import venues as venue_rules


class CheckCategory(models.TextChoices):
    TRAFFIC = venue_rules.TRAFFIC, _("Traffic and school bus")
    BUILDING = venue_rules.BUILDING, _("School buildings and grounds")
    FIRE = venue_rules.FIRE, _("Fire safety")
    FOOD = venue_rules.FOOD, _("Food hygiene")
    SECURITY = venue_rules.SECURITY, _("Security")
    OUTSIDE = venue_rules.OUTSIDE, _("Outside venue")


class Venue(TimeStampedModel):
    """A place the after-school service uses (or the bus that carries the children)."""

    class Kind(models.TextChoices):
        CLASSROOM = "classroom", _("Classroom")
        PLAYGROUND = "playground", _("Playground")
        GYM = "gym", _("Gym")
        CANTEEN = "canteen", _("Canteen")
        DORMITORY = "dormitory", _("Dormitory")
        BUS = "bus", _("School bus")
        OUTSIDE = "outside", _("Outside venue of a partner")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="venues", verbose_name=_("school"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="venues", verbose_name=_("partner")
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["school", "kind", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="safety_venue_unique_name"),
            # An outside venue is a partner's place (R11): the school checks it with the partner named.
            models.CheckConstraint(
                condition=Q(kind="outside", partner__isnull=False) | (~Q(kind="outside") & Q(partner__isnull=True)),
                name="safety_venue_partner_iff_outside",
            ),
        ]

    def __str__(self):
        return self.name


class VenueSchedule(models.Model):
    """One check category that applies to a venue, due every `every_days` days."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="schedules")
    category = models.CharField(_("check category"), max_length=12, choices=CheckCategory.choices)
    every_days = models.PositiveSmallIntegerField(_("every (days)"))

    class Meta:
        ordering = ["venue", "category"]
        verbose_name = _("check schedule")
        verbose_name_plural = _("check schedules")
        constraints = [
            models.UniqueConstraint(fields=["venue", "category"], name="safety_venueschedule_once"),
            models.CheckConstraint(
                condition=Q(every_days__gte=1, every_days__lte=venue_rules.MAX_EVERY_DAYS),
                name="safety_venueschedule_every_days_range",
            ),
        ]

    def __str__(self):
        return f"{self.venue} {self.get_category_display()}"


class VenueCheck(models.Model):
    """One walk of a category's checklist at a venue (检查记录): stored with its items, never edited."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="checks", verbose_name=_("venue"))
    category = models.CharField(_("check category"), max_length=12, choices=CheckCategory.choices)
    checked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by"))
    checked_at = models.DateTimeField(_("checked at"), db_index=True)
    failed_count = models.PositiveSmallIntegerField(_("items failed"), default=0)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        verbose_name = _("venue check")
        verbose_name_plural = _("venue checks")
        indexes = [models.Index(fields=["venue", "category", "-checked_at"], name="safety_check_last_idx")]

    def __str__(self):
        return f"{self.venue} {self.get_category_display()} {self.checked_at:%Y-%m-%d}"

    @property
    def passed(self) -> bool:
        return self.failed_count == 0


class VenueCheckItem(models.Model):
    check_record = models.ForeignKey(VenueCheck, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("item"), max_length=120)  # the wording walked, kept if the checklist changes
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["check_record", "position"]
        verbose_name = _("check item")
        verbose_name_plural = _("check items")
        constraints = [
            models.UniqueConstraint(fields=["check_record", "position"], name="safety_checkitem_once"),
        ]

    def __str__(self):
        return self.text


class Referral(models.TextChoices):
    """Who a hazard the school cannot fix alone is referred to (移交): the plan names 综治、公安、卫健、市场监管."""

    TOWNSHIP = "township", _("Township government")
    PUBLIC_SECURITY = "public_security", _("Public security bureau")
    FIRE = "fire", _("Fire and rescue")
    HEALTH = "health", _("Health commission")
    MARKET = "market", _("Market supervision")

    @classmethod
    def county_departments(cls) -> tuple[str, ...]:
        return (cls.PUBLIC_SECURITY, cls.FIRE, cls.HEALTH, cls.MARKET)


class Hazard(TimeStampedModel):
    """A safety hazard (安全隐患) of a school: found by a check or reported, then fixed or referred, and closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting to be dealt with")
        ASSIGNED = "assigned", _("Being rectified")
        RECTIFIED = "rectified", _("Rectified, to verify")
        REFERRED = "referred", _("Referred")
        CLOSED = "closed", _("Closed off")

    class Source(models.TextChoices):
        CHECK = "check", _("Venue check")
        REPORT = "report", _("Reported")

    TRANSITIONS = {  # action: (allowed source states, target state)
        "assign": ({Status.OPEN}, Status.ASSIGNED),
        "rectify": ({Status.ASSIGNED}, Status.RECTIFIED),
        "close": ({Status.RECTIFIED}, Status.CLOSED),
        "return": ({Status.RECTIFIED}, Status.ASSIGNED),
        "refer": ({Status.OPEN, Status.ASSIGNED}, Status.REFERRED),
        "reply": ({Status.REFERRED}, Status.OPEN),  # the reply came back: the school acts on it
        "close_on_reply": ({Status.REFERRED}, Status.CLOSED),  # the department dealt with it
    }
    ACTION_LABELS = {
        "report": _("Reported"),
        "found": _("Found by a venue check"),
        "assign": _("Assigned"),
        "rectify": _("Rectification recorded"),
        "close": _("Verified and closed"),
        "return": _("Returned: not rectified yet"),
        "refer": _("Referred"),
        "reply": _("Reply recorded; back with the school"),
        "close_on_reply": _("Reply recorded; closed"),
        "escalate": _("Overdue: escalated to the bureau"),
    }
    STATUS_STYLE = {
        Status.OPEN: "danger",
        Status.ASSIGNED: "warning",
        Status.RECTIFIED: "info",
        Status.REFERRED: "primary",
        Status.CLOSED: "success",
    }
    ACTIVE = (Status.OPEN, Status.ASSIGNED, Status.RECTIFIED, Status.REFERRED)

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="hazards", verbose_name=_("school"))
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="hazards", verbose_name=_("venue")
    )
    place = models.CharField(_("where"), max_length=60, blank=True)  # a reported hazard outside any venue
    category = models.CharField(_("category"), max_length=12, choices=CheckCategory.choices)
    description = models.TextField(_("description"))
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    check_item = models.OneToOneField(
        VenueCheckItem, on_delete=models.PROTECT, null=True, blank=True, related_name="hazard"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    reported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by"))
    responsible = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="hazards_responsible",
        verbose_name=_("responsible person"),
    )  # fmt: skip
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    referred_to = models.CharField(_("referred to"), max_length=16, choices=Referral.choices, blank=True)
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    referral_reference = models.CharField(_("reference number"), max_length=40, blank=True)
    referral_reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("reply recorded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        constraints = [
            # Assigned means someone is responsible by a deadline.
            models.CheckConstraint(
                condition=~Q(status="assigned") | Q(responsible__isnull=False, deadline__isnull=False),
                name="safety_hazard_assigned_has_person_and_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(status="referred") | (~Q(referred_to="") & Q(referred_at__isnull=False)),
                name="safety_hazard_referred_has_target",
            ),
            models.CheckConstraint(
                condition=Q(source="report") | Q(check_item__isnull=False), name="safety_hazard_check_has_item"
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.get_category_display()} #{self.pk}"


class Rectification(models.Model):
    """What was done to fix a hazard (整改记录), with photos; a returned hazard gets a new one, never an edit."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="rectifications")
    note = models.TextField(_("rectification done"))
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")

    def __str__(self):
        return f"{self.hazard} {self.recorded_at:%Y-%m-%d}"


class RectificationPhoto(models.Model):
    rectification = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("photo"), upload_to="safety/hazards/%Y/")
    content_type = models.CharField(_("file type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        ordering = ["rectification", "pk"]
        verbose_name = _("rectification photo")
        verbose_name_plural = _("rectification photos")

    def __str__(self):
        return self.file.name


class HazardEvent(WorkflowEvent):
    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")
