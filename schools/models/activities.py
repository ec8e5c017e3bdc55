"""Activities and partners (R9–R12): what a school offers, and the outside bodies that host some of it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.models import TimeStampedModel

from .plans import ActivityCategory
from .roster import School


class Partner(TimeStampedModel):
    """An outside body that hosts activities (R11). Subject-type training institutions are barred (R12)."""

    class Kind(models.TextChoices):
        YOUTH_CENTRE = "youth_centre", _("Youth activity centre")
        YOUTH_PALACE = "youth_palace", _("Village youth palace (乡村学校少年宫)")
        COMMUNITY = "community", _("Community")
        ENTERPRISE = "enterprise", _("Enterprise")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    contact = models.CharField(_("contact"), max_length=60, blank=True)

    class Meta:
        ordering = ["school", "name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="schools_partner_unique_name")]

    def __str__(self):
        return self.name


class Activity(TimeStampedModel):
    """An activity a school offers, in one of the plan's categories (R9–R11), optionally hosted by a partner."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="activities")
    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=16, choices=ActivityCategory.choices)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="activities")
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["school", "category", "name"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="schools_activity_unique_name")]

    def __str__(self):
        return self.name
