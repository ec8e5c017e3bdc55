"""Public disclosure (公示, R26): a semester's figures for one school, frozen when published."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from schools.models import School, Semester, User
from xiji_afterschool.models import TimeStampedModel


class Disclosure(TimeStampedModel):
    """A semester's public disclosure (公示) for one school, frozen when published: money allocated, spent by
    category, teacher subsidies in total and their range. Never names a person."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("school"))
    semester = models.ForeignKey(
        Semester, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("semester")
    )
    data = models.JSONField(_("figures"))
    published_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-semester__start_date", "school__code"]
        verbose_name = _("public disclosure")
        verbose_name_plural = _("public disclosures")
        constraints = [models.UniqueConstraint(fields=["school", "semester"], name="funding_disclosure_one_per_term")]

    def __str__(self):
        return f"{self.school} {self.semester}"
