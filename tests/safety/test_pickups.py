"""Who may take a child (issue 11 §1): the rules, the services, `allowed_today`, the pages of the guardian, the class
teacher and the school admin, and the race on a child's bus or dormitory place."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from safety.models import Collector, Delegation, Source, TravelArrangement, WalkHomePermission
from safety.rules import pickups as rules
from safety.selectors import pickups as selectors
from safety.services import pickups as services
from schools.models import StudentGuardian
from xiji_afterschool.errors import DomainError

from ..concurrency import at_once
from ..conftest import messages_of, pretend_today
from ..factories import AdminClassFactory, StudentFactory, link_guardian

pytestmark = pytest.mark.usefixtures("english")

D = datetime.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"\x00" * 64


def today():
    return timezone.localdate()


def days(n):
    return today() + datetime.timedelta(days=n)


def png(name="p.png", body=PNG):
    return SimpleUploadedFile(name, body, content_type="image/png")


def add_collector(world, *, actor=None, student=None, **kw):
    values = {"name": "马奶奶", "relation": "grandmother", "mobile": "13909541234", "valid_from": today()} | kw
    return services.collector_add(actor=actor or world.parent, student=student or world.child, **values)


def sign(world, *, actor=None, student=None, **kw):
    values = {
        "route": "出校门沿县道到村口商店，左转回家", "valid_from": today(), "valid_until": days(20),
        "leave_by": datetime.time(17, 40),
        "signature": services.WalkHomeSignature(signer_name="马文清", accepted=True, ip_address="10.1.2.3"),
    } | kw  # fmt: skip
    return services.walk_home_sign(actor=actor or world.parent, student=student or world.child, **values)


def route(world, *, name="1号线", stops="甲村,乙村，丙村", school=None):
    return services.bus_route_save(
        actor=world.school_admin if school is None else world.other_school_admin, school=school or world.school_a,
        name=name, stops=stops, departs_at=datetime.time(17, 30), escort=world.care_staff if school is None else None,
    )  # fmt: skip


# ---------------------------------------------------------------- pure rules


def test_rules_validity_grade_semester_dates_and_stops():
    assert rules.valid_on(D(2026, 3, 1), D(2026, 3, 1), None)
    assert rules.valid_on(D(2026, 3, 5), D(2026, 3, 1), D(2026, 3, 5))
    assert not rules.valid_on(D(2026, 3, 6), D(2026, 3, 1), D(2026, 3, 5))
    assert not rules.valid_on(D(2026, 2, 28), D(2026, 3, 1), None)
    assert rules.ranges_overlap(D(2026, 3, 1), None, D(2027, 1, 1), D(2027, 1, 2))
    assert not rules.ranges_overlap(D(2026, 3, 1), D(2026, 3, 5), D(2026, 3, 6), None)
    assert rules.MIN_GRADE_TO_GO_HOME_ALONE == 3
    assert [rules.may_go_home_alone(g) for g in (-1, 1, 2, 3, 6, 9)] == [False, False, False, True, True, True]
    semesters = [(D(2026, 9, 1), D(2027, 1, 20)), (D(2027, 2, 20), D(2027, 7, 10))]
    assert rules.walk_home_latest_until(D(2026, 10, 8), semesters) == D(2027, 1, 20)
    assert rules.walk_home_latest_until(D(2027, 2, 1), semesters) == D(2027, 7, 10)  # winter holiday: next one
    assert rules.walk_home_latest_until(D(2027, 8, 1), semesters) == D(2027, 8, 1) + datetime.timedelta(days=183)
    assert rules.delegation_date_allowed(D(2026, 5, 1), D(2026, 5, 1))
    assert not rules.delegation_date_allowed(D(2026, 4, 30), D(2026, 5, 1))
    assert not rules.delegation_date_allowed(D(2026, 5, 1) + datetime.timedelta(days=61), D(2026, 5, 1))
    assert rules.delegation_cancellable(D(2026, 5, 1), D(2026, 5, 1))
    assert not rules.delegation_cancellable(D(2026, 4, 30), D(2026, 5, 1))
    assert rules.split_stops(" 甲村，乙村、丙村\n丁村,, ") == ["甲村", "乙村", "丙村", "丁村"]
    assert rules.stop_on_route(" 乙村 ", ["甲村", "乙村"]) and not rules.stop_on_route("乙", ["甲村", "乙村"])


# ---------------------------------------------------------------- authorised adults


def test_guardian_adds_an_adult_with_a_code_and_removes_it_without_deleting(world, media):
    collector = add_collector(world, mobile="139 0954 1234", photo=png())
    assert collector.source == Source.GUARDIAN and collector.added_by == world.parent
    assert collector.mobile == "13909541234" and len(collector.pickup_code) == 6 and collector.pickup_code.isdigit()
    assert collector.photo.name.startswith("collectors/") and collector.photo.name.endswith(".png")
    services.collector_revoke(actor=world.parent, collector=collector)
    collector.refresh_from_db()
    assert collector.revoked_at is not None and collector.revoked_by == world.parent
    assert Collector.objects.filter(pk=collector.pk).exists()
    with pytest.raises(DomainError, match="already removed"):
        services.collector_revoke(actor=world.parent, collector=collector)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"mobile": "12345"}, "11-digit mainland mobile"),
        ({"mobile": "23909541234"}, "11-digit mainland mobile"),
        ({"name": "  "}, "adult's name"),
        ({"valid_from": D(2030, 5, 2), "valid_until": D(2030, 5, 1)}, "before the first day"),
        ({"valid_from": D(2020, 5, 1), "valid_until": D(2020, 6, 1)}, "in the past"),
    ],
)
def test_a_wrong_adult_is_refused(world, kw, message):
    with pytest.raises(DomainError, match=message):
        add_collector(world, **kw)
    assert not Collector.objects.exists()


def test_photo_must_be_a_small_image(world, media):
    with pytest.raises(DomainError, match="JPEG or PNG"):
        add_collector(world, photo=png("x.png", PDF))
    with pytest.raises(DomainError, match="larger than 5 MB"):
        add_collector(world, photo=png("big.png", PNG + b"\x00" * services.PHOTO_MAX_BYTES))
    assert not Collector.objects.exists() and not list(media.rglob("*.*"))


def test_paper_request_needs_the_school_and_its_filing_number(world):
    with pytest.raises(DomainError, match="原件存档编号"):
        add_collector(world, actor=world.school_admin, paper=True, paper_reference="  ")
    collector = add_collector(world, actor=world.school_admin, paper=True, paper_reference="JS-2026-014")
    assert collector.source == Source.PAPER and collector.paper_reference == "JS-2026-014"
    with pytest.raises(PermissionDenied):  # the school records paper; the phone is the guardian's
        add_collector(world, actor=world.school_admin)
    with pytest.raises(PermissionDenied):
        add_collector(world, paper=True, paper_reference="X")
    with pytest.raises(PermissionDenied):  # the class teacher reads only
        add_collector(world, actor=world.class_teacher, paper=True, paper_reference="X")
    with pytest.raises(PermissionDenied):  # another school's admin
        add_collector(world, actor=world.other_school_admin, paper=True, paper_reference="X")
    services.collector_revoke(actor=world.school_admin, collector=collector)  # the school may remove it too


def test_a_guardian_acts_only_on_their_own_children(world, client):
    with pytest.raises(PermissionDenied):
        add_collector(world, actor=world.other_parent)
    collector = add_collector(world)
    with pytest.raises(PermissionDenied):
        services.collector_revoke(actor=world.other_parent, collector=collector)
    client.force_login(world.other_parent)
    assert client.get(reverse("safety:pickup-student", args=[world.child.pk])).status_code == 404
    post = {"collector-name": "某人", "collector-relation": "other", "collector-mobile": "13909549999",
            "collector-valid_from": today().isoformat()}  # fmt: skip
    assert client.post(reverse("safety:collector-add", args=[world.child.pk]), post).status_code == 404
    assert client.post(reverse("safety:collector-revoke", args=[collector.pk])).status_code == 404
    assert client.get(reverse("safety:collector-photo", args=[collector.pk])).status_code == 404
    assert Collector.objects.count() == 1 and Collector.objects.get().revoked_at is None


# ---------------------------------------------------------------- delegations


def test_delegation_today_or_later_cancel_until_the_day(world, monkeypatch):
    with pytest.raises(DomainError, match="not for a day that has passed"):
        services.delegation_add(
            actor=world.parent, student=world.child, date=days(-1), name="马舅舅", relation="uncle_aunt",
            mobile="13909545678",
        )  # fmt: skip
    with pytest.raises(DomainError, match="at most 60 days ahead"):
        services.delegation_add(
            actor=world.parent, student=world.child, date=days(61), name="马舅舅", relation="uncle_aunt",
            mobile="13909545678",
        )  # fmt: skip
    with pytest.raises(DomainError, match="11-digit"):
        services.delegation_add(
            actor=world.parent, student=world.child, date=today(), name="马舅舅", relation="uncle_aunt", mobile="139"
        )
    with pytest.raises(PermissionDenied):  # announced by the guardian, not the school
        services.delegation_add(
            actor=world.school_admin, student=world.child, date=today(), name="马舅舅", relation="uncle_aunt",
            mobile="13909545678",
        )  # fmt: skip
    delegation = services.delegation_add(
        actor=world.parent, student=world.child, date=days(1), name="马舅舅", relation="uncle_aunt",
        mobile="13909545678", note="今天她舅舅来接",
    )  # fmt: skip
    pretend_today(monkeypatch, days(2))
    with pytest.raises(DomainError, match="day has passed"):
        services.delegation_cancel(actor=world.parent, delegation=delegation)
    monkeypatch.undo()
    services.delegation_cancel(actor=world.parent, delegation=delegation)
    delegation.refresh_from_db()
    assert delegation.cancelled_at is not None and Delegation.objects.count() == 1
    with pytest.raises(DomainError, match="already cancelled"):
        services.delegation_cancel(actor=world.parent, delegation=delegation)


# ---------------------------------------------------------------- going home alone


def test_walk_home_needs_grade_three_a_tick_a_name_and_at_most_a_semester(world):
    young = StudentFactory(admin_class=AdminClassFactory(school=world.school_a, grade=2, number=1))
    StudentGuardian.objects.create(student=young, guardian=world.parent.guardian, relation="father")
    with pytest.raises(DomainError, match="from grade 3"):
        sign(world, student=young)
    with pytest.raises(DomainError, match="I understand and accept"):
        sign(world, signature=services.WalkHomeSignature(signer_name="马文清", accepted=False))
    with pytest.raises(DomainError, match="Type your name"):
        sign(world, signature=services.WalkHomeSignature(signer_name=" ", accepted=True))
    latest = rules.walk_home_latest_until(today(), selectors.semesters_around(today()))
    with pytest.raises(DomainError, match="at most one semester"):
        sign(world, valid_until=latest + datetime.timedelta(days=1))
    with pytest.raises(DomainError, match="first day is in the past"):
        sign(world, valid_from=days(-1))
    with pytest.raises(DomainError, match="route home"):
        sign(world, route="  ")
    assert not WalkHomePermission.objects.exists()
    permission = sign(world, valid_until=latest)
    assert permission.signed_by == world.parent and permission.ip_address == "10.1.2.3"
    assert permission.source == Source.GUARDIAN and permission.signer_name == "马文清" and permission.signed_at
    with pytest.raises(DomainError, match="already covers part"):
        sign(world, valid_from=days(1), valid_until=days(2))
    services.walk_home_withdraw(actor=world.parent, permission=permission)
    with pytest.raises(DomainError, match="already withdrawn"):
        services.walk_home_withdraw(actor=world.parent, permission=permission)
    again = sign(world, valid_until=days(5))  # after withdrawing, a new one may be signed
    assert again.pk != permission.pk


def test_walk_home_from_paper_by_the_school(world):
    with pytest.raises(DomainError, match="原件存档编号"):
        sign(world, actor=world.school_admin, paper=True)
    permission = sign(world, actor=world.school_admin, paper=True, paper_reference="ZX-07")
    assert permission.source == Source.PAPER and permission.ip_address is None
    with pytest.raises(PermissionDenied):
        sign(world, actor=world.class_teacher, paper=True, paper_reference="ZX-08")
    with pytest.raises(PermissionDenied):
        services.walk_home_withdraw(actor=world.class_teacher, permission=permission)


def test_walk_home_page_records_the_signature_with_the_address(world, client):
    client.force_login(world.parent)
    url = reverse("safety:walk-home-sign", args=[world.child.pk])
    page = client.get(url)
    assert page.status_code == 200 and "the family is responsible" in page.content.decode()
    data = {"route": "沿县道回家", "valid_from": today().isoformat(), "valid_until": days(10).isoformat(),
            "leave_by": "17:40", "signer_name": "马文清"}  # fmt: skip
    refused = client.post(url, data, REMOTE_ADDR="192.0.2.7")
    assert refused.status_code == 200 and not WalkHomePermission.objects.exists()  # the tick is required
    response = client.post(url, data | {"accepted": "on"}, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    permission = WalkHomePermission.objects.get()
    assert permission.ip_address == "192.0.2.7" and permission.leave_by == datetime.time(17, 40)


# ---------------------------------------------------------------- buses and dormitories


def test_bus_routes_need_stops_unique_names_and_school_staff(world):
    bus = route(world)
    assert bus.stop_list == ["甲村", "乙村", "丙村"] and bus.escort == world.care_staff
    with pytest.raises(DomainError, match="already has a route"):
        route(world)
    with pytest.raises(DomainError, match="Enter the stops"):
        route(world, name="2号线", stops=" , ")
    with pytest.raises(DomainError, match="listed twice"):
        route(world, name="2号线", stops="甲村,甲村")
    with pytest.raises(DomainError, match="school's staff"):
        services.bus_route_save(
            actor=world.school_admin, school=world.school_a, name="3号线", stops="甲村", departs_at=datetime.time(17),
            escort=world.other_school_admin,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.dormitory_save(actor=world.other_school_admin, school=world.school_a, name="宿舍", teacher=None)


def test_bus_stop_must_be_on_the_route_and_dormitory_is_for_boarders(world):
    bus = route(world)
    other = route(world, name="乙线", stops="乙镇", school=world.school_b)
    dorm = services.dormitory_save(
        actor=world.school_admin, school=world.school_a, name="男生宿舍", teacher=world.care_staff
    )
    set_travel = lambda **kw: services.travel_set(actor=world.school_admin, student=world.child, **kw)  # noqa: E731
    with pytest.raises(DomainError, match="route's stops"):
        set_travel(kind="bus", valid_from=today(), bus_route=bus, bus_stop="丁村")
    with pytest.raises(DomainError, match="school's bus routes"):
        set_travel(kind="bus", valid_from=today(), bus_route=other, bus_stop="乙镇")
    with pytest.raises(DomainError, match="Only boarders"):
        set_travel(kind="dormitory", valid_from=today(), dormitory=dorm)
    world.child.is_boarder = True
    world.child.save()
    place = set_travel(kind="dormitory", valid_from=today(), dormitory=dorm)
    assert place.dormitory == dorm and place.bus_route is None and place.valid_until is None
    with pytest.raises(PermissionDenied):
        services.travel_set(
            actor=world.class_teacher,
            student=world.child,
            kind="bus",
            valid_from=days(1),
            bus_route=bus,
            bus_stop="甲村",
        )


def test_a_new_arrangement_ends_the_open_one(world):
    bus = route(world)
    first = services.travel_set(
        actor=world.school_admin, student=world.child, kind="bus", valid_from=today(), bus_route=bus, bus_stop="甲村"
    )
    second = services.travel_set(
        actor=world.school_admin, student=world.child, kind="bus", valid_from=days(7), bus_route=bus, bus_stop="丙村"
    )
    first.refresh_from_db()
    assert first.valid_until == days(6) and second.valid_until is None
    assert TravelArrangement.objects.filter(student=world.child, valid_until__isnull=True).count() == 1
    with pytest.raises(DomainError, match="starts on or after this day"):
        services.travel_set(
            actor=world.school_admin,
            student=world.child,
            kind="bus",
            valid_from=days(3),
            bus_route=bus,
            bus_stop="乙村",
        )
    with pytest.raises(DomainError, match="before the first day"):
        services.travel_end(actor=world.school_admin, arrangement=second, last_day=days(6))
    services.travel_end(actor=world.school_admin, arrangement=second, last_day=days(30))
    second.refresh_from_db()
    assert second.valid_until == days(30)
    assert selectors.allowed_today(student_ids=[world.child.pk], date=days(31))[world.child.pk].bus is None
    assert selectors.allowed_today(student_ids=[world.child.pk], date=days(3))[world.child.pk].bus == first


@pytest.mark.django_db(transaction=True)
def test_four_admins_setting_a_place_at_once_leave_one_open(world):
    """On PostgreSQL in real threads: the child's row is locked, so exactly one succeeds and one row is open."""
    bus = route(world)

    def place(stop):
        return lambda: services.travel_set(
            actor=world.school_admin, student=world.child, kind="bus", valid_from=days(1), bus_route=bus, bus_stop=stop
        )

    results = at_once(*(place(stop) for stop in ("甲村", "乙村", "丙村", "甲村")))
    assert results.count("ok") == 1, results
    assert all(isinstance(r, DomainError) and "starts on or after" in r.message for r in results if r != "ok")
    assert TravelArrangement.objects.filter(student=world.child, valid_until__isnull=True).count() == 1


# ---------------------------------------------------------------- allowed_today


def test_allowed_today_keeps_only_what_holds_on_the_day(world, media):
    child, day = world.child, days(2)
    current = add_collector(world, name="马奶奶", valid_from=today())
    add_collector(world, name="未来的人", valid_from=days(3))
    add_collector(world, name="过期的人", valid_from=today(), valid_until=days(1))
    removed = add_collector(world, name="已移除", valid_from=today())
    services.collector_revoke(actor=world.parent, collector=removed)
    add_collector(world, name="别的孩子", student=world.other_child, actor=world.other_parent)
    kw = {"actor": world.parent, "student": child, "relation": "uncle_aunt", "mobile": "13909545678"}
    that_day = services.delegation_add(date=day, name="马舅舅", **kw)
    services.delegation_add(date=days(1), name="前一天", **kw)
    cancelled = services.delegation_add(date=day, name="取消了", **kw)
    services.delegation_cancel(actor=world.parent, delegation=cancelled)
    permission = sign(world, valid_until=days(5))
    allowed = selectors.allowed_today(student_ids=[child.pk, world.other_child.pk, world.child_b.pk], date=day)
    mine = allowed[child.pk]
    assert [c.pk for c in mine.collectors] == [current.pk]
    assert [d.pk for d in mine.delegations] == [that_day.pk]
    assert mine.walk_home == permission and mine.bus is None and mine.dormitory is None
    assert [(g.user, label) for g, label in mine.guardians] == [(world.parent, "Father")]
    assert [c.name for c in allowed[world.other_child.pk].collectors] == ["别的孩子"]
    assert allowed[world.child_b.pk].collectors == [] and allowed[world.child_b.pk].guardians == []
    services.walk_home_withdraw(actor=world.parent, permission=permission)
    assert selectors.allowed_today(student_ids=[child.pk], date=day)[child.pk].walk_home is None
    assert selectors.allowed_today(student_ids=[child.pk], date=days(6))[child.pk].collectors[0].pk == current.pk


def test_allowed_today_takes_the_same_queries_for_one_child_or_many(world, django_assert_max_num_queries):
    bus = route(world)
    students = [StudentFactory(admin_class=world.class_a1) for _ in range(12)]
    for n, student in enumerate(students):
        link_guardian(student, relation="grandmother")
        services.collector_add(
            actor=world.school_admin, student=student, name=f"接送人{n}", relation="grandfather",
            mobile=f"139095{n:05d}", valid_from=today(), paper=True, paper_reference=f"P-{n}",
        )  # fmt: skip
        services.travel_set(
            actor=world.school_admin, student=student, kind="bus", valid_from=today(), bus_route=bus, bus_stop="乙村"
        )
    ids = [s.pk for s in students]
    with django_assert_max_num_queries(5):
        allowed = selectors.allowed_today(student_ids=ids[:1], date=today())
    with django_assert_max_num_queries(5):
        allowed = selectors.allowed_today(student_ids=ids, date=today())
        # reading what the hand-over page shows costs nothing more
        shown = [(a.guardians[0][1], a.collectors[0].name, a.bus.bus_route.name) for a in allowed.values()]
    assert len(shown) == 12 and shown[0] == ("Grandmother", "接送人0", "1号线")
    assert selectors.allowed_today(student_ids=[], date=today()) == {}


# ---------------------------------------------------------------- pages


def test_guardian_page_shows_guardians_adults_and_codes_and_adds_by_form(world, client, media):
    client.force_login(world.parent)
    url = reverse("safety:collector-add", args=[world.child.pk])
    bad = {"collector-name": "马爷爷", "collector-relation": "grandfather", "collector-mobile": "1390954",
           "collector-valid_from": today().isoformat()}  # fmt: skip
    response = client.post(url, bad)
    assert response.status_code == 302 and "11-digit" in " ".join(messages_of(response))
    response = client.post(url, bad | {"collector-mobile": "13909547777", "collector-photo": png()})
    collector = Collector.objects.get()
    assert collector.photo and collector.pickup_code in " ".join(messages_of(response))
    page = client.get(reverse("safety:pickup-student", args=[world.child.pk])).content.decode()
    assert "马爷爷" in page and collector.pickup_code in page and "13909547777" in page
    assert world.child.guardian_links.get().guardian.name in page
    photo = client.get(reverse("safety:collector-photo", args=[collector.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert b"".join(photo.streaming_content) == PNG


def test_class_teacher_reads_without_codes_or_forms(world, client):
    collector = add_collector(world)
    client.force_login(world.class_teacher)
    page = client.get(reverse("safety:pickup-student", args=[world.child.pk])).content.decode()
    assert "马奶奶" in page and "139****1234" in page
    assert collector.pickup_code not in page and "13909541234" not in page
    assert reverse("safety:collector-add", args=[world.child.pk]) not in page
    assert client.get(reverse("safety:pickup-student", args=[world.child_a2.pk])).status_code == 404  # not her class


@pytest.mark.parametrize("who", ["township", "bureau", "inspector", "gate", "care_staff", "service_teacher"])
def test_supervisors_and_other_staff_do_not_see_pick_up_adults(world, client, who):
    collector = add_collector(world)
    client.force_login(getattr(world, who))
    assert client.get(reverse("safety:pickup-student", args=[world.child.pk])).status_code == 404
    assert client.get(reverse("safety:collector-photo", args=[collector.pk])).status_code == 404


def test_school_list_counts_per_class_and_finds_who_has_nothing(world, client):
    bus = route(world)
    add_collector(world)  # child: an adult
    services.travel_set(
        actor=world.school_admin, student=world.other_child, kind="bus", valid_from=today(), bus_route=bus,
        bus_stop="甲村",
    )  # fmt: skip
    sign(world, actor=world.school_admin, student=world.child_a2, paper=True, paper_reference="Z-1")
    nobody = StudentFactory(admin_class=world.class_a1, name="周无人")
    counts, _ = selectors.pickup_overview(viewer=world.school_admin, date=today())
    by_class = {row["admin_class"]: row for row in counts}
    a1, a2 = by_class[world.class_a1], by_class[world.class_a2]
    assert (a1["children"], a1["no_collector"], a1["bus"], a1["walk_home"], a1["nothing"]) == (3, 2, 1, 0, 1)
    assert (a2["children"], a2["no_collector"], a2["walk_home"], a2["nothing"]) == (1, 1, 1, 0)
    assert world.class_b1 not in by_class
    _, nothing = selectors.pickup_overview(viewer=world.school_admin, date=today(), show="nothing")
    assert [s.pk for s in nothing] == [nobody.pk]
    client.force_login(world.school_admin)
    page = client.get(reverse("safety:pickup-list")).content.decode()  # two classes: counts first, no names
    assert "3 class 1" in page and "周无人" not in page
    assert "周无人" in client.get(reverse("safety:pickup-list"), {"show": "nothing"}).content.decode()
    client.force_login(world.class_teacher)
    page = client.get(reverse("safety:pickup-list"), {"show": "nothing"}).content.decode()
    assert "周无人" in page and "王小军" not in page and "马小明" not in page


def test_school_admin_sets_a_bus_seat_and_manages_routes_by_form(world, client):
    client.force_login(world.school_admin)
    add = reverse("safety:bus-route-add", args=[world.school_a.pk])
    response = client.post(add, {"route-name": "1号线", "route-stops": "甲村，乙村", "route-departs_at": "17:30",
                                 "route-escort": world.care_staff.pk, "route-active": "on"})  # fmt: skip
    assert response.status_code == 302
    bus = world.school_a.bus_routes.get()
    assert bus.stops == "甲村,乙村" and bus.escort == world.care_staff
    response = client.post(add, {"route-name": "2号线", "route-stops": "甲村", "route-departs_at": "17:30",
                                 "route-escort": world.parent.pk})  # fmt: skip
    assert "Select a valid choice" in " ".join(messages_of(response))  # the escort is one of the school's staff
    set_url = reverse("safety:travel-set", args=[world.child.pk])
    response = client.post(set_url, {"travel-kind": "bus", "travel-bus_route": bus.pk, "travel-bus_stop": "丙村",
                                     "travel-valid_from": today().isoformat()})  # fmt: skip
    assert "route's stops" in " ".join(messages_of(response)) and not TravelArrangement.objects.exists()
    client.post(set_url, {"travel-kind": "bus", "travel-bus_route": bus.pk, "travel-bus_stop": "乙村",
                          "travel-valid_from": today().isoformat()})  # fmt: skip
    seat = TravelArrangement.objects.get()
    assert seat.bus_stop == "乙村" and seat.added_by == world.school_admin
    page = client.get(reverse("safety:transport")).content.decode()
    assert "甲村 → 乙村" in page and "Riders today: 1" in page


def test_export_lists_names_and_arrangements_without_mobiles(world, client):
    bus = route(world)
    add_collector(world)
    services.travel_set(
        actor=world.school_admin, student=world.child, kind="bus", valid_from=today(), bus_route=bus, bus_stop="乙村"
    )
    client.force_login(world.school_admin)
    response = client.get(reverse("safety:pickup-export"), {"admin_class": world.class_a1.pk})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"马小明", "李小红"}  # class_a1 only
    assert rows["马小明"][3] == "马奶奶（Grandmother）" and rows["马小明"][6] == "1号线 · 乙村"
    assert "13909541234" not in str(list(sheet.values))


def test_parent_home_links_each_child_to_the_pick_up_page_and_hand_overs(world, client):
    client.force_login(world.parent)
    page = client.get(reverse("enrollment:parent-home")).content.decode()
    assert reverse("safety:pickup-student", args=[world.child.pk]) in page
    assert reverse("safety:student-handovers", args=[world.child.pk]) in page
    assert reverse("safety:student-handovers", args=[world.other_child.pk]) not in page  # another family's child


def test_roster_relations_label_the_guardians():
    assert StudentGuardian.Relation.label_of("grandmother") == "Grandmother"


def test_the_gate_sees_only_what_is_in_force_today(world):
    """The gate's scope (the policy, not only its page): today's listed adults, today's delegations and permissions
    at its school; never an expired, future or removed adult, another day's delegation, or another school's."""
    from xiji_afterschool import permissions

    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    listed = {"relation": "grandmother", "mobile": "13995401234", "source": "guardian", "added_by": world.school_admin}
    valid = Collector.objects.create(student=world.child, name="在用", valid_from=today - day, **listed)
    Collector.objects.create(student=world.child, name="过期", valid_from=today - 9 * day, valid_until=today - day,
                             **listed)  # fmt: skip
    Collector.objects.create(student=world.child, name="明天起", valid_from=today + day, **listed)
    Collector.objects.create(student=world.child, name="已移除", valid_from=today - day, revoked_at=timezone.now(),
                             revoked_by=world.school_admin, **listed)  # fmt: skip
    Collector.objects.create(student=world.child_b, name="别校", valid_from=today - day, **listed)
    delegated = {"relation": "uncle_aunt", "mobile": "13995409999", "announced_by": world.parent}
    todays = Delegation.objects.create(student=world.child, date=today, name="舅舅", **delegated)
    Delegation.objects.create(student=world.child, date=today + day, name="明天的", **delegated)
    Delegation.objects.create(student=world.child, date=today, name="取消的", cancelled_at=timezone.now(), **delegated)
    assert list(permissions.scope(world.gate, Collector.objects.all())) == [valid]
    assert list(permissions.scope(world.gate, Delegation.objects.all())) == [todays]
    assert permissions.scope(world.school_admin, Collector.objects.all()).count() == 4  # the school keeps the history
