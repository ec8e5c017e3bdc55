"""safety models, one module per concern; everything is importable from `safety.models`."""

from .alerts import LateAlert, LateAlertEvent
from .handovers import DutyRoster, Handover, SafetySettings
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
    "BusRoute",
    "Collector",
    "Delegation",
    "Dormitory",
    "DutyRoster",
    "Handover",
    "LateAlert",
    "LateAlertEvent",
    "Relation",
    "SafetySettings",
    "Source",
    "TravelArrangement",
    "WalkHomePermission",
]
