"""The hours record (明细档案, R21): worked out by hand for a small month; closing; adjustments; export; queries."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from schools.models import Attendance, HoursAdjustment, HoursMonth, Role, Session
from schools.reports import hours as hours_reports
from schools.rules import hours as hours_rules
from schools.selectors import hours as reads
from schools.services import hours as services
from xiji_afterschool.errors import DomainError

from ..access.hours import make_service_class, make_session
from ..factories import SchoolFactory, StudentFactory, user_with_role

D = datetime.date
S = Session.Status
R = Session.TeacherRole
MARCH = D(2026, 3, 1)
T = hours_rules.Tally


@pytest.fixture
def march(world):
    """March 2026 at school_a, by hand.

    teacher = world.service_teacher (responsible for class A), sub = a second after-school teacher (responsible for
    class B, substitute once in A), volunteer = world.volunteer (a retired teacher, assists twice).
      03-02 A  teacher responsible 1.1  assisted by volunteer
      03-03 A  teacher responsible 2.2  confirmed
      03-04 A  sub substitute      2.0  assisted by volunteer
      03-05 B  sub responsible     2.0
      03-06 B  sub responsible     0.5  assisted by teacher
      03-09 A  teacher responsible 2.0  WAITING for confirmation: listed, not counted
      04-01 A  teacher responsible 2.0  (April: not in March)
      03-02 at school_b, by school_b's teacher (not school_a's record)
    """
    w = world
    sub = user_with_role(Role.SERVICE_TEACHER, school=w.school_a, full_name="代课老师")
    class_a = make_service_class(w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="A班")
    class_b = make_service_class(w.school_a, school_year=w.school_year, teacher=sub, name="B班")
    s = SimpleNamespace(world=w, teacher=w.service_teacher, sub=sub, volunteer=w.volunteer, class_a=class_a)
    s.sessions = [
        make_session(class_a, D(2026, 3, 2), class_hours="1.1", assistants=[w.volunteer]),
        make_session(class_a, D(2026, 3, 3), class_hours="2.2", status=S.CONFIRMED),
        make_session(class_a, D(2026, 3, 4), teacher=sub, role=R.SUBSTITUTE, assistants=[w.volunteer]),
        make_session(class_b, D(2026, 3, 5)),
        make_session(class_b, D(2026, 3, 6), class_hours="0.5", assistants=[w.service_teacher]),
    ]
    s.waiting = make_session(class_a, D(2026, 3, 9), status=S.NEEDS_CONFIRMATION)
    make_session(class_a, D(2026, 4, 1))
    teacher_b = user_with_role(Role.SERVICE_TEACHER, school=w.school_b)
    make_session(make_service_class(w.school_b, school_year=w.school_year, teacher=teacher_b), D(2026, 3, 2))
    return s


def _row(record, person):
    return next(r for r in record.rows if r.person == person)


def _tallies(row):
    return {role: (t.sessions, t.class_hours) for role, t in row.by_role.items()}


def test_month_by_hand(march):
    record = reads.hours_record(viewer=march.world.school_admin, school=march.world.school_a, month=MARCH)

    assert [r.person for r in record.rows] == sorted(
        [march.teacher, march.sub, march.volunteer], key=lambda u: (u.full_name, u.username)
    )
    teacher, sub, volunteer = (_row(record, p) for p in (march.teacher, march.sub, march.volunteer))
    assert _tallies(teacher) == {
        "responsible": (2, Decimal("3.3")),
        "substitute": (0, Decimal("0")),
        "assistant": (1, Decimal("0.5")),
    }
    assert (teacher.total.sessions, teacher.total.class_hours) == (3, Decimal("3.8"))
    assert _tallies(sub) == {
        "responsible": (2, Decimal("2.5")),
        "substitute": (1, Decimal("2.0")),
        "assistant": (0, Decimal("0")),
    }
    assert _tallies(volunteer) == {
        "responsible": (0, Decimal("0")),
        "substitute": (0, Decimal("0")),
        "assistant": (2, Decimal("3.1")),
    }
    assert volunteer.is_volunteer and not teacher.is_volunteer
    totals = record.totals
    assert _tallies(totals) == {
        "responsible": (4, Decimal("5.8")),
        "substitute": (1, Decimal("2.0")),
        "assistant": (3, Decimal("3.6")),
    }
    assert (totals.total.sessions, totals.total.class_hours) == (8, Decimal("11.4"))
    assert record.waiting == [march.waiting]  # listed apart, not counted
    assert record.closed is None
    assert str(teacher.responsible.class_hours) == "3.3"  # exact, one decimal place, even on SQLite


def test_volunteer_is_shown_as_volunteer_with_their_kind(march, english):
    record = reads.hours_record(viewer=march.world.school_admin, school=march.world.school_a, month=MARCH)
    assert _row(record, march.volunteer).labels == ["Volunteer · Retired teacher"]
    assert _row(record, march.teacher).labels == ["After-school teacher"]


def test_adjustments_are_added_to_their_role(march):
    w = march.world
    HoursMonth.objects.create(school=w.school_a, month=MARCH, closed_by=w.school_admin)
    services.hours_adjust(
        actor=w.school_admin, school=w.school_a, person=march.teacher, month=MARCH, role="responsible",
        class_hours=Decimal("1.0"), sessions=1, reason="3月10日活动未登记",
    )  # fmt: skip
    services.hours_adjust(
        actor=w.school_admin, school=w.school_a, person=march.volunteer, month=MARCH, role="assistant",
        class_hours=Decimal("-0.5"), sessions=0, reason="3月4日提前离开",
    )  # fmt: skip

    record = reads.hours_record(viewer=w.school_admin, school=w.school_a, month=MARCH)
    teacher, volunteer = _row(record, march.teacher), _row(record, march.volunteer)
    assert (teacher.responsible.sessions, teacher.responsible.class_hours) == (3, Decimal("4.3"))
    assert (teacher.total.sessions, teacher.total.class_hours) == (4, Decimal("4.8"))
    assert (teacher.adjusted.sessions, teacher.adjusted.class_hours) == (1, Decimal("1.0"))
    assert (volunteer.assistant.sessions, volunteer.assistant.class_hours) == (2, Decimal("2.6"))
    assert record.totals.total.class_hours == Decimal("11.9")
    assert record.closed.closed_by == w.school_admin


def test_a_teacher_reads_only_their_own_row(march):
    record = reads.hours_record(viewer=march.teacher, school=march.world.school_a, month=MARCH)
    assert [r.person for r in record.rows] == [march.teacher]
    assert record.totals.total.class_hours == Decimal("3.8")
    assert record.waiting == [march.waiting]  # their own class's session


def test_person_page_lists_sessions_adjustments_and_totals(client, march):
    w = march.world
    HoursMonth.objects.create(school=w.school_a, month=MARCH, closed_by=w.school_admin)
    services.hours_adjust(
        actor=w.school_admin, school=w.school_a, person=march.teacher, month=MARCH, role="responsible",
        class_hours=Decimal("1.0"), sessions=1, reason="3月10日活动未登记",
    )  # fmt: skip
    client.force_login(march.teacher)
    response = client.get(reverse("schools:hours-person", args=[w.school_a.pk, march.teacher.pk]) + "?month=2026-03")
    assert response.status_code == 200
    detail = response.context["detail"]
    assert [(e["session"].date, e["role"], e["counted"]) for e in detail.entries] == [
        (D(2026, 3, 2), "responsible", True),
        (D(2026, 3, 3), "responsible", True),
        (D(2026, 3, 6), "assistant", True),
        (D(2026, 3, 9), "responsible", False),
    ]
    assert [a.reason for a in detail.adjustments] == ["3月10日活动未登记"]
    assert detail.row.total.class_hours == Decimal("4.8")
    assert "3月10日活动未登记" in response.content.decode()


def test_person_page_scope(client, march):
    w = march.world
    url = reverse("schools:hours-person", args=[w.school_a.pk, march.sub.pk])
    client.force_login(march.teacher)  # another teacher's page
    assert client.get(url).status_code == 404
    client.force_login(w.other_school_admin)
    assert client.get(url).status_code == 404
    client.force_login(w.school_admin)
    assert client.get(url).status_code == 200
    outsider = user_with_role(Role.SERVICE_TEACHER, school=w.school_b)  # holds no membership at school_a
    assert client.get(reverse("schools:hours-person", args=[w.school_a.pk, outsider.pk])).status_code == 404


def test_my_hours_in_the_menu_leads_a_teacher_and_a_volunteer_to_their_own_month(client, world):
    for person, pay_slips in ((world.service_teacher, True), (world.volunteer, False)):
        client.force_login(person)
        home = client.get(reverse("home"), follow=True).content.decode()
        assert reverse("schools:hours-mine") in home
        assert (reverse("funding:pay-slip-mine") in home) is pay_slips  # volunteers are not paid from the pool
        response = client.get(reverse("schools:hours-mine"))
        assert response.url == reverse("schools:hours-person", args=[world.school_a.pk, person.pk])
        assert client.get(response.url).status_code == 200
    client.force_login(world.school_admin)  # runs no sessions: sent home with a note, never to another's record
    response = client.get(reverse("schools:hours-mine"), follow=True)
    assert response.redirect_chain[0][0] == reverse("home")


def test_school_page_shows_rows_totals_and_waiting(client, march):
    client.force_login(march.world.school_admin)
    response = client.get(reverse("schools:hours-school", args=[march.world.school_a.pk]) + "?month=2026-03")
    assert response.status_code == 200
    html = response.content.decode()
    assert "11.4" in html and "代课老师" in html and "A班" in html  # total, a person, the waiting session's class
    assert response.context["can_close"] is True
    assert '<button class="btn btn-sm btn-success" disabled>' in html  # a session waits: closing is not offered yet
    assert 'name="month" value="2026-03"' in html


@pytest.mark.parametrize("month", ["", "2026-13", "abc", "9999-01", "2026-3"])
def test_bad_month_falls_back_without_error(client, march, month):
    client.force_login(march.world.school_admin)
    response = client.get(reverse("schools:hours-school", args=[march.world.school_a.pk]), {"month": month})
    assert response.status_code == 200
    expected = MARCH if month == "2026-3" else timezone.localdate().replace(day=1)
    assert response.context["month"] == expected


def test_query_count_does_not_grow_with_people(client, world, django_assert_max_num_queries):
    def build(n):
        school = SchoolFactory()
        admin = user_with_role(Role.SCHOOL_ADMIN, school=school)
        volunteer = user_with_role(Role.VOLUNTEER, school=school)
        for i in range(n):
            teacher = user_with_role(Role.SERVICE_TEACHER, school=school)
            service_class = make_service_class(school, school_year=world.school_year, teacher=teacher, name=f"班{i}")
            make_session(service_class, D(2026, 3, 2), assistants=[volunteer])
            make_session(service_class, D(2026, 3, 3), class_hours="1.5")
        HoursMonth.objects.create(school=school, month=MARCH, closed_by=admin)
        HoursAdjustment.objects.create(
            school=school, person=volunteer, month=MARCH, role="assistant", class_hours=Decimal("1.0"), reason="补登",
            created_by=admin,
        )  # fmt: skip
        return school, admin

    counts = []
    for n in (2, 8):
        school, admin = build(n)
        admin = type(admin).objects.get(pk=admin.pk)
        with CaptureQueriesContext(connection) as ctx:
            record = reads.hours_record(viewer=admin, school=school, month=MARCH)
            hours_reports.hours_report_rows(record)
        assert len(record.rows) == n + 1
        assert record.totals.total.class_hours == Decimal("3.5") * n + 2 * n + 1
        counts.append(len(ctx))
    assert counts[0] == counts[1] <= 8

    client.force_login(admin)  # the page of the 8-teacher school
    with django_assert_max_num_queries(16):
        assert client.get(reverse("schools:hours-school", args=[school.pk]) + "?month=2026-03").status_code == 200


# ---------------------------------------------------------------- closing a month


def test_closing_rules(march, english):
    w = march.world
    admin, school = w.school_admin, w.school_a
    today = timezone.localdate()
    future = hours_rules.shift_month(today.replace(day=1), 1)
    with pytest.raises(DomainError, match="cannot be closed before its last day"):
        services.hours_month_close(actor=admin, school=school, month=future)
    with mock.patch("django.utils.timezone.localdate", return_value=D(2026, 3, 30)):
        with pytest.raises(DomainError, match="cannot be closed before its last day"):
            services.hours_month_close(actor=admin, school=school, month=MARCH)
    with pytest.raises(DomainError, match="1 session of March 2026 is still waiting for confirmation"):
        services.hours_month_close(actor=admin, school=school, month=MARCH)
    make_session(march.class_a, D(2026, 3, 10), status=S.NEEDS_CONFIRMATION)
    with pytest.raises(DomainError, match="2 sessions of March 2026 are still waiting"):
        services.hours_month_close(actor=admin, school=school, month=MARCH)
    assert not HoursMonth.objects.exists()

    Session.objects.filter(status=S.NEEDS_CONFIRMATION).update(status=S.CONFIRMED, confirmed_by=admin)
    with mock.patch("django.utils.timezone.localdate", return_value=D(2026, 3, 31)):  # its last day: allowed
        closed = services.hours_month_close(actor=admin, school=school, month=D(2026, 3, 17))
    assert (closed.month, closed.closed_by) == (MARCH, admin)
    assert services.month_is_closed(school, D(2026, 3, 31)) and services.month_is_closed(school.pk, D(2026, 3, 1))
    assert not services.month_is_closed(school, D(2026, 4, 1)) and not services.month_is_closed(w.school_b, MARCH)
    with pytest.raises(DomainError, match="already closed"):
        services.hours_month_close(actor=admin, school=school, month=MARCH)
    assert HoursMonth.objects.count() == 1


def test_only_the_school_admin_closes(march):
    w = march.world
    for actor in (w.service_teacher, w.bureau, w.township, w.other_school_admin):
        with pytest.raises(PermissionDenied):
            services.hours_month_close(actor=actor, school=w.school_a, month=D(2026, 2, 1))
    assert not HoursMonth.objects.exists()


def test_close_view(client, march, english):
    w = march.world
    client.force_login(w.school_admin)
    url = reverse("schools:hours-close", args=[w.school_a.pk])
    response = client.post(url, {"month": "2026-03"}, follow=True)
    assert "still waiting for confirmation" in response.content.decode()
    assert not HoursMonth.objects.exists()
    for bad in ("", "2026-99", "x" * 500):
        assert client.post(url, {"month": bad}).status_code == 302
    assert not HoursMonth.objects.exists()
    response = client.post(url, {"month": "2026-02"})
    assert response.status_code == 302 and response["Location"].endswith("?month=2026-02")
    assert HoursMonth.objects.get().month == D(2026, 2, 1)
    response = client.post(url, {"month": "2026-02"}, follow=True)
    assert "already closed" in response.content.decode()
    assert HoursMonth.objects.count() == 1
    assert client.get(url).status_code == 405


# ---------------------------------------------------------------- adjustments


@pytest.mark.needs_postgres
def test_the_database_keeps_a_closed_months_delivery(march):
    """Migration schools 0010: raw SQL cannot change a closed month's sessions, roll, assistants or substitutes;
    the open month next to it stays writable, and an adjustment is still the way to correct the closed one."""
    w = march.world
    march_session, april_session = march.sessions[0], Session.objects.get(date=D(2026, 4, 1))
    student = StudentFactory(admin_class__school=w.school_a)
    for session in (march_session, april_session):
        Attendance.objects.create(session=session, student=student, mark=Attendance.Mark.PRESENT)
    HoursMonth.objects.create(school=w.school_a, month=MARCH, closed_by=w.school_admin)
    other_school = Session.objects.get(service_class__school=w.school_b)

    def refused(statement, params):
        with pytest.raises(IntegrityError, match="the month 2026-03 is closed"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, params)

    def accepted(statement, params):
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            assert cursor.rowcount == 1

    new_substitution = (
        "INSERT INTO schools_substitution (service_class_id, date, substitute_id, reason, created_by_id, created_at,"
        " updated_at) VALUES (%s, %s, %s, 'x', %s, now(), now())"
    )
    refused("UPDATE schools_session SET class_hours = 4 WHERE id = %s", [march_session.pk])
    refused("UPDATE schools_session SET date = %s WHERE id = %s", [D(2026, 4, 2), march_session.pk])  # moved out
    refused("UPDATE schools_session SET date = %s WHERE id = %s", [D(2026, 3, 31), april_session.pk])  # moved in
    refused("DELETE FROM schools_session WHERE id = %s", [march.waiting.pk])
    refused("UPDATE schools_attendance SET mark = 'absent' WHERE session_id = %s", [march_session.pk])
    refused("DELETE FROM schools_attendance WHERE session_id = %s", [march_session.pk])
    refused("DELETE FROM schools_sessionassistant WHERE session_id = %s", [march_session.pk])
    refused(
        "INSERT INTO schools_sessionassistant (session_id, person_id) VALUES (%s, %s)",
        [march_session.pk, w.school_admin.pk],
    )
    refused(new_substitution, [march.class_a.pk, D(2026, 3, 20), march.sub.pk, w.school_admin.pk])
    with pytest.raises(IntegrityError), transaction.atomic():  # through the ORM too
        Session.objects.filter(pk=march_session.pk).delete()

    accepted("UPDATE schools_session SET class_hours = 4 WHERE id = %s", [april_session.pk])
    accepted("UPDATE schools_attendance SET mark = 'absent' WHERE session_id = %s", [april_session.pk])
    accepted(new_substitution, [march.class_a.pk, D(2026, 4, 20), march.sub.pk, w.school_admin.pk])
    accepted("UPDATE schools_session SET class_hours = 1 WHERE id = %s", [other_school.pk])  # its month is open
    march_session.refresh_from_db()
    assert march_session.class_hours == Decimal("1.1")
    assert Attendance.objects.get(session=march_session).mark == Attendance.Mark.PRESENT
    adjustment = services.hours_adjust(
        actor=w.school_admin, school=w.school_a, person=march.teacher, month=MARCH,
        role=R.RESPONSIBLE, class_hours=Decimal("-0.1"), sessions=0, reason="课时记多",
    )  # fmt: skip
    assert adjustment.pk


def _adjust(march, **overrides):
    w = march.world
    values = {
        "actor": w.school_admin, "school": w.school_a, "person": march.teacher, "month": MARCH, "role": "responsible",
        "class_hours": Decimal("1.0"), "sessions": 1, "reason": "漏登一次",
    }  # fmt: skip
    return services.hours_adjust(**{**values, **overrides})


def test_adjustment_needs_a_closed_month(march, english):
    with pytest.raises(DomainError, match="still open: correct its sessions"):
        _adjust(march)
    assert not HoursAdjustment.objects.exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"reason": "  "}, "Give the reason"),
        ({"class_hours": Decimal("1.25")}, "at most one decimal place"),
        ({"class_hours": Decimal("0"), "sessions": 1}, "must change the class-hours"),
        ({"class_hours": "abc"}, "as a number"),
        ({"class_hours": Decimal("NaN")}, "at most one decimal place"),
        ({"class_hours": Decimal("125")}, "at most 124.0 class-hours"),
        ({"sessions": 500}, "at most 124 sessions"),
        ({"role": "boss"}, "responsible teacher, substitute or assistant"),
        ({"class_hours": Decimal("-3.4")}, "below zero"),  # 3.3 as responsible
        ({"class_hours": Decimal("-1.0"), "sessions": -3}, "below zero"),  # 2 sessions
        ({"month": D(2026, 4, 1)}, "still open"),
        ({"reason": "x" * 201}, "200"),
    ],
)
def test_adjustment_refusals(march, english, overrides, message):
    w = march.world
    HoursMonth.objects.create(school=w.school_a, month=MARCH, closed_by=w.school_admin)
    with pytest.raises(DomainError, match=message):
        _adjust(march, **overrides)
    assert not HoursAdjustment.objects.exists()


def test_adjustment_refused_for_someone_without_a_role_at_the_school(march, english):
    w = march.world
    HoursMonth.objects.create(school=w.school_a, month=MARCH, closed_by=w.school_admin)
    with pytest.raises(DomainError, match="holds no role at this school"):
        _adjust(march, person=user_with_role(Role.SERVICE_TEACHER, school=w.school_b))
    for actor in (march.teacher, w.other_school_admin, w.bureau):
        with pytest.raises(PermissionDenied):
            _adjust(march, actor=actor)
    assert not HoursAdjustment.objects.exists()


def test_a_negative_adjustment_down_to_zero_is_allowed(march):
    w = march.world
    HoursMonth.objects.create(school=w.school_a, month=MARCH, closed_by=w.school_admin)
    _adjust(march, class_hours=Decimal("-3.3"), sessions=-2, reason="两次活动实际未开展")
    record = reads.hours_record(viewer=w.school_admin, school=w.school_a, month=MARCH)
    assert (_row(record, march.teacher).responsible.sessions, _row(record, march.teacher).responsible.class_hours) == (
        0,
        Decimal("0.0"),
    )


def _snapshot():
    return (
        list(Session.objects.order_by("pk").values()),
        list(Attendance.objects.order_by("pk").values()),
        list(HoursAdjustment.objects.order_by("pk").values()),
        list(HoursMonth.objects.order_by("pk").values()),
    )


def test_after_closing_an_adjustment_is_the_only_change(client, march, english):
    """Crafted requests against a closed month: the read pages refuse POST, the adjust form takes only its own
    fields (an `id`, a session or a status in the body change nothing), and the session log's edit paths (whatever
    URLs named "session…" exist) leave the closed month's sessions and roll as they were."""
    w = march.world
    Session.objects.filter(pk=march.waiting.pk).update(status=S.CONFIRMED)
    child = StudentFactory(admin_class=w.class_a1)
    Attendance.objects.create(session=march.sessions[0], student=child, mark=Attendance.Mark.PRESENT)
    client.force_login(w.school_admin)
    client.post(reverse("schools:hours-close", args=[w.school_a.pk]), {"month": "2026-03"})
    first = _adjust(march)
    before = _snapshot()

    for name, args in [
        ("schools:hours-school", [w.school_a.pk]),
        ("schools:hours-person", [w.school_a.pk, march.teacher.pk]),
        ("schools:hours-export", [w.school_a.pk]),
        ("schools:delivery-school", [w.school_a.pk]),
        ("schools:delivery-county", []),
    ]:
        assert client.post(reverse(name, args=args), {"id": first.pk, "class_hours": "9"}).status_code == 405
    adjust_url = reverse("schools:hours-adjust", args=[w.school_a.pk])
    crafted = {
        "id": first.pk, "pk": first.pk, "session": march.sessions[0].pk, "status": "confirmed", "date": "2026-03-02",
        "person": march.teacher.pk, "role": "responsible", "sessions": "0", "reason": "",
    }  # fmt: skip
    for body in (
        {**crafted, "month": "2026-03", "class_hours": "4"},  # no reason
        {**crafted, "month": "2026-04", "class_hours": "1", "reason": "x"},  # an open month (not a choice)
        {**crafted, "month": "2026-03", "class_hours": "1.25", "reason": "x"},
        {**crafted, "month": "2026-03", "class_hours": "-99", "reason": "x"},  # below zero
        {**crafted, "month": "2026-03", "class_hours": "1", "reason": "x", "person": 999_999},
    ):
        assert client.post(adjust_url, body).status_code == 200
    assert _snapshot() == before

    # The session log's edit paths (written alongside): nothing of the closed month moves, and no 500.
    client.raise_request_exception = False
    teacher_client = type(client)(raise_request_exception=False)
    teacher_client.force_login(march.teacher)
    session = march.sessions[0]
    for name, pattern in _session_patterns():
        kwargs = {}
        for param in pattern.pattern.converters:
            if "class" in param:
                kwargs[param] = march.class_a.pk
            elif "school" in param:
                kwargs[param] = w.school_a.pk
            else:
                kwargs[param] = session.pk
        url = reverse(f"schools:{name}", kwargs=kwargs)
        body = {
            "date": "2026-03-02", "start_time": "16:00", "end_time": "18:00", "class_hours": "4",
            "content_note": "改", "status": "confirmed", "teacher": march.sub.pk, "all_present": "on",
            f"mark_{child.pk}": "absent", "reason": "x", "substitute": march.sub.pk,
        }  # fmt: skip
        for c in (client, teacher_client):
            assert c.post(url, body).status_code != 500, url
    assert _snapshot()[:2] == before[:2]

    second = _adjust(march, class_hours=Decimal("0.5"), sessions=0, reason="补登")
    after = _snapshot()
    assert after[0] == before[0] and after[1] == before[1] and after[3] == before[3]
    assert after[2] == [*before[2], *HoursAdjustment.objects.filter(pk=second.pk).values()]


def _session_patterns():
    resolver = get_resolver()
    for p in resolver.url_patterns:
        if getattr(p, "namespace", None) == "schools":
            for inner in p.url_patterns:
                if getattr(inner, "name", "") and inner.name.startswith("session"):
                    yield inner.name, inner


def test_adjust_view(client, march, english):
    w = march.world
    HoursMonth.objects.create(school=w.school_a, month=MARCH, closed_by=w.school_admin)
    client.force_login(w.school_admin)
    url = reverse("schools:hours-adjust", args=[w.school_a.pk])
    page = client.get(url + f"?month=2026-03&person={march.volunteer.pk}")
    assert page.status_code == 200 and page.context["form"]["month"].value() == "2026-03"
    response = client.post(
        url,
        {"person": march.volunteer.pk, "month": "2026-03", "role": "assistant", "class_hours": "-0.5", "sessions": "0",
         "reason": "3月4日提前离开"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("schools:hours-person", args=[w.school_a.pk, march.volunteer.pk]) + "?month=2026-03"
    )
    adjustment = HoursAdjustment.objects.get()
    assert (adjustment.class_hours, adjustment.sessions, adjustment.created_by) == (
        Decimal("-0.5"),
        0,
        w.school_admin,
    )
    assert adjustment.month == MARCH
    assert "3月4日提前离开" in client.get(url).content.decode()  # listed, read-only


def test_adjust_page_without_closed_months(client, march):
    client.force_login(march.world.school_admin)
    response = client.get(reverse("schools:hours-adjust", args=[march.world.school_a.pk]))
    assert response.status_code == 200 and response.context["closed_months"] == []


# ---------------------------------------------------------------- export


def test_export_content(client, march):
    w = march.world
    HoursMonth.objects.create(school=w.school_a, month=MARCH, closed_by=w.school_admin)
    _adjust(march)
    client.force_login(w.school_admin)
    response = client.get(reverse("schools:hours-export", args=[w.school_a.pk]) + "?month=2026-03")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="hours-{w.school_a.code}-2026-03.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 12
    by_name = {r[0]: r for r in rows[1:]}
    teacher = by_name[march.teacher.full_name]
    assert teacher[1] == march.teacher.username
    assert [Decimal(str(v)) for v in teacher[3:]] == [3, Decimal("4.3"), 0, 0, 1, Decimal("0.5"), 4, Decimal("4.8"), 1]
    volunteer = by_name[march.volunteer.full_name]
    assert [Decimal(str(v)) for v in volunteer[3:]] == [0, 0, 0, 0, 2, Decimal("3.1"), 2, Decimal("3.1"), 0]
    total = rows[-1]
    assert [Decimal(str(v)) for v in total[3:]] == [5, Decimal("6.8"), 1, 2, 3, Decimal("3.6"), 9, Decimal("12.4"), 1]
    cells = next(sheet.iter_rows(min_row=len(rows), max_row=len(rows)))
    assert isinstance(cells[4].value, (int, float)) and cells[4].number_format == "#,##0.00"  # numbers, not text


def test_export_of_a_teacher_holds_only_their_row(client, march):
    client.force_login(march.teacher)
    response = client.get(reverse("schools:hours-export", args=[march.world.school_a.pk]) + "?month=2026-03")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [march.teacher.full_name, rows[-1][0]]
