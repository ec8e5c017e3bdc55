"""The safety app's actions, scopes and menu entries (R28–R32), registered with the one engine
(xiji_afterschool/permissions.py). One section per concern; the single `register` call at the bottom merges them.

Guardians see only their own children's rows (through `Guardian.user`); school staff only their school's; the
gate only what today needs; townships and the county read their schools' safety records."""

from django.db.models import F, Q
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
INCIDENTS_ACTIONS: dict = {}
INCIDENTS_SCOPES: dict = {}
INCIDENTS_MENU: list = []

# ---------------------------------------------------------------- emergency plans, drills, safety education (§8)
EMERGENCY_ACTIONS: dict = {}
EMERGENCY_SCOPES: dict = {}
EMERGENCY_MENU: list = []

# ---------------------------------------------------------------- alerts, duty roster, board (§2 duty roster, §3)
# The duty teacher of the day answers for late pick-ups with the adult holding the child and the school admin.
BOARD_ROLES = {SA, *SESSION_STAFF, GATE, CARE}  # the school's people on its safety board; supervisors read it


def holds_or_on_duty(m):
    """Alerts of a child this person held when the alert was raised, or of a day they are the duty teacher."""
    return Q(holder=m.user_id) | Q(school__duty_days__duty_teacher=m.user_id, school__duty_days__date=F("date"))


ALERTS_ACTIONS: dict = {
    "board.view": {*BOARD_ROLES, *SUPERVISORS},  # on a School
    "duty_roster.view": {SA, *SUPERVISORS},  # on a School: the month page
    "duty_roster.manage": {SA},  # on a School
    "late_alert.view": {*BOARD_ROLES, *SUPERVISORS},
    "late_alert.resolve": {SA, *SESSION_STAFF, GATE, CARE},  # narrowed below: the holder and the duty teacher
}
ALERTS_SCOPES: dict = {
    "safety.DutyRoster": {
        **same_rule(BOARD_ROLES, at_school()),
        Role.TOWNSHIP_COORDINATOR: in_township(),
        **same_rule(COUNTY_READERS, ALL),
    },
    "safety.LateAlert": {
        **same_rule(BOARD_ROLES, at_school()),
        Role.TOWNSHIP_COORDINATOR: in_township(),
        **same_rule(COUNTY_READERS, ALL),
    },
}
ALERTS_ACTION_SCOPES: dict = {
    # schools.School has no rule for the gate and care staff: for the board they see their own school.
    "board.view": {"schools.School": same_rule({GATE, CARE}, at_school("pk"))},
    "late_alert.resolve": {"safety.LateAlert": same_rule({*SESSION_STAFF, GATE, CARE}, holds_or_on_duty)},
}
ALERTS_MENU: list = [
    MenuEntry(SA, "safety:board-mine", "board.view", _("Safety board"), order=60),
    MenuEntry(SA, "safety:duty-mine", "duty_roster.manage", _("Duty roster"), order=61),
    *(MenuEntry(role, "safety:board-mine", "board.view", _("Safety board"), order=60) for role in SESSION_STAFF),
    # The gate keeper's and care staff's entries wait for their homes (other helpers): the engine refuses a menu
    # entry for a role without a home. The integrator adds GATE and CARE here once they have one.
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
        **ALERTS_ACTIONS,
    },
    scopes={
        **PICKUPS_SCOPES,
        **HANDOVERS_SCOPES,
        **GATE_SCOPES,
        **VENUES_SCOPES,
        **INCIDENTS_SCOPES,
        **EMERGENCY_SCOPES,
        **ALERTS_SCOPES,
    },
    action_scopes={**ALERTS_ACTION_SCOPES},
    menu=[*PICKUPS_MENU, *HANDOVERS_MENU, *GATE_MENU, *VENUES_MENU, *INCIDENTS_MENU, *EMERGENCY_MENU, *ALERTS_MENU],
)
