"""The Letter to Parents in class batches (R15): one letter per student with its link code, built by a Celery task."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from schools.models import AdminClass
from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.exports import render_pdf

from ..models import LetterBatch
from ..reports import letters as reports
from ..selectors import letters as selectors

log = logging.getLogger("xiji.enrollment")

PROGRESS_EVERY = 5  # letters between two progress writes: visible progress without a write per letter


@transaction.atomic
def letter_batch_request(*, actor, admin_class: AdminClass, base_url: str) -> LetterBatch:
    """A class teacher (own class) or school administrator asks for the letters of a whole administrative class.

    `base_url` is the site's origin (scheme and host) the QR codes point to. Raises PermissionDenied, DomainError
    (no current school year, the school's plan is not filed, the class has no students). Enqueues
    `letter_batch_task` after commit.
    """
    from .. import tasks  # tasks import services: import here to keep the module graph one-way

    permissions.require(actor, "letter.batch", admin_class)
    school_year = calendar_selectors.current_school_year()
    if school_year is None:
        raise DomainError(_("No school year has been set up yet."))
    if selectors.filed_plan(school=admin_class.school, school_year=school_year) is None:
        raise DomainError(
            _("The school's plan for %(year)s is not filed yet, so there is no Letter to Parents to print.")
            % {"year": school_year}
        )
    total = admin_class.students.count()
    if not total:
        raise DomainError(_("This class has no students, so there are no letters to print."))
    batch = LetterBatch.objects.create(
        school=admin_class.school,
        school_year=school_year,
        admin_class=admin_class,
        requested_by=actor,
        total=total,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: tasks.letter_batch_task.delay(batch.pk, base_url))
    return batch


def letter_batch_run(*, batch_id: int, base_url: str) -> LetterBatch:
    """Build the PDF of one batch. Safe to run twice: only a queued batch is claimed.

    Not one transaction on purpose: the progress (`done`) is written as letters are prepared, so the requester's
    page can show it while the job runs.
    """
    claimed = LetterBatch.objects.filter(pk=batch_id, status=LetterBatch.Status.PENDING).update(
        status=LetterBatch.Status.RUNNING, updated_at=timezone.now()
    )
    batch = LetterBatch.objects.select_related("school", "school_year", "admin_class", "requested_by").get(pk=batch_id)
    if not claimed:
        return batch
    # The requester's right is re-checked when the job runs: a role removed meanwhile stops it.
    if not permissions.can(batch.requested_by, "letter.batch", batch.admin_class):
        return _finish(batch, status=LetterBatch.Status.FAILED, error=_("You may no longer print these letters."))
    try:
        with translation.override(batch.language):
            plan = selectors.filed_plan(school=batch.school, school_year=batch.school_year)
            if plan is None:
                return _finish(batch, status=LetterBatch.Status.FAILED, error=_("The school's plan is not filed yet."))
            letter = reports.letter_context(
                school=batch.school, school_year=batch.school_year, plan=plan, base_url=base_url
            )
            students = []
            for student in reports.letter_students(admin_class=batch.admin_class, base_url=base_url):
                students.append(student)
                if len(students) % PROGRESS_EVERY == 0:
                    _progress(batch, done=len(students))
            if not students:  # every child left the class since the request
                return _finish(batch, status=LetterBatch.Status.FAILED, error=_("This class has no students."))
            batch.total = batch.done = len(students)  # the class may have changed since the request
            _progress(batch, done=batch.done, total=batch.total)
            pdf = render_pdf("enrollment/letters/letter_batch_pdf.html", {"letter": letter, "students": students})
        admin_class = batch.admin_class
        filename = (
            f"letters-{batch.school.code}-{admin_class.grade}-{admin_class.number}-"
            f"{timezone.localtime():%Y%m%d-%H%M%S}.pdf"
        )
        batch.file.save(filename, ContentFile(pdf), save=False)
        return _finish(batch, status=LetterBatch.Status.DONE)
    except Exception:
        log.exception("letter batch %s failed", batch_id)
        return _finish(
            batch, status=LetterBatch.Status.FAILED, error=_("The letters could not be made; please try again.")
        )


def _progress(batch: LetterBatch, *, done: int, total: int | None = None) -> None:
    fields = {"done": done, "updated_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    LetterBatch.objects.filter(pk=batch.pk).update(**fields)


def _finish(batch: LetterBatch, *, status: str, error: str = "") -> LetterBatch:
    batch.status = status
    batch.error = error
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "error", "file", "total", "done", "finished_at", "updated_at"])
    return batch
