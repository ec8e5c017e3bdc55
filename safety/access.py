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
    MenuEntry,
    at_school,
    in_township,
    of_person,
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
# Staff who may hold children after the service: the school admin, the session staff and the care staff (the gate
# keeper watches the gate and holds no one).
HOLDERS = {SA, *SESSION_STAFF, CARE}


def session_or_held(m):
    """Sessions a member of staff ran, assisted or teaches, and those from which a child was handed to them."""
    return (
        Q(service_class__teacher=m.user_id)
        | Q(teacher=m.user_id)
        | Q(assistants__person=m.user_id)
        | Q(handovers__to_staff=m.user_id)
    ) & Q(service_class__school=m.school_id)


def given_or_taken(m):
    """Hand-overs a member of staff gave or took (a bus escort's riders, a dormitory teacher's boarders)."""
    return (Q(from_staff=m.user_id) | Q(to_staff=m.user_id)) & Q(student__school=m.school_id)


HANDOVERS_ACTIONS: dict = {
    # The dismissal page, a tap, the staff hand-over, a correction, the paper sheet and its entry (on a Session).
    "handover.record": {SA, *SESSION_STAFF, CARE},
    # Hand over a child of the school whoever holds them, correct anyone's record (the school admin).
    "handover.override": {SA},
    # "我看护的学生": the children one holds now, and the bus riders and boarders handed to one today.
    "handover.hold": HOLDERS,
    # The escort's / dormitory teacher's one-time "已上车 / 已到宿舍" (on a Handover).
    "handover.receive": HOLDERS,
    # A child's hand-overs of the last 30 days: the guardian (their own children), the school admin.
    "handover.history": {Role.PARENT, SA},
    # Whether the adult confirms a hand-over with a code or a signature (on a School).
    "safety_settings.edit": {SA},
}
HANDOVERS_SCOPES: dict = {
    "safety.Handover": {
        Role.PARENT: of_guardian("student"),
        SA: at_school("student__school"),
        **same_rule({*SESSION_STAFF, CARE}, given_or_taken),
        Role.TOWNSHIP_COORDINATOR: in_township("student__school__township"),
        **same_rule(COUNTY_READERS, ALL),
    },
    "safety.SafetySettings": {
        SA: at_school(),
        Role.TOWNSHIP_COORDINATOR: in_township(),
        **same_rule(COUNTY_READERS, ALL),
    },
}
HANDOVERS_ACTION_SCOPES: dict = {
    "handover.record": {
        "schools.Session": {
            SA: at_school("service_class__school"),
            **same_rule({*SESSION_STAFF, CARE}, session_or_held),
        }
    },
    "handover.override": {"schools.Session": {SA: at_school("service_class__school")}},
    "handover.receive": {
        "safety.Handover": {
            SA: at_school("student__school"),
            **same_rule({*SESSION_STAFF, CARE}, of_person("to_staff")),
        }
    },
    "handover.history": {
        "schools.Student": {Role.PARENT: lambda m: Q(guardian_links__guardian__user=m.user_id), SA: at_school()}
    },
    "safety_settings.edit": {"schools.School": {SA: at_school("pk")}},
}
HANDOVERS_MENU: list = [
    MenuEntry(CARE, "safety:held-children", "handover.hold", home=True),
    *(
        MenuEntry(role, "safety:held-children", "handover.hold", _("Children in my care"), 25)
        for role in (SA, *SESSION_STAFF)
    ),
    MenuEntry(SA, "safety:settings-edit", "safety_settings.edit", _("Hand-over settings"), 70),
]

# ---------------------------------------------------------------- gate (§5)
GATE_ACTIONS: dict = {}
GATE_SCOPES: dict = {}
GATE_MENU: list = []

# ---------------------------------------------------------------- venues and hazards (§6)
VENUES_ACTIONS: dict = {}
VENUES_SCOPES: dict = {}
VENUES_MENU: list = []

# ---------------------------------------------------------------- incidents and insurance (§7)
INCIDENTS_ACTIONS: dict = {}
INCIDENTS_SCOPES: dict = {}
INCIDENTS_MENU: list = []

# ---------------------------------------------------------------- emergency plans, drills, safety education (§8)
EMERGENCY_ACTIONS: dict = {}
EMERGENCY_SCOPES: dict = {}
EMERGENCY_MENU: list = []


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
    action_scopes={**HANDOVERS_ACTION_SCOPES},
    menu=[*PICKUPS_MENU, *HANDOVERS_MENU, *GATE_MENU, *VENUES_MENU, *INCIDENTS_MENU, *EMERGENCY_MENU],
)
