"""Settlement counts only what may be paid (issue #12, item 2): a service day of the school's calendar, a child
present, not flagged-and-unconfirmed, at most the county's class-hours a day per service class (earliest first).

Each refused case has its own test; the amounts are worked by hand at ¥30.00 a class-hour and reconcile to the fen.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import Settlement
from funding.rules import settlement as rules
from funding.selectors.settlement import settlement_figures
from funding.services.settlement import settlement_file
from schools.models import CalendarDay, CountySettings, Session, Stage

from ..access.hours import make_service_class, make_session
from .builders_settlement import claim, past_year

D = datetime.date
S = Session.Status
T = datetime.time
TUE, WED, THU = D(2024, 9, 10), D(2024, 9, 11), D(2024, 9, 12)  # autumn 2024, service days of a primary class
SATURDAY = D(2024, 9, 14)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def year(world, rate):
    """2024–2025 at school_a with one primary service class A (drawing from class_a1) and its allocated claim."""
    w = world
    w.year = past_year()
    w.a = make_service_class(
        w.school_a, school_year=w.year, teacher=w.service_teacher, name="A班", admin_classes=[w.class_a1]
    )
    claim(w, w.school_a, w.year, lines=[(Stage.PRIMARY, 1, 2, 2)])  # 120.00 allocated
    return w


def excluded(figures) -> dict:
    return {row.reason: (row.sessions, row.class_hours) for row in figures.excluded}


def filed(w) -> Settlement:
    settlement = settlement_file(actor=w.school_admin, school=w.school_a, school_year=w.year)
    settlement.refresh_from_db()
    return settlement


def test_everything_counts_when_every_rule_is_kept(year):
    w = year
    make_session(w.a, TUE, present=30)
    make_session(w.a, WED, present=1, status=S.CONFIRMED)  # one child is enough
    make_session(w.a, THU, class_hours="1.5", present=12)
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert figures.excluded == []
    settlement = filed(w)
    assert (settlement.delivered_class_hours, settlement.delivered_amount) == (Decimal("5.5"), Decimal("165.00"))
    assert (settlement.allocated_amount, settlement.difference) == (Decimal("120.00"), Decimal("45.00"))
    assert sum(line.amount for line in settlement.lines.all()) == settlement.delivered_amount


def test_a_session_with_nobody_present_is_not_paid(year):
    w = year
    make_session(w.a, TUE, present=30)
    make_session(w.a, WED, present=0)
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert excluded(figures) == {rules.NOBODY_PRESENT: (1, Decimal("2.0"))}
    settlement = filed(w)
    assert (settlement.delivered_class_hours, settlement.delivered_amount) == (Decimal("2.0"), Decimal("60.00"))
    assert list(settlement.lines.values_list("sessions", "class_hours")) == [(1, Decimal("2.0"))]


def test_two_sessions_a_day_count_the_earliest_up_to_the_daily_class_hours(year):
    w = year
    late_one = make_session(w.a, TUE, start=T(19, 0), present=20)
    early_one = make_session(w.a, TUE, start=T(16, 0), present=20)
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert excluded(figures) == {rules.OVER_DAILY_LIMIT: (1, Decimal("2.0"))}
    assert [(x.sessions, x.class_hours) for x in figures.lines] == [(1, Decimal("2.0"))]
    outcome = rules.count_sessions([late_one, early_one], per_day=2, service_day=lambda s: True)
    assert [c.session.pk for c in outcome.counted] == [early_one.pk]  # earliest first, whatever the order read
    assert (filed(w).delivered_amount) == Decimal("60.00")


def test_two_short_sessions_a_day_are_cut_where_they_pass_the_limit(year):
    w = year
    make_session(w.a, TUE, start=T(14, 0), class_hours="1.5", present=20)
    make_session(w.a, TUE, start=T(16, 0), class_hours="1.5", present=20)  # 0.5 counts, 1.0 is cut
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert excluded(figures) == {rules.OVER_DAILY_LIMIT: (1, Decimal("1.0"))}
    assert [(x.sessions, x.class_hours, x.amount) for x in figures.lines] == [(2, Decimal("2.0"), Decimal("60.00"))]


def test_a_four_hour_span_counts_only_the_daily_class_hours(year):
    w = year
    make_session(w.a, TUE, class_hours="4.0", present=20)
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert excluded(figures) == {rules.OVER_DAILY_LIMIT: (1, Decimal("2.0"))}
    settlement = filed(w)
    assert (settlement.delivered_class_hours, settlement.delivered_amount) == (Decimal("2.0"), Decimal("60.00"))


def test_the_daily_limit_is_the_countys_setting(year):
    w = year
    CountySettings.objects.filter(pk=1).update(class_hours_per_day=3)
    make_session(w.a, TUE, class_hours="4.0", present=20)
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert figures.per_day == 3
    assert excluded(figures) == {rules.OVER_DAILY_LIMIT: (1, Decimal("1.0"))}
    assert figures.delivered_amount == Decimal("90.00")


def test_the_limit_is_per_service_class(year):
    w = year
    b = make_service_class(w.school_a, school_year=w.year, teacher=w.service_teacher, name="B班")
    make_session(w.a, TUE, present=20)
    make_session(b, TUE, present=20)  # another class the same day: both paid
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert figures.excluded == [] and figures.delivered_amount == Decimal("120.00")


def test_a_flagged_session_not_confirmed_is_not_paid_until_confirmed(year):
    w = year
    make_session(w.a, TUE, present=20)
    flagged = make_session(w.a, WED, present=20, status=S.NEEDS_CONFIRMATION)
    Session.objects.filter(pk=flagged.pk).update(flag="内容疑似新授课", late=False)
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert excluded(figures) == {rules.FLAGGED: (1, Decimal("2.0"))}
    assert figures.delivered_amount == Decimal("60.00")
    Session.objects.filter(pk=flagged.pk).update(status=S.CONFIRMED, confirmed_by=w.school_admin)
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert figures.excluded == [] and figures.delivered_amount == Decimal("120.00")


def test_a_late_session_counts_once_confirmed_and_not_before(year):
    w = year
    late = make_session(w.a, TUE, present=20, status=S.NEEDS_CONFIRMATION)
    assert excluded(settlement_figures(school=w.school_a, school_year=w.year)) == {
        rules.UNCONFIRMED: (1, Decimal("2.0"))
    }
    Session.objects.filter(pk=late.pk).update(status=S.CONFIRMED, confirmed_by=w.school_admin)
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert figures.excluded == [] and figures.delivered_amount == Decimal("60.00")


def test_a_session_on_a_day_off_the_timetable_is_not_paid(year):
    w = year
    CalendarDay.objects.create(school_year=w.year, date=WED, kind=CalendarDay.Kind.HOLIDAY, note="中秋")
    make_session(w.a, TUE, present=20)
    make_session(w.a, WED, present=20)  # a holiday in the calendar
    make_session(w.a, SATURDAY, present=20)  # a primary class is served Monday to Friday (5+2)
    make_session(w.a, D(2025, 1, 25), present=20)  # between the semesters
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert excluded(figures) == {rules.OFF_TIMETABLE: (3, Decimal("6.0"))}
    assert figures.delivered_amount == Decimal("60.00")


def test_a_make_up_working_saturday_is_a_service_day(year):
    w = year
    CalendarDay.objects.create(school_year=w.year, date=SATURDAY, kind=CalendarDay.Kind.MAKEUP_WORKDAY)
    make_session(w.a, SATURDAY, present=20)
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert figures.excluded == [] and figures.delivered_amount == Decimal("60.00")


def test_a_session_failing_several_rules_is_excluded_once_for_the_first(year):
    w = year
    make_session(w.a, SATURDAY, present=0, class_hours="4.0")
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert excluded(figures) == {rules.OFF_TIMETABLE: (1, Decimal("4.0"))}


def test_amounts_reconcile_to_the_fen_with_every_exclusion_at_once(year):
    """Counted + excluded = every class-hour in the session log; the amount is the counted hours × the rate."""
    w = year
    make_session(w.a, TUE, class_hours="1.5", present=20)  # counts 1.5
    make_session(w.a, TUE, start=T(18, 0), class_hours="1.5", present=20)  # 0.5 counts, 1.0 cut
    make_session(w.a, WED, present=0)  # nobody
    make_session(w.a, THU, class_hours="4.0", present=5)  # 2.0 counts, 2.0 cut
    make_session(w.a, SATURDAY, present=5)  # off the timetable
    waiting = make_session(w.a, D(2024, 9, 13), present=5, status=S.NEEDS_CONFIRMATION)
    Session.objects.filter(pk=waiting.pk).update(flag="疑似补课")
    figures = settlement_figures(school=w.school_a, school_year=w.year)
    assert excluded(figures) == {
        rules.FLAGGED: (1, Decimal("2.0")),
        rules.OFF_TIMETABLE: (1, Decimal("2.0")),
        rules.NOBODY_PRESENT: (1, Decimal("2.0")),
        rules.OVER_DAILY_LIMIT: (2, Decimal("3.0")),
    }
    total = sum(Session.objects.filter(service_class=w.a).values_list("class_hours", flat=True), Decimal("0"))
    assert figures.delivered_class_hours + sum(row.class_hours for row in figures.excluded) == total == Decimal("13.0")
    settlement = filed(w)
    assert settlement.delivered_class_hours == Decimal("4.0")
    assert settlement.delivered_amount == Decimal("120.00") == settlement.allocated_amount
    assert settlement.difference == Decimal("0.00") and settlement.outcome == Settlement.Outcome.BALANCED


def test_the_settlement_page_says_what_was_excluded_and_why(client, year):
    w = year
    make_session(w.a, TUE, present=20)
    make_session(w.a, WED, present=0)
    make_session(w.a, THU, class_hours="4.0", present=5)
    url = reverse("funding:settlement-detail", args=[w.school_a.pk, w.year.pk])
    client.force_login(w.bureau)
    page = client.get(url).content.decode()
    assert "Not counted, and why" in page
    assert 'data-reason="nobody_present"><td>No child present</td><td class="text-end">1</td>' in page
    assert "Past the county&#x27;s class-hours a day for the service class (cut)" in page
    filed(w)
    client.force_login(w.finance)
    page = client.get(url).content.decode()  # still shown once filed
    assert 'data-reason="over_daily_limit"' in page and "¥120.00" in page
