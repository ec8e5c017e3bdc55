"""The enrollment app's actions and scopes: the Letter to Parents, the agreement, the application, its review and
placement, and coverage (registered with the one engine, xiji_afterschool/permissions.py)."""

from django.utils.translation import gettext_lazy as _

from schools.models import Role
from xiji_afterschool.permissions import (
    ALL,
    COUNTY_READERS,
    SUPERVISORS,
    MenuEntry,
    at_school,
    in_township,
    of_class,
    of_person,
    register,
    same_rule,
)

PA, CT, SA, TC = Role.PARENT, Role.CLASS_TEACHER, Role.SCHOOL_ADMIN, Role.TOWNSHIP_COORDINATOR


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
        "application.late_decide": {SA},  # accept a late application, or put it on the waiting list (候补)
        "application.place": {SA},
        "application.withdraw": {PA, SA},
        "agreement.publish": {SA},
        "agreement.view": {PA, CT, SA},
        "coverage.view": {SA, *SUPERVISORS},
        # The guardian's rights (issue #14, item 5): a copy of what is held about the family, and requests to
        # correct, delete or withdraw consent, answered by the school within 15 working days.
        "my_data.view": {PA},
        "data_request.create": {PA},  # object: the child (a Student the parent sees), or none for their own data
        "data_request.view": {PA, CT, SA},
        "data_request.answer": {SA},
        "data_request.overdue": {TC, *COUNTY_READERS},  # open requests past due, by school: no personal data
        # The guardian's separate consent (issue #14, item 2): given and withdrawn by a guardian for their own
        # children only; a paper consent form entered with its scan by the class teacher (own class) or the school.
        "consent.give": {PA},  # object: the child (a Student the parent sees)
        "consent.withdraw": {PA},
        "consent.record_paper": {CT, SA},
        "consent.view": {PA, CT, SA},
    },
    scopes={
        "enrollment.Application": {
            PA: of_person("student__guardian_links__guardian__user"),
            CT: of_class("student__admin_class"),
            SA: at_school(),
            TC: in_township(),
            **same_rule(COUNTY_READERS, ALL),
        },
        "enrollment.Agreement": {
            PA: of_person("student__guardian_links__guardian__user"),
            CT: of_class("student__admin_class"),
            SA: at_school("student__school"),
        },
        "enrollment.AgreementText": {
            PA: of_person("school__students__guardian_links__guardian__user"),
            **same_rule({CT, SA}, at_school()),
            TC: in_township(),
            Role.BUREAU: ALL,
        },
        "enrollment.LetterBatch": {CT: of_class("admin_class"), SA: at_school()},
        # A parent sees the requests they made; the class teacher their class's children's; the school its own.
        "enrollment.DataRequest": {PA: of_person("requester"), CT: of_class("student__admin_class"), SA: at_school()},
        # A guardian sees (and withdraws) the consents of their own children; the class teacher and the school theirs.
        "enrollment.Consent": {
            PA: of_person("student__guardian_links__guardian__user"),
            CT: of_class("student__admin_class"),
            SA: at_school("student__school"),
        },
    },
    action_scopes={
        # A class teacher prints letters and enters paper applications only for their own class, though they see
        # the school.
        "letter.batch": {"schools.AdminClass": {CT: of_class("pk")}},
        "application.enter_on_behalf": {"schools.Student": {CT: of_class("admin_class")}},
        "consent.record_paper": {"schools.Student": {CT: of_class("admin_class")}},
        # A parent or class teacher sees the mobile of the applications they made; the school admin every one.
        # whoever submitted the application: online as a parent, or entered from paper as a class teacher
        "application.view_contact": {"enrollment.Application": same_rule({PA, CT}, of_person("applicant"))},
        # The county and the township see overdue requests (school, kind, dates) and nothing else of them.
        "data_request.overdue": {
            "enrollment.DataRequest": {TC: in_township(), **same_rule(COUNTY_READERS, ALL)},
        },
    },
    menu=[
        MenuEntry(PA, "enrollment:parent-home", "home.parent", home=True),
        MenuEntry(CT, "enrollment:class-home", "home.class_teacher", home=True),
        *(MenuEntry(role, "enrollment:coverage-county", "coverage.view", _("Coverage"), 30) for role in SUPERVISORS),
        MenuEntry(SA, "enrollment:review-school", "application.school_approve", _("Applications"), 10),
        MenuEntry(CT, "enrollment:review-class", "application.class_review", _("Class review"), 10),
        *(
            MenuEntry(role, "enrollment:data-request-list", "data_request.view", _("Data requests"), 70)
            for role in (CT, SA)
        ),
        *(
            MenuEntry(role, "enrollment:data-request-overdue", "data_request.overdue", _("Overdue data requests"), 36)
            for role in COUNTY_READERS
        ),
    ],
)
