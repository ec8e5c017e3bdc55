"""Reads of the Letter to Parents: the filed plan it is made from, and the class batches."""

from django.db.models import QuerySet

from schools.models import (
    School,
    SchoolPlan,
    SchoolYear,
)
from xiji_afterschool import permissions

from ..models import LetterBatch


def letter_batch_list(*, viewer) -> QuerySet[LetterBatch]:
    return permissions.scope(viewer, LetterBatch.objects.all()).select_related("school", "admin_class", "requested_by")


def filed_plan(*, school: School, school_year: SchoolYear) -> SchoolPlan | None:
    """The school's newest filed plan. Unscoped on purpose: its service part is what parents must be told (R13)."""
    return (
        SchoolPlan.objects.filter(school=school, school_year=school_year, status=SchoolPlan.Status.FILED)
        .order_by("-version")
        .prefetch_related("sections")
        .first()
    )
