"""The county console's actions: the bureau's and the inspector's homes. Its pages read other apps' records
through those apps' actions (plan.review_queue, calendar.view, coverage.view…), and its own records (the county's
review of compliance flags) through its own scopes."""

from django.utils.translation import gettext_lazy as _

from schools.models import Role
from xiji_afterschool.permissions import ALL, COUNTY_READERS, MenuEntry, in_township, register, same_rule

# ---------------------------------------------------------------- compliance flags (issue #12)
# The county reads every flagged session and its review; the leadership reads them too; a township coordinator
# reads its township's. Only the bureau and inspectors review (once the school has confirmed).
FLAG_READERS = frozenset({*COUNTY_READERS, Role.LEADERSHIP, Role.TOWNSHIP_COORDINATOR})
COMPLIANCE_READ_RULES = {
    **same_rule({*COUNTY_READERS, Role.LEADERSHIP}, ALL),
    Role.TOWNSHIP_COORDINATOR: in_township("service_class__school__township"),
}

register(
    app="bureau",
    actions={
        "home.bureau": {Role.BUREAU},
        "home.inspector": {Role.INSPECTOR},
        # compliance flags
        "compliance.view": FLAG_READERS,
        "compliance.review": COUNTY_READERS,
        # reminders: overdue deadlines (plan filing, annual claims, hooked kinds) on the console
        "overdue.view": FLAG_READERS,
    },
    scopes={
        # compliance flags: a review is read by whoever reads its session at the county or township level
        "bureau.FlagReview": {
            **same_rule({*COUNTY_READERS, Role.LEADERSHIP}, ALL),
            Role.TOWNSHIP_COORDINATOR: in_township("session__service_class__school__township"),
        },
    },
    action_scopes={
        # compliance flags: the sessions behind the county's flag list (the leadership reads no session otherwise)
        "compliance.view": {"schools.Session": COMPLIANCE_READ_RULES},
        "compliance.review": {"schools.Session": same_rule(COUNTY_READERS, ALL)},
        # reminders: the schools whose overdue items a reader sees
        "overdue.view": {
            "schools.School": {
                **same_rule({*COUNTY_READERS, Role.LEADERSHIP}, ALL),
                Role.TOWNSHIP_COORDINATOR: in_township("township"),
            }
        },
    },
    menu=[
        MenuEntry(Role.BUREAU, "bureau:home", "home.bureau", home=True),
        MenuEntry(Role.INSPECTOR, "bureau:inspector-home", "home.inspector", home=True),
        *(MenuEntry(role, "bureau:plan-status", "plan.review_queue", _("Plan status"), 20) for role in COUNTY_READERS),
        MenuEntry(Role.BUREAU, "bureau:calendar", "calendar.view", _("Calendar"), 50),
        # compliance flags (the leadership's entry waits for its home)
        *(
            MenuEntry(role, "bureau:compliance-list", "compliance.view", _("Compliance flags"), 30)
            for role in (*sorted(COUNTY_READERS), Role.TOWNSHIP_COORDINATOR)
        ),
        # reminders
        *(
            MenuEntry(role, "bureau:overdue-list", "overdue.view", _("Overdue"), 35)
            for role in (*sorted(COUNTY_READERS), Role.TOWNSHIP_COORDINATOR)
        ),
    ],
)
