"""Reads of the roster (schools, classes, students, guardians, exports), scoped to the viewer."""

import re

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from xiji_afterschool import crypto, permissions

from ..models import (
    AdminClass,
    RosterExport,
    School,
    Student,
    Township,
)
from ..rules import roster as roster_rules


def student_count() -> Coalesce:
    """A school's students now, as an annotation: one index-only count per school row returned (a page of 50
    counts 50 schools), not a join and GROUP BY over every student of the county."""
    per_school = Student.objects.filter(school=OuterRef("pk")).order_by().values("school").annotate(n=Count("pk"))
    return Coalesce(Subquery(per_school.values("n")), 0)


def school_list(
    *, viewer, township_id: int | None = None, school_type: str = "", with_student_count: bool = False
) -> QuerySet[School]:
    """Schools the viewer may see, filterable by township and type; `student_count` on each for the pages that
    show it (most callers only fetch a school through the viewer's scope, or count schools)."""
    qs = permissions.scope(viewer, School.objects.all())
    if township_id:
        qs = qs.filter(township_id=township_id)
    if school_type:
        qs = qs.filter(school_type=school_type)
    if with_student_count:
        qs = qs.annotate(student_count=student_count())
    return qs.select_related("township", "central_school").order_by("township__code", "code")


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
    """Per township: how many schools and students the viewer can see (19 rows, three queries: the students counted
    per school from the student table's school index alone, added up per township here)."""
    rows = {t.pk: {"township": t, "schools": 0, "students": 0} for t in Township.objects.all()}
    township_of = dict(school_list(viewer=viewer).values_list("pk", "township_id"))
    for township_id in township_of.values():
        rows[township_id]["schools"] += 1
    students = Student.objects.order_by().values("school").annotate(n=Count("pk")).values_list("school", "n")
    for school_id, n in students:
        if school_id in township_of:
            rows[township_of[school_id]]["students"] += n
    return list(rows.values())


def county_totals() -> dict:
    """Headline numbers of the county console (the caller has already checked it may see them)."""
    schools = School.objects.aggregate(
        schools=Count("pk"), dependent_schools=Count("pk", filter=Q(school_type__in=School.DEPENDENT_TYPES))
    )
    students = Student.objects.aggregate(students=Count("pk"), boarders=Count("pk", filter=Q(is_boarder=True)))
    return {**schools, **students}  # one pass over each table
