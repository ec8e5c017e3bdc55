"""The safety app's actions, scopes and menu entries (R28–R32), registered with the one engine
(xiji_afterschool/permissions.py). One section per concern; the single `register` call at the bottom merges them.

Guardians see only their own children's rows (through `Guardian.user`); school staff only their school's; the
gate only what today needs; townships and the county read their schools' safety records."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import Role
from xiji_afterschool.permissions import (
    ALL,
    COUNTY_READERS,
    SESSION_STAFF,
    SUPERVISORS,
    MenuEntry,
    at_school,
    in_township,
    register,
    same_rule,
)

SA, GATE, CARE = Role.SCHOOL_ADMIN, Role.GATE, Role.CARE_STAFF
SCHOOL_STAFF = {SA, *SESSION_STAFF, GATE, CARE}  # everyone who works at one school


def of_guardian(path):
    """Rows whose `path` leads to a child of the membership's user (a parent)."""
    return lambda m: Q(**{f"{path}__guardian_links__guardian__user": m.user_id})


# ---------------------------------------------------------------- pickups: who may take a child (§1)
PICKUPS_ACTIONS: dict = {}
PICKUPS_SCOPES: dict = {}
PICKUPS_MENU: list = []

# ---------------------------------------------------------------- handovers, duty roster, late pick-ups (§2, §3, §9)
HANDOVERS_ACTIONS: dict = {}
HANDOVERS_SCOPES: dict = {}
HANDOVERS_MENU: list = []

# ---------------------------------------------------------------- gate (§5)
GATE_ACTIONS: dict = {}
GATE_SCOPES: dict = {}
GATE_MENU: list = []

# ---------------------------------------------------------------- venues and hazards (§6)
VENUES_ACTIONS: dict = {}
VENUES_SCOPES: dict = {}
VENUES_MENU: list = []

# ---------------------------------------------------------------- incidents and insurance (§7)
# The school admin keeps the record (insurance, closing). The adult who was there records it: after-school
# teachers, volunteers, class teachers and care staff may record an incident, tell a guardian and add follow-ups —
# on the incidents they recorded only (they see only those: a teacher has no need to read every injury at the
# school). Guardians read the incidents of their own children, never the other children's rows.
INCIDENT_STAFF = {*SESSION_STAFF, CARE}


def own_followups(m):
    """A guardian reads the follow-ups of their child's incident about the whole incident or about their child."""
    mine = "student__guardian_links__guardian__user"
    return Q(**{f"incident__children__{mine}": m.user_id}) & (
        Q(child__isnull=True) | Q(**{f"child__{mine}": m.user_id})
    )


def _incident_rules(path: str, parent_rule) -> dict:
    prefix = f"{path}__" if path else ""
    return {
        Role.PARENT: parent_rule,
        SA: at_school(f"{prefix}school"),
        **same_rule(INCIDENT_STAFF, lambda m: Q(**{f"{prefix}recorded_by": m.user_id})),
        Role.TOWNSHIP_COORDINATOR: in_township(f"{prefix}school__township"),
        **same_rule(COUNTY_READERS, ALL),
    }


INCIDENTS_ACTIONS: dict = {
    "incident.view": {Role.PARENT, SA, *INCIDENT_STAFF, *SUPERVISORS},
    "incident.record": {SA, *INCIDENT_STAFF},
    "incident.follow_up": {SA, *INCIDENT_STAFF},  # follow-ups, corrections, a guardian told
    "incident.close": {SA},
    "insurance.manage": {SA},  # the insurance claim and the compensation shares
}
INCIDENTS_SCOPES: dict = {
    "safety.Incident": _incident_rules("", of_guardian("children__student")),
    "safety.IncidentChild": _incident_rules("incident", of_guardian("student")),
    "safety.IncidentFollowUp": _incident_rules("incident", own_followups),
    "safety.GuardianContact": _incident_rules("child__incident", of_guardian("child__student")),
    "safety.InsuranceClaim": _incident_rules("incident", of_guardian("incident__children__student")),
}
INCIDENTS_MENU: list = [
    *(
        MenuEntry(role, "safety:incident-list", "incident.view", _("Incidents"), 60)
        for role in (SA, *SESSION_STAFF, *SUPERVISORS)
    ),
]

# ---------------------------------------------------------------- emergency plans, drills, safety education (§8)
# Every teacher of the school reads the plans (they hold duties in them); the school admin writes plans, drills and
# education records; the township and the county read their schools'.
EMERGENCY_READERS = {SA, *SESSION_STAFF, *SUPERVISORS}
EMERGENCY_ACTIONS: dict = {
    "emergency.view": EMERGENCY_READERS,
    "emergency.manage": {SA},
}
EMERGENCY_SCOPES: dict = {
    model: {
        **same_rule({SA, *SESSION_STAFF}, at_school(f"{path}school")),
        Role.TOWNSHIP_COORDINATOR: in_township(f"{path}school__township"),
        **same_rule(COUNTY_READERS, ALL),
    }
    for model, path in (
        ("safety.EmergencyPlan", ""),
        ("safety.PlanDuty", "plan__"),
        ("safety.Drill", ""),
        ("safety.SafetyEducation", ""),
    )
}
EMERGENCY_MENU: list = [
    MenuEntry(role, "safety:emergency-list", "emergency.view", _("Emergency plans and drills"), 61)
    for role in (SA, *SUPERVISORS)
]


register(
    app="safety",
    actions={
        **PICKUPS_ACTIONS,
        **HANDOVERS_ACTIONS,
        **GATE_ACTIONS,
        **VENUES_ACTIONS,
        **INCIDENTS_ACTIONS,
        **EMERGENCY_ACTIONS,
    },
    scopes={
        **PICKUPS_SCOPES,
        **HANDOVERS_SCOPES,
        **GATE_SCOPES,
        **VENUES_SCOPES,
        **INCIDENTS_SCOPES,
        **EMERGENCY_SCOPES,
    },
    menu=[*PICKUPS_MENU, *HANDOVERS_MENU, *GATE_MENU, *VENUES_MENU, *INCIDENTS_MENU, *EMERGENCY_MENU],
)
