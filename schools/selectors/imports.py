"""Reads of the roster imports, scoped to the viewer."""

from django.db.models import QuerySet

from xiji_afterschool import permissions

from ..models import (
    RosterImport,
)


def roster_import_list(*, viewer) -> QuerySet[RosterImport]:
    """The roster imports the viewer may see (a school's own administrators)."""
    return permissions.scope(viewer, RosterImport.objects.all()).select_related("school", "uploaded_by")
