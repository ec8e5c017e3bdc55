"""Writes to the roster and its jobs: each in one transaction, each checked against the access policy."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xiji_afterschool import permissions
from xiji_afterschool.exports import write_xlsx

from ..models import RosterExport, School
from ..reports import roster as reports

log = logging.getLogger("xiji.schools")


@transaction.atomic
def roster_export_request(*, actor, school: School) -> RosterExport:
    """A school administrator asks for the roster workbook; a Celery task builds it after commit."""
    from .. import tasks  # tasks import services: import here to keep the module graph one-way

    permissions.require(actor, "roster.export", school)
    export = RosterExport.objects.create(
        school=school, requested_by=actor, language=translation.get_language() or settings.LANGUAGE_CODE
    )
    transaction.on_commit(lambda: tasks.roster_export_task.delay(export.pk))
    return export


def roster_export_run(*, export_id: int) -> RosterExport:
    """Build the workbook of one export. Safe to run twice: only a waiting export is claimed."""
    claimed = RosterExport.objects.filter(pk=export_id, status=RosterExport.Status.PENDING).update(
        status=RosterExport.Status.RUNNING, updated_at=timezone.now()
    )
    export = RosterExport.objects.select_related("school", "requested_by").get(pk=export_id)
    if not claimed:
        return export
    # The requester's right is re-checked when the job runs: a role removed meanwhile stops it.
    if not permissions.can(export.requested_by, "roster.export", export.school):
        return _finish(export, status=RosterExport.Status.FAILED, error=_("You may no longer export this roster."))
    try:
        with translation.override(export.language):
            header, rows = reports.roster_rows(school=export.school)
            content = write_xlsx(title=export.school.name, header=header, rows=rows)
        filename = f"roster-{export.school.code}-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
        export.file.save(filename, ContentFile(content), save=False)
        export.row_count = export.school.students.count()
        return _finish(export, status=RosterExport.Status.DONE)
    except Exception:
        log.exception("roster export %s failed", export_id)
        return _finish(export, status=RosterExport.Status.FAILED, error=_("The export failed; please try again."))


def _finish(export: RosterExport, *, status: str, error: str = "") -> RosterExport:
    export.status = status
    export.error = error
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "error", "file", "row_count", "finished_at", "updated_at"])
    return export
