"""The county console's records: summary figures, school reports, inspections, feedback, model classes."""

from .console import ClassFigures, ConsoleRefresh, SchoolFigures, WeekFigures

__all__ = ["ClassFigures", "ConsoleRefresh", "SchoolFigures", "WeekFigures"]
