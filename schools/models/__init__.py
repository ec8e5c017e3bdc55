"""schools models, one module per concern; everything is importable from `schools.models`."""

from .activities import Activity, Partner
from .audit import AuditRecord
from .calendar import (
    CalendarDay,
    CountySettings,
    SchoolYear,
    Semester,
    ServiceMode,
)
from .classes import ServiceClass, ServiceClassMember
from .hours import HoursAdjustment, HoursMonth
from .imports import RosterImport
from .notifications import Notification, NotificationKind, NotificationPreference, TextMessage
from .passwords import PasswordReset
from .plans import ActivityCategory, PlanAttachment, PlanSection, SchoolPlan, SchoolPlanEvent
from .rates import SubsidyRate
from .retention import RetentionRun, RetentionSetting
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
from .sessions import Attendance, Session, SessionAssistant, SessionEvent, Substitution
from .timetables import Timetable, TimetableSlot
from .verification import MobileCode

__all__ = [
    "COUNTY_ROLES",
    "SCHOOL_ROLES",
    "STAGES_BY_TYPE",
    "Activity",
    "ActivityCategory",
    "AdminClass",
    "Attendance",
    "AuditRecord",
    "CalendarDay",
    "CountySettings",
    "Department",
    "Grade",
    "Guardian",
    "HoursAdjustment",
    "HoursMonth",
    "Membership",
    "MobileCode",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "Partner",
    "PasswordReset",
    "PlanAttachment",
    "PlanSection",
    "RetentionRun",
    "RetentionSetting",
    "Role",
    "RosterExport",
    "RosterImport",
    "School",
    "SchoolPlan",
    "SchoolPlanEvent",
    "SchoolYear",
    "Semester",
    "ServiceClass",
    "ServiceClassMember",
    "ServiceMode",
    "Session",
    "SessionAssistant",
    "SessionEvent",
    "Stage",
    "Student",
    "StudentGuardian",
    "SubsidyRate",
    "Substitution",
    "TextMessage",
    "Timetable",
    "TimetableSlot",
    "Township",
    "User",
    "new_link_code",
]
