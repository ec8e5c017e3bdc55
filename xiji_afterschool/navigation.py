"""Where each role lands and what its menu shows, from the menu entries each app registers in its access.py.

Every entry names the action its page needs, and shows only to a user who holds the entry's role with that action
(checked at start-up and again here), so the menu cannot drift from the policy.
"""

from django.urls import reverse

from schools.models import Role

from . import permissions

# Order matters: a person with several roles lands on the home of the first one they hold, and the menu lists
# the roles' links in this order.
ROLE_ORDER = [
    Role.BUREAU,
    Role.INSPECTOR,
    Role.FINANCE,
    Role.HR,
    Role.AUDITOR,
    Role.LEADERSHIP,
    Role.TOWNSHIP_COORDINATOR,
    Role.SCHOOL_ADMIN,
    Role.CLASS_TEACHER,
    Role.SERVICE_TEACHER,
    Role.VOLUNTEER,
    Role.GATE,
    Role.CARE_STAFF,
    Role.PARENT,
]


def entries(role: str) -> list[permissions.MenuEntry]:
    """The role's menu: its home first, then its other entries in their order."""
    own = [e for e in permissions.MENU if e.role == role]
    return sorted(own, key=lambda e: (not e.home, e.order))


def _allowed(user, entry: permissions.MenuEntry) -> bool:
    return any(m.role == entry.role for m in permissions.memberships_for(user, entry.action))


def home_url_name(user) -> str | None:
    held = permissions.roles(user)
    for role in ROLE_ORDER:
        if role in held:
            home = next((e for e in entries(role) if e.home and _allowed(user, e)), None)
            if home is not None:
                return home.url
    return None


def menu(user) -> list[dict]:
    """One entry per role home the user holds, then that role's pages; no duplicates."""
    held = permissions.roles(user)
    seen, items = set(), []
    for role in ROLE_ORDER:
        if role not in held:
            continue
        for entry in entries(role):
            if entry.url in seen or not _allowed(user, entry):
                continue
            seen.add(entry.url)
            label = Role(role).label if entry.home else entry.label
            items.append({"label": label, "url": reverse(entry.url), "name": entry.url})
    return items
