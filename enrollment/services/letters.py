"""The Letter to Parents in class batches (R15): one letter per student with its link code, built by a Celery task."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from schools.models import AdminClass
from schools.selectors import calendar as calendar_selectors
from xiji_afterschool import jobs, permissions
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
    `letter_batch_task` after commit (`jobs.enqueue`: with the queue unavailable the batch is FAILED, with words).
    """
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
        base_url=base_url,
    )
    jobs.enqueue(batch)
    return batch


@transaction.atomic
def letter_batch_retry(*, actor, batch: LetterBatch) -> LetterBatch:
    """Queue a FAILED batch again (the retry button): the same right as asking for it. Raises PermissionDenied,
    DomainError (not failed)."""
    permissions.require(actor, "letter.batch", batch.admin_class)
    return jobs.retry(batch)


def letter_batch_run(*, batch_id: int, base_url: str | None = None) -> LetterBatch:
    """Build the PDF of one batch. Safe to run twice and after a crash: the run claims the batch (`jobs.claim`)
    and only the claiming attempt may finish it, so the batch becomes DONE once with one file.

    Not one transaction on purpose: the progress (`done`) is written as letters are prepared, so the requester's
    page can show it while the job runs; the PDF is stored whole, then the batch is finished.
    """
    batch = LetterBatch.objects.select_related("school", "school_year", "admin_class", "requested_by").get(pk=batch_id)
    attempt = jobs.claim(batch)
    if attempt is None:
        return batch
    base_url = batch.base_url or base_url or ""  # a message queued before base_url was stored carries it
    # The requester's right is re-checked when the job runs: a role removed meanwhile stops it.
    if not permissions.can(batch.requested_by, "letter.batch", batch.admin_class):
        jobs.fail(batch, attempt, _("You may no longer print these letters."))
        return batch
    try:
        with translation.override(batch.language):
            plan = selectors.filed_plan(school=batch.school, school_year=batch.school_year)
            if plan is None:
                jobs.fail(batch, attempt, _("The school's plan is not filed yet."))
                return batch
            letter = reports.letter_context(
                school=batch.school, school_year=batch.school_year, plan=plan, base_url=base_url
            )
            students = []
            for student in reports.letter_students(admin_class=batch.admin_class, base_url=base_url):
                students.append(student)
                if len(students) % PROGRESS_EVERY == 0 and not jobs.beat(batch, attempt, done=len(students)):
                    return batch  # the sweep gave the batch to another attempt: that one finishes it
            if not students:  # every child left the class since the request
                jobs.fail(batch, attempt, _("This class has no students."))
                return batch
            jobs.beat(batch, attempt, done=len(students), total=len(students))  # the class may have changed
            pdf = render_pdf("enrollment/letters/letter_batch_pdf.html", {"letter": letter, "students": students})
        admin_class = batch.admin_class
        name = jobs.store_file(
            batch, f"letters-{batch.school.code}-{admin_class.grade}-{admin_class.number}-{batch.pk}.pdf", pdf
        )
        if not jobs.finish(batch, attempt, file=name, done=len(students), total=len(students)):
            batch.file.storage.delete(name)  # another attempt owns the batch: its file is the one kept
        return batch
    except Exception:
        log.exception("letter batch %s failed", batch_id)
        jobs.fail(batch, attempt, _("The letters could not be made; please try again."))
        return batch
