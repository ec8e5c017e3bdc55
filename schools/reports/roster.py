"""Rows of the roster export (the writer lives in xiji_afterschool/exports.py)."""

from django.utils.translation import gettext as _

from ..models import School, Student, StudentGuardian


def roster_rows(*, school: School):
    """(header, rows) of the whole roster; full identifiers, because only the school's admin may export it."""
    header = [
        _("Grade"),
        _("Class"),
        _("Name"),
        _("Gender"),
        _("Birth date"),
        _("Resident ID number"),
        _("Boarder"),
        _("Guardian"),
        _("Relation"),
        _("Guardian mobile"),
    ]
    # Later rows win: each student's primary contact, else their first-linked guardian.
    links = StudentGuardian.objects.filter(student__school=school).select_related("guardian")
    primary = {link.student_id: link for link in links.order_by("is_primary", "-pk")}
    students = (
        Student.objects.filter(school=school)
        .select_related("admin_class")
        .order_by("admin_class__grade", "admin_class__number", "name", "pk")
    )

    def rows():
        yes, no = _("Yes"), _("No")
        for s in students.iterator(chunk_size=2000):
            link = primary.get(s.pk)
            yield [
                s.admin_class.get_grade_display(),
                s.admin_class.number,
                s.name,
                s.get_gender_display(),
                s.birth_date,
                s.id_number or "",
                yes if s.is_boarder else no,
                link.guardian.name if link else "",
                link.get_relation_display() if link else "",
                link.guardian.mobile if link else "",
            ]

    return header, rows()
