"""Whose password the viewer may reset, and the record of resets, each through the one access policy."""

from django.db.models import Prefetch, Q, QuerySet

from xiji_afterschool import permissions

from ..models import Membership, PasswordReset, User


def resettable_staff(*, viewer, search: str = "") -> QuerySet:
    qs = permissions.scope(viewer, User.objects.all(), "password.reset").exclude(pk=viewer.pk)
    search = search.strip()
    if search:
        qs = qs.filter(Q(full_name__icontains=search) | Q(username__icontains=search))
    memberships = Membership.objects.select_related("school").order_by("role")
    return qs.prefetch_related(Prefetch("memberships", queryset=memberships)).order_by("full_name", "username")


def recent_resets(*, viewer, limit: int = 20) -> list:
    qs = permissions.scope(viewer, PasswordReset.objects.all())
    return list(qs.select_related("user", "reset_by", "school")[:limit])
