"""Every write and state transition of the schools app, one module per concern."""

from .calendar import (
    SlotRow,
    calendar_day_remove,
    calendar_day_set,
    school_year_save,
    timetable_create,
    timetable_problems,
    timetable_revise,
    timetable_save,
)
from .plans import (
    funding_estimate,
    missing_sections,
    plan_attachment_add,
    plan_attachment_remove,
    plan_file,
    plan_forward,
    plan_return,
    plan_revise,
    plan_section_save,
    plan_start,
    plan_submit,
    timetable_snapshot,
)
from .roster import roster_export_request, roster_export_run

__all__ = [
    "SlotRow", "calendar_day_remove", "calendar_day_set", "funding_estimate", "missing_sections",
    "plan_attachment_add", "plan_attachment_remove", "plan_file", "plan_forward", "plan_return", "plan_revise",
    "plan_section_save", "plan_start", "plan_submit", "roster_export_request", "roster_export_run",
    "school_year_save", "timetable_create", "timetable_problems", "timetable_revise", "timetable_save",
    "timetable_snapshot",
]  # fmt: skip
