"""The county console's actions: the bureau's and the inspector's homes. Its pages read other apps' records
through those apps' actions (plan.review_queue, calendar.view, coverage.view…); it has no models to scope."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from schools.models import Role
from xiji_afterschool.permissions import ALL, COUNTY_READERS, MenuEntry, of_person, register


# ---- Feedback (意见建议与投诉, R33, R37): anyone sends it without an account (no action: the public form). The
# school's administrator sees and answers what is routed to the school; the bureau sees and answers everything and
# alone refers a fee complaint to market supervision; inspectors and the county leadership read; a signed-in parent
# reads what they sent.
def _feedback_for_school(m):
    return Q(school=m.school_id, handler="school")


FEEDBACK_READERS = {Role.BUREAU, Role.INSPECTOR, Role.LEADERSHIP}

register(
    app="bureau",
    actions={
        "home.bureau": {Role.BUREAU},
        "home.inspector": {Role.INSPECTOR},
        # ---- Feedback
        "feedback.view": {*FEEDBACK_READERS, Role.SCHOOL_ADMIN, Role.PARENT},
        "feedback.list": {*FEEDBACK_READERS, Role.SCHOOL_ADMIN},
        "feedback.mine": {Role.PARENT},
        "feedback.answer": {Role.BUREAU, Role.SCHOOL_ADMIN},
        "feedback.close": {Role.BUREAU, Role.SCHOOL_ADMIN},
        "feedback.refer": {Role.BUREAU},
    },
    scopes={
        # ---- Feedback
        "bureau.Feedback": {
            **dict.fromkeys(FEEDBACK_READERS, ALL),
            Role.SCHOOL_ADMIN: _feedback_for_school,
            Role.PARENT: of_person("submitted_by"),
        },
    },
    menu=[
        MenuEntry(Role.BUREAU, "bureau:home", "home.bureau", home=True),
        MenuEntry(Role.INSPECTOR, "bureau:inspector-home", "home.inspector", home=True),
        *(MenuEntry(role, "bureau:plan-status", "plan.review_queue", _("Plan status"), 20) for role in COUNTY_READERS),
        MenuEntry(Role.BUREAU, "bureau:calendar", "calendar.view", _("Calendar"), 50),
        # ---- Feedback
        *(
            MenuEntry(role, "bureau:feedback-list", "feedback.list", pgettext_lazy("feedback", "Feedback"), 60)
            for role in (Role.BUREAU, Role.INSPECTOR, Role.SCHOOL_ADMIN)
        ),
        MenuEntry(Role.PARENT, "bureau:feedback-mine", "feedback.mine", pgettext_lazy("feedback", "Feedback"), 60),
    ],
)
