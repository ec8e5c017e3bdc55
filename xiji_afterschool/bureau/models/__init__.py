"""The county console's records: summary figures, school reports, inspections, feedback, model classes."""

from .compliance import FLAG_STATE_STYLE, FlagReview, FlagState
from .console import ClassFigures, ConsoleRefresh, SchoolFigures, WeekFigures
from .feedback import Feedback, FeedbackEvent
from .inspections import (
    CheckItem,
    Finding,
    FindingPhoto,
    Inspection,
    InspectionCheck,
    InspectionEvent,
    Rectification,
    RectificationEvent,
)
from .school_reports import ReportFigure, ReportWindow, ReportWindowEvent, SchoolReport, SchoolReportEvent

__all__ = [
    "FLAG_STATE_STYLE",
    "CheckItem",
    "ClassFigures",
    "ConsoleRefresh",
    "Feedback",
    "FeedbackEvent",
    "Finding",
    "FindingPhoto",
    "FlagReview",
    "FlagState",
    "Inspection",
    "InspectionCheck",
    "InspectionEvent",
    "Rectification",
    "RectificationEvent",
    "ReportFigure",
    "ReportWindow",
    "ReportWindowEvent",
    "SchoolFigures",
    "SchoolReport",
    "SchoolReportEvent",
    "WeekFigures",
]
