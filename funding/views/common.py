"""What several funding views share: the (school, school year) pages' fetch."""

from django.shortcuts import get_object_or_404

from schools.models import School, SchoolYear
from xiji_afterschool import permissions


def school_and_year(request, school_pk, year_pk, action: str, *, seen_with: str = "") -> tuple[School, SchoolYear]:
    """The school (404 outside what the viewer sees for `seen_with`, default `action`) and the year; then 403
    without the right to `action` (so a reader asking to edit gets 403, not 404)."""
    schools = permissions.scope(request.user, School.objects.all(), action=seen_with or action)
    school = get_object_or_404(schools, pk=school_pk)
    school_year = get_object_or_404(
        permissions.scope(request.user, SchoolYear.objects.all()).prefetch_related("semesters"), pk=year_pk
    )
    permissions.require(request.user, action, school)
    return school, school_year
