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


def test_the_board_counts_the_schools_open_and_overdue_hazards_and_open_incidents(w, client, monkeypatch):
    from safety.services import hazards as hazards_services

    fire = hazards_services.hazard_report(actor=w.service_teacher, school=w.school_a, category="fire",
                                          description="二楼疏散通道堆放杂物", place="教学楼二楼")  # fmt: skip
    hazards_services.hazard_report(actor=w.service_teacher, school=w.school_a, category="building",
                                   description="操场篮球架松动", place="操场")  # fmt: skip
    hazards_services.hazard_assign(actor=w.school_admin, hazard=fire, responsible=w.service_teacher, deadline=w.today)
    client.force_login(w.class_teacher)
    url = reverse("safety:board", args=[w.school_a.pk])
    context = client.get(url).context
    assert context["hazards"] == {"open": 2, "overdue": 0} and context["incidents_open"] == 0
    pretend_today(monkeypatch, w.today + datetime.timedelta(days=1))  # the fire hazard's deadline has passed
    response = client.get(url)
    assert response.context["hazards"] == {"open": 2, "overdue": 1}
    assert b'id="board-hazards"' in response.content and b"list-group-item-danger" in response.content
    client.force_login(w.other_school_admin)  # another school's board: not theirs to read
    assert client.get(url).status_code == 404


def test_the_county_console_counts_late_pickups_hazards_and_incidents(w, client):
    """R34: the bureau's and the inspector's homes show the county's safety this school year; a township coordinator
    of another township would see none of school_a's (the counts go through the policy's scopes)."""
    from safety.services import hazards as hazards_services

    alerts_services.late_alerts_raise(now=at(w.today, 17, 45))  # three children not collected: three alerts
    hazards_services.hazard_report(actor=w.service_teacher, school=w.school_a, category="fire",
                                   description="灭火器过期", place="一楼走廊")  # fmt: skip
    for user, url in ((w.bureau, reverse("bureau:home")), (w.inspector, reverse("bureau:inspector-home"))):
        client.force_login(user)
        safety = client.get(url).context["safety"]
        assert safety["late"] == {"total": 3, "open": 3, "by_person": 0}
        assert safety["hazards"]["active"] == 1 and safety["hazards"]["open"] == 1
        assert safety["incidents"]["total"] == 0
    from safety.selectors import alerts as alerts_selectors
    from safety.selectors import hazards as hazards_selectors

    outsider = user_with_role(Role.TOWNSHIP_COORDINATOR, township=w.township_b)
    assert alerts_selectors.late_alert_counts(viewer=outsider, since=w.school_year.start_date)["total"] == 0
    assert hazards_selectors.hazard_summary(viewer=outsider)["active"] == 0
