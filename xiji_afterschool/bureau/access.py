"""The county console's actions: the bureau's and the inspector's homes. Its pages read other apps' records
through those apps' actions (plan.review_queue, calendar.view, coverage.view…). Its own records are scoped here:
the school reports (直报)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import Role, School
from xiji_afterschool.permissions import ALL, COUNTY_READERS, MenuEntry, at_school, in_township, register, same_rule

# ---- school reports (直报, R34): who reads windows and reports, who opens, corrects, reviews and files them.
SA, TC, BU, LEAD = Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR, Role.BUREAU, Role.LEADERSHIP
REPORT_COUNTY = {*COUNTY_READERS, LEAD}  # read every school's report


def township_dependent_reports(m):
    """A township reviews the reports of its village schools and teaching points only (R16: it plans for them)."""
    return Q(school__township=m.township_id, school__school_type__in=School.DEPENDENT_TYPES)


register(
    app="bureau",
    actions={
        "home.bureau": {Role.BUREAU},
        "home.inspector": {Role.INSPECTOR},
        # ---- school reports (直报): windows opened and closed by the bureau; the school corrects and submits; the
        # township reviews its village schools and teaching points; the bureau files or returns.
        "report_window.view": {*REPORT_COUNTY, TC},
        "report_window.manage": {BU},
        "school_report.view": {SA, TC, *REPORT_COUNTY},
        "school_report.edit": {SA},
        "school_report.township_review": {TC},
        "school_report.file": {BU},
    },
    scopes={
        # ---- school reports: a window is the county's (a township sees its own schools' reports in it).
        "bureau.ReportWindow": same_rule({*REPORT_COUNTY, TC}, ALL),
        "bureau.SchoolReport": {SA: at_school(), TC: in_township(), **same_rule(REPORT_COUNTY, ALL)},
    },
    action_scopes={
        "school_report.township_review": {"bureau.SchoolReport": {TC: township_dependent_reports}},
    },
    menu=[
        MenuEntry(Role.BUREAU, "bureau:home", "home.bureau", home=True),
        MenuEntry(Role.INSPECTOR, "bureau:inspector-home", "home.inspector", home=True),
        *(MenuEntry(role, "bureau:plan-status", "plan.review_queue", _("Plan status"), 20) for role in COUNTY_READERS),
        MenuEntry(Role.BUREAU, "bureau:calendar", "calendar.view", _("Calendar"), 50),
        # ---- school reports
        *(
            MenuEntry(role, "bureau:report-window-list", "report_window.view", _("School reports"), 25)
            for role in COUNTY_READERS
        ),
        *(
            MenuEntry(role, "bureau:school-report-list", "school_report.view", _("School reports"), 60)
            for role in (SA, TC)
        ),
    ],
)
