"""safety models, one module per concern; everything is importable from `safety.models`."""

from .alerts import LateAlert, LateAlertEvent
from .emergency import Drill, EmergencyPlan, PlanDuty, SafetyEducation, Scenario
from .gate import EarlyLeave, EarlyLeaveEvent, Visit
from .handovers import DutyRoster, Handover, SafetySettings
from .incidents import (
    GuardianContact,
    Incident,
    IncidentChild,
    IncidentEvent,
    IncidentFollowUp,
    InsuranceClaim,
    InsuranceClaimEvent,
)
from .pickups import (
    BusRoute,
    Collector,
    Delegation,
    Dormitory,
    Relation,
    Source,
    TravelArrangement,
    WalkHomePermission,
)
from .venues import (
    CheckCategory,
    Hazard,
    HazardEvent,
    Rectification,
    RectificationPhoto,
    Referral,
    Venue,
    VenueCheck,
    VenueCheckItem,
    VenueSchedule,
)

__all__ = [
    "BusRoute",
    "CheckCategory",
    "Collector",
    "Delegation",
    "Dormitory",
    "Drill",
    "DutyRoster",
    "EarlyLeave",
    "EarlyLeaveEvent",
    "EmergencyPlan",
    "GuardianContact",
    "Handover",
    "Hazard",
    "HazardEvent",
    "Incident",
    "IncidentChild",
    "IncidentEvent",
    "IncidentFollowUp",
    "InsuranceClaim",
    "InsuranceClaimEvent",
    "LateAlert",
    "LateAlertEvent",
    "PlanDuty",
    "Rectification",
    "RectificationPhoto",
    "Referral",
    "Relation",
    "SafetyEducation",
    "SafetySettings",
    "Scenario",
    "Source",
    "TravelArrangement",
    "Venue",
    "VenueCheck",
    "VenueCheckItem",
    "VenueSchedule",
    "Visit",
    "WalkHomePermission",
]
