"""The schools app's actions and scopes: the roster, the calendar, timetables and plans, service classes,
activities, sessions and the hours record (registered with the one engine, xiji_afterschool/permissions.py)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiji_afterschool.permissions import (
    ALL,
    COUNTY_DEPARTMENTS,
    COUNTY_READERS,
    MONEY_READERS,
    SESSION_STAFF,
    SUPERVISORS,
    MenuEntry,
    at_school,
    in_township,
    of_class,
    of_person,
    register,
    same_rule,
)

from .models import SCHOOL_ROLES, Role, School

SA, TC, CT = Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR, Role.CLASS_TEACHER
SCHOOL_AND_SUPERVISORS = {SA, *SUPERVISORS}
TEACHING_STAFF = {Role.SERVICE_TEACHER, Role.VOLUNTEER}  # after-school teachers and volunteers of one school
EVERY_ROLE = set(Role.values)  # what every signed-in person has: their own inbox


# ---------------------------------------------------------------- rules, one function per shape


def teaches_or_stands_in(m):
    """The service classes they teach, and those they stand in for (a recorded substitute)."""
    return Q(school=m.school_id, teacher=m.user_id) | Q(substitutions__substitute=m.user_id)


def ran_or_assisted(m):
    """A teacher's sessions: of the classes they teach, the ones they ran, and the ones they assisted."""
    return Q(service_class__teacher=m.user_id) | Q(teacher=m.user_id) | Q(assistants__person=m.user_id)


def texts_of_school(m):
    """Text messages to the school's families (a guardian of one of its children) and to its staff."""
    return Q(notification__user__guardian__student_links__student__school=m.school_id) | Q(
        notification__user__memberships__school=m.school_id
    )


# ---------------------------------------------------------------- password resets (issue 13 §2)

# Whose password a school administrator may reset: the school's teaching and support staff; the bureau resets a
# school administrator's. Never someone holding any other role (a county role, a school administrator's for the
# school, another school's) nor a Django staff or superuser account: a reset must not reach above the resetter.
RESET_BY_SCHOOL = (CT, Role.SERVICE_TEACHER, Role.VOLUNTEER, Role.GATE, Role.CARE_STAFF)


NOT_ELEVATED = Q(is_superuser=False, is_staff=False, is_active=True)
# Each negated lookup on memberships reads "holds no such membership" (Django makes it a subquery).
ABOVE_SCHOOL_STAFF = [r for r in Role.values if r not in (*RESET_BY_SCHOOL, Role.PARENT)]
ABOVE_SCHOOL_ADMIN = [r for r in Role.values if r not in (*SCHOOL_ROLES, Role.PARENT)]


def staff_of_school(m):
    """A school administrator resets the passwords of the staff of their own school (teachers, volunteers, the
    gate, care staff) who hold no other role and no role at another school."""
    # The negated lookups come first: each then becomes its own NOT EXISTS over all the person's memberships
    # (after the positive join Django would correlate them with that one membership row instead).
    return (
        ~Q(memberships__role__in=ABOVE_SCHOOL_STAFF)
        & ~Q(memberships__school__lt=m.school_id)
        & ~Q(memberships__school__gt=m.school_id)
        & Q(NOT_ELEVATED, memberships__school=m.school_id, memberships__role__in=RESET_BY_SCHOOL)
    )


def school_administrators(m):
    """The bureau resets the password of a school administrator (who may also hold other roles of a school),
    never of someone holding a county or township role."""
    return ~Q(memberships__role__in=ABOVE_SCHOOL_ADMIN) & Q(NOT_ELEVATED, memberships__role=SA)


def dependent_schools_of_township(prefix=""):
    """A township central school plans for the village schools and teaching points of its township (R16)."""
    return lambda m: Q(**{f"{prefix}township": m.township_id, f"{prefix}school_type__in": list(School.DEPENDENT_TYPES)})


register(
    app="schools",
    actions={
        # Home pages: each role lands on its own tasks.
        "home.class_teacher": {CT},
        "home.school_admin": {SA},
        "home.township": {TC},
        # Roster.
        "school.view": SCHOOL_AND_SUPERVISORS,
        "school.list": SUPERVISORS,
        "student.list": {CT, *SCHOOL_AND_SUPERVISORS},
        "student.view": {Role.PARENT, CT, *SCHOOL_AND_SUPERVISORS},
        # The whole resident ID number and guardian mobiles: only the school that keeps the roster.
        "student.view_identifiers": {SA},
        "student.edit": {SA},  # corrects the roster (a guardian's correction request): its own school's students
        "roster.export": {SA},
        "roster.import": {SA},
        # The county calendar and milestones (R18): set by the bureau, read by every school.
        "calendar.manage": {Role.BUREAU},
        "calendar.view": SCHOOL_AND_SUPERVISORS,
        # The subsidy standard (R22): set by the bureau, read by everyone who handles the money (its page is
        # the funding app's, funding:rate-list).
        "rate.view": MONEY_READERS,
        "rate.manage": {Role.BUREAU},
        # Timetables (R8) and the school plan (R16): written by the school, or for a village school or
        # teaching point by its township central school; reviewed and filed by the bureau.
        "timetable.view": SCHOOL_AND_SUPERVISORS,
        "timetable.edit": {SA, TC},
        "plan.view": SCHOOL_AND_SUPERVISORS,
        "plan.edit": {SA, TC},
        "plan.submit": {SA, TC},
        "plan.revise": {SA, TC},
        "plan.forward": {TC},
        "plan.return_by_township": {TC},
        "plan.file": {Role.BUREAU},
        "plan.return": {Role.BUREAU},
        "plan.review_queue": COUNTY_READERS,
        # Service classes (R19) and what they do (R9–R12).
        "service_class.view": {*TEACHING_STAFF, *SCHOOL_AND_SUPERVISORS},
        "service_class.manage": {SA},
        # A child leaves their service class (on the Student): withdrawn by a parent or the school administrator.
        "service_class.leave": {Role.PARENT, SA},
        "activity.view": {*TEACHING_STAFF, *SCHOOL_AND_SUPERVISORS},
        "activity.manage": {SA},
        # Service delivery (R19–R21, R30): sessions and their roll, substitutes, the hours record.
        "substitution.manage": {SA},
        "session.log": {*SESSION_STAFF, SA},  # on a ServiceClass
        "session.view": {*SESSION_STAFF, *SCHOOL_AND_SUPERVISORS},
        "session.confirm": {SA},
        "hours.view": {*SESSION_STAFF, *SCHOOL_AND_SUPERVISORS},  # on a User (the teacher) or a School
        "hours.close_month": {SA},
        "hours.adjust": {SA},
        "delivery.view": SCHOOL_AND_SUPERVISORS,
        # Notifications (issue 11 §4): everyone has an inbox and chooses what also comes as a text message; each
        # sees only their own (the scope below).
        "notification.view": EVERY_ROLE,
        "notification.preferences": EVERY_ROLE,
        # The school sees which text messages to its families and staff failed, and sends one again.
        "text_message.view_failed": {SA},
        "text_message.resend": {SA},
        # Passwords (issue 13 §2): everyone changes their own on /account/password/ (signed in, no action needed);
        # a school administrator resets a teacher's, the bureau a school administrator's (action_scopes below).
        "password.reset": {SA, Role.BUREAU},
        # The audit trail (issue #13, 等保): the auditor and the bureau read it across every school.
        "audit.view": {Role.AUDITOR, Role.BUREAU},
        # How long each class of data is kept (issue #14): set by the bureau, read by the auditor too.
        "retention.view": {Role.BUREAU, Role.AUDITOR},
        "retention.manage": {Role.BUREAU},
    },
    scopes={
        "schools.School": {
            Role.PARENT: of_person("students__guardian_links__guardian__user"),  # their children's schools
            **same_rule({CT, *TEACHING_STAFF, SA}, at_school("pk")),
            TC: in_township("township"),
            **same_rule(COUNTY_DEPARTMENTS, ALL),
        },
        "schools.AdminClass": {
            CT: of_class("pk"),
            SA: at_school(),
            TC: in_township(),
            **same_rule(COUNTY_READERS, ALL),
        },
        "schools.Student": {
            Role.PARENT: of_person("guardian_links__guardian__user"),
            CT: of_class("admin_class"),
            SA: at_school(),
            TC: in_township(),
            **same_rule(COUNTY_READERS, ALL),
        },
        "schools.RosterExport": {SA: at_school()},
        "schools.RosterImport": {SA: at_school()},
        "schools.SchoolPlan": {SA: at_school(), TC: in_township(), **same_rule(COUNTY_READERS, ALL)},
        "schools.PlanAttachment": {
            SA: at_school("plan__school"),
            TC: in_township("plan__school__township"),
            **same_rule(COUNTY_READERS, ALL),
        },
        "schools.Timetable": {SA: at_school(), TC: in_township(), **same_rule(COUNTY_READERS, ALL)},
        "schools.ServiceClass": {
            SA: at_school(),
            **same_rule(SESSION_STAFF, teaches_or_stands_in),
            TC: in_township(),
            **same_rule(COUNTY_READERS, ALL),
        },
        "schools.Partner": {
            **same_rule({SA, *TEACHING_STAFF}, at_school()),
            TC: in_township(),
            **same_rule(COUNTY_READERS, ALL),
        },
        "schools.Activity": {
            **same_rule({SA, *TEACHING_STAFF}, at_school()),
            TC: in_township(),
            **same_rule(COUNTY_READERS, ALL),
        },
        "schools.Session": {
            **same_rule(TEACHING_STAFF, ran_or_assisted),
            CT: lambda m: Q(service_class__teacher=m.user_id) | Q(teacher=m.user_id),  # their classes, or ran it
            SA: at_school("service_class__school"),
            TC: in_township("service_class__school__township"),
            **same_rule(COUNTY_READERS, ALL),
        },
        "schools.Substitution": {
            SA: at_school("service_class__school"),
            **same_rule(SESSION_STAFF, of_person("substitute")),
        },
        "schools.User": {
            # Whose hours record one may read: one's own; a school's staff for its admin; everyone for the county.
            **same_rule(SESSION_STAFF, of_person("pk")),
            SA: at_school("memberships__school"),
            TC: in_township("memberships__school__township"),
            **same_rule(COUNTY_READERS, ALL),
        },
        "schools.SchoolYear": same_rule({SA, TC, *COUNTY_DEPARTMENTS}, ALL),
        # The subsidy standard: read by everyone who handles the money.
        "schools.SubsidyRate": same_rule(MONEY_READERS, ALL),
        # One's own inbox, whatever the role.
        "schools.Notification": same_rule(EVERY_ROLE, of_person("user")),
        "schools.TextMessage": {SA: texts_of_school},
        # The record of password resets: the school's own for its administrator, every one for the bureau.
        "schools.PasswordReset": {SA: at_school(), Role.BUREAU: ALL},
        # The audit trail: county departments, the whole county.
        "schools.AuditRecord": same_rule({Role.AUDITOR, Role.BUREAU}, ALL),
        # Retention: county-wide settings and runs.
        "schools.RetentionSetting": same_rule({Role.AUDITOR, Role.BUREAU}, ALL),
        "schools.RetentionRun": same_rule({Role.AUDITOR, Role.BUREAU}, ALL),
    },
    action_scopes={
        # A township coordinator sees every school of the township but writes timetables and plans only for the
        # village schools and teaching points that its central school plans for (R16).
        action: {
            "schools.School": {TC: dependent_schools_of_township()},
            "schools.SchoolPlan": {TC: dependent_schools_of_township("school__")},
            "schools.Timetable": {TC: dependent_schools_of_township("school__")},
        }
        for action in ("timetable.edit", "plan.edit", "plan.submit", "plan.revise")
    }
    | {"password.reset": {"schools.User": {SA: staff_of_school, Role.BUREAU: school_administrators}}},
    menu=[
        MenuEntry(TC, "schools:township-home", "home.township", home=True),
        MenuEntry(SA, "schools:school-home", "home.school_admin", home=True),
        # After-school teachers and volunteers land on today's sessions.
        MenuEntry(Role.SERVICE_TEACHER, "schools:teacher-today", "session.log", home=True),
        MenuEntry(Role.VOLUNTEER, "schools:teacher-today", "session.log", home=True),
        *(
            MenuEntry(role, "schools:plan-list", "plan.view", label, order=10)
            for role, label in ((Role.BUREAU, _("Plan review")), (Role.INSPECTOR, _("Plans")), (TC, _("Plans")))
        ),
        *(MenuEntry(role, "schools:delivery-county", "delivery.view", _("Delivery"), 40) for role in SUPERVISORS),
        *(MenuEntry(role, "schools:school-list", "school.list", _("Schools"), 60) for role in SUPERVISORS),
        MenuEntry(SA, "schools:session-review", "session.confirm", _("Sessions to confirm"), 20),
        MenuEntry(SA, "schools:plan-list", "plan.view", _("Plans"), 30),
        MenuEntry(SA, "schools:student-list", "student.list", _("Students"), 40),
        MenuEntry(SA, "schools:text-message-failed", "text_message.view_failed", _("Failed text messages"), 90),
        MenuEntry(CT, "schools:teacher-today", "session.log", _("Today"), 20),
        *(MenuEntry(role, "schools:hours-mine", "hours.view", _("My hours"), 50) for role in SESSION_STAFF),
        MenuEntry(SA, "schools:password-staff", "password.reset", _("Staff passwords"), 95),
        MenuEntry(Role.BUREAU, "schools:password-staff", "password.reset", _("Staff passwords"), 95),
        MenuEntry(Role.AUDITOR, "schools:audit-list", "audit.view", _("Audit trail"), 90),
        MenuEntry(Role.BUREAU, "schools:audit-list", "audit.view", _("Audit trail"), 96),
        MenuEntry(Role.BUREAU, "schools:retention", "retention.view", _("Data retention"), 97),
        MenuEntry(Role.AUDITOR, "schools:retention", "retention.view", _("Data retention"), 91),
    ],
)
