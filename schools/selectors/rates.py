"""Reads of the subsidy standard (R22), scoped to the viewer."""

from django.db.models import QuerySet

from xiji_afterschool import permissions

from ..models import SubsidyRate


def rate_list(*, viewer) -> QuerySet[SubsidyRate]:
    """Every standard with its first day, newest first, for those who handle the money ("rate.view")."""
    return permissions.scope(viewer, SubsidyRate.objects.all(), action="rate.view").order_by("-effective_from")
