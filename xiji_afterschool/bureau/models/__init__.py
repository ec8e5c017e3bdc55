"""The county console's records: summary figures, school reports, inspections, feedback, model classes."""

from .compliance import FLAG_STATE_STYLE, FlagReview, FlagState
from .console import ClassFigures, ConsoleRefresh, SchoolFigures, WeekFigures
from .feedback import Feedback, FeedbackEvent

__all__ = [
    "FLAG_STATE_STYLE",
    "ClassFigures",
    "ConsoleRefresh",
    "Feedback",
    "FeedbackEvent",
    "FlagReview",
    "FlagState",
    "SchoolFigures",
    "WeekFigures",
]
