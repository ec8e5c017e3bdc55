"""The duty roster (值班表, issue 11 §2): school days only, today and later only, the school's own people only,
copying last week, and the month page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from safety.models import DutyRoster
from safety.rules import duty as rules
from safety.services import duty as services
from schools.models import CalendarDay, Role
from xiji_afterschool.errors import DomainError

from ..conftest import messages_of, pretend_today
from ..factories import user_with_role

D = datetime.date


@pytest.fixture
def w(world, monkeypatch):
    """Today is a Wednesday of the autumn semester."""
    day = D(world.autumn.start_date.year, 11, 10)
    while day.isoweekday() != 3:
        day += datetime.timedelta(days=1)
    world.today = pretend_today(monkeypatch, day)
    return world


def put(w, day, teacher=None, gate=None, actor=None):
    return services.duty_roster_set(
        actor=actor or w.school_admin, school=w.school_a, date=day, duty_teacher=teacher or w.service_teacher,
        gate_keeper=gate,
    )  # fmt: skip


def test_school_days_skip_weekends_and_days_without_service():
    days = rules.school_days(
        D(2026, 10, 1), D(2026, 10, 11), terms=[(D(2026, 9, 1), D(2027, 1, 20))],
        exceptions={D(2026, 10, 1): CalendarDay.Kind.HOLIDAY, D(2026, 10, 10): CalendarDay.Kind.MAKEUP_WORKDAY},
    )  # fmt: skip
    assert days == [D(2026, 10, 2), D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7), D(2026, 10, 8), D(2026, 10, 9),
                    D(2026, 10, 10)]  # fmt: skip
    assert rules.school_days(D(2026, 8, 3), D(2026, 8, 7), terms=[(D(2026, 9, 1), D(2027, 1, 20))], exceptions={}) == []
    assert len(rules.school_days(D(2026, 8, 3), D(2026, 8, 9), terms=None, exceptions={})) == 5


def test_month_bounds_and_week_start():
    assert rules.month_bounds(D(2026, 2, 14)) == (D(2026, 2, 1), D(2026, 2, 28))
    assert rules.month_bounds(D(2026, 12, 31)) == (D(2026, 12, 1), D(2026, 12, 31))
    assert rules.week_start(D(2026, 12, 6)) == D(2026, 11, 30)


def test_the_admin_sets_and_changes_a_day(w):
    roster = put(w, w.today, gate=w.gate)
    assert (roster.duty_teacher, roster.gate_keeper, roster.created_by) == (w.service_teacher, w.gate, w.school_admin)
    put(w, w.today, teacher=w.class_teacher)
    roster = DutyRoster.objects.get(school=w.school_a, date=w.today)
    assert (roster.duty_teacher, roster.gate_keeper) == (w.class_teacher, None)


def test_refusals(w, english):
    with pytest.raises(DomainError, match="has passed"):
        put(w, w.today - datetime.timedelta(days=1))
    with pytest.raises(DomainError, match="not a school day"):
        put(w, w.today + datetime.timedelta(days=3))  # Saturday
    with pytest.raises(DomainError, match="not a member of staff"):
        put(w, w.today, teacher=user_with_role(Role.SERVICE_TEACHER, school=w.school_b))
    with pytest.raises(DomainError, match="not a member of staff"):
        put(w, w.today, teacher=w.volunteer)
    with pytest.raises(DomainError, match="not a gate keeper"):
        put(w, w.today, gate=w.care_staff)
    with pytest.raises(DomainError, match="not a gate keeper"):
        put(w, w.today, gate=user_with_role(Role.GATE, school=w.school_b))
    for actor in (w.service_teacher, w.other_school_admin, w.township, w.gate):
        with pytest.raises(PermissionDenied):
            put(w, w.today, actor=actor)
    assert not DutyRoster.objects.exists()


def test_a_past_day_stays_as_recorded(w, english, monkeypatch):
    put(w, w.today, gate=w.gate)
    pretend_today(monkeypatch, w.today + datetime.timedelta(days=1))
    with pytest.raises(DomainError, match="has passed"):
        put(w, w.today, teacher=w.class_teacher)
    assert DutyRoster.objects.get().duty_teacher == w.service_teacher


def test_copy_last_week_fills_open_days_only(w, english):
    monday = rules.week_start(w.today)
    previous = monday - datetime.timedelta(days=7)
    for offset in range(5):
        DutyRoster.objects.create(
            school=w.school_a, date=previous + datetime.timedelta(days=offset), duty_teacher=w.class_teacher,
            gate_keeper=w.gate, created_by=w.school_admin,
        )  # fmt: skip
    put(w, w.today + datetime.timedelta(days=1), teacher=w.service_teacher)  # Thursday already set
    copied = services.duty_roster_copy_week(actor=w.school_admin, school=w.school_a, week=w.today)
    assert copied == 2  # Wednesday (today) and Friday; Monday and Tuesday have passed, Thursday was set
    this_week = dict(DutyRoster.objects.filter(date__gte=monday).values_list("date", "duty_teacher"))
    assert this_week == {
        w.today: w.class_teacher.pk,
        w.today + datetime.timedelta(days=1): w.service_teacher.pk,
        w.today + datetime.timedelta(days=2): w.class_teacher.pk,
    }
    with pytest.raises(DomainError, match="Nothing to copy"):
        services.duty_roster_copy_week(actor=w.school_admin, school=w.school_a, week=w.today)


def test_month_page_and_posts(w, client, english):
    put(w, w.today, gate=w.gate)
    client.force_login(w.school_admin)
    url = reverse("safety:duty-month", args=[w.school_a.pk])
    page = client.get(url, {"month": f"{w.today:%Y-%m}"}).content.decode()
    assert str(w.service_teacher) in page and str(w.gate) in page
    assert page.count('name="duty_teacher"') >= 2  # today and the later school days of the month
    assert client.get(url, {"month": "nonsense"}).status_code == 200
    assert client.get(url, {"month": "9999-12"}).status_code == 200
    set_url = reverse("safety:duty-set", args=[w.school_a.pk, f"{w.today:%Y-%m-%d}"])
    response = client.post(set_url, {"duty_teacher": w.class_teacher.pk, "gate_keeper": ""})
    assert response.status_code == 302 and "Duty roster saved" in " ".join(messages_of(response))
    assert DutyRoster.objects.get().duty_teacher == w.class_teacher
    outsider = user_with_role(Role.SERVICE_TEACHER, school=w.school_b)
    response = client.post(set_url, {"duty_teacher": outsider.pk})
    assert "valid choice" in " ".join(messages_of(response))
    assert DutyRoster.objects.get().duty_teacher == w.class_teacher
    bad = reverse("safety:duty-set", args=[w.school_a.pk, "2026-02-30"])
    assert client.post(bad, {"duty_teacher": w.class_teacher.pk}).status_code == 404
    response = client.post(reverse("safety:duty-copy-week", args=[w.school_a.pk]), {"week": "not a date"})
    assert response.status_code == 302 and messages_of(response)
    client.force_login(w.township)
    page = client.get(url).content.decode()
    assert 'name="duty_teacher"' not in page  # the township reads only
