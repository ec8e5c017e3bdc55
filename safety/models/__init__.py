"""safety models, one module per concern; everything is importable from `safety.models`."""

from .alerts import LateAlert, LateAlertEvent
from .gate import EarlyLeave, EarlyLeaveEvent, Visit
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

__all__ = [
    "BusRoute",
    "Collector",
    "Delegation",
    "Dormitory",
    "DutyRoster",
    "EarlyLeave",
    "EarlyLeaveEvent",
    "Handover",
    "LateAlert",
    "LateAlertEvent",
    "Relation",
    "Source",
    "TravelArrangement",
    "Visit",
    "WalkHomePermission",
]
