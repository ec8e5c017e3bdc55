"""Refusals found in review: each bad call gets a clear DomainError and writes nothing."""

import datetime

import pytest

from schools.models import CalendarDay, PlanSection, SchoolYear, Semester, Stage, Timetable
from schools.services import calendar as calendar_services
from schools.services import plans as plans_services
from schools.services import timetables as timetables_services
from xiji_afterschool.errors import DomainError


def test_a_school_year_needs_two_semesters(world, english):
    with pytest.raises(DomainError) as exc:
        calendar_services.school_year_save(
            actor=world.bureau, semesters=[{"start_date": datetime.date(2030, 9, 1), "end_date": datetime.date(2031, 1, 20)}],
            name="2030–2031", start_date=datetime.date(2030, 8, 1), end_date=datetime.date(2031, 7, 31),
            plan_deadline=datetime.date(2030, 8, 31), application_deadline=datetime.date(2030, 9, 30),
            refinement_deadline=datetime.date(2030, 10, 31),
        )  # fmt: skip
    assert "autumn and a spring semester" in exc.value.message
    assert not SchoolYear.objects.filter(name="2030–2031").exists()


def test_a_calendar_day_needs_a_known_kind(world, english):
    with pytest.raises(DomainError):
        calendar_services.calendar_day_set(
            actor=world.bureau, school_year=world.school_year, date=world.autumn.start_date, kind="party"
        )
    assert not CalendarDay.objects.filter(kind="party").exists()


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
        timetables_services.timetable_create(
            actor=world.school_admin, school=world.school_a, semester=ended, stage=Stage.PRIMARY
        )
    assert "ended" in exc.value.message
    assert not Timetable.objects.filter(semester=ended).exists()


@pytest.mark.parametrize("key", ["timetable", "nonsense"])
def test_computed_or_unknown_sections_cannot_be_saved_by_hand(world, english, key):
    with pytest.raises(DomainError):
        plans_services.plan_section_save(actor=world.school_admin, plan=world.plan, key=key, cleaned_data={"x": 1})
    assert not PlanSection.objects.filter(plan=world.plan, key=key).exists()
