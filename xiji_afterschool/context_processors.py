from schools.selectors import notifications as notifications_selectors

from . import navigation as nav
from . import permissions, sessions


def navigation(request):
    """The menu of the signed-in user's roles, for base.html."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": nav.menu(user),
        "user_memberships": permissions.memberships(user),
        # The top bar's badge; read from the request's user (annotated at sign-in lookup), so no extra query.
        "unread_notifications": notifications_selectors.unread_count(user),
        # The idle limit, for the warning before the idle sign-out on pages with a form (static/js/idle-warning.js).
        "idle_seconds": sessions.limits(user)[0],
    }
