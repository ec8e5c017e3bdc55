"""Delivery against plan (issue 5, item 5): planned class-hours to date by hand, delivered, the behind-mode flag."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools.models import CalendarDay, CountySettings, Grade, Role, School, SchoolYear, Semester, Session, Stage
from schools.rules import calendar as calendar_rules
from schools.rules import delivery as delivery_rules
from schools.selectors import delivery as reads

from ..access.hours import make_service_class, make_session
from ..factories import AdminClassFactory, SchoolFactory, StudentFactory, link_guardian, user_with_role

D = datetime.date
S = Session.Status


@pytest.fixture
def small_year(db):
    """A school year whose autumn semester starts on Monday 2021-09-06, with a holiday on Wednesday 2021-09-22
    and a make-up working day on Sunday 2021-09-26 (调休).

    Primary (5+2) service days up to Monday 2021-10-04 (weeks run Monday to Sunday):
      week of 09-06: Mon–Fri 5;  09-13: 5;  09-20: Mon, Tue, Thu, Fri and the make-up Sunday 09-26 = 5;
      week of 09-27: Mon–Fri 5;  Monday 10-04: 1.
    Total 21 days; × 2 class-hours a day = 42.
    Senior (6+2) adds the Saturdays 09-11, 09-18, 09-25, 10-02: 25 days, 50 class-hours.
    """
    year = SchoolYear.objects.create(
        name="2021—2022", start_date=D(2021, 8, 1), end_date=D(2022, 7, 31), plan_deadline=D(2021, 8, 31),
        application_deadline=D(2021, 9, 10), refinement_deadline=D(2021, 10, 31),
    )  # fmt: skip
    Semester.objects.create(school_year=year, number=1, start_date=D(2021, 9, 6), end_date=D(2022, 1, 14))
    Semester.objects.create(school_year=year, number=2, start_date=D(2022, 2, 21), end_date=D(2022, 7, 8))
    CalendarDay.objects.create(school_year=year, date=D(2021, 9, 22), kind=CalendarDay.Kind.HOLIDAY, note="中秋节")
    CalendarDay.objects.create(school_year=year, date=D(2021, 9, 26), kind=CalendarDay.Kind.MAKEUP_WORKDAY)
    return year


def test_planned_class_hours_to_date_by_hand(small_year):
    assert reads.planned_class_hours_to_date(small_year, Stage.PRIMARY, D(2021, 9, 5)) == 0  # before the start
    assert reads.planned_class_hours_to_date(small_year, Stage.PRIMARY, D(2021, 9, 6)) == 2  # today counts
    assert reads.planned_class_hours_to_date(small_year, Stage.PRIMARY, D(2021, 9, 22)) == 2 * 12  # 5 + 5 + Mon, Tue
    assert reads.planned_class_hours_to_date(small_year, Stage.PRIMARY, D(2021, 10, 4)) == 42
    assert reads.planned_class_hours_to_date(small_year, Stage.SENIOR, D(2021, 10, 4)) == 50
    CountySettings.objects.update_or_create(pk=1, defaults={"class_hours_per_day": 3})
    assert reads.planned_class_hours_to_date(small_year, Stage.PRIMARY, D(2021, 10, 4)) == 63


def test_planned_to_date_on_the_county_calendar(year_2021):
    """The 2021–2022 calendar of tests/schools/conftest.py up to Sunday 2021-10-10. Primary: Sep 1–3 (3), three
    full weeks (15), make-up Sunday 09-26 (1), Sep 27–30 (4), the National Day holiday 10-01…10-07, Fri 10-08 (1),
    make-up Saturday 10-09 (1) = 25 days. Senior also serves Saturdays 09-04, 11, 18, 25: 29 days."""
    assert reads.planned_class_hours_to_date(year_2021, Stage.PRIMARY, D(2021, 10, 10)) == 50
    assert reads.planned_class_hours_to_date(year_2021, Stage.SENIOR, D(2021, 10, 10)) == 58
    whole_year = reads.planned_class_hours_to_date(year_2021, Stage.PRIMARY, D(2022, 7, 31))
    assert whole_year == calendar_rules.planned_class_hours(year_2021, Stage.PRIMARY)


def test_stage_of_a_service_class(world):
    assert [Grade.stage_of(g) for g in (Grade.KINDER_SMALL, 0, 1, 6, 7, 9, 10, 12)] == [
        "kindergarten", "kindergarten", "primary", "primary", "junior", "junior", "senior", "senior",
    ]  # fmt: skip
    complete = SchoolFactory(school_type=School.Type.COMPLETE)
    g8, g11 = AdminClassFactory(school=complete, grade=8), AdminClassFactory(school=complete, grade=11)
    senior_only = make_service_class(
        complete, school_year=world.school_year, teacher=world.service_teacher, admin_classes=[g11]
    )
    mixed = make_service_class(
        complete, school_year=world.school_year, teacher=world.service_teacher, admin_classes=[g11, g8]
    )
    none = make_service_class(complete, school_year=world.school_year, teacher=world.service_teacher)
    assert delivery_rules.service_class_stage(senior_only) == Stage.SENIOR
    assert delivery_rules.service_class_stage(mixed) == Stage.JUNIOR  # the younger stage sets the pace
    assert delivery_rules.service_class_stage(none) == Stage.JUNIOR  # the school's first stage


@pytest.fixture
def served(world, small_year):
    """school_a (primary) serves class A on every service day up to 10-04 except Friday 09-17, where only a
    session waiting for confirmation exists (not counted); class B (grade 4) has two sessions of 1.5 class-hours."""
    w = world
    class_a = make_service_class(w.school_a, school_year=small_year, teacher=w.service_teacher, name="A班",
                                 admin_classes=[w.class_a1])  # fmt: skip
    class_b = make_service_class(w.school_a, school_year=small_year, teacher=w.service_teacher, name="B班",
                                 admin_classes=[w.class_a2])  # fmt: skip
    days = [d for d in _days(D(2021, 9, 6), D(2021, 10, 4)) if d.isoweekday() < 6 and d != D(2021, 9, 22)]
    days.append(D(2021, 9, 26))
    for day in days:
        if day == D(2021, 9, 17):
            make_session(class_a, day, status=S.NEEDS_CONFIRMATION)
        else:
            make_session(class_a, day, status=S.CONFIRMED if day.day % 2 else S.RECORDED)
    make_session(class_b, D(2021, 9, 6), class_hours="1.5")
    make_session(class_b, D(2021, 9, 7), class_hours="1.5")
    return class_a, class_b


def _days(first, last):
    while first <= last:
        yield first
        first += datetime.timedelta(days=1)


def test_delivery_of_a_school_by_hand(world, small_year, served):
    delivery = reads.delivery_school(school=world.school_a, school_year=small_year, today=D(2021, 10, 4))
    a, b = delivery.classes
    assert (a.service_class.name, a.stage, a.planned, a.delivered, a.share) == (
        "A班",
        Stage.PRIMARY,
        42,
        Decimal("40.0"),
        Decimal("95.2"),
    )  # fmt: skip  — 21 days planned, 20 served (09-17 waits): 40 / 42
    assert (b.planned, b.delivered, b.share) == (42, Decimal("3.0"), Decimal("7.1"))
    assert (delivery.planned, delivery.delivered, delivery.share) == (84, Decimal("43.0"), Decimal("51.2"))
    # The four complete weeks before Monday 10-04, class by class (one class serving every day does not cover
    # another that served none): class A fell short in the week of 09-13 only (4 of 5 days: Fri 09-17 waits; the
    # week of 09-20 had a holiday and a make-up Sunday: 5 service days, all served); class B served 2 days of the
    # first week and nothing after.
    assert [(w["start"], w["service_class"].name, w["served"], w["expected"]) for w in delivery.behind_weeks] == [
        (D(2021, 9, 6), "B班", 2, 5),
        (D(2021, 9, 13), "A班", 4, 5),
        (D(2021, 9, 13), "B班", 0, 5),
        (D(2021, 9, 20), "B班", 0, 5),
        (D(2021, 9, 27), "B班", 0, 5),
    ]
    assert delivery.behind and delivery.behind_week_count == 4
    assert delivery.idle_classes == []  # B delivered a little; a class with nothing delivered would be listed


def test_a_class_that_delivered_nothing_is_behind_though_another_kept_the_mode(world, small_year):
    """The issue's case: one class serves every day, the other none; the school is behind and the idle class named."""
    kept = make_service_class(world.school_a, school_year=small_year, teacher=world.service_teacher, name="甲班",
                              admin_classes=[world.class_a1])  # fmt: skip
    idle = make_service_class(world.school_a, school_year=small_year, teacher=world.service_teacher, name="乙班",
                              admin_classes=[world.class_a1])  # fmt: skip
    for day in _days(D(2021, 9, 27), D(2021, 10, 1)):
        make_session(kept, day)
    delivery = reads.delivery_school(school=world.school_a, school_year=small_year, today=D(2021, 10, 4))
    assert [c.service_class for c in delivery.idle_classes] == [idle]
    assert (D(2021, 9, 27), idle) in {(w["start"], w["service_class"]) for w in delivery.behind_weeks}
    assert (D(2021, 9, 27), kept) not in {(w["start"], w["service_class"]) for w in delivery.behind_weeks}


def test_the_plans_40_and_42_week_year(world, small_year):
    """每学年按40周 (senior high 42): the weeks with service in the calendar, against the plan's year."""
    primary = reads.year_weeks(school=world.school_a, school_year=small_year)
    # Autumn 2021-09-06 … 2022-01-14 is 19 weeks; spring 2022-02-21 … 2022-07-08 is 20 weeks: 39 weeks.
    assert primary == {"weeks": 39, "target": 40}
    senior = reads.year_weeks(school=SchoolFactory(school_type=School.Type.SENIOR), school_year=small_year)
    assert senior == {"weeks": 39, "target": 42}


def test_a_week_with_four_days_served_is_behind(world, small_year):
    """Four of five service days is behind, in a normal week and in the holiday week made up on Sunday."""
    service_class = make_service_class(world.school_a, school_year=small_year, teacher=world.service_teacher,
                                       admin_classes=[world.class_a1])  # fmt: skip
    for day in (D(2021, 9, 20), D(2021, 9, 21), D(2021, 9, 23), D(2021, 9, 24)):  # holiday week, Sunday make-up missed
        make_session(service_class, day)
    for day in (D(2021, 9, 27), D(2021, 9, 28), D(2021, 9, 29), D(2021, 9, 30)):  # normal week, 4 of 5
        make_session(service_class, day)
    weeks = reads.delivery_school(school=world.school_a, school_year=small_year, today=D(2021, 10, 4)).behind_weeks
    behind = {w["start"]: (w["served"], w["expected"]) for w in weeks}
    # The holiday week has 5 service days (Mon, Tue, Thu, Fri and the make-up Sunday): 4 served is behind too.
    assert behind == {D(2021, 9, 6): (0, 5), D(2021, 9, 13): (0, 5), D(2021, 9, 20): (4, 5), D(2021, 9, 27): (4, 5)}
    make_session(service_class, D(2021, 9, 26))
    make_session(service_class, D(2021, 10, 1))
    weeks = reads.delivery_school(school=world.school_a, school_year=small_year, today=D(2021, 10, 4)).behind_weeks
    assert {w["start"] for w in weeks} == {D(2021, 9, 6), D(2021, 9, 13)}


def test_holiday_week_without_make_up_day(world):
    """A week whose calendar leaves 4 service days asks for 4, not 5."""
    year = SchoolYear.objects.create(
        name="短学年", start_date=D(2021, 8, 1), end_date=D(2022, 7, 31), plan_deadline=D(2021, 8, 1),
        application_deadline=D(2021, 8, 1), refinement_deadline=D(2021, 8, 1),
    )  # fmt: skip
    Semester.objects.create(school_year=year, number=1, start_date=D(2021, 9, 6), end_date=D(2022, 1, 14))
    CalendarDay.objects.create(school_year=year, date=D(2021, 9, 8), kind=CalendarDay.Kind.HOLIDAY)
    service_class = make_service_class(world.school_a, school_year=year, teacher=world.service_teacher,
                                       admin_classes=[world.class_a1])  # fmt: skip
    for day in (D(2021, 9, 6), D(2021, 9, 7), D(2021, 9, 9), D(2021, 9, 10)):
        make_session(service_class, day)
    delivery = reads.delivery_school(school=world.school_a, school_year=year, today=D(2021, 9, 13))
    assert delivery.behind_weeks == [] and delivery.share == Decimal("80.0")  # 8.0 of 10 (today 09-13 is planned)


def test_senior_high_must_serve_six_days(world, small_year):
    senior = SchoolFactory(school_type=School.Type.SENIOR)
    teacher = user_with_role(Role.SERVICE_TEACHER, school=senior)
    service_class = make_service_class(senior, school_year=small_year, teacher=teacher,
                                       admin_classes=[AdminClassFactory(school=senior, grade=10)])  # fmt: skip
    for day in _days(D(2021, 9, 27), D(2021, 10, 1)):  # Monday to Friday only
        make_session(service_class, day, start=datetime.time(19, 0))
    weeks = reads.delivery_school(school=senior, school_year=small_year, today=D(2021, 10, 4)).behind_weeks
    assert (weeks[-1]["start"], weeks[-1]["stage"], weeks[-1]["served"], weeks[-1]["expected"]) == (
        D(2021, 9, 27), Stage.SENIOR, 5, 6,
    )  # fmt: skip


def test_county_table_least_delivered_first_and_scoped(world, small_year, served):
    w = world
    rows = reads.delivery_county(viewer=w.bureau, school_year=small_year, today=D(2021, 10, 4))
    assert rows[0].school == w.school_b and rows[0].share is None and rows[0].behind  # no classes: nothing served
    assert rows[-1].school == w.school_a and rows[-1].share == Decimal("51.2")
    assert [r.school for r in reads.delivery_county(viewer=w.school_admin, school_year=small_year,
                                                    today=D(2021, 10, 4))] == [w.school_a]  # fmt: skip
    assert [r.school for r in reads.delivery_county(viewer=w.township, school_year=small_year,
                                                    today=D(2021, 10, 4))] == [w.school_a]  # fmt: skip
    # An admin of school_b who is also a parent at school_a reads school_b only.
    link_guardian(StudentFactory(admin_class=w.class_a1), user=w.other_school_admin)
    user_with_role(Role.PARENT, user=w.other_school_admin)
    assert list(reads.delivery_schools(viewer=type(w.other_school_admin).objects.get(pk=w.other_school_admin.pk))) == [
        w.school_b
    ]


def test_county_query_count_does_not_grow_with_schools(world, small_year):
    def build(n):
        for _i in range(n):
            school = SchoolFactory()
            teacher = user_with_role(Role.SERVICE_TEACHER, school=school)
            service_class = make_service_class(school, school_year=small_year, teacher=teacher,
                                               admin_classes=[AdminClassFactory(school=school, grade=2)])  # fmt: skip
            make_session(service_class, D(2021, 9, 27))
            make_session(service_class, D(2021, 9, 28))

    CountySettings.current()  # the one settings row exists in a real county
    counts = []
    for n in (2, 6):
        build(n)
        bureau = type(world.bureau).objects.get(pk=world.bureau.pk)
        with CaptureQueriesContext(connection) as ctx:
            rows = reads.delivery_county(viewer=bureau, school_year=small_year, today=D(2021, 10, 4))
        counts.append(len(ctx))
    assert len(rows) == 2 + 2 + 6
    assert counts[0] == counts[1] <= 9


def test_delivery_pages(client, world, django_assert_max_num_queries):
    w = world
    service_class = make_service_class(w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="作业A班",
                                       admin_classes=[w.class_a1])  # fmt: skip
    make_session(service_class, w.autumn.start_date)
    client.force_login(w.school_admin)
    response = client.get(reverse("schools:delivery-school", args=[w.school_a.pk]))
    assert response.status_code == 200 and "作业A班" in response.content.decode()
    assert response.context["delivery"].classes[0].delivered == Decimal("2.0")
    client.force_login(w.bureau)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("schools:delivery-county"))
    assert response.status_code == 200
    assert {r.school for r in response.context["rows"]} == {w.school_a, w.school_b}


def test_school_page_names_each_teacher_without_a_query_per_class(client, world):
    """The one-school page showed each class's teacher with a query per class (an N+1 of 30 at the county's largest
    school): now a fixed number of queries however many classes and teachers."""
    w = world
    client.force_login(w.school_admin)
    url = reverse("schools:delivery-school", args=[w.school_a.pk])
    counts = []
    for n in (1, 4):
        for _ in range(n):
            teacher = user_with_role(Role.SERVICE_TEACHER, school=w.school_a)
            make_service_class(w.school_a, school_year=w.school_year, teacher=teacher, admin_classes=[w.class_a1])
        client.get(url)  # the first request of a login reads its session and settings once
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(ctx))
    assert len(response.context["delivery"].classes) == 5
    assert str(teacher) in response.content.decode()
    assert counts[0] == counts[1]
