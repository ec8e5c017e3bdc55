"""Roster import: a school's students and guardians from an Excel workbook, previewed, then imported whole."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.models import TimeStampedModel

from .roster import School, User


class RosterImport(TimeStampedModel):
    class Status(models.TextChoices):
        HAS_ERRORS = "errors", _("Has errors: nothing imported")
        READY = "ready", _("Checked: ready to import")
        IMPORTED = "imported", _("Imported")

    STATUS_STYLE = {Status.HAS_ERRORS: "danger", Status.READY: "primary", Status.IMPORTED: "success"}

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="roster_imports")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to="imports/roster/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=120)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    errors = models.JSONField(_("problems"), default=list, blank=True)  # [{"row": 12, "message": "…"}]
    students_created = models.PositiveIntegerField(default=0)
    students_updated = models.PositiveIntegerField(default=0)
    guardians_created = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self):
        return f"{self.school} · {self.original_name}"
