"""schools models, one module per concern; everything is importable from `schools.models`."""

from .calendar import (
    CalendarDay,
    CountySettings,
    SchoolYear,
    Semester,
    ServiceMode,
    SubsidyRate,
    Timetable,
    TimetableSlot,
)
from .classes import ServiceClass, ServiceClassMember
from .imports import RosterImport
from .plans import ActivityCategory, PlanAttachment, PlanSection, SchoolPlan, SchoolPlanEvent
from .roster import (
    COUNTY_ROLES,
    SCHOOL_ROLES,
    STAGES_BY_TYPE,
    AdminClass,
    Department,
    Grade,
    Guardian,
    Membership,
    Role,
    RosterExport,
    School,
    Stage,
    Student,
    StudentGuardian,
    Township,
    User,
    new_link_code,
)

__all__ = [
    "COUNTY_ROLES", "SCHOOL_ROLES", "STAGES_BY_TYPE", "ActivityCategory", "AdminClass", "CalendarDay", "CountySettings", "Department",
    "Grade", "Guardian", "Membership", "PlanAttachment", "PlanSection", "Role", "RosterExport", "RosterImport", "School",
    "SchoolPlan", "SchoolPlanEvent", "SchoolYear", "Semester", "ServiceClass", "ServiceClassMember", "ServiceMode", "Stage", "Student", "StudentGuardian",
    "SubsidyRate", "Timetable", "TimetableSlot", "Township", "User", "new_link_code",
]  # fmt: skip
