"""The county console's records: summary figures, school reports, inspections, feedback, model classes."""

from .school_reports import ReportFigure, ReportWindow, ReportWindowEvent, SchoolReport, SchoolReportEvent

__all__ = ["ReportFigure", "ReportWindow", "ReportWindowEvent", "SchoolReport", "SchoolReportEvent"]
