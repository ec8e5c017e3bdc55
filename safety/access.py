"""The safety app's actions, scopes and menu entries (R28–R32), registered with the one engine
(xiji_afterschool/permissions.py). One section per concern; the single `register` call at the bottom merges them.

Guardians see only their own children's rows (through `Guardian.user`); school staff only their school's; the
gate only what today needs; townships and the county read their schools' safety records."""

from django.db.models import DateField, F, Q, Value
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
    of_person,
    register,
    same_rule,
)

from .models import Hazard, Referral

SA, GATE, CARE = Role.SCHOOL_ADMIN, Role.GATE, Role.CARE_STAFF
SCHOOL_STAFF = {SA, *SESSION_STAFF, GATE, CARE}  # everyone who works at one school


class Today(Value):
    """Today's date (local) as a query value, written `<today>` in the access table (the table stays the same
    from day to day)."""

    def __init__(self):
        super().__init__(timezone.localdate(), output_field=DateField())

    def __str__(self):
        return "<today>"


def in_force_today(path="student__school", *, ended=""):
    """The gate's view of a family's arrangements: only those in force today at its school (no history, no other
    day): valid from today or earlier, until today or later, and not removed (`ended`, when the model has one)."""

    def rule(m):
        q = Q(**{path: m.school_id, "valid_from__lte": Today()}) & (
            Q(valid_until__isnull=True) | Q(valid_until__gte=Today())
        )
        return q & Q(**{f"{ended}__isnull": True}) if ended else q

    return rule


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
    SA: at_school("student__school"),
}
PICKUPS_SCOPES: dict = {  # the gate: only what is in force today (issue 11: "the gate sees only today's")
    "safety.Collector": {**_STUDENT_ROWS, GATE: in_force_today(ended="revoked_at")},
    "safety.Delegation": {
        **_STUDENT_ROWS,
        GATE: lambda m: Q(student__school=m.school_id, date=Today(), cancelled_at__isnull=True),
    },
    "safety.WalkHomePermission": {**_STUDENT_ROWS, GATE: in_force_today(ended="revoked_at")},
    "safety.TravelArrangement": {**_STUDENT_ROWS, GATE: in_force_today(), CARE: at_school("student__school")},
    "safety.BusRoute": same_rule({SA, GATE, CARE}, at_school()),
    "safety.Dormitory": same_rule({SA, GATE, CARE}, at_school()),
}
PICKUPS_MENU: list = [
    MenuEntry(SA, "safety:pickup-list", "pickup.list", _("Pick-up arrangements"), order=60),
    MenuEntry(SA, "safety:transport", "transport.manage", _("Buses and dormitories"), order=61),
    MenuEntry(CT, "safety:pickup-list", "pickup.list", _("Pick-up arrangements"), order=60),
]

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
CT = Role.CLASS_TEACHER


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
    MenuEntry(GATE, "safety:board-mine", "board.view", _("Safety board"), order=60),
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
    action_scopes={**HANDOVERS_ACTION_SCOPES, **GATE_ACTION_SCOPES, **ALERTS_ACTION_SCOPES, **VENUES_ACTION_SCOPES},
    menu=[*PICKUPS_MENU, *HANDOVERS_MENU, *GATE_MENU, *VENUES_MENU, *INCIDENTS_MENU, *EMERGENCY_MENU, *ALERTS_MENU],
)
