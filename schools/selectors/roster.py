"""Reads of the roster (schools, classes, students, guardians, exports), scoped to the viewer."""

import re

from django.db.models import Count, Q, QuerySet

from xiji_afterschool import crypto, permissions

from ..models import (
    AdminClass,
    RosterExport,
    School,
    Student,
    Township,
)
from ..rules import roster as roster_rules


def school_list(*, viewer, township_id: int | None = None, school_type: str = "") -> QuerySet[School]:
    """Schools the viewer may see, with their student counts; filterable by township and type."""
    qs = permissions.scope(viewer, School.objects.all())
    if township_id:
        qs = qs.filter(township_id=township_id)
    if school_type:
        qs = qs.filter(school_type=school_type)
    # Meta.ordering is dropped from GROUP BY queries: order explicitly for stable pages.
    return (
        qs.select_related("township", "central_school")
        .annotate(student_count=Count("students"))
        .order_by("township__code", "code")
    )


def admin_class_list(*, viewer, school: School | None = None) -> QuerySet[AdminClass]:
    qs = permissions.scope(viewer, AdminClass.objects.all())
    if school is not None:
        qs = qs.filter(school=school)
    return qs.select_related("school").annotate(student_count=Count("students")).order_by("school", "grade", "number")


def student_list(
    *, viewer, school: School | None = None, admin_class_id: int | None = None, search: str = ""
) -> QuerySet[Student]:
    """Students the viewer may see; a parent sees only their own children. A search finds a name, a whole ID number
    (by its keyed digest: the column is encrypted) or the ID's last one to four characters (kept in clear, as the masked
    ID shows them); other parts of an ID number no longer match."""
    qs = permissions.scope(viewer, Student.objects.all())
    if school is not None:
        qs = qs.filter(school=school)
    if admin_class_id:
        qs = qs.filter(admin_class_id=admin_class_id)
    if search:
        match = Q(name__contains=search)
        id_like = roster_rules.normalize_id_number(search)
        if re.fullmatch(r"[0-9]{17}[0-9X]", id_like):
            match |= Q(id_number_digest=crypto.id_number_digest(id_like))
        elif re.fullmatch(r"[0-9X]{1,4}", id_like):
            match |= Q(id_number_last4__endswith=id_like)
        qs = qs.filter(match)
    return qs.select_related("school", "admin_class")


def student_guardians(*, student: Student):
    """The guardian links of one student the caller has already fetched through `student_list`."""
    return student.guardian_links.select_related("guardian").order_by("-is_primary", "pk")


def children_of(*, parent) -> QuerySet[Student]:
    """A parent's own children, for the parent's home page."""
    return student_list(viewer=parent).filter(guardian_links__guardian__user=parent).distinct()


def roster_export_list(*, viewer) -> QuerySet[RosterExport]:
    return permissions.scope(viewer, RosterExport.objects.all()).select_related("school", "requested_by")


def township_summary(*, viewer) -> list[dict]:
    """Per township: how many schools and students the viewer can see (19 rows, two queries)."""
    rows = {t.pk: {"township": t, "schools": 0, "students": 0} for t in Township.objects.all()}
    for school in school_list(viewer=viewer):
        rows[school.township_id]["schools"] += 1
        rows[school.township_id]["students"] += school.student_count
    return list(rows.values())


def county_totals() -> dict:
    """Headline numbers of the county console (the caller has already checked it may see them)."""
    return {
        "schools": School.objects.count(),
        "students": Student.objects.count(),
        "boarders": Student.objects.filter(is_boarder=True).count(),
        "dependent_schools": School.objects.filter(school_type__in=School.DEPENDENT_TYPES).count(),
    }
