"""The county console's actions: the bureau's and the inspector's homes, and the console's own records (special
inspections). Its other pages read other apps' records through those apps' actions (plan.review_queue,
calendar.view, coverage.view…)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import Role
from xiji_afterschool.permissions import ALL, COUNTY_READERS, MenuEntry, in_township, register, same_rule

from .models import Inspection


# ---------------------------------------------------------------- special inspections (督导, R35)
# A school sees an inspection of its own once the findings are issued, and a scheduled one (计划督导) from the
# start because it is told; an unannounced one (随机督导) stays out of its sight until the findings reach it.
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
    return {
        **same_rule({*COUNTY_READERS, Role.LEADERSHIP}, ALL),
        Role.TOWNSHIP_COORDINATOR: in_township(f"{prefix}school__township"),
        Role.SCHOOL_ADMIN: school_rule,
    }


INSPECTION_READERS = {*COUNTY_READERS, Role.LEADERSHIP, Role.TOWNSHIP_COORDINATOR, Role.SCHOOL_ADMIN}

register(
    app="bureau",
    actions={
        "home.bureau": {Role.BUREAU},
        "home.inspector": {Role.INSPECTOR},
        # special inspections
        "inspection.view": INSPECTION_READERS,
        "inspection.manage": set(COUNTY_READERS),  # schedule, start, checklist, findings, issue, verify, close
        "rectification.respond": {Role.SCHOOL_ADMIN},
    },
    scopes={
        "bureau.Inspection": _inspection_scopes("", _school_sees_inspection()),
        "bureau.Finding": _inspection_scopes("inspection__", _school_sees_findings("inspection__")),
        "bureau.Rectification": _inspection_scopes(
            "finding__inspection__", _school_sees_findings("finding__inspection__")
        ),
    },
    menu=[
        MenuEntry(Role.BUREAU, "bureau:home", "home.bureau", home=True),
        MenuEntry(Role.INSPECTOR, "bureau:inspector-home", "home.inspector", home=True),
        *(MenuEntry(role, "bureau:plan-status", "plan.review_queue", _("Plan status"), 20) for role in COUNTY_READERS),
        MenuEntry(Role.BUREAU, "bureau:calendar", "calendar.view", _("Calendar"), 50),
        # special inspections
        *(
            MenuEntry(role, "bureau:inspection-list", "inspection.view", _("Inspections"), 30)
            for role in COUNTY_READERS
        ),
        MenuEntry(Role.TOWNSHIP_COORDINATOR, "bureau:inspection-list", "inspection.view", _("Inspections"), 60),
        MenuEntry(Role.SCHOOL_ADMIN, "bureau:inspection-list", "inspection.view", _("Inspections"), 90),
    ],
)
