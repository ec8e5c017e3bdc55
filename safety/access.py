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

from .models import Hazard, Referral

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
# Checks are done by the school admin and the after-school teachers: they are the school's own staff on duty in the
# venues during the service (the safety responsibility of the plan's 落实安全责任), unlike volunteers; class teachers,
# volunteers, the gate keeper and care staff report what they find as hazards instead. Anyone working at the school
# may report a hazard (the gate keeper and the dormitory teacher find a broken lock or a blocked exit first); the
# responsible person records the rectification; the school admin assigns, verifies, returns and refers. A referral's
# reply is recorded by whoever received it: the township for the township's, the bureau or an inspector for a
# county department's.
VENUE_READERS = {SA, Role.SERVICE_TEACHER, *SUPERVISORS}
VENUES_ACTIONS: dict = {
    "venue.view": VENUE_READERS,
    "venue.manage": {SA},
    "venue_check.record": {SA, Role.SERVICE_TEACHER},
    "hazard.view": {*SCHOOL_STAFF, *SUPERVISORS},
    "hazard.report": SCHOOL_STAFF,
    "hazard.manage": {SA},
    "hazard.rectify": SCHOOL_STAFF,
    "hazard.record_reply": SUPERVISORS,
}
VENUES_SCOPES: dict = {
    "safety.Venue": {
        **same_rule({SA, Role.SERVICE_TEACHER}, at_school()),
        Role.TOWNSHIP_COORDINATOR: in_township(),
        **same_rule(COUNTY_READERS, ALL),
    },
    "safety.VenueCheck": {
        **same_rule({SA, Role.SERVICE_TEACHER}, at_school("venue__school")),
        Role.TOWNSHIP_COORDINATOR: in_township("venue__school__township"),
        **same_rule(COUNTY_READERS, ALL),
    },
    "safety.Hazard": {
        **same_rule(SCHOOL_STAFF, at_school()),
        Role.TOWNSHIP_COORDINATOR: in_township(),
        **same_rule(COUNTY_READERS, ALL),
    },
}


def responsible_at_school(m):
    """A hazard of the membership's school that this person is responsible for."""
    return Q(school=m.school_id, responsible=m.user_id)


def referred_to_township(m):
    return Q(school__township=m.township_id, status=Hazard.Status.REFERRED, referred_to=Referral.TOWNSHIP)


def referred_to_county(m):
    return Q(status=Hazard.Status.REFERRED, referred_to__in=Referral.county_departments())


VENUES_ACTION_SCOPES: dict = {
    # Whoever works at the school reports at their own school, at any of its venues.
    "hazard.report": {
        "schools.School": same_rule(SCHOOL_STAFF, at_school("pk")),
        "safety.Venue": same_rule(SCHOOL_STAFF, at_school()),
    },
    "hazard.rectify": {"safety.Hazard": same_rule(SCHOOL_STAFF - {SA}, responsible_at_school)},
    "hazard.record_reply": {
        "safety.Hazard": {
            Role.TOWNSHIP_COORDINATOR: referred_to_township,
            **same_rule(COUNTY_READERS, referred_to_county),
        }
    },
}
VENUES_MENU: list = [
    MenuEntry(SA, "safety:venue-list", "venue.view", _("Venue checks"), 60),
    MenuEntry(SA, "safety:hazard-list", "hazard.view", _("Safety hazards"), 61),
    MenuEntry(Role.SERVICE_TEACHER, "safety:venue-list", "venue_check.record", _("Venue checks"), 60),
    MenuEntry(Role.SERVICE_TEACHER, "safety:hazard-list", "hazard.view", _("Safety hazards"), 61),
    MenuEntry(Role.CLASS_TEACHER, "safety:hazard-list", "hazard.view", _("Safety hazards"), 61),
    MenuEntry(Role.VOLUNTEER, "safety:hazard-list", "hazard.view", _("Safety hazards"), 61),
    *(MenuEntry(role, "safety:hazard-list", "hazard.view", _("Safety hazards"), 61) for role in SUPERVISORS),
]

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
    action_scopes={**VENUES_ACTION_SCOPES},
    menu=[*PICKUPS_MENU, *HANDOVERS_MENU, *GATE_MENU, *VENUES_MENU, *INCIDENTS_MENU, *EMERGENCY_MENU],
)
