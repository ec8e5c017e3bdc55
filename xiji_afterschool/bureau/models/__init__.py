"""The county console's records: summary figures, school reports, inspections, feedback, model classes."""

from .console import ClassFigures, ConsoleRefresh, SchoolFigures, WeekFigures
from .feedback import Feedback, FeedbackEvent

__all__ = ["ClassFigures", "ConsoleRefresh", "Feedback", "FeedbackEvent", "SchoolFigures", "WeekFigures"]
