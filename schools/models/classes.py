"""Service classes (组班, R19): formed by the school from the students who applied, each with one responsible teacher."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.models import TimeStampedModel

from .calendar import SchoolYear
from .plans import ActivityCategory
from .roster import AdminClass, School, Student, User


class ServiceClass(TimeStampedModel):
    """课后服务班: may mix administrative classes and grades (R19). Without a responsible teacher it takes no one."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("After-school service")
        EVENING = "evening", _("Evening service (boarders, senior high)")
        EXTENDED = "extended", _("Extended care (延时托管)")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="service_classes", verbose_name=_("school")
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="service_classes")
    name = models.CharField(_("name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    activity = models.CharField(_("activity"), max_length=16, choices=ActivityCategory.choices)
    teacher = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_classes",
        verbose_name=_("responsible teacher"),
    )
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    admin_classes = models.ManyToManyField(
        AdminClass, related_name="service_classes", verbose_name=_("draws from"), blank=True
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["school", "school_year", "name"]
        verbose_name = _("service class")
        verbose_name_plural = _("service classes")
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "name"], name="schools_serviceclass_unique_name"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=80), name="schools_serviceclass_capacity_1_80"
            ),
        ]

    def __str__(self):
        return self.name


class ServiceClassMember(TimeStampedModel):
    """A student in a service class from a date; leaving sets `end_date` (the row stays for the record)."""

    service_class = models.ForeignKey(ServiceClass, on_delete=models.PROTECT, related_name="members")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="service_class_memberships")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["service_class", "student__name"]
        verbose_name = _("service class member")
        verbose_name_plural = _("service class members")
        constraints = [
            # A child is in a service class once at a time.
            models.UniqueConstraint(
                fields=["service_class", "student"],
                condition=Q(end_date__isnull=True),
                name="schools_serviceclassmember_one_open",
            ),
        ]

    def __str__(self):
        return f"{self.student} · {self.service_class}"
