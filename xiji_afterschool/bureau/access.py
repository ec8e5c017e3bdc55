"""The county console's actions: the bureau's and the inspector's homes. Its pages read other apps' records
through those apps' actions (plan.review_queue, calendar.view, coverage.view…); it has no models to scope."""

from django.utils.translation import gettext_lazy as _

from schools.models import Role
from xiji_afterschool.permissions import COUNTY_READERS, MenuEntry, register

register(
    app="bureau",
    actions={
        "home.bureau": {Role.BUREAU},
        "home.inspector": {Role.INSPECTOR},
    },
    menu=[
        MenuEntry(Role.BUREAU, "bureau:home", "home.bureau", home=True),
        MenuEntry(Role.INSPECTOR, "bureau:inspector-home", "home.inspector", home=True),
        *(MenuEntry(role, "bureau:plan-status", "plan.review_queue", _("Plan status"), 20) for role in COUNTY_READERS),
        MenuEntry(Role.BUREAU, "bureau:calendar", "calendar.view", _("Calendar"), 50),
    ],
)
