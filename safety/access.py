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
# Who may collect a child is personal data of the family: the guardian, the class teacher (read) and the school admin
# see it; the gate and the care staff of the school read it through the gate and hand-over pages; townships and the
# county do not (minimum necessary). Guardians keep their own children's lists; the school records paper requests.
PARENT, CT = Role.PARENT, Role.CLASS_TEACHER
PICKUPS_ACTIONS: dict = {
    "pickup.view": {PARENT, CT, SA},  # a child's pick-up page (on a Student)
    "pickup.list": {CT, SA},  # the school's 接送安排 list with counts per class
    "collector.add": {PARENT},  # the guardian on the phone (source: guardian)
    "collector.record_paper": {SA},  # from a paper request, original on file (source: paper)
    "collector.revoke": {PARENT, SA},
    "delegation.add": {PARENT},
    "delegation.cancel": {PARENT},
    "walk_home.sign": {PARENT},
    "walk_home.record_paper": {SA},
    "walk_home.withdraw": {PARENT, SA},
    "travel.set": {SA},  # a child's bus or dormitory place (on a Student)
    "travel.end": {SA},
    "transport.manage": {SA},  # bus routes and dormitories (on a School)
}
_STUDENT_ROWS = {
    PARENT: of_guardian("student"),
    CT: lambda m: Q(student__admin_class=m.admin_class_id),
    **same_rule({SA, GATE}, at_school("student__school")),
}
PICKUPS_SCOPES: dict = {
    "safety.Collector": dict(_STUDENT_ROWS),
    "safety.Delegation": dict(_STUDENT_ROWS),
    "safety.WalkHomePermission": dict(_STUDENT_ROWS),
    "safety.TravelArrangement": {**_STUDENT_ROWS, CARE: at_school("student__school")},
    "safety.BusRoute": same_rule({SA, GATE, CARE}, at_school()),
    "safety.Dormitory": same_rule({SA, GATE, CARE}, at_school()),
}
PICKUPS_MENU: list = [
    MenuEntry(SA, "safety:pickup-list", "pickup.list", _("Pick-up arrangements"), order=60),
    MenuEntry(SA, "safety:transport", "transport.manage", _("Buses and dormitories"), order=61),
    MenuEntry(CT, "safety:pickup-list", "pickup.list", _("Pick-up arrangements"), order=60),
]

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
