"""Calendar arithmetic (R4, R5, R18): planned days and class-hours come from the county calendar.

Every expected number is worked out by hand below, from the calendar built by the `year_2021` fixture
(tests/schools/conftest.py): weekdays in each semester, minus days without service that fall on a served
weekday, plus make-up working days (调休) that are not served anyway.

Autumn 2021-09-01 (Wed) … 2022-01-14 (Fri): 136 days = 19 whole weeks (Wed…Tue) + Wed 01-12, Thu 01-13, Fri 01-14.
    Mon–Fri: 19 × 5 + 3 = 98.  Saturdays: 19.  Mon–Sat: 117.
    5+2: 98 − National Day on Mon–Fri (10-01 Fri, 10-04 Mon, 10-05 Tue, 10-06 Wed, 10-07 Thu) 5
            − New Year on Mon–Fri (01-03 Mon; 01-01 Sat and 01-02 Sun are not served) 1
            − exam 01-13 Thu 1
            + make-up days Sun 09-26 and Sat 10-09 2
         = 98 − 7 + 2 = 93
    6+2: 117 − National Day on Mon–Sat (the five above + 10-02 Sat) 6
             − New Year on Mon–Sat (01-01 Sat, 01-03 Mon) 2
             − exam 1
             + make-up Sun 09-26 1 (Sat 10-09 is a served Saturday anyway)
         = 117 − 9 + 1 = 109
Spring 2022-02-14 (Mon) … 2022-07-08 (Fri): 145 days = 20 whole weeks (Mon…Sun) + Mon 07-04 … Fri 07-08.
    Mon–Fri: 20 × 5 + 5 = 105.  Saturdays: 20.  Mon–Sat: 125.
    5+2: 105 − Qingming (04-04 Mon, 04-05 Tue; 04-03 is a Sunday) 2
             − Labour Day (05-02 Mon, 05-03 Tue, 05-04 Wed; 05-01 is a Sunday) 3
             + make-up Sat 04-02 1
         = 101
    6+2: 125 − 2 − 3 + 0 (Sat 04-02 is served anyway) = 120
Spring Festival (01-31 … 02-06) and the make-up Saturday 01-29 fall between the semesters: they change nothing.
Year: 5+2 93 + 101 = 194 days; 6+2 109 + 120 = 229 days. At 2 class-hours a day: 388 and 458.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from schools.models import CalendarDay, CountySettings, SchoolYear, Semester, ServiceMode, Stage
from schools.rules import calendar as calendar_rules
from schools.services import calendar as services
from xiji_afterschool.errors import DomainError

pytestmark = pytest.mark.usefixtures("english")

D = datetime.date
YEAR_FIELDS = {
    "name": "2022—2023学年",
    "start_date": D(2022, 8, 1),
    "end_date": D(2023, 7, 31),
    "plan_deadline": D(2022, 8, 31),
    "application_deadline": D(2022, 9, 10),
    "refinement_deadline": D(2022, 10, 31),
}
SEMESTERS_2022 = [
    {"start_date": D(2022, 9, 1), "end_date": D(2023, 1, 13)},
    {"start_date": D(2023, 2, 13), "end_date": D(2023, 7, 7)},
]


def _semesters(year):
    return year.semesters.get(number=1), year.semesters.get(number=2)


def test_planned_days_and_class_hours_of_a_5_plus_2_stage(year_2021):
    autumn, spring = _semesters(year_2021)
    assert calendar_rules.planned_days(year_2021, Stage.PRIMARY, semester=autumn) == 93
    assert calendar_rules.planned_days(year_2021, Stage.PRIMARY, semester=spring) == 101
    assert calendar_rules.planned_days(year_2021, Stage.PRIMARY) == 194
    assert calendar_rules.planned_class_hours(year_2021, Stage.PRIMARY, semester=autumn) == 186  # 93 × 2
    assert calendar_rules.planned_class_hours(year_2021, Stage.PRIMARY, semester=spring) == 202  # 101 × 2
    assert calendar_rules.planned_class_hours(year_2021, Stage.PRIMARY) == 388  # 194 × 2
    # Kindergarten and junior middle are 5+2 too.
    assert (
        calendar_rules.planned_days(year_2021, Stage.KINDERGARTEN)
        == calendar_rules.planned_days(year_2021, Stage.JUNIOR)
        == 194
    )


def test_planned_days_and_class_hours_of_a_6_plus_2_stage(year_2021):
    autumn, spring = _semesters(year_2021)
    assert calendar_rules.planned_days(year_2021, Stage.SENIOR, semester=autumn) == 109
    assert calendar_rules.planned_days(year_2021, Stage.SENIOR, semester=spring) == 120
    assert calendar_rules.planned_days(year_2021, Stage.SENIOR) == 229
    assert calendar_rules.planned_class_hours(year_2021, Stage.SENIOR, semester=autumn) == 218  # 109 × 2
    assert calendar_rules.planned_class_hours(year_2021, Stage.SENIOR, semester=spring) == 240  # 120 × 2
    assert calendar_rules.planned_class_hours(year_2021, Stage.SENIOR) == 458  # 229 × 2


def test_service_days_are_the_served_weekdays_and_make_up_days_minus_days_without_service(year_2021):
    autumn, _spring = _semesters(year_2021)
    days = calendar_rules.service_days(
        semesters=[autumn],
        mode=ServiceMode.FIVE_PLUS_TWO,
        exceptions=calendar_rules.calendar_exceptions(year_2021),
    )
    assert len(days) == 93
    assert days[0] == D(2021, 9, 1) and days[-1] == D(2022, 1, 14)
    assert D(2021, 9, 26) in days and D(2021, 10, 9) in days  # make-up Sunday and Saturday
    assert D(2021, 10, 1) not in days and D(2022, 1, 3) not in days and D(2022, 1, 13) not in days
    assert D(2021, 10, 2) not in days  # an ordinary Saturday (and a holiday)


def test_removing_a_day_without_service_gives_the_day_back(world, year_2021):
    exam = year_2021.calendar_days.get(date=D(2022, 1, 13))
    services.calendar_day_remove(actor=world.bureau, day=exam)
    assert calendar_rules.planned_days(year_2021, Stage.PRIMARY) == 195  # 194 + Thu 01-13
    assert calendar_rules.planned_days(year_2021, Stage.SENIOR) == 230  # 229 + Thu 01-13


def test_county_class_hours_per_day_changes_class_hours_but_not_days(year_2021):
    settings = CountySettings.current()
    settings.class_hours_per_day = 3
    settings.save()
    autumn, _spring = _semesters(year_2021)
    assert calendar_rules.planned_days(year_2021, Stage.PRIMARY) == 194
    assert calendar_rules.planned_class_hours(year_2021, Stage.PRIMARY, semester=autumn) == 279  # 93 × 3
    assert calendar_rules.planned_class_hours(year_2021, Stage.PRIMARY) == 582  # 194 × 3
    assert calendar_rules.planned_class_hours(year_2021, Stage.SENIOR) == 687  # 229 × 3
    summary = {row["stage"]: row for row in calendar_rules.year_summary(year_2021)}
    assert summary[Stage.PRIMARY]["class_hours"] == 582
    assert summary[Stage.SENIOR]["class_hours"] == 687


def test_year_summary_gives_every_stage_its_mode_days_and_class_hours(year_2021):
    rows = calendar_rules.year_summary(year_2021)
    assert [row["stage"] for row in rows] == [Stage.KINDERGARTEN, Stage.PRIMARY, Stage.JUNIOR, Stage.SENIOR]
    five = {"mode": ServiceMode.FIVE_PLUS_TWO, "days_per_semester": [93, 101], "days": 194, "class_hours": 388}
    six = {"mode": ServiceMode.SIX_PLUS_TWO, "days_per_semester": [109, 120], "days": 229, "class_hours": 458}
    for row in rows:
        expected = six if row["stage"] == Stage.SENIOR else five
        assert {k: row[k] for k in expected} == expected
    by_stage = {row["stage"]: row for row in rows}
    assert by_stage[Stage.PRIMARY]["weeks_equivalent"] == 38.8  # 194 / 5
    assert by_stage[Stage.SENIOR]["weeks_equivalent"] == 38.2  # 229 / 6 = 38.17


def test_changing_a_semester_changes_the_planned_days(world, year_2021):
    services.school_year_save(
        actor=world.bureau,
        school_year=year_2021,
        semesters=[
            {"start_date": D(2021, 9, 1), "end_date": D(2022, 1, 14)},
            {"start_date": D(2022, 2, 14), "end_date": D(2022, 7, 15)},  # one more week: Sat 07-09 … Fri 07-15
        ],
    )
    assert year_2021.semesters.count() == 2
    assert calendar_rules.planned_days(year_2021, Stage.PRIMARY) == 199  # 194 + Mon 07-11 … Fri 07-15
    assert calendar_rules.planned_days(year_2021, Stage.SENIOR) == 235  # 229 + Sat 07-09 + Mon … Fri


def test_bureau_creates_a_school_year_with_two_semesters(world):
    year = services.school_year_save(actor=world.bureau, semesters=SEMESTERS_2022, **YEAR_FIELDS)
    assert SchoolYear.objects.get(name="2022—2023学年") == year
    assert list(year.semesters.values_list("number", "start_date", "end_date")) == [
        (1, D(2022, 9, 1), D(2023, 1, 13)),
        (2, D(2023, 2, 13), D(2023, 7, 7)),
    ]


@pytest.mark.parametrize(
    "field, day",
    [
        ("plan_deadline", D(2022, 7, 31)),
        ("application_deadline", D(2023, 8, 1)),
        ("refinement_deadline", D(2021, 10, 31)),
    ],
)
def test_school_year_deadlines_must_fall_inside_the_year(world, field, day):
    years, semesters = SchoolYear.objects.count(), Semester.objects.count()
    with pytest.raises(DomainError) as exc:
        services.school_year_save(actor=world.bureau, semesters=SEMESTERS_2022, **{**YEAR_FIELDS, field: day})
    assert "deadline must fall inside the school year" in exc.value.message
    assert (SchoolYear.objects.count(), Semester.objects.count()) == (years, semesters)


def test_spring_semester_must_start_after_autumn_ends(world, year_2021):
    years, semesters = SchoolYear.objects.count(), Semester.objects.count()
    overlapping = [SEMESTERS_2022[0], {"start_date": D(2023, 1, 10), "end_date": D(2023, 7, 7)}]
    with pytest.raises(DomainError) as exc:
        services.school_year_save(actor=world.bureau, semesters=overlapping, **YEAR_FIELDS)
    assert "spring semester must start after the autumn semester ends" in exc.value.message
    assert (SchoolYear.objects.count(), Semester.objects.count()) == (years, semesters)

    # Changing an existing year the same way leaves its stored semesters as they were.
    with pytest.raises(DomainError):
        services.school_year_save(
            actor=world.bureau,
            school_year=year_2021,
            semesters=[
                {"start_date": D(2021, 9, 1), "end_date": D(2022, 1, 14)},
                {"start_date": D(2022, 1, 10), "end_date": D(2022, 7, 8)},
            ],
        )
    assert year_2021.semesters.get(number=2).start_date == D(2022, 2, 14)


def test_semester_must_lie_inside_its_school_year(world):
    outside = [SEMESTERS_2022[0], {"start_date": D(2023, 2, 13), "end_date": D(2023, 8, 15)}]
    with pytest.raises(DomainError) as exc:
        services.school_year_save(actor=world.bureau, semesters=outside, **YEAR_FIELDS)
    assert "semester must lie inside its school year" in exc.value.message
    assert not SchoolYear.objects.filter(name=YEAR_FIELDS["name"]).exists()


@pytest.mark.parametrize("who", ["school_admin", "township", "inspector", "finance"])
def test_only_the_bureau_manages_the_calendar(world, year_2021, who):
    actor = getattr(world, who)
    years = SchoolYear.objects.count()
    with pytest.raises(PermissionDenied):
        services.school_year_save(actor=actor, semesters=SEMESTERS_2022, **YEAR_FIELDS)
    with pytest.raises(PermissionDenied):
        services.calendar_day_set(
            actor=actor, school_year=year_2021, date=D(2021, 11, 1), kind=CalendarDay.Kind.NO_SERVICE
        )
    with pytest.raises(PermissionDenied):
        services.calendar_day_remove(actor=actor, day=year_2021.calendar_days.first())
    assert SchoolYear.objects.count() == years
    assert year_2021.calendar_days.count() == 7 + 3 + 1 + 7 + 3 + 4 + 4  # the fixture's days, unchanged


def test_calendar_day_set_refuses_days_outside_the_year_and_make_up_days_on_weekdays(world, year_2021):
    before = year_2021.calendar_days.count()
    for day in (D(2021, 7, 31), D(2022, 8, 1)):
        with pytest.raises(DomainError) as exc:
            services.calendar_day_set(
                actor=world.bureau, school_year=year_2021, date=day, kind=CalendarDay.Kind.HOLIDAY
            )
        assert "outside the school year" in exc.value.message
    with pytest.raises(DomainError) as exc:
        services.calendar_day_set(
            actor=world.bureau, school_year=year_2021, date=D(2021, 10, 8), kind=CalendarDay.Kind.MAKEUP_WORKDAY
        )  # a Friday
    assert "make-up working day" in exc.value.message and "Saturday or Sunday" in exc.value.message
    assert year_2021.calendar_days.count() == before

    # The first and last days of the year are inside it; a day set again changes its kind.
    services.calendar_day_set(
        actor=world.bureau, school_year=year_2021, date=D(2021, 8, 1), kind=CalendarDay.Kind.MAKEUP_WORKDAY
    )
    services.calendar_day_set(actor=world.bureau, school_year=year_2021, date=D(2022, 7, 31), kind="no_service")
    services.calendar_day_set(
        actor=world.bureau, school_year=year_2021, date=D(2021, 10, 9), kind=CalendarDay.Kind.HOLIDAY, note="改"
    )
    assert year_2021.calendar_days.count() == before + 2
    assert year_2021.calendar_days.get(date=D(2021, 10, 9)).kind == CalendarDay.Kind.HOLIDAY
    assert calendar_rules.planned_days(year_2021, Stage.PRIMARY) == 193  # 194 − the Saturday no longer made up


def test_a_school_year_needs_two_semesters(world, english):
    with pytest.raises(DomainError) as exc:
        services.school_year_save(
            actor=world.bureau, semesters=[{"start_date": datetime.date(2030, 9, 1), "end_date": datetime.date(2031, 1, 20)}],
            name="2030–2031", start_date=datetime.date(2030, 8, 1), end_date=datetime.date(2031, 7, 31),
            plan_deadline=datetime.date(2030, 8, 31), application_deadline=datetime.date(2030, 9, 30),
            refinement_deadline=datetime.date(2030, 10, 31),
        )  # fmt: skip
    assert "autumn and a spring semester" in exc.value.message
    assert not SchoolYear.objects.filter(name="2030–2031").exists()


def test_a_calendar_day_needs_a_known_kind(world, english):
    with pytest.raises(DomainError):
        services.calendar_day_set(
            actor=world.bureau, school_year=world.school_year, date=world.autumn.start_date, kind="party"
        )
    assert not CalendarDay.objects.filter(kind="party").exists()
