"""Timetables (R4–R8): the county's rules, fixed once in force, changed by new versions, edited by the right people."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from schools.models import CountySettings, Role, School, SchoolYear, Semester, Stage, Timetable, TimetableSlot
from schools.services import timetables as services
from schools.services.timetables import SlotRow
from xiji_afterschool.errors import DomainError

from ..factories import SchoolFactory, SchoolYearFactory, SemesterFactory, TimetableFactory, user_with_role

pytestmark = pytest.mark.usefixtures("english")

SUMMER, WINTER = Timetable.Season.SUMMER, Timetable.Season.WINTER
REGULAR, EVENING = TimetableSlot.Kind.REGULAR, TimetableSlot.Kind.EVENING
MON_FRI, MON_SAT = [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6]
DAY = datetime.timedelta(days=1)


def row(season, weekdays, start, end, kind=REGULAR) -> SlotRow:
    return SlotRow(
        season=season,
        kind=kind,
        weekdays=weekdays,
        start_time=datetime.time.fromisoformat(start),
        end_time=datetime.time.fromisoformat(end),
    )


SUMMER_OK = row(SUMMER, MON_FRI, "16:00", "18:00")
WINTER_OK = row(WINTER, MON_FRI, "15:30", "17:30")  # ends exactly at the earliest pick-up time, 17:30
PRIMARY = [SUMMER_OK, WINTER_OK]
SENIOR = [row(SUMMER, MON_SAT, "19:00", "21:00", EVENING), row(WINTER, MON_SAT, "19:00", "21:00", EVENING)]

# A primary (5+2) timetable with one thing wrong, and a fragment of the one problem it must be refused with.
BROKEN_PRIMARY = [
    pytest.param(
        [
            row(SUMMER, [2, 3, 4, 5], "16:00", "18:00"),
            row(SUMMER, [1], "16:00", "17:00"),  # 60 + 60 minutes on Monday, but overlapping
            row(SUMMER, [1], "16:30", "17:30"),
            WINTER_OK,
        ],
        "Summer timetable, Mon: Mon 16:00–17:00 and Mon 16:30–17:30 overlap",
        id="overlapping-slots",
    ),
    pytest.param(
        [row(SUMMER, [2, 3, 4, 5], "16:00", "18:00"), row(SUMMER, [1], "18:00", "16:00"), WINTER_OK],
        "Mon 18:00–16:00: the end must come after the start",
        id="end-before-start",
    ),
    pytest.param(
        [row(SUMMER, [2, 3, 4, 5], "16:00", "18:00"), row(SUMMER, [1], "16:00", "17:30"), WINTER_OK],
        "Summer timetable, Mon: the 5+2 mode needs 2 hours of service, this gives 90 minutes",
        id="only-90-minutes",
    ),
    pytest.param(
        [SUMMER_OK, row(SUMMER, [6], "16:00", "18:00"), WINTER_OK],
        "Summer timetable, Sat: the 5+2 mode has no service on this day",
        id="saturday-in-5+2",
    ),
    pytest.param(
        [row(SUMMER, [1, 2, 3, 4], "16:00", "18:00"), WINTER_OK],
        "Summer timetable, Fri: the 5+2 mode needs 2 hours of service, this gives 0 minutes",
        id="no-friday",
    ),
    pytest.param(
        [SUMMER_OK, row(WINTER, [2, 3, 4, 5], "15:30", "17:30"), row(WINTER, [1], "15:00", "17:00")],
        "Winter timetable, Mon: day service ends at 17:00, before the county's earliest pick-up time 17:30",
        id="ends-before-pick-up",
    ),
    pytest.param(
        [SUMMER_OK, WINTER_OK, row(WINTER, [1], "19:00", "20:00", EVENING)],
        "Evening service is for boarders and senior high students",
        id="evening-in-primary",
    ),
]


def unsaved(rows: list[SlotRow]) -> list[TimetableSlot]:
    return [
        TimetableSlot(season=r.season, kind=r.kind, weekday=d, start_time=r.start_time, end_time=r.end_time)
        for r in rows
        for d in r.weekdays
    ]


def problems(stage, rows, *, settings=None, seasons=(SUMMER, WINTER)) -> list[str]:
    return services.timetable_problems(
        stage=stage, slots=unsaved(rows), settings=settings or CountySettings(), seasons=list(seasons)
    )


def stored(timetable) -> list[tuple]:
    return list(
        TimetableSlot.objects.filter(timetable=timetable)
        .order_by("season", "weekday", "start_time")
        .values_list("season", "weekday", "kind", "start_time", "end_time")
    )


@pytest.fixture
def term(world):
    """An autumn semester that started a month ago and ends in four months."""
    today = timezone.localdate()
    year = SchoolYearFactory(start_date=today - 60 * DAY, end_date=today + 300 * DAY)
    return SemesterFactory(school_year=year, start_date=today - 30 * DAY, end_date=today + 120 * DAY)


@pytest.fixture
def draft(world, term):
    """School A's primary timetable for the running semester, not yet in force (it starts tomorrow)."""
    return services.timetable_create(
        actor=world.school_admin, school=world.school_a, semester=term, stage=Stage.PRIMARY
    )


# ---------------------------------------------------------------- the rules


def test_primary_5_plus_2_and_senior_6_plus_2_timetables_keep_the_rules():
    assert problems(Stage.PRIMARY, PRIMARY) == []
    # Evening service of senior high (6+2), Monday to Saturday: the pick-up rule is for day service only.
    assert problems(Stage.SENIOR, SENIOR) == []
    assert problems(Stage.JUNIOR, [row(SUMMER, MON_FRI, "19:00", "21:00", EVENING)], seasons=[SUMMER]) == []


@pytest.mark.parametrize("rows, fragment", BROKEN_PRIMARY)
def test_timetable_problems_name_the_broken_rule(rows, fragment):
    found = problems(Stage.PRIMARY, rows)
    assert len(found) == 1 and fragment in found[0]


def test_6_plus_2_needs_saturday_and_no_sunday():
    found = problems(Stage.SENIOR, [row(SUMMER, MON_FRI, "19:00", "21:00", EVENING)], seasons=[SUMMER])
    assert found == ["Summer timetable, Sat: the 6+2 mode needs 2 hours of service, this gives 0 minutes."]
    found = problems(Stage.SENIOR, [row(SUMMER, [*MON_SAT, 7], "19:00", "21:00", EVENING)], seasons=[SUMMER])
    assert found == ["Summer timetable, Sun: the 6+2 mode has no service on this day."]


def test_earliest_pick_up_time_comes_from_the_county_settings():
    later = CountySettings(earliest_pickup_time=datetime.time(18, 0))
    found = problems(Stage.PRIMARY, PRIMARY, settings=later)
    assert len(found) == 5  # every winter weekday ends at 17:30
    assert all("day service ends at 17:30, before the county's earliest pick-up time 18:00" in p for p in found)


# ---------------------------------------------------------------- timetable_save


def test_valid_timetable_is_saved_with_both_seasons(world, term, draft):
    assert draft.version == 1 and draft.effective_from == timezone.localdate() + DAY  # never in force before tomorrow
    switch = term.start_date + 40 * DAY
    saved = services.timetable_save(
        actor=world.school_admin, timetable=draft, rows=PRIMARY, opening_season=SUMMER, switch_date=switch
    )
    assert (saved.opening_season, saved.switch_date) == (SUMMER, switch)
    slots = stored(draft)
    assert len(slots) == 10
    assert {s[:3] for s in slots} == {(season, d, REGULAR) for season in (SUMMER, WINTER) for d in MON_FRI}

    # Without a switch date only the opening season is checked and kept.
    services.timetable_save(
        actor=world.school_admin,
        timetable=draft,
        rows=[SUMMER_OK, row(WINTER, [1], "10:00", "11:00")],
        opening_season=SUMMER,
        switch_date=None,
    )
    assert {s[0] for s in stored(draft)} == {SUMMER} and len(stored(draft)) == 5


def test_senior_evening_timetable_is_saved(world, term):
    senior = SchoolFactory(school_type=School.Type.SENIOR, township=world.township_a)
    admin = user_with_role(Role.SCHOOL_ADMIN, school=senior)
    timetable = services.timetable_create(actor=admin, school=senior, semester=term, stage=Stage.SENIOR)
    services.timetable_save(
        actor=admin, timetable=timetable, rows=SENIOR, opening_season=SUMMER, switch_date=term.start_date + 40 * DAY
    )
    assert len(stored(timetable)) == 12
    with pytest.raises(DomainError) as exc:  # a primary stage at a senior high school
        services.timetable_create(actor=admin, school=senior, semester=term, stage=Stage.PRIMARY)
    assert "This school has no Primary stage" in exc.value.message


@pytest.mark.parametrize("rows, fragment", BROKEN_PRIMARY)
def test_timetable_save_refuses_a_broken_timetable_and_writes_nothing(world, term, draft, rows, fragment):
    switch = term.start_date + 40 * DAY
    services.timetable_save(
        actor=world.school_admin, timetable=draft, rows=PRIMARY, opening_season=SUMMER, switch_date=switch
    )
    before = stored(draft)
    with pytest.raises(DomainError) as exc:
        services.timetable_save(
            actor=world.school_admin, timetable=draft, rows=rows, opening_season=SUMMER, switch_date=switch + DAY
        )
    assert fragment in exc.value.message
    draft.refresh_from_db()
    assert stored(draft) == before and draft.switch_date == switch


def test_switch_date_must_fall_inside_the_semester(world, term, draft):
    for switch in (term.start_date, term.end_date + DAY, term.start_date - 10 * DAY):
        with pytest.raises(DomainError) as exc:
            services.timetable_save(
                actor=world.school_admin, timetable=draft, rows=PRIMARY, opening_season=SUMMER, switch_date=switch
            )
        assert "switch date must fall inside the semester" in exc.value.message
    assert stored(draft) == []
    services.timetable_save(
        actor=world.school_admin, timetable=draft, rows=PRIMARY, opening_season=SUMMER, switch_date=term.end_date
    )
    assert len(stored(draft)) == 10


# ---------------------------------------------------------------- fixed once in force (R8), versions


def test_timetable_in_force_is_fixed_and_changed_by_a_new_version(world, term):
    today = timezone.localdate()
    v1 = TimetableFactory(
        school=world.school_a, semester=term, effective_from=term.start_date, switch_date=today - 10 * DAY, slots=True
    )
    v1_slots = stored(v1)
    assert len(v1_slots) == 10

    with pytest.raises(DomainError) as exc:
        services.timetable_save(
            actor=world.school_admin, timetable=v1, rows=PRIMARY, opening_season=WINTER, switch_date=None
        )
    assert "Start a new version to change it" in exc.value.message
    v1.refresh_from_db()
    assert stored(v1) == v1_slots and (v1.opening_season, v1.switch_date) == (SUMMER, today - 10 * DAY)

    for day in (today - DAY, today, term.end_date + DAY):  # a new version starts on a future day of the semester
        with pytest.raises(DomainError) as exc:
            services.timetable_revise(actor=world.school_admin, timetable=v1, effective_from=day)
        assert "new version starts on a future day inside the semester" in exc.value.message
    assert Timetable.objects.filter(semester=term).count() == 1

    v2 = services.timetable_revise(actor=world.school_admin, timetable=v1, effective_from=today + 7 * DAY)
    assert (v2.version, v2.effective_from, v2.created_by) == (2, today + 7 * DAY, world.school_admin)
    assert stored(v2) == v1_slots  # copied
    assert (v2.opening_season, v2.switch_date) == (WINTER, None)  # v1 had switched to winter times already
    assert stored(v1) == v1_slots

    # The new version is not in force yet, so it can still be changed; version 1 cannot.
    services.timetable_save(
        actor=world.school_admin,
        timetable=v2,
        rows=[row(WINTER, MON_FRI, "15:45", "17:45")],
        opening_season=WINTER,
        switch_date=None,
    )
    assert {s[3] for s in stored(v2)} == {datetime.time(15, 45)} and stored(v1) == v1_slots
    with pytest.raises(DomainError) as exc:
        services.timetable_revise(actor=world.school_admin, timetable=v1, effective_from=today + 14 * DAY)
    assert "newer version of this timetable exists" in exc.value.message
    assert Timetable.objects.filter(semester=term).count() == 2


def test_an_older_version_not_yet_in_force_is_left_alone_once_a_newer_one_exists(world, term, draft):
    services.timetable_save(
        actor=world.school_admin, timetable=draft, rows=PRIMARY, opening_season=SUMMER, switch_date=None
    )
    v2 = services.timetable_revise(
        actor=world.school_admin, timetable=draft, effective_from=timezone.localdate() + 5 * DAY
    )
    with pytest.raises(DomainError) as exc:
        services.timetable_save(
            actor=world.school_admin, timetable=draft, rows=[WINTER_OK], opening_season=WINTER, switch_date=None
        )
    assert "newer version of this timetable exists" in exc.value.message
    assert stored(draft) == stored(v2) and len(stored(draft)) == 5


def test_a_future_semesters_timetable_comes_into_force_on_its_first_day(world, term):
    later = SemesterFactory(school_year=term.school_year, number=2, start_date=term.end_date + 30 * DAY)
    timetable = services.timetable_create(
        actor=world.school_admin, school=world.school_a, semester=later, stage=Stage.PRIMARY
    )
    assert timetable.effective_from == later.start_date and timetable.opening_season == WINTER
    again = services.timetable_create(
        actor=world.school_admin, school=world.school_a, semester=later, stage=Stage.PRIMARY
    )
    assert again == timetable


# ---------------------------------------------------------------- who may edit


def test_township_edits_a_teaching_points_timetable_but_not_the_central_schools(world, term, draft):
    point = SchoolFactory(
        school_type=School.Type.TEACHING_POINT, township=world.township_a, central_school=world.school_a
    )
    timetable = services.timetable_create(actor=world.township, school=point, semester=term, stage=Stage.PRIMARY)
    services.timetable_save(
        actor=world.township, timetable=timetable, rows=PRIMARY, opening_season=SUMMER, switch_date=None
    )
    assert len(stored(timetable)) == 5

    with pytest.raises(PermissionDenied):
        services.timetable_save(
            actor=world.township, timetable=draft, rows=PRIMARY, opening_season=SUMMER, switch_date=None
        )
    with pytest.raises(PermissionDenied):
        services.timetable_revise(actor=world.township, timetable=draft, effective_from=term.end_date)
    central_later = SemesterFactory(school_year=term.school_year, number=2, start_date=term.end_date + 30 * DAY)
    with pytest.raises(PermissionDenied):
        services.timetable_create(actor=world.township, school=world.school_a, semester=central_later, stage="primary")
    other_township = user_with_role(Role.TOWNSHIP_COORDINATOR, township=world.township_b)
    with pytest.raises(PermissionDenied):
        services.timetable_save(
            actor=other_township, timetable=timetable, rows=[], opening_season=SUMMER, switch_date=None
        )
    assert stored(draft) == [] and len(stored(timetable)) == 5
    assert Timetable.objects.filter(semester__in=[term, central_later]).count() == 2


@pytest.mark.parametrize("who", ["other_school_admin", "bureau", "inspector", "service_teacher"])
def test_others_cannot_edit_a_schools_timetable(world, term, draft, who):
    actor = getattr(world, who)
    with pytest.raises(PermissionDenied):
        services.timetable_save(actor=actor, timetable=draft, rows=PRIMARY, opening_season=SUMMER, switch_date=None)
    with pytest.raises(PermissionDenied):
        services.timetable_revise(actor=actor, timetable=draft, effective_from=term.end_date)
    with pytest.raises(PermissionDenied):
        services.timetable_create(actor=actor, school=world.school_a, semester=term, stage=Stage.PRIMARY)
    assert stored(draft) == [] and Timetable.objects.filter(semester=term).count() == 1


def test_no_timetable_for_a_semester_that_has_ended(world, english):
    ended = Semester.objects.create(
        school_year=SchoolYear.objects.create(
            name="2019–2020", start_date=datetime.date(2019, 8, 1), end_date=datetime.date(2020, 7, 31),
            plan_deadline=datetime.date(2019, 8, 31), application_deadline=datetime.date(2019, 9, 30),
            refinement_deadline=datetime.date(2019, 10, 31),
        ),
        number=1, start_date=datetime.date(2019, 9, 1), end_date=datetime.date(2020, 1, 15),
    )  # fmt: skip
    with pytest.raises(DomainError) as exc:
        services.timetable_create(actor=world.school_admin, school=world.school_a, semester=ended, stage=Stage.PRIMARY)
    assert "ended" in exc.value.message
    assert not Timetable.objects.filter(semester=ended).exists()
