"""Reads of a school's activities and partners, scoped to the viewer."""

from django.db.models import Count, QuerySet

from xiji_afterschool import permissions

from ..models import (
    Activity,
    Partner,
    School,
)

# ---------------------------------------------------------------- activities and partners


def activity_list_qs(*, viewer, school: School) -> QuerySet[Activity]:
    """The school's activities the viewer may see, with their partners, in category order."""
    qs = permissions.scope(viewer, Activity.objects.filter(school=school))
    return qs.select_related("partner").order_by("category", "name")


def partner_list_qs(*, viewer, school: School) -> QuerySet[Partner]:
    """The school's partners the viewer may see, each with how many activities it hosts."""
    qs = permissions.scope(viewer, Partner.objects.filter(school=school))
    return qs.annotate(activity_count=Count("activities")).order_by("name")
