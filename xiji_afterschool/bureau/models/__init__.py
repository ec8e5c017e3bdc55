"""The county console's records: summary figures, school reports, inspections, feedback, model classes."""

from .inspections import (  # noqa: F401
    CheckItem,
    Finding,
    FindingPhoto,
    Inspection,
    InspectionCheck,
    InspectionEvent,
    Rectification,
    RectificationEvent,
)
