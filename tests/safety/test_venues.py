"""Venue safety checks (R29, issue 11 §6): venues with the checks that apply, the built-in checklists, a check
recorded on one screen and never edited, failed items opening hazards, and what is due this week (本周待检)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from safety.models import Hazard, Venue, VenueCheck
from safety.rules import venues as rules
from safety.selectors import venues as selectors
from safety.services import venues as services
from schools.models import Partner
from xiji_afterschool import permissions
from xiji_afterschool.errors import DomainError

from ..conftest import events, messages_of, pretend_today

pytestmark = pytest.mark.usefixtures("english")  # messages asserted in English survive the Chinese catalog


@pytest.fixture
def world(shared_world):
    return shared_world


def all_passed(category):
    return [(True, "")] * len(rules.checklist(category))


def canteen(world):
    return services.venue_create(actor=world.school_admin, school=world.school_a, kind="canteen", name="学生食堂")


# ---------------------------------------------------------------- rules (no database)


def test_every_category_has_four_to_eight_items_in_the_plans_wording():
    assert set(rules.CHECKLISTS) == {"traffic", "building", "fire", "food", "security", "outside"}
    for items in rules.CHECKLISTS.values():
        assert 4 <= len(items) <= 8
    assert rules.CHECKLISTS["fire"][:4] == ("灭火器在有效期内", "疏散通道畅通", "应急照明完好", "安全出口标识清晰")


def test_default_schedules():
    assert rules.default_schedule("canteen") == {"food": 7, "fire": 30, "building": 30}
    assert rules.default_schedule("bus") == {"traffic": 7}
    assert rules.default_schedule("outside")["outside"] == 30
    assert rules.DEFAULT_EVERY_DAYS["security"] == 30


def test_next_due_and_this_week():
    wednesday = datetime.date(2021, 9, 15)
    assert rules.next_due(last_checked_on=None, every_days=7, since=wednesday) == wednesday
    assert rules.next_due(last_checked_on=datetime.date(2021, 9, 10), every_days=7, since=wednesday) == datetime.date(
        2021, 9, 17
    )
    assert rules.week_end(wednesday) == datetime.date(2021, 9, 19)
    assert rules.due_this_week(datetime.date(2021, 9, 19), wednesday)
    assert not rules.due_this_week(datetime.date(2021, 9, 20), wednesday)


# ---------------------------------------------------------------- venues


def test_a_new_venue_gets_its_kinds_checks_at_the_default_intervals(world):
    venue = canteen(world)
    assert dict(venue.schedules.values_list("category", "every_days")) == {"food": 7, "fire": 30, "building": 30}


def test_an_outside_venue_needs_one_of_the_schools_partners(world):
    partner = Partner.objects.create(school=world.school_a, name="西吉县青少年活动中心", kind="youth_centre")
    other = Partner.objects.create(school=world.school_b, name="乙乡文化站", kind="community")
    with pytest.raises(DomainError, match="partner"):
        services.venue_create(actor=world.school_admin, school=world.school_a, kind="outside", name="活动中心")
    with pytest.raises(DomainError, match="not one of this school"):
        services.venue_create(
            actor=world.school_admin, school=world.school_a, kind="outside", name="文化站", partner=other
        )
    with pytest.raises(DomainError, match="Only an outside venue"):
        services.venue_create(
            actor=world.school_admin, school=world.school_a, kind="gym", name="体育馆", partner=partner
        )
    venue = services.venue_create(
        actor=world.school_admin, school=world.school_a, kind="outside", name="活动中心", partner=partner
    )
    assert venue.partner == partner and set(venue.schedules.values_list("category", flat=True)) == {"outside", "fire"}


def test_venue_names_are_unique_per_school_and_schedules_are_checked(world):
    canteen(world)
    with pytest.raises(DomainError, match="already has a venue"):
        canteen(world)
    for schedule in ({}, {"fire": 0}, {"fire": 400}, {"nonsense": 7}):
        with pytest.raises(DomainError):
            services.venue_create(
                actor=world.school_admin, school=world.school_a, kind="gym", name="体育馆", schedule=schedule
            )


def test_only_the_school_admin_of_the_school_keeps_venues(world):
    for actor in (world.service_teacher, world.other_school_admin, world.bureau, world.township):
        with pytest.raises(PermissionDenied):
            services.venue_create(actor=actor, school=world.school_a, kind="gym", name="体育馆")


def test_venue_update_changes_the_schedule_and_takes_it_out_of_use(world):
    venue = canteen(world)
    services.venue_update(
        actor=world.school_admin, venue=venue, name="新食堂", partner=None, schedule={"food": 3}, active=False
    )
    venue.refresh_from_db()
    assert venue.name == "新食堂" and not venue.active
    assert dict(venue.schedules.values_list("category", "every_days")) == {"food": 3}
    with pytest.raises(DomainError, match="no longer in use"):
        services.check_record(actor=world.school_admin, venue=venue, category="food", results=all_passed("food"))


# ---------------------------------------------------------------- checks


def test_a_passing_check_is_one_record_with_its_items_and_opens_nothing(world):
    venue = canteen(world)
    check = services.check_record(
        actor=world.service_teacher, venue=venue, category="food", results=all_passed("food"), note="正常"
    )
    assert check.passed and check.checked_by == world.service_teacher
    assert list(check.items.values_list("text", flat=True)) == list(rules.checklist("food"))
    assert not Hazard.objects.exists()


def test_each_failed_item_opens_a_hazard_with_the_items_wording_and_note(world):
    venue = canteen(world)
    results = all_passed("fire")
    results[0] = (False, "2支灭火器过期")
    results[2] = (False, "应急灯不亮")
    check = services.check_record(actor=world.school_admin, venue=venue, category="fire", results=results)
    assert check.failed_count == 2
    hazards = list(Hazard.objects.order_by("pk"))
    assert [h.check_item.position for h in hazards] == [1, 3]
    first = hazards[0]
    assert first.status == Hazard.Status.OPEN and first.category == "fire" and first.venue == venue
    assert first.school == world.school_a and first.source == Hazard.Source.CHECK
    assert "灭火器在有效期内" in first.description and "2支灭火器过期" in first.description
    assert events(first) == [("found", "", "open", world.school_admin.pk, "")]


def test_a_check_is_refused_when_incomplete_or_a_failure_has_no_note(world):
    venue = canteen(world)
    with pytest.raises(DomainError, match="every item"):
        services.check_record(actor=world.school_admin, venue=venue, category="fire", results=[(True, "")])
    results = all_passed("fire")
    results[1] = (False, "  ")
    with pytest.raises(DomainError, match="say what is wrong"):
        services.check_record(actor=world.school_admin, venue=venue, category="fire", results=results)
    with pytest.raises(DomainError, match="does not apply"):
        services.check_record(actor=world.school_admin, venue=venue, category="traffic", results=all_passed("traffic"))
    assert not VenueCheck.objects.exists() and not Hazard.objects.exists()


def test_who_may_check(world):
    venue = canteen(world)
    for actor in (
        world.class_teacher,
        world.volunteer,
        world.gate,
        world.township,
        world.bureau,
        world.other_school_admin,
    ):
        with pytest.raises(PermissionDenied):
            services.check_record(actor=actor, venue=venue, category="food", results=all_passed("food"))


def test_due_this_week_lists_never_checked_and_overdue_first(world, monkeypatch):
    venue = canteen(world)
    today = pretend_today(monkeypatch, timezone.localdate())
    services.check_record(actor=world.school_admin, venue=venue, category="building", results=all_passed("building"))
    due = selectors.due_checks(viewer=world.service_teacher, today=today)
    assert {(d.schedule.category, d.due) for d in due} == {("food", today), ("fire", today)}
    later = today + datetime.timedelta(days=9)  # food (weekly, never checked) is overdue; building is 30-daily
    due = selectors.due_checks(viewer=world.service_teacher, today=later)
    assert {d.schedule.category for d in due} == {"food", "fire"} and all(d.overdue for d in due)
    assert selectors.due_checks(viewer=world.other_school_admin, today=today) == []


def test_the_due_list_is_one_query_whatever_the_venues(world, django_assert_num_queries):
    for n in range(5):
        services.venue_create(actor=world.school_admin, school=world.school_a, kind="classroom", name=f"教室{n}")
    user = world.service_teacher
    permissions.memberships(user)  # loaded once per request, before any list
    with django_assert_num_queries(1):
        assert len(selectors.due_checks(viewer=user)) == 10


# ---------------------------------------------------------------- pages


def test_the_checklist_page_records_a_check_from_the_phone_form(client, world):
    venue = canteen(world)
    client.force_login(world.service_teacher)
    url = reverse("safety:check-create", args=[venue.pk, "food"])
    page = client.get(url)
    assert page.status_code == 200 and "从业人员持有效健康证明上岗".encode() in page.content
    data = {f"item_{i}": "pass" for i in range(len(rules.checklist("food")))}
    data["item_1"] = "fail"
    response = client.post(url, data)
    assert response.status_code == 200 and not VenueCheck.objects.exists()  # the failure has no note
    data["note_1"] = "一人健康证过期"
    response = client.post(url, data)
    check = VenueCheck.objects.get()
    assert response.status_code == 302 and response.url == reverse("safety:check-detail", args=[check.pk])
    assert check.failed_count == 1 and Hazard.objects.get().check_item.note == "一人健康证过期"
    assert messages_of(response)


def test_a_category_that_does_not_apply_is_not_offered(client, world):
    venue = canteen(world)
    client.force_login(world.school_admin)
    response = client.get(reverse("safety:check-create", args=[venue.pk, "traffic"]))
    assert response.status_code == 302 and response.url == reverse("safety:venue-detail", args=[venue.pk])


def test_venue_pages_render(client, world):
    venue = canteen(world)
    services.check_record(actor=world.school_admin, venue=venue, category="food", results=all_passed("food"))
    client.force_login(world.school_admin)
    listing = client.get(reverse("safety:venue-list"))
    assert listing.status_code == 200 and "学生食堂" in listing.content.decode()
    assert client.get(reverse("safety:venue-detail", args=[venue.pk])).status_code == 200
    response = client.post(
        reverse("safety:venue-create", args=[world.school_a.pk]), {"kind": "bus", "name": "1号校车", "partner": ""}
    )
    bus = Venue.objects.get(name="1号校车")
    assert response.status_code == 302 and list(bus.schedules.values_list("category", flat=True)) == ["traffic"]
    response = client.post(
        reverse("safety:venue-edit", args=[bus.pk]), {"name": "1号校车", "every_traffic": "5", "active": "on"}
    )
    assert response.status_code == 302 and bus.schedules.get().every_days == 5


def test_a_check_is_never_changed(world):
    venue = canteen(world)
    results = all_passed("fire")
    results[0] = (False, "灭火器过期")
    check = services.check_record(actor=world.school_admin, venue=venue, category="fire", results=results)
    assert not hasattr(services, "check_update")  # no service edits a check: a mistake is a new check
    if connection.vendor == "postgresql":
        # The database refuses too (migration safety/0002_append_only_triggers), whatever the code does.
        with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
            VenueCheck.objects.filter(pk=check.pk).update(failed_count=0)
        with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
            check.items.filter(passed=False).update(passed=True)
        with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
            check.items.filter(pk=check.items.filter(passed=True).first().pk).delete()
    check.refresh_from_db()
    assert check.failed_count == 1 and check.items.filter(passed=False).count() == 1 and check.items.count() == 6
