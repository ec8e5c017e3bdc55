"""safety models, one module per concern; everything is importable from `safety.models`."""

from .alerts import LateAlert, LateAlertEvent
from .handovers import DutyRoster, Handover
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

__all__ = [
    "CheckCategory",
    "Hazard",
    "HazardEvent",
    "Rectification",
    "RectificationPhoto",
    "Referral",
    "Venue",
    "VenueCheck",
    "VenueCheckItem",
    "VenueSchedule",
    "BusRoute",
    "Collector",
    "Delegation",
    "Dormitory",
    "DutyRoster",
    "Handover",
    "LateAlert",
    "LateAlertEvent",
    "Relation",
    "Source",
    "TravelArrangement",
    "WalkHomePermission",
]
