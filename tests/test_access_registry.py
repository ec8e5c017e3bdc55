"""The access registry: each app's access.py is collected at start-up and a wrong table refuses to start; the
committed dump (docs/access-table.md) is the table; the rules that used to sit in views are actions.

The refusals call `build_table` on crafted registrations, never touching the live table the other tests use.
"""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Q
from django.urls import reverse

from schools.models import Role, ServiceClass, ServiceClassMember
from schools.services import classes as class_services
from xiji_afterschool import navigation, permissions
from xiji_afterschool.management.commands.access_table import access_table
from xiji_afterschool.permissions import ALL, MenuEntry, Registration, build_table

from .access.parents import signed_application

DUMP = Path(__file__).resolve().parent.parent / "docs" / "access-table.md"


def refused(*registrations, match: str):
    with pytest.raises(ImproperlyConfigured, match=match):
        build_table(registrations)


def test_the_live_table_is_the_registered_one():
    assert {"schools", "enrollment", "funding", "bureau"} <= set(permissions.ACTION_APPS.values())
    rebuilt = build_table(permissions._pending)
    assert rebuilt.actions == permissions.ACTIONS and rebuilt.scopes == permissions.SCOPES
    assert permissions.ACTION_APPS["claim.view"] == "funding" and permissions.ACTION_APPS["home.bureau"] == "bureau"


def test_a_correct_registration_builds():
    table = build_table(
        [
            Registration(
                app="funding", actions={"x.view": {Role.FINANCE}}, scopes={"funding.Claim": {Role.FINANCE: ALL}}
            ),
            Registration(
                app="enrollment",
                actions={"y.view": {Role.PARENT}},
                action_scopes={"y.view": {"schools.Student": {Role.PARENT: lambda m: Q(pk=0)}}},
                menu=[MenuEntry(Role.PARENT, "enrollment:parent-home", "y.view", home=True)],
            ),
        ]
    )
    assert table.actions == {"x.view": {Role.FINANCE}, "y.view": {Role.PARENT}}
    assert table.action_apps == {"x.view": "funding", "y.view": "enrollment"}


# ---------------------------------------------------------------- refusals


def test_a_duplicate_action_refuses_to_start():
    refused(
        Registration(app="funding", actions={"claim.view": {Role.FINANCE}}),
        Registration(app="enrollment", actions={"claim.view": {Role.PARENT}}),
        match="'claim.view' is already registered by funding",
    )


def test_an_app_registering_twice_refuses_to_start():
    refused(
        Registration(app="funding", actions={"a.view": {Role.FINANCE}}),
        Registration(app="funding", actions={"b.view": {Role.FINANCE}}),
        match="registered twice",
    )


def test_a_duplicate_scope_refuses_to_start():
    refused(
        Registration(app="funding", scopes={"funding.Claim": {Role.FINANCE: ALL}}),
        Registration(app="funding_again", scopes={"funding.Claim": {Role.AUDITOR: ALL}}),
        match="scope of 'funding.Claim' is already registered by funding",
    )


@pytest.mark.parametrize(
    "registration",
    [
        Registration(app="funding", actions={"x.view": {"treasurer"}}),
        Registration(app="funding", scopes={"funding.Claim": {"treasurer": ALL}}),
        Registration(
            app="funding",
            actions={"x.view": {Role.FINANCE}},
            action_scopes={"x.view": {"funding.Claim": {"treasurer": ALL}}},
        ),
        Registration(
            app="funding",
            actions={"x.view": {Role.FINANCE}},
            menu=[MenuEntry("treasurer", "funding:finance-home", "x.view", home=True)],
        ),
    ],
    ids=["action", "scope", "action-scope", "menu"],
)
def test_an_unknown_role_refuses_to_start(registration):
    refused(registration, match="unknown role.*treasurer")


def test_a_scope_for_another_apps_model_refuses_to_start():
    refused(
        Registration(app="funding", scopes={"schools.Student": {Role.FINANCE: ALL}}),
        match="a model of schools; an app registers the scopes of its own models",
    )


def test_a_scope_for_no_model_refuses_to_start():
    refused(Registration(app="funding", scopes={"funding.Nothing": {Role.FINANCE: ALL}}), match="not a model")


def test_an_action_scope_for_an_unregistered_action_refuses_to_start():
    refused(
        Registration(app="funding", action_scopes={"claim.fly": {"funding.Claim": {Role.FINANCE: ALL}}}),
        match="'claim.fly', which is not a registered action",
    )


def test_an_action_scope_for_another_apps_action_refuses_to_start():
    refused(
        Registration(app="funding", actions={"claim.view": {Role.FINANCE}}),
        Registration(
            app="enrollment", action_scopes={"claim.view": {"funding.Claim": {Role.FINANCE: lambda m: Q(pk=0)}}}
        ),
        match="an action of funding; an app narrows only its own actions",
    )


def test_an_action_scope_for_a_role_without_the_action_refuses_to_start():
    refused(
        Registration(
            app="funding",
            actions={"claim.view": {Role.FINANCE}},
            action_scopes={"claim.view": {"funding.Claim": {Role.AUDITOR: ALL}}},
        ),
        match="auditor, which may not take the action",
    )


def test_a_menu_entry_for_an_unregistered_action_refuses_to_start():
    refused(
        Registration(app="funding", menu=[MenuEntry(Role.FINANCE, "funding:finance-home", "home.nobody", home=True)]),
        match="'home.nobody', which is not a registered action",
    )


def test_a_menu_entry_for_a_role_without_its_action_refuses_to_start():
    refused(
        Registration(
            app="funding",
            actions={"claim.view": {Role.FINANCE}, "home.auditor": {Role.AUDITOR}},
            menu=[
                MenuEntry(Role.AUDITOR, "funding:auditor-home", "home.auditor", home=True),
                MenuEntry(Role.AUDITOR, "funding:claim-list", "claim.view", "Claims"),
            ],
        ),
        match="is for auditor, who may not take 'claim.view'",
    )


def test_a_menu_without_a_home_or_with_two_refuses_to_start():
    actions = {"home.finance": {Role.FINANCE}, "claim.view": {Role.FINANCE}}
    refused(
        Registration(
            app="funding", actions=actions, menu=[MenuEntry(Role.FINANCE, "funding:claim-list", "claim.view", "C")]
        ),
        match="without a home: finance",
    )
    refused(
        Registration(
            app="funding",
            actions=actions,
            menu=[
                MenuEntry(Role.FINANCE, "funding:finance-home", "home.finance", home=True),
                MenuEntry(Role.FINANCE, "funding:claim-list", "claim.view", home=True),
            ],
        ),
        match="a second home for finance",
    )


# ---------------------------------------------------------------- menus and the dump


def test_every_menu_entry_opens_a_page_and_every_role_has_a_home():
    for entry in permissions.MENU:
        reverse(entry.url)
    homes = {e.role for e in permissions.MENU if e.home}
    assert homes == set(Role.values) == set(navigation.ROLE_ORDER)


def test_the_committed_access_table_is_current():
    assert DUMP.read_text(encoding="utf-8") == access_table(), (
        "docs/access-table.md is out of date: run `python manage.py access_table > docs/access-table.md` "
        "and commit the result"
    )


# ---------------------------------------------------------------- the rules that left the views


def test_the_pick_up_mobile_is_whole_for_whoever_applied_and_the_school_only(world):
    app = signed_application(world)  # by `parent`
    paper = signed_application(world, student=world.other_child, parent=world.class_teacher)  # entered by the teacher
    sees = {
        actor: (permissions.can(getattr(world, actor), "application.view_contact", app),
                permissions.can(getattr(world, actor), "application.view_contact", paper))
        for actor in ("parent", "other_parent", "class_teacher", "school_admin", "other_school_admin", "township",
                      "bureau", "inspector")
    }  # fmt: skip
    assert sees == {
        "parent": (True, False),
        "other_parent": (False, False),  # other_child's guardian, but not who applied
        "class_teacher": (False, True),
        "school_admin": (True, True),
        "other_school_admin": (False, False),
        "township": (False, False),
        "bureau": (False, False),
        "inspector": (False, False),
    }


def test_the_return_action_follows_where_the_plan_stands(world):
    from schools.services.plans import plan_return_action

    plan = world.plan
    plan.status = plan.Status.AT_TOWNSHIP
    assert plan_return_action(plan) == "plan.return_by_township"
    plan.status = plan.Status.AT_BUREAU
    assert plan_return_action(plan) == "plan.return"


def test_removing_a_member_always_needs_managing_the_class_and_leaving_needs_the_child(world):
    sc = ServiceClass.objects.create(
        school=world.school_a, school_year=world.school_year, name="篮球一班", kind=ServiceClass.Kind.REGULAR,
        activity="sports", teacher=world.service_teacher, capacity=30, created_by=world.school_admin,
    )  # fmt: skip
    start = world.school_year.start_date
    ServiceClassMember.objects.create(
        service_class=sc, student=world.child, start_date=start, added_by=world.school_admin
    )
    leaves = start + datetime.timedelta(days=40)
    with pytest.raises(PermissionDenied):  # a parent withdraws, but never removes a member by the class
        class_services.service_class_remove_member(
            actor=world.parent, service_class=sc, student=world.child, end_date=leaves
        )
    for outsider in (world.other_parent, world.class_teacher, world.other_school_admin):
        with pytest.raises(PermissionDenied):
            class_services.service_class_leave(
                actor=outsider, student=world.child, school_year=world.school_year, end_date=leaves
            )
    [member] = class_services.service_class_leave(
        actor=world.parent, student=world.child, school_year=world.school_year, end_date=leaves
    )
    assert member.end_date == leaves
    assert (
        class_services.service_class_leave(
            actor=world.school_admin, student=world.child, school_year=world.school_year, end_date=leaves
        )
        == []
    )  # no open place left
