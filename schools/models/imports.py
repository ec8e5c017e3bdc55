"""Roster import: a school's students and guardians from an Excel workbook, previewed, then imported whole."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.jobs import BackgroundJob
from xiji_afterschool.models import TimeStampedModel

from .roster import School, User


class RosterImport(BackgroundJob, TimeStampedModel):
    """An uploaded roster, checked by a worker (`roster_import_task`): PENDING → RUNNING → READY or HAS_ERRORS
    (or FAILED: a file that cannot be read, the time limit, the queue unavailable), then IMPORTED."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        RUNNING = "running", _("Being checked")
        FAILED = "failed", _("Failed")
        HAS_ERRORS = "errors", _("Has errors: nothing imported")
        READY = "ready", _("Checked: ready to import")
        IMPORTED = "imported", _("Imported")

    JOB_TASK = "schools.tasks.roster_import_task"
    RETENTION = "imports"  # rules/retention.py: deleted with its upload after the county's period

    STATUS_STYLE = {
        Status.PENDING: "secondary",
        Status.RUNNING: "info",
        Status.FAILED: "danger",
        Status.HAS_ERRORS: "danger",
        Status.READY: "primary",
        Status.IMPORTED: "success",
    }

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="roster_imports")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to="imports/roster/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=120)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    errors = models.JSONField(_("problems"), default=list, blank=True)  # [{"row": 12, "message": "…"}]
    students_created = models.PositiveIntegerField(default=0)
    students_updated = models.PositiveIntegerField(default=0)
    guardians_created = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    # The check in the worker: rows read so far (of the sheet's rows), and why it stopped if it failed.
    progress_done = models.PositiveIntegerField(_("rows checked"), default=0)
    progress_total = models.PositiveIntegerField(_("rows to check"), default=0)
    error = models.CharField(_("error"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")  # the uploader's, for the problems
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self):
        return f"{self.school} · {self.original_name}"
