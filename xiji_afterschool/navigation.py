"""Where each role lands and what its menu shows. Links only to pages that role may open."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from schools.models import Role

from . import permissions

# Order matters: a person with several roles lands on the first one they hold.
ROLE_HOMES = [
    (Role.BUREAU, "bureau:home"),
    (Role.INSPECTOR, "bureau:inspector-home"),
    (Role.FINANCE, "funding:finance-home"),
    (Role.HR, "funding:hr-home"),
    (Role.AUDITOR, "funding:auditor-home"),
    (Role.TOWNSHIP_COORDINATOR, "schools:township-home"),
    (Role.SCHOOL_ADMIN, "schools:school-home"),
    (Role.CLASS_TEACHER, "schools:class-home"),
    (Role.SERVICE_TEACHER, "schools:teacher-today"),
    (Role.VOLUNTEER, "schools:teacher-today"),
    (Role.PARENT, "enrollment:parent-home"),
]

EXTRA_LINKS = {
    Role.BUREAU: [
        (_("Plan review"), "schools:plan-list"),
        (_("Plan status"), "bureau:plan-status"),
        (_("Coverage"), "enrollment:coverage-county"),
        (_("Delivery"), "schools:delivery-county"),
        (_("Calendar"), "bureau:calendar"),
        (_("Schools"), "schools:school-list"),
        (_("Subsidy claims"), "funding:claim-list"),
        (_("Subsidy rate"), "funding:rate-list"),
        (_("Disclosures"), "funding:disclosure-county"),
    ],
    Role.INSPECTOR: [
        (_("Plans"), "schools:plan-list"),
        (_("Plan status"), "bureau:plan-status"),
        (_("Coverage"), "enrollment:coverage-county"),
        (_("Delivery"), "schools:delivery-county"),
        (_("Schools"), "schools:school-list"),
        (_("Disclosures"), "funding:disclosure-county"),
    ],
    Role.TOWNSHIP_COORDINATOR: [
        (_("Plans"), "schools:plan-list"),
        (_("Coverage"), "enrollment:coverage-county"),
        (_("Delivery"), "schools:delivery-county"),
        (_("Schools"), "schools:school-list"),
    ],
    Role.SCHOOL_ADMIN: [
        (_("Applications"), "enrollment:review-school"),
        (_("Sessions to confirm"), "schools:session-review"),
        (_("Plans"), "schools:plan-list"),
        (_("Students"), "schools:student-list"),
    ],
    Role.FINANCE: [
        (_("Subsidy claims"), "funding:claim-list"),
        (_("Settlements"), "funding:settlement-list"),
        (_("Ledgers"), "funding:ledger-list"),
        (_("Disclosures"), "funding:disclosure-county"),
    ],
    Role.HR: [(_("Pay schemes"), "funding:pay-scheme-list")],
    Role.AUDITOR: [
        (_("Subsidy claims"), "funding:claim-list"),
        (_("Ledgers"), "funding:ledger-list"),
        (_("Settlements"), "funding:settlement-list"),
        (_("Disclosures"), "funding:disclosure-county"),
    ],
    Role.CLASS_TEACHER: [(_("Class review"), "enrollment:review-class"), (_("Today"), "schools:teacher-today")],
}


def home_url_name(user) -> str | None:
    held = permissions.roles(user)
    return next((name for role, name in ROLE_HOMES if role in held), None)


def menu(user) -> list[dict]:
    """One entry per role home the user holds, then that role's pages; no duplicates."""
    held = permissions.roles(user)
    seen, items = set(), []
    for role, home in ROLE_HOMES:
        if role not in held:
            continue
        for label, name in [(Role(role).label, home), *EXTRA_LINKS.get(role, [])]:
            if name not in seen:
                seen.add(name)
                items.append({"label": label, "url": reverse(name), "name": name})
    return items
