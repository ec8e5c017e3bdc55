"""The Letter to Parents (R13): one per child with its link code, built by a Celery task for a class."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from schools.models import AdminClass, School, SchoolYear, User
from xiji_afterschool.jobs import BackgroundJob
from xiji_afterschool.models import TimeStampedModel


class LetterBatch(BackgroundJob, TimeStampedModel):
    """Letters to Parents for one administrative class, one per child with its link code, built by a Celery task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")

    JOB_TASK = "enrollment.tasks.letter_batch_task"
    RETENTION = "letters"  # schools/rules/retention.py: deleted with its PDF once its school year has ended

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="letter_batches")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    admin_class = models.ForeignKey(AdminClass, on_delete=models.CASCADE, related_name="letter_batches")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    total = models.PositiveIntegerField(_("letters"), default=0)
    done = models.PositiveIntegerField(_("letters ready"), default=0)
    file = models.FileField(_("file"), upload_to="letters/%Y/%m/", blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    # The site's origin the QR codes point to, as the requester reached it: a re-run has no request to ask.
    base_url = models.CharField(_("site address"), max_length=200, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("letter batch")
        verbose_name_plural = _("letter batches")

    def __str__(self):
        return f"{self.admin_class} · {self.created_at:%Y-%m-%d %H:%M}"
