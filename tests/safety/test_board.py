"""The school's safety board (安全看板, issue 11 §3): roster, children still in school and who holds each, open and
resolved alerts, counts, who sees it, resolve buttons only for those who may, a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from safety.models import DutyRoster, Handover, LateAlert
from safety.services import alerts as alerts_services
from schools.models import Role

from ..access.alerts import at, session_with_children
from ..conftest import pretend_today
from ..factories import StudentFactory, user_with_role


@pytest.fixture
def w(world, monkeypatch):
    day = datetime.date(world.autumn.start_date.year, 11, 10)
    while day.isoweekday() != 3:
        day += datetime.timedelta(days=1)
    world.today = pretend_today(monkeypatch, day)
    world.session = session_with_children(world, day=day, children=[world.child, world.other_child, world.child_a2])
    return world


def board(client, w, user):
    client.force_login(user)
    response = client.get(reverse("safety:board", args=[w.school_a.pk]))
    assert response.status_code == 200
    return response


def test_the_board_shows_roster_children_alerts_and_counts(w, client, english_pages):
    DutyRoster.objects.create(
        school=w.school_a, date=w.today, duty_teacher=w.class_teacher, gate_keeper=w.gate, created_by=w.school_admin
    )
    Handover.objects.create(
        student=w.child_a2, date=w.today, sequence=1, session=w.session, to=Handover.To.COLLECTOR,
        from_staff=w.service_teacher, recipient_name="王父", handed_at=at(w.today, 17, 35), recorded_by=w.service_teacher,
    )  # fmt: skip
    alerts_services.late_alerts_raise(now=at(w.today, 17, 45))
    resolved = LateAlert.objects.get(student=w.other_child)
    alerts_services.late_alert_resolve(actor=w.school_admin, alert=resolved, resolution="reached")
    response = board(client, w, w.school_admin)
    assert response["Refresh"] == "60"
    page = response.content.decode()
    assert str(w.class_teacher) in page and str(w.gate) in page
    assert page.index("Not yet collected") < page.index("Still in school") < page.index("Resolved today")
    open_part = page[page.index("Not yet collected") : page.index("Still in school")]
    assert "马小明" in open_part and "李小红" not in open_part and 'name="resolution"' in open_part
    assert "王小军" not in page[page.index("Still in school") : page.index("Resolved today")]
    assert "李小红" in page[page.index("Resolved today") :]
    counts = response.context["counts"]
    assert counts == {"present": 3, "handed_over": 1, "in_school": 2, "open": 1}


def test_read_only_for_supervisors_and_staff_who_did_not_hold_the_child(w, client):
    alerts_services.late_alerts_raise(now=at(w.today, 17, 45))
    for user in (w.township, w.bureau, w.volunteer, w.gate):
        page = board(client, w, user).content.decode()
        assert "马小明" in page and 'name="resolution"' not in page
    assert 'name="resolution"' in board(client, w, w.service_teacher).content.decode()  # the holder


@pytest.mark.parametrize("who", ["parent", "other_school_admin", "finance", "teacher_b"])
def test_outsiders_get_404(w, client, who):
    user = user_with_role(Role.SERVICE_TEACHER, school=w.school_b) if who == "teacher_b" else getattr(w, who)
    client.force_login(user)
    assert client.get(reverse("safety:board", args=[w.school_a.pk])).status_code == 404


def test_board_mine_goes_to_the_own_school(w, client):
    client.force_login(w.gate)
    response = client.get(reverse("safety:board-mine"))
    assert response.url == reverse("safety:board", args=[w.school_a.pk])


def test_the_board_costs_the_same_queries_for_3_or_33_children(w, client, django_assert_max_num_queries):
    alerts_services.late_alerts_raise(now=at(w.today, 17, 45))
    client.force_login(w.school_admin)
    url = reverse("safety:board", args=[w.school_a.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    more = [StudentFactory(admin_class=w.class_a1) for _ in range(30)]
    session_with_children(w, day=w.today, children=more, start=datetime.time(15), end=datetime.time(17))
    alerts_services.late_alerts_raise(now=at(w.today, 17, 45))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).context["counts"]["open"] == 33
