"""Pure rules of emergency plans, drills and safety education: what a school must have each semester. No database.

The county plan (R28) asks every school for emergency plans for the five common scenarios and for a fire drill and
an evacuation (earthquake) drill every semester; safety education for pupils and for teachers each semester."""

from django.utils.translation import gettext as _

from ..models.emergency import SafetyEducation, Scenario

REQUIRED_PLANS = (Scenario.FIRE, Scenario.INJURY, Scenario.MISSING, Scenario.WEATHER, Scenario.TRAFFIC)
REQUIRED_DRILLS = (Scenario.FIRE, Scenario.EARTHQUAKE)
REQUIRED_AUDIENCES = (SafetyEducation.Audience.PUPILS, SafetyEducation.Audience.TEACHERS)


def missing(*, plan_scenarios: set[str], drill_scenarios: set[str], audiences: set[str]) -> list[str]:
    """What the school still lacks this semester, one sentence each ("本学期尚未进行消防演练")."""
    gaps = []
    for scenario in REQUIRED_PLANS:
        if scenario not in plan_scenarios:
            gaps.append(_("No emergency plan for: %(scenario)s") % {"scenario": scenario.label})
    drills = {
        Scenario.FIRE: _("No fire drill this semester yet"),
        Scenario.EARTHQUAKE: _("No evacuation (earthquake) drill this semester yet"),
    }
    gaps += [drills[s] for s in REQUIRED_DRILLS if s not in drill_scenarios]
    education = {
        SafetyEducation.Audience.PUPILS: _("No safety education for pupils this semester yet"),
        SafetyEducation.Audience.TEACHERS: _("No safety training for teachers this semester yet"),
    }
    gaps += [education[a] for a in REQUIRED_AUDIENCES if a not in audiences]
    return gaps
