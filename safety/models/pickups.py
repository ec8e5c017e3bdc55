"""Who may take a child (R30, issue 11 §1): the adults a guardian or the school lists, one-off delegations, the
signed permission to go home alone, bus rides and dormitory places. Each row has a validity; a change mid-year
ends one row and adds another (nothing is overwritten), so the record shows who was allowed on any day."""

import secrets

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from schools.models import School, Student, User
from schools.rules import roster as roster_rules
from xiji_afterschool.fields import EncryptedCharField
from xiji_afterschool.models import TimeStampedModel


def new_pickup_code() -> str:
    # Six digits the adult shows or says at the door when the school asks for a code (R30: confirmation).
    return f"{secrets.randbelow(10**6):06d}"


class Relation(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    GRANDFATHER = "grandfather", _("Grandfather")
    GRANDMOTHER = "grandmother", _("Grandmother")
    UNCLE_AUNT = "uncle_aunt", _("Uncle or aunt")
    SIBLING = "sibling", _("Adult brother or sister")
    RELATIVE = "relative", _("Other relative")
    NEIGHBOUR = "neighbour", _("Neighbour")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    GUARDIAN = "guardian", _("By the guardian on the phone")
    PAPER = "paper", _("By the school from a paper request (original on file)")


class Collector(TimeStampedModel):
    """An adult allowed to collect the child (接送人), from a date, until a date or until revoked."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="collectors", verbose_name=_("student"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, validators=[roster_rules.validate_name])
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    mobile = EncryptedCharField(
        _("mobile number"), kind="mobile", max_length=11, validators=[roster_rules.validate_mobile]
    )
    photo = models.FileField(_("photo"), upload_to="collectors/%Y/", blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("listed"), max_length=10, choices=Source.choices)
    paper_reference = models.CharField(_("paper request no."), max_length=40, blank=True)
    pickup_code = models.CharField(_("pick-up code"), max_length=6, default=new_pickup_code, editable=False)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by"))
    revoked_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["student", "valid_from", "pk"]
        verbose_name = _("authorised adult")
        verbose_name_plural = _("authorised adults")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="safety_collector_valid_range",
            ),
            models.CheckConstraint(
                condition=~Q(source="paper") | ~Q(paper_reference=""), name="safety_collector_paper_has_reference"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_relation_display()}) → {self.student}"

    @property
    def masked_mobile(self) -> str:
        return roster_rules.mask_mobile(self.mobile)


class Delegation(TimeStampedModel):
    """A one-off: the guardian announces in advance that someone else comes on one day ("today her uncle comes")."""

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="delegations", verbose_name=_("student")
    )
    date = models.DateField(_("date"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, validators=[roster_rules.validate_name])
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    mobile = EncryptedCharField(
        _("mobile number"), kind="mobile", max_length=11, validators=[roster_rules.validate_mobile]
    )
    note = models.CharField(_("note"), max_length=100, blank=True)
    announced_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("announced by"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("one-day delegation")
        verbose_name_plural = _("one-day delegations")
        indexes = [models.Index(fields=["student", "date"], name="safety_delegation_student_day")]

    def __str__(self):
        return f"{self.name} → {self.student} {self.date:%Y-%m-%d}"


class WalkHomePermission(TimeStampedModel):
    """自行离校: the guardian's signed permission for an older child to go home alone, by a route, for a period."""

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="walk_home_permissions", verbose_name=_("student")
    )
    route = models.CharField(_("route home"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    leave_by = models.TimeField(_("leaves no later than"), null=True, blank=True)
    source = models.CharField(_("signed"), max_length=10, choices=Source.choices)
    paper_reference = models.CharField(_("paper request no."), max_length=40, blank=True)
    signer_name = models.CharField(_("signed by (name)"), max_length=50, validators=[roster_rules.validate_name])
    signed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    signed_at = models.DateTimeField(_("signed at"))
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["student", "-valid_from"]
        verbose_name = _("permission to go home alone")
        verbose_name_plural = _("permissions to go home alone")
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="safety_walkhome_valid_range"),
            models.CheckConstraint(
                condition=~Q(source="paper") | ~Q(paper_reference=""), name="safety_walkhome_paper_has_reference"
            ),
        ]

    def __str__(self):
        return f"{self.student} {self.valid_from:%Y-%m-%d}–{self.valid_until:%Y-%m-%d}"


class BusRoute(TimeStampedModel):
    """A school bus route; its escort (随车照管员) checks each child on."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="bus_routes", verbose_name=_("school"))
    name = models.CharField(_("route"), max_length=40)
    stops = models.CharField(_("stops"), max_length=300, help_text=_("In order, separated by commas."))
    departs_at = models.TimeField(_("departs at"))
    escort = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="escorted_routes", verbose_name=_("escort")
    )
    active = models.BooleanField(_("running"), default=True)

    class Meta:
        ordering = ["school", "departs_at", "name"]
        verbose_name = _("bus route")
        verbose_name_plural = _("bus routes")
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="safety_busroute_unique_name")]

    def __str__(self):
        return self.name

    @property
    def stop_list(self) -> list[str]:
        return [s.strip() for s in self.stops.replace("，", ",").split(",") if s.strip()]


class Dormitory(TimeStampedModel):
    """A boarding school's dormitory; its dormitory teacher (生活老师) receives the boarders."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="dormitories", verbose_name=_("school"))
    name = models.CharField(_("dormitory"), max_length=40)
    teacher = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="dormitories",
        verbose_name=_("dormitory teacher"),
    )  # fmt: skip

    class Meta:
        ordering = ["school", "name"]
        verbose_name = _("dormitory")
        verbose_name_plural = _("dormitories")
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="safety_dormitory_unique_name")]

    def __str__(self):
        return self.name


class TravelArrangement(TimeStampedModel):
    """How a child leaves when not collected: a bus (route and stop) or a dormitory place, for a period."""

    class Kind(models.TextChoices):
        BUS = "bus", _("School bus")
        DORMITORY = "dormitory", _("Dormitory")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="travel", verbose_name=_("student"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    bus_route = models.ForeignKey(BusRoute, on_delete=models.PROTECT, null=True, blank=True, related_name="riders")
    bus_stop = models.CharField(_("stop"), max_length=40, blank=True)
    dormitory = models.ForeignKey(Dormitory, on_delete=models.PROTECT, null=True, blank=True, related_name="boarders")
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["student", "-valid_from"]
        verbose_name = _("bus or dormitory arrangement")
        verbose_name_plural = _("bus and dormitory arrangements")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="bus", bus_route__isnull=False, dormitory__isnull=True) & ~Q(bus_stop="")
                | Q(kind="dormitory", dormitory__isnull=False, bus_route__isnull=True),
                name="safety_travel_kind_fields",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="safety_travel_valid_range",
            ),
        ]

    def __str__(self):
        return f"{self.student} · {self.get_kind_display()}"
