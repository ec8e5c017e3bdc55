"""safety models, one module per concern; everything is importable from `safety.models`."""

from .alerts import LateAlert, LateAlertEvent
from .handovers import DutyRoster, Handover
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
    "DutyRoster",
    "Handover",
    "Hazard",
    "HazardEvent",
    "LateAlert",
    "LateAlertEvent",
    "Rectification",
    "RectificationPhoto",
    "Referral",
    "Relation",
    "Source",
    "TravelArrangement",
    "Venue",
    "VenueCheck",
    "VenueCheckItem",
    "VenueSchedule",
    "WalkHomePermission",
]
