"""The county console's actions and scopes: the homes, the console's summary figures (R3, R34), feedback (R33),
compliance flags (R12), overdue deadlines, special inspections (R35), school reports (直报, R34), and the pages it shows of other apps' records through those apps'
actions (plan.review_queue, calendar.view…)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from schools.models import Role, School
from xiji_afterschool.permissions import (
    ALL,
    COUNTY_READERS,
    MenuEntry,
    at_school,
    in_township,
    of_person,
    register,
    same_rule,
)

from .models import Inspection

BU, IN, LE, FI, TC, SA = (
    Role.BUREAU, Role.INSPECTOR, Role.LEADERSHIP, Role.FINANCE, Role.TOWNSHIP_COORDINATOR, Role.SCHOOL_ADMIN
)  # fmt: skip

# ---- Console: the county (bureau, inspectors, leadership, finance) reads all of it; a township its own schools;
# a school its own numbers.
CONSOLE_COUNTY = {BU, IN, LE, FI}
FIGURES_SCOPE = {**same_rule(CONSOLE_COUNTY, ALL), TC: in_township(), SA: at_school()}


# ---- Feedback (意见建议与投诉, R33, R37): anyone sends it without an account (no action: the public form). The
# school's administrator sees and answers what is routed to the school; the bureau sees and answers everything and
# alone refers a fee complaint to market supervision; inspectors and the county leadership read; a signed-in parent
# reads what they sent.
def _feedback_for_school(m):
    return Q(school=m.school_id, handler="school")


FEEDBACK_READERS = {BU, IN, LE}

# ---- Compliance flags: the county reads every flagged session and its review; the leadership reads them too; a
# township coordinator reads its township's. Only the bureau and inspectors review (once the school has confirmed).
FLAG_READERS = frozenset({*COUNTY_READERS, LE, TC})
COMPLIANCE_READ_RULES = {**same_rule({*COUNTY_READERS, LE}, ALL), TC: in_township("service_class__school__township")}


# ---- Special inspections (督导, R35): a school sees an inspection of its own once the findings are issued, and a
# scheduled one (计划督导) from the start because it is told; an unannounced one (随机督导) stays out of its sight
# until the findings reach it.
def _school_sees_inspection(prefix: str = ""):
    def rule(m):
        issued = Q(**{f"{prefix}status__in": Inspection.ISSUED})
        announced = Q(
            **{
                f"{prefix}kind": Inspection.Kind.SCHEDULED,
                f"{prefix}status__in": (Inspection.Status.SCHEDULED, Inspection.Status.IN_PROGRESS),
            }
        )
        return Q(**{f"{prefix}school": m.school_id}) & (issued | announced)

    return rule


def _school_sees_findings(prefix: str):
    # Findings and rectifications only once issued, whatever the kind: a draft finding is the inspectors' own.
    return lambda m: Q(**{f"{prefix}school": m.school_id, f"{prefix}status__in": Inspection.ISSUED})


def _inspection_scopes(prefix: str, school_rule) -> dict:
    return {**same_rule({*COUNTY_READERS, LE}, ALL), TC: in_township(f"{prefix}school__township"), SA: school_rule}


INSPECTION_READERS = {*COUNTY_READERS, LE, TC, SA}

# ---- School reports (直报, R34): who reads windows and reports, who opens, corrects, reviews and files them.
REPORT_COUNTY = {*COUNTY_READERS, LE}  # read every school's report


def township_dependent_reports(m):
    """A township reviews the reports of its village schools and teaching points only (R16: it plans for them)."""
    return Q(school__township=m.township_id, school__school_type__in=School.DEPENDENT_TYPES)


register(
    app="bureau",
    actions={
        "home.bureau": {BU},
        "home.inspector": {IN},
        # ---- Console (R3, R34)
        "console.view": {*CONSOLE_COUNTY, TC, SA},
        "console.refresh": {BU},  # ask for the numbers to be computed now (they are, nightly and on changes)
        # ---- Feedback
        "feedback.view": {*FEEDBACK_READERS, SA, Role.PARENT},
        "feedback.list": {*FEEDBACK_READERS, SA},
        "feedback.mine": {Role.PARENT},
        "feedback.answer": {BU, SA},
        "feedback.close": {BU, SA},
        "feedback.refer": {BU},
        # ---- Compliance flags
        "compliance.view": FLAG_READERS,
        "compliance.review": COUNTY_READERS,
        # ---- Reminders: overdue deadlines (plan filing, annual claims, hooked kinds) on the console
        "overdue.view": FLAG_READERS,
        # ---- Special inspections
        "inspection.view": INSPECTION_READERS,
        "inspection.manage": set(COUNTY_READERS),  # schedule, start, checklist, findings, issue, verify, close
        "rectification.respond": {SA},
        # ---- School reports: windows opened and closed by the bureau; the school corrects and submits; the
        # township reviews its village schools and teaching points; the bureau files or returns.
        "report_window.view": {*REPORT_COUNTY, TC},
        "report_window.manage": {BU},
        "school_report.view": {SA, TC, *REPORT_COUNTY},
        "school_report.edit": {SA},
        "school_report.township_review": {TC},
        "school_report.file": {BU},
        # ---- The register of personal information (issue #14 item 3): the bureau's person in charge of personal
        # information reads it; the auditor too.
        "privacy.view": {BU, Role.AUDITOR},
    },
    scopes={
        "bureau.SchoolFigures": FIGURES_SCOPE,
        "bureau.ClassFigures": FIGURES_SCOPE,
        "bureau.WeekFigures": FIGURES_SCOPE,
        "bureau.Feedback": {
            **dict.fromkeys(FEEDBACK_READERS, ALL),
            SA: _feedback_for_school,
            Role.PARENT: of_person("submitted_by"),
        },
        # a flag review is read by whoever reads its session at the county or township level
        "bureau.FlagReview": {
            **same_rule({*COUNTY_READERS, LE}, ALL),
            TC: in_township("session__service_class__school__township"),
        },
        "bureau.Inspection": _inspection_scopes("", _school_sees_inspection()),
        "bureau.Finding": _inspection_scopes("inspection__", _school_sees_findings("inspection__")),
        "bureau.Rectification": _inspection_scopes(
            "finding__inspection__", _school_sees_findings("finding__inspection__")
        ),
        # a window is the county's (a township sees its own schools' reports in it)
        "bureau.ReportWindow": same_rule({*REPORT_COUNTY, TC}, ALL),
        "bureau.SchoolReport": {SA: at_school(), TC: in_township(), **same_rule(REPORT_COUNTY, ALL)},
    },
    action_scopes={
        # The leadership reads every school's numbers on the console, and no school record elsewhere.
        "console.view": {"schools.School": {LE: ALL}},
        # the sessions behind the county's flag list (the leadership reads no session otherwise)
        "compliance.view": {"schools.Session": COMPLIANCE_READ_RULES},
        "compliance.review": {"schools.Session": same_rule(COUNTY_READERS, ALL)},
        # the schools whose overdue items a reader sees
        "overdue.view": {"schools.School": {**same_rule({*COUNTY_READERS, LE}, ALL), TC: in_township("township")}},
        "school_report.township_review": {"bureau.SchoolReport": {TC: township_dependent_reports}},
    },
    menu=[
        MenuEntry(BU, "bureau:home", "home.bureau", home=True),
        MenuEntry(IN, "bureau:inspector-home", "home.inspector", home=True),
        MenuEntry(LE, "bureau:console", "console.view", home=True),
        *(MenuEntry(role, "bureau:console", "console.view", _("County console"), 10) for role in (BU, IN, FI)),
        MenuEntry(TC, "bureau:console", "console.view", _("Township console"), 10),
        *(MenuEntry(role, "bureau:plan-status", "plan.review_queue", _("Plan status"), 20) for role in COUNTY_READERS),
        *(
            MenuEntry(role, "bureau:compliance-list", "compliance.view", _("Compliance flags"), 30)
            for role in (BU, IN, LE, TC)
        ),
        *(MenuEntry(role, "bureau:overdue-list", "overdue.view", _("Overdue"), 35) for role in (BU, IN, LE, TC)),
        *(MenuEntry(role, "bureau:inspection-list", "inspection.view", _("Inspections"), 25) for role in (BU, IN, LE)),
        MenuEntry(TC, "bureau:inspection-list", "inspection.view", _("Inspections"), 60),
        MenuEntry(SA, "bureau:inspection-list", "inspection.view", _("Inspections"), 90),
        *(
            MenuEntry(role, "bureau:report-window-list", "report_window.view", _("School reports"), 27)
            for role in (BU, IN, LE)
        ),
        *(
            MenuEntry(role, "bureau:school-report-list", "school_report.view", _("School reports"), 62)
            for role in (SA, TC)
        ),
        MenuEntry(BU, "bureau:calendar", "calendar.view", _("Calendar"), 50),
        *(
            MenuEntry(role, "bureau:feedback-list", "feedback.list", pgettext_lazy("feedback", "Feedback"), 60)
            for role in (BU, IN, LE, SA)
        ),
        MenuEntry(BU, "bureau:privacy", "privacy.view", _("Personal data register"), 98),
        MenuEntry(Role.AUDITOR, "bureau:privacy", "privacy.view", _("Personal data register"), 92),
        MenuEntry(Role.PARENT, "bureau:feedback-mine", "feedback.mine", pgettext_lazy("feedback", "Feedback"), 60),
    ],
)
