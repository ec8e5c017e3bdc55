"""Writes to the roster and its jobs: each in one transaction, each checked against the access policy."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from xiji_afterschool import jobs, permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.exports import write_xlsx

from ..models import RosterExport, School, Student
from ..reports import roster as reports
from . import audit as audit_services

log = logging.getLogger("xiji.schools")


@transaction.atomic
def roster_export_request(*, actor, school: School) -> RosterExport:
    """A school administrator asks for the roster workbook; a Celery task builds it after commit (`jobs.enqueue`:
    with the queue unavailable the export is FAILED, with words). Raises PermissionDenied."""
    permissions.require(actor, "roster.export", school)
    export = RosterExport.objects.create(
        school=school, requested_by=actor, language=translation.get_language() or settings.LANGUAGE_CODE
    )
    jobs.enqueue(export)
    return export


@transaction.atomic
def roster_export_retry(*, actor, export: RosterExport) -> RosterExport:
    """Queue a FAILED export again (the retry button): the same right as asking for it. Raises PermissionDenied,
    DomainError (not failed)."""
    permissions.require(actor, "roster.export", export.school)
    return jobs.retry(export)


def roster_export_run(*, export_id: int) -> RosterExport:
    """Build the workbook of one export. Safe to run twice and after a crash: only the attempt that claimed the
    export (`jobs.claim`) may finish it, so it becomes DONE once with one file."""
    export = RosterExport.objects.select_related("school", "requested_by").get(pk=export_id)
    attempt = jobs.claim(export)
    if attempt is None:
        return export
    # The requester's right is re-checked when the job runs: a role removed meanwhile stops it.
    if not permissions.can(export.requested_by, "roster.export", export.school):
        jobs.fail(export, attempt, _("You may no longer export this roster."))
        return export
    try:
        with translation.override(export.language):
            header, rows = reports.roster_rows(school=export.school)
            rows = list(rows)
            jobs.beat(export, attempt)
            content = write_xlsx(title=export.school.name, header=header, rows=rows)
        name = jobs.store_file(export, f"roster-{export.school.code}-{export.pk}.xlsx", content)
        if not jobs.finish(export, attempt, file=name, row_count=export.school.students.count()):
            export.file.storage.delete(name)  # another attempt owns the export: its file is the one kept
        return export
    except Exception:
        log.exception("roster export %s failed", export_id)
        jobs.fail(export, attempt, _("The export failed; please try again."))
        return export


# The fields the school corrects on the student's page; the audit record keeps each change (the ID number masked).
EDITABLE_FIELDS = ["name", "gender", "birth_date", "id_number", "admin_class", "is_boarder"]


@transaction.atomic
def student_update(*, actor, student: Student, **fields) -> Student:
    """Correct a student's roster data (a guardian's correction request, a typo of the import). The class must be of
    the student's school and the ID number nobody else's; nothing is written when either is wrong."""
    permissions.require(actor, "student.edit", student)
    student = Student.objects.select_for_update().get(pk=student.pk)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    admin_class = fields.get("admin_class", student.admin_class)
    if admin_class.school_id != student.school_id:
        raise DomainError(_("Choose a class of the student's own school."))
    id_number = fields.get("id_number", student.id_number)
    if id_number and Student.objects.by_id_number(id_number).exclude(pk=student.pk).exists():
        raise DomainError(_("Another student already has this ID number. Check the number with the family."))
    before = audit_services.snapshot(student, EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(student, name, value)
    try:
        student.full_clean(exclude=["link_code"])
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    student.save(update_fields=[*fields, "updated_at"])
    changes = audit_services.diff(before, audit_services.snapshot(student, EDITABLE_FIELDS))
    if changes:
        audit_services.record(action="roster.student_edit", obj=student, changes=changes, actor=actor)
    return student
