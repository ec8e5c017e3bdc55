import datetime

import pytest

from schools.models import CalendarDay
from schools.services import calendar as services

D = datetime.date

# The county calendar of 2021–2022 shared by the calendar and plan tests; test_calendar.py works out its
# planned days by hand. Weekdays are noted because the arithmetic depends on them.
AUTUMN_2021 = {"start_date": D(2021, 9, 1), "end_date": D(2022, 1, 14)}  # Wed … Fri
SPRING_2022 = {"start_date": D(2022, 2, 14), "end_date": D(2022, 7, 8)}  # Mon … Fri
DAYS_WITHOUT_SERVICE = [  # (first, last, kind, note)
    (D(2021, 10, 1), D(2021, 10, 7), CalendarDay.Kind.HOLIDAY, "国庆节"),  # Fri … Thu
    (D(2022, 1, 1), D(2022, 1, 3), CalendarDay.Kind.HOLIDAY, "元旦"),  # Sat … Mon
    (D(2022, 1, 13), D(2022, 1, 13), CalendarDay.Kind.EXAM, "期末考试"),  # Thu
    (D(2022, 1, 31), D(2022, 2, 6), CalendarDay.Kind.HOLIDAY, "春节"),  # Mon … Sun, between the semesters
    (D(2022, 4, 3), D(2022, 4, 5), CalendarDay.Kind.HOLIDAY, "清明节"),  # Sun … Tue
    (D(2022, 5, 1), D(2022, 5, 4), CalendarDay.Kind.HOLIDAY, "劳动节"),  # Sun … Wed
]
MAKE_UP_DAYS = [  # 调休
    D(2021, 9, 26),  # Sun
    D(2021, 10, 9),  # Sat
    D(2022, 1, 29),  # Sat, between the semesters
    D(2022, 4, 2),  # Sat
]


@pytest.fixture
def year_2021(world):
    """The 2021–2022 school year, its semesters and calendar days, set up by the bureau through the services."""
    year = services.school_year_save(
        actor=world.bureau,
        name="2021—2022学年",
        start_date=D(2021, 8, 1),
        end_date=D(2022, 7, 31),
        plan_deadline=D(2021, 8, 31),
        application_deadline=D(2021, 9, 10),
        refinement_deadline=D(2021, 10, 31),
        semesters=[AUTUMN_2021, SPRING_2022],
    )
    for first, last, kind, note in DAYS_WITHOUT_SERVICE:
        for offset in range((last - first).days + 1):
            day = first + datetime.timedelta(days=offset)
            services.calendar_day_set(actor=world.bureau, school_year=year, date=day, kind=kind, note=note)
    for day in MAKE_UP_DAYS:
        services.calendar_day_set(
            actor=world.bureau, school_year=year, date=day, kind=CalendarDay.Kind.MAKEUP_WORKDAY, note="调休"
        )
    return year
