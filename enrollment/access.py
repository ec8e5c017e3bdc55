"""The enrollment app's actions and scopes: the Letter to Parents, the agreement, the application, its review and
placement, and coverage (registered with the one engine, xiji_afterschool/permissions.py)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import Role
from xiji_afterschool.permissions import ALL, COUNTY_READERS, SUPERVISORS, MenuEntry, register, same_rule

PA, CT, SA, TC = Role.PARENT, Role.CLASS_TEACHER, Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR


def their_child(m):
    return Q(student__guardian_links__guardian__user=m.user_id)


def their_class(m):
    return Q(student__admin_class=m.admin_class_id)


def own_school(m):
    return Q(school=m.school_id)


def own_township(m):
    return Q(school__township=m.township_id)


def applied_themselves(m):
    """The application this user submitted (online as a parent, or entered from paper as a teacher)."""
    return Q(applicant=m.user_id)


register(
    app="enrollment",
    actions={
        "home.parent": {PA},
        # Enrollment (R13–R15): the Letter to Parents, the agreement, the application and its review (R14).
        "letter.view": {PA, CT, SA, TC, Role.BUREAU},
        "letter.batch": {CT, SA},
        "child.link": {PA},
        "application.view": {PA, CT, SA, *SUPERVISORS},
        "application.create": {PA},  # for a child the parent sees (object: the Student)
        "application.enter_on_behalf": {CT, SA},  # 代录 a paper application
        # The pick-up contact's whole mobile: whoever applied, and the school that keeps the roster.
        "application.view_contact": {PA, CT, SA},
        "application.resubmit": {PA, CT, SA},
        "application.class_review": {CT},
        "application.school_approve": {SA},
        "application.place": {SA},
        "application.withdraw": {PA, SA},
        "agreement.publish": {SA},
        "agreement.view": {PA, CT, SA},
        "coverage.view": {SA, *SUPERVISORS},
    },
    scopes={
        "enrollment.Application": {
            PA: their_child,
            CT: their_class,
            SA: own_school,
            TC: own_township,
            **same_rule(COUNTY_READERS, ALL),
        },
        "enrollment.Agreement": {PA: their_child, CT: their_class, SA: lambda m: Q(student__school=m.school_id)},
        "enrollment.AgreementText": {
            PA: lambda m: Q(school__students__guardian_links__guardian__user=m.user_id),
            **same_rule({CT, SA}, own_school),
            TC: own_township,
            Role.BUREAU: ALL,
        },
        "enrollment.LetterBatch": {CT: lambda m: Q(admin_class=m.admin_class_id), SA: own_school},
    },
    action_scopes={
        # A class teacher prints letters and enters paper applications only for their own class, though they see
        # the school.
        "letter.batch": {"schools.AdminClass": {CT: lambda m: Q(pk=m.admin_class_id)}},
        "application.enter_on_behalf": {"schools.Student": {CT: lambda m: Q(admin_class=m.admin_class_id)}},
        # A parent or class teacher sees the mobile of the applications they made; the school admin every one.
        "application.view_contact": {"enrollment.Application": same_rule({PA, CT}, applied_themselves)},
    },
    menu=[
        MenuEntry(PA, "enrollment:parent-home", "home.parent", home=True),
        *(MenuEntry(role, "enrollment:coverage-county", "coverage.view", _("Coverage"), 30) for role in SUPERVISORS),
        MenuEntry(SA, "enrollment:review-school", "application.school_approve", _("Applications"), 10),
        MenuEntry(CT, "enrollment:review-class", "application.class_review", _("Class review"), 10),
    ],
)
