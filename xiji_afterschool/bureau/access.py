"""The county console's actions and scopes: the homes, the console's summary figures (R3, R34) and the pages it
shows of other apps' records through those apps' actions (plan.review_queue, calendar.view, coverage.view…)."""

from django.utils.translation import gettext_lazy as _

from schools.models import Role
from xiji_afterschool.permissions import ALL, COUNTY_READERS, MenuEntry, at_school, in_township, register, same_rule

BU, IN, LE, FI, TC, SA = (
    Role.BUREAU, Role.INSPECTOR, Role.LEADERSHIP, Role.FINANCE, Role.TOWNSHIP_COORDINATOR, Role.SCHOOL_ADMIN
)  # fmt: skip
# Who reads the console: the county (bureau, inspectors, leadership, finance) all of it; a township its own
# schools; a school its own numbers.
CONSOLE_COUNTY = {BU, IN, LE, FI}
FIGURES_SCOPE = {**same_rule(CONSOLE_COUNTY, ALL), TC: in_township(), SA: at_school()}

register(
    app="bureau",
    actions={
        "home.bureau": {BU},
        "home.inspector": {IN},
        # The console (R3, R34): read by the county, a township (its schools), a school (its own).
        "console.view": {*CONSOLE_COUNTY, TC, SA},
        "console.refresh": {BU},  # ask for the numbers to be computed now (they are, nightly and on changes)
    },
    scopes={
        "bureau.SchoolFigures": FIGURES_SCOPE,
        "bureau.ClassFigures": FIGURES_SCOPE,
        "bureau.WeekFigures": FIGURES_SCOPE,
    },
    action_scopes={
        # The leadership reads every school's numbers on the console, and no school record elsewhere.
        "console.view": {"schools.School": {LE: ALL}},
    },
    menu=[
        MenuEntry(BU, "bureau:home", "home.bureau", home=True),
        MenuEntry(IN, "bureau:inspector-home", "home.inspector", home=True),
        MenuEntry(LE, "bureau:console", "console.view", home=True),
        *(MenuEntry(role, "bureau:console", "console.view", _("County console"), 10) for role in (BU, IN, FI)),
        MenuEntry(TC, "bureau:console", "console.view", _("Township console"), 10),
        *(MenuEntry(role, "bureau:plan-status", "plan.review_queue", _("Plan status"), 20) for role in COUNTY_READERS),
        MenuEntry(BU, "bureau:calendar", "calendar.view", _("Calendar"), 50),
    ],
)
