"""The safety app's actions, scopes and menu entries (R28–R32), registered with the one engine
(xiji_afterschool/permissions.py). One section per concern; the single `register` call at the bottom merges them.

Guardians see only their own children's rows (through `Guardian.user`); school staff only their school's; the
gate only what today needs; townships and the county read their schools' safety records."""

from django.db.models import DateField, Q, Value
from django.utils import timezone
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
    of_class,
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
CT = Role.CLASS_TEACHER


class Today(Value):
    """Today's date (local) as a query value, written `<today>` in the access table (the table stays the same
    from day to day)."""

    def __init__(self):
        super().__init__(timezone.localdate(), output_field=DateField())

    def __str__(self):
        return "<today>"


def today_at_school(path="school"):
    """The gate sees only today: the rows of its school dated today (no history, no other days)."""
    return lambda m: Q(**{path: m.school_id, "date": Today()})


# The gate keeper keeps the visitor log and watches today's departures; the class teacher permits an early leave
# for a child of their class; the school admin reads the log of any day. Township and county: no access (personal
# data they do not need).
GATE_ACTIONS: dict = {
    "gate.view": {GATE},  # the gate's phone page: today's adults per child, buses, late pick-ups, visitors
    "visit.record": {GATE},  # a live visitor entry and its one-tap time out
    "visit.correct": {GATE, SA},  # a new entry correcting one (the gate: today's only)
    "visit.enter_paper": {GATE, SA},  # a paper gate sheet typed in afterwards (within 3 days)
    "visit.view_log": {SA},  # the log of any day, the month's Excel
    "gate_sheet.print": {GATE, SA},  # the printable gate sheet (the gate: today's)
    "early_leave.view": {CT, SA, GATE},
    "early_leave.permit": {CT},  # only for a child of their own class
    "early_leave.cancel": {CT, SA},
    "early_leave.depart": {GATE},  # the actual departure, with the named adult, today
}
GATE_SCOPES: dict = {
    "safety.Visit": {GATE: today_at_school(), SA: at_school()},
    "safety.EarlyLeave": {CT: of_class("student__admin_class"), SA: at_school(), GATE: today_at_school()},
}
GATE_ACTION_SCOPES: dict = {  # the gate's own school (schools registers no School scope for the gate)
    action: {"schools.School": {GATE: at_school("pk")}}
    for action in ("gate.view", "visit.record", "visit.enter_paper", "gate_sheet.print")
}
GATE_MENU: list = [
    MenuEntry(GATE, "safety:gate-today", "gate.view", home=True),
    MenuEntry(GATE, "safety:visit-paper", "visit.enter_paper", _("Enter a paper gate sheet"), order=80),
    MenuEntry(CT, "safety:early-leave-list", "early_leave.permit", _("Early leave"), order=80),
    MenuEntry(SA, "safety:gate-log", "visit.view_log", _("Gate log"), order=80),
]

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
    action_scopes={**GATE_ACTION_SCOPES},
    menu=[*PICKUPS_MENU, *HANDOVERS_MENU, *GATE_MENU, *VENUES_MENU, *INCIDENTS_MENU, *EMERGENCY_MENU],
)
