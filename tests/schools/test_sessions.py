"""The teacher's day (issue 5): today page, session log with its roll, rules, review, substitutes, races, speed."""

import datetime
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools.models import (
    Activity,
    ActivityCategory,
    Attendance,
    CalendarDay,
    CountySettings,
    HoursMonth,
    Role,
    Semester,
    ServiceClass,
    ServiceClassMember,
    Session,
    SessionAssistant,
    Stage,
    Substitution,
    Timetable,
    TimetableSlot,
)
from schools.selectors import sessions as selectors
from schools.services import sessions as services
from xiji_afterschool.errors import DomainError

from ..access.sessions import service_class_a
from ..concurrency import at_once as _at_once
from ..conftest import pretend_today
from ..factories import SchoolFactory, StudentFactory, user_with_role, valid_slots

D = datetime.date
T = datetime.time
PRESENT, ABSENT, LEAVE = Attendance.Mark.PRESENT, Attendance.Mark.ABSENT, Attendance.Mark.LEAVE


# ---------------------------------------------------------------- set-up


@pytest.fixture
def w(world, monkeypatch):
    """The world, with "today" fixed on a Wednesday of its autumn semester (the real date may be a weekend or a
    holiday), school_a's primary timetable filled in (summer 16:00–18:00, Monday to Friday), and its class."""
    today = D(world.autumn.start_date.year, 11, 10)
    while today.isoweekday() != 3:
        today += datetime.timedelta(days=1)
    world.today = pretend_today(monkeypatch, today)
    TimetableSlot.objects.bulk_create(valid_slots(world.timetable))
    world.sc = service_class_a(world)
    return world


def days_ago(w, n: int) -> datetime.date:
    return w.today - datetime.timedelta(days=n)


def add_children(w, service_class: ServiceClass, n: int) -> list:
    students = [StudentFactory(admin_class=w.class_a1) for _ in range(n)]
    ServiceClassMember.objects.bulk_create(
        ServiceClassMember(service_class=service_class, student=s, start_date=w.autumn.start_date, added_by=w.school_admin)
        for s in students
    )  # fmt: skip
    return students


def make_class(w, name: str, *, teacher=None, children: int = 0, kind=ServiceClass.Kind.REGULAR) -> ServiceClass:
    service_class = ServiceClass.objects.create(
        school=w.school_a, school_year=w.school_year, name=name, activity=ActivityCategory.SPORTS, kind=kind,
        teacher=teacher or w.service_teacher, capacity=60, created_by=w.school_admin,
    )  # fmt: skip
    service_class.admin_classes.add(w.class_a1)
    add_children(w, service_class, children)
    return service_class


def everyone_present(service_class: ServiceClass, day: datetime.date) -> dict:
    return {m.student_id: (PRESENT, "") for m in selectors.open_members(service_class=service_class, day=day)}


def log(w, *, actor=None, service_class=None, **overrides) -> Session:
    service_class = service_class or w.sc
    day = overrides.pop("date", w.today)
    kwargs = {
        "actor": actor or w.service_teacher,
        "service_class": service_class,
        "date": day,
        "start_time": T(16),
        "end_time": T(18),
        "class_hours": Decimal("2"),
        "activity_category": ActivityCategory.HOMEWORK,
        "activity": None,
        "content_note": "完成数学作业，订正错题",
        "assistants": [],
        "marks": everyone_present(service_class, day),
    }
    kwargs.update(overrides)
    return services.session_log(**kwargs)


def nothing_written():
    return not Session.objects.exists() and not Attendance.objects.exists() and not SessionAssistant.objects.exists()


# ---------------------------------------------------------------- logging: the allowed path


def test_teacher_logs_todays_session_with_its_roll(w):
    session = log(
        w,
        marks={w.child.pk: (PRESENT, "ignored"), w.other_child.pk: (LEAVE, " 发烧 ")},
        assistants=[w.volunteer],
    )
    assert (session.teacher, session.teacher_role, session.substitute_reason) == (w.service_teacher, "responsible", "")
    assert session.status == Session.Status.RECORDED and not session.late and session.flag == ""
    assert (session.present, session.absent, session.on_leave) == (1, 0, 1)
    assert session.class_hours == Decimal("2.0") and session.logged_by == w.service_teacher
    roll = dict(Attendance.objects.filter(session=session).values_list("student_id", "mark"))
    assert roll == {w.child.pk: PRESENT, w.other_child.pk: LEAVE}
    assert Attendance.objects.get(session=session, student=w.other_child).reason == "发烧"
    assert Attendance.objects.get(session=session, student=w.child).reason == ""  # no reason for a present child
    assert list(session.assistants.values_list("person", flat=True)) == [w.volunteer.pk]


def test_only_open_members_are_on_the_roll(w):
    left = add_children(w, w.sc, 1)[0]
    ServiceClassMember.objects.filter(student=left).update(end_date=days_ago(w, 1))
    joins_later = add_children(w, w.sc, 1)[0]
    ServiceClassMember.objects.filter(student=joins_later).update(start_date=w.today + datetime.timedelta(days=1))
    session = log(w, marks={w.child.pk: (PRESENT, ""), w.other_child.pk: (ABSENT, "")})
    assert session.roll.count() == 2
    # A child who left yesterday was still on the roll of the day before.
    day = days_ago(w, 2)
    assert set(everyone_present(w.sc, day)) == {w.child.pk, w.other_child.pk, left.pk}


def test_a_make_up_working_day_can_be_logged(w):
    saturday = days_ago(w, 4)
    assert saturday.isoweekday() == 6
    CalendarDay.objects.create(school_year=w.school_year, date=saturday, kind=CalendarDay.Kind.MAKEUP_WORKDAY)
    session = log(w, date=saturday)
    assert session.status == Session.Status.NEEDS_CONFIRMATION and session.late  # 4 days > 3


# ---------------------------------------------------------------- logging: every refusal, nothing written


REFUSALS = {
    "future": ({"date_offset": -1}, "in the future"),
    "before the semester": ({"date": "before_autumn"}, "outside the semesters"),
    "holiday": ({"date": "holiday"}, "has no service: Holiday"),
    "exam": ({"date": "exam"}, "has no service: Examination"),
    "weekend": ({"date_offset": 4}, "not a service day of this stage"),
    "zero hours": ({"class_hours": Decimal("0")}, "more than 0 and at most 4"),
    "negative hours": ({"class_hours": Decimal("-1")}, "more than 0 and at most 4"),
    "over 4 hours": ({"class_hours": Decimal("4.5")}, "more than 0 and at most 4"),
    "two decimals": ({"class_hours": Decimal("1.25")}, "one decimal place"),
    "end before start": ({"start_time": T(18), "end_time": T(16)}, "end after it starts"),
    "9-hour span": ({"start_time": T(8), "end_time": T(17)}, "at most 4 hours"),
    "empty note": ({"content_note": "   "}, "short note"),
    "long note": ({"content_note": "作" * 301}, "300 characters"),
    "bad category": ({"activity_category": "maths"}, "activity categories"),
    "stranger on the roll": ({"marks": "stranger"}, "not in this class"),
    "member missing": ({"marks": "missing"}, "missing from the roll: 李小红"),
    "bad mark": ({"marks": "bad_mark"}, "present, absent or on leave"),
    "long reason": ({"marks": "long_reason"}, "longer than 100"),
    "assistant not staff": ({"assistants": "parent"}, "teachers or volunteers of this school"),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_each_rule_refuses_with_a_clear_message_and_writes_nothing(w, english, name):
    overrides, fragment = dict(REFUSALS[name][0]), REFUSALS[name][1]
    CalendarDay.objects.create(school_year=w.school_year, date=days_ago(w, 1), kind=CalendarDay.Kind.EXAM)
    dates = {"before_autumn": w.autumn.start_date - datetime.timedelta(days=1), "holiday": w.calendar_day.date}
    dates["exam"] = days_ago(w, 1)
    if "date_offset" in overrides:
        overrides["date"] = days_ago(w, overrides.pop("date_offset"))
    elif "date" in overrides:
        overrides["date"] = dates[overrides["date"]]
    full = everyone_present(w.sc, w.today)
    rolls = {
        "stranger": {**full, w.child_b.pk: (PRESENT, "")},
        "missing": {w.child.pk: (PRESENT, "")},
        "bad_mark": {**full, w.child.pk: ("late", "")},
        "long_reason": {**full, w.child.pk: (ABSENT, "病" * 101)},
    }
    if "marks" in overrides:
        overrides["marks"] = rolls[overrides["marks"]]
    if overrides.get("assistants") == "parent":
        overrides["assistants"] = [w.parent]
    with pytest.raises(DomainError) as exc:
        log(w, **overrides)
    assert fragment in exc.value.message
    assert nothing_written()


def test_the_same_slot_twice_is_refused(w, english):
    log(w)
    for times in ((T(16), T(18)), (T(17), T(18, 30))):  # the same start, or overlapping times
        with pytest.raises(DomainError) as exc:
            log(w, start_time=times[0], end_time=times[1], actor=w.school_admin)
        assert "already logged" in exc.value.message
    assert Session.objects.count() == 1 and Attendance.objects.count() == 2


def test_the_database_refuses_a_second_session_in_the_same_slot_with_the_same_message(w, english, monkeypatch):
    log(w)
    monkeypatch.setattr(services.Session.objects, "filter", _no_existing_sessions(services.Session.objects.filter))
    with pytest.raises(DomainError) as exc:
        log(w)
    assert "already logged" in exc.value.message
    assert Session.objects.count() == 1


def _no_existing_sessions(real_filter):
    """Make the service's own check miss the first session, as a racing second request would."""

    def fake(*args, **kwargs):
        qs = real_filter(*args, **kwargs)
        return qs.none() if "start_time__lt" in kwargs else qs

    return fake


def test_activity_must_be_of_the_school_and_of_the_chosen_category(w, english):
    football = Activity.objects.create(school=w.school_a, name="足球", category=ActivityCategory.SPORTS)
    elsewhere = Activity.objects.create(school=w.school_b, name="篮球", category=ActivityCategory.SPORTS)
    with pytest.raises(DomainError, match="activity of this school"):
        log(w, activity=elsewhere, activity_category=ActivityCategory.SPORTS)
    with pytest.raises(DomainError, match="in the category"):
        log(w, activity=football, activity_category=ActivityCategory.HOMEWORK)
    assert nothing_written()
    assert log(w, activity=football, activity_category=ActivityCategory.SPORTS).activity == football


def test_a_closed_month_refuses_logging_and_confirming(w, english):
    late_session = log(w, date=days_ago(w, 7))
    HoursMonth.objects.create(school=w.school_a, month=w.today.replace(day=1), closed_by=w.school_admin)
    with pytest.raises(DomainError, match=r"The month \d{4}-\d{2} is closed; ask the administrator for an adjustment"):
        log(w)
    with pytest.raises(DomainError, match="closed"):
        services.session_confirm(actor=w.school_admin, session=late_session)
    late_session.refresh_from_db()
    assert late_session.status == Session.Status.NEEDS_CONFIRMATION and late_session.confirmed_by is None
    assert Session.objects.count() == 1


def test_an_error_after_the_session_is_inserted_leaves_no_session(w, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full while writing the roll")

    monkeypatch.setattr(Attendance.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        log(w, assistants=[w.volunteer])
    assert nothing_written()


# ---------------------------------------------------------------- who may log, and as what


def test_who_may_log_and_in_which_role(w):
    substitute_day, other_day = days_ago(w, 1), days_ago(w, 2)
    Substitution.objects.create(
        service_class=w.sc, date=substitute_day, substitute=w.volunteer, reason="王老师培训", created_by=w.school_admin
    )
    # Another teacher of the school, and the substitute on a day they do not stand in: refused.
    with pytest.raises(PermissionDenied):
        log(w, actor=w.class_teacher)
    with pytest.raises(PermissionDenied):
        log(w, actor=w.volunteer, date=other_day)
    for outsider in (w.other_school_admin, w.township, w.bureau, w.parent):
        with pytest.raises(PermissionDenied):
            log(w, actor=outsider)
    assert nothing_written()
    by_substitute = log(w, actor=w.volunteer, date=substitute_day)
    assert (by_substitute.teacher_role, by_substitute.substitute_reason) == ("substitute", "王老师培训")
    by_admin = log(w, actor=w.school_admin, date=other_day)
    assert (by_admin.teacher, by_admin.teacher_role) == (w.school_admin, "substitute")
    assert by_admin.substitute_reason == "logged by the administrator"
    by_teacher = log(w)  # today, as the class's own teacher
    assert by_teacher.teacher_role == "responsible"


def test_an_administrator_who_teaches_the_class_logs_as_responsible(w):
    own = make_class(w, "篮球社团", teacher=w.school_admin, children=2)
    assert log(w, actor=w.school_admin, service_class=own).teacher_role == "responsible"


# ---------------------------------------------------------------- late, flagged, confirmed


def test_a_late_session_waits_for_the_administrator(w):
    on_time = log(w, date=days_ago(w, 1))  # Tuesday: 1 day
    assert (on_time.late, on_time.status) == (False, Session.Status.RECORDED)
    limit = log(w, date=days_ago(w, 6))  # Thursday of last week: 6 days > 3
    assert (limit.late, limit.status) == (True, Session.Status.NEEDS_CONFIRMATION)
    CountySettings.objects.update_or_create(pk=1, defaults={"late_log_days": 7})
    assert log(w, date=days_ago(w, 7)).late is False  # 7 days, not more than 7


@pytest.mark.parametrize(
    "note, word",
    [
        ("今天补课，讲第三单元", "补课"),
        ("讲新课：分数的意义", "讲新课"),
        ("新授内容练习", "新授"),
        ("集体补习数学", "集体补习"),
        ("赶进度", "赶进度"),
        ("Make-Up Lesson on fractions", "Make-Up Lesson"),
        ("a NEW  lesson", "NEW  lesson"),
        ("完成作业，阅读绘本", None),
        ("homework and reading", None),
    ],
)
def test_a_note_that_reads_like_a_make_up_lesson_is_flagged_not_refused(w, english, note, word):
    session = log(w, content_note=note)
    if word is None:
        assert session.flag == "" and session.status == Session.Status.RECORDED
    else:
        assert session.flag == f"R12:{word}" and session.status == Session.Status.NEEDS_CONFIRMATION
        assert f"“{word}”" in services.flag_message(session.flag)


def test_the_administrator_confirms_once(w, english):
    session = log(w, content_note="补课")
    with pytest.raises(PermissionDenied):
        services.session_confirm(actor=w.service_teacher, session=session)
    with pytest.raises(PermissionDenied):
        services.session_confirm(actor=w.other_school_admin, session=session)
    services.session_confirm(actor=w.school_admin, session=session)
    session.refresh_from_db()
    assert (session.status, session.confirmed_by) == (Session.Status.CONFIRMED, w.school_admin)
    with pytest.raises(DomainError, match="nothing to confirm"):
        services.session_confirm(actor=w.school_admin, session=session)
    recorded = log(w, date=days_ago(w, 1))
    with pytest.raises(DomainError, match="nothing to confirm"):
        services.session_confirm(actor=w.school_admin, session=recorded)


# ---------------------------------------------------------------- prefill from the timetable


@pytest.mark.parametrize(
    "minutes, per_day, expected",
    [(120, 2, "2"), (120, 3, "3"), (90, 2, "1.5"), (100, 2, "1.5"), (105, 2, "2"), (45, 2, "1"), (15, 2, "0.5")],
)
def test_class_hours_prefill_rule(minutes, per_day, expected):
    slot = TimetableSlot(start_time=T(15), end_time=T(15 + minutes // 60, minutes % 60))
    assert selectors.prefill_class_hours(slot, CountySettings(class_hours_per_day=per_day)) == Decimal(expected)
    assert selectors.prefill_class_hours(None, CountySettings()) is None


def test_the_newest_version_in_force_and_the_class_kind_give_the_times(w):
    page = selectors.log_page(service_class=w.sc, day=w.today, today=w.today)
    assert (page.slot.start_time, page.slot.end_time, page.class_hours) == (T(16), T(18), Decimal(2))
    v2 = Timetable.objects.create(
        school=w.school_a, semester=w.autumn, stage="primary", version=2, effective_from=days_ago(w, 7),
        opening_season=Timetable.Season.SUMMER,
    )  # fmt: skip
    v3 = Timetable.objects.create(
        school=w.school_a, semester=w.autumn, stage="primary", version=3, effective_from=w.today + datetime.timedelta(1),
        opening_season=Timetable.Season.SUMMER,
    )  # fmt: skip
    for timetable, start, kind in ((v2, T(16, 30), "regular"), (v3, T(15), "regular"), (v2, T(18), "extended")):
        TimetableSlot.objects.create(
            timetable=timetable, season="summer", weekday=3, kind=kind, start_time=start, end_time=T(19, 30)
        )
    page = selectors.log_page(service_class=w.sc, day=w.today, today=w.today)
    assert (page.slot.start_time, page.class_hours) == (T(16, 30), Decimal("3"))  # 3 hours
    extended = make_class(w, "延时托管班", kind=ServiceClass.Kind.EXTENDED)
    page = selectors.log_page(service_class=extended, day=w.today, today=w.today)
    assert (page.slot.start_time, page.class_hours) == (T(18), Decimal("1.5"))
    evening = make_class(w, "晚自习", kind=ServiceClass.Kind.EVENING)
    assert selectors.log_page(service_class=evening, day=w.today, today=w.today).slot is None


def test_without_a_timetable_nothing_is_prefilled(w, client):
    w.timetable.delete()
    client.force_login(w.service_teacher)
    response = client.get(reverse("schools:session-log", args=[w.sc.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["start_time"].value() is None and form["class_hours"].value() is None


# ---------------------------------------------------------------- the pages


def test_log_page_prefills_and_one_post_saves_the_whole_roll(w, client, english):
    client.force_login(w.service_teacher)
    url = reverse("schools:session-log", args=[w.sc.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="16:00"' in html and 'value="18:00"' in html and "马小明" in html and "李小红" in html
    assert response.context["form"]["activity_category"].field.choices[0][0] == ActivityCategory.HOMEWORK
    assert html.count('value="present" autocomplete="off" checked') == 2  # everyone present is the default
    post = {
        "date": w.today.isoformat(), "start_time": "16:00", "end_time": "18:00", "class_hours": "2",
        "activity_category": "homework", "content_note": "作业辅导",
        f"mark-{w.child.pk}": "present", f"mark-{w.other_child.pk}": "absent", f"reason-{w.other_child.pk}": "未到校",
    }  # fmt: skip
    response = client.post(url, post)
    assert response.status_code == 302 and response["Location"] == reverse("schools:teacher-today")
    session = Session.objects.get()
    assert (session.present, session.absent) == (1, 1)
    assert Attendance.objects.get(student=w.other_child).reason == "未到校"
    # Saving again (a second tap, a reload): the clear message, no second session, no 500.
    response = client.post(url, post, follow=True)
    assert "already logged" in response.content.decode()
    assert Session.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"class_hours": "abc"},
        {"class_hours": "-1"},
        {"class_hours": "9"},
        {"start_time": "25:00"},
        {"start_time": "08:00", "end_time": "17:00"},
        {"date": "2021-02-30"},
        {"date": ""},
        {"content_note": ""},
        {"activity_category": "maths"},
        {"activity": "999999"},
        {"assistants": ["abc"]},
        {"mark-abc": "present"},
        {"mark-STRANGER": "present"},
        {"mark-CHILD": "late"},
        {"mark-CHILD": None},
    ],
)
def test_bad_input_gets_a_message_never_a_500_and_writes_nothing(w, client, english, changes):
    client.force_login(w.service_teacher)
    post = {
        "date": w.today.isoformat(), "start_time": "16:00", "end_time": "18:00", "class_hours": "2",
        "activity_category": "homework", "content_note": "作业辅导",
        f"mark-{w.child.pk}": "present", f"mark-{w.other_child.pk}": "present",
    }  # fmt: skip
    for key, value in changes.items():
        key = key.replace("STRANGER", str(w.child_b.pk)).replace("CHILD", str(w.child.pk))
        if value is None:
            post.pop(key)
        else:
            post[key] = value
    response = client.post(reverse("schools:session-log", args=[w.sc.pk]), post)
    assert response.status_code == 200
    assert list(response.context["messages"]), "the teacher is told what is wrong"
    assert nothing_written()


def test_a_teacher_cannot_open_another_teachers_class(w, client):
    other = make_class(w, "合唱社团", teacher=w.volunteer, children=1)
    client.force_login(w.service_teacher)
    assert client.get(reverse("schools:session-log", args=[other.pk])).status_code == 404
    assert client.post(reverse("schools:session-log", args=[other.pk]), {}).status_code == 404
    outsider = user_with_role(Role.SERVICE_TEACHER, school=SchoolFactory())
    client.force_login(outsider)
    assert client.get(reverse("schools:session-log", args=[w.sc.pk])).status_code == 404


def test_today_page_shows_todays_classes_and_last_weeks_unlogged_days(w, client):
    log(w, date=days_ago(w, 1))  # Tuesday logged
    Substitution.objects.create(
        service_class=w.sc, date=days_ago(w, 2), substitute=w.volunteer, reason="外出", created_by=w.school_admin
    )
    client.force_login(w.service_teacher)
    response = client.get(reverse("schools:teacher-today"))
    assert response.status_code == 200
    day = response.context["day"]
    assert [(r.service_class, r.role, r.session_id) for r in day.rows] == [(w.sc, "responsible", None)]
    assert day.rows[0].slot.start_time == T(16) and day.rows[0].members == 2
    # Last week: Monday (the volunteer stood in), Sunday, Saturday: none for the teacher; Friday … Wednesday: three.
    assert [r.day for r in day.unlogged] == [days_ago(w, n) for n in (5, 6, 7)]
    assert [r.late for r in day.unlogged] == [True, True, True]
    # The volunteer sees Monday's class (as its substitute) among the unlogged days, and nothing today.
    client.force_login(w.volunteer)
    day = client.get(reverse("schools:teacher-today")).context["day"]
    assert day.rows == [] and [(r.day, r.role) for r in day.unlogged] == [(days_ago(w, 2), "substitute")]


def test_today_page_runs_a_fixed_number_of_queries(w, client, django_assert_num_queries):
    client.force_login(w.service_teacher)
    CountySettings.current()
    url = reverse("schools:teacher-today")
    with CaptureQueriesContext(connection) as one_class:
        assert client.get(url).status_code == 200
    for n in (3, 10, 25):
        make_class(w, f"班{n}", children=n)
    Substitution.objects.create(
        service_class=make_class(w, "代课班", teacher=w.volunteer, children=5),
        date=w.today, substitute=w.service_teacher, reason="请假", created_by=w.school_admin,
    )  # fmt: skip
    log(w, date=days_ago(w, 1))
    with django_assert_num_queries(len(one_class)):
        response = client.get(url)
    assert len(response.context["day"].rows) == 5
    assert len(one_class) == TODAY_QUERIES, [q["sql"] for q in one_class.captured_queries]


TODAY_QUERIES = 12  # session, user, memberships, classes, admin classes, semesters, sessions, substitutes,
# calendar days, timetables, slots, county settings


def _roll_post(w, service_class):
    post = {
        "date": w.today.isoformat(), "start_time": "16:00", "end_time": "18:00", "class_hours": "2",
        "activity_category": "homework", "content_note": "作业辅导", "assistants": [w.volunteer.pk],
        "activity": Activity.objects.get_or_create(school=w.school_a, name="作业", category="homework")[0].pk,
    }  # fmt: skip
    for m in selectors.open_members(service_class=service_class, day=w.today):
        post[f"mark-{m.student_id}"] = "present"
    return post


SAVE_QUERIES = 28  # 27, and the one audit record of the session with its roll (issue #13)


def test_saving_a_roll_runs_a_fixed_number_of_queries_and_45_children_save_fast(w, client, django_assert_num_queries):
    small, large = make_class(w, "十人班", children=10), make_class(w, "四十五人班", children=45)
    CountySettings.current()
    client.force_login(w.service_teacher)
    post = _roll_post(w, small)
    with django_assert_num_queries(SAVE_QUERIES):
        response = client.post(reverse("schools:session-log", args=[small.pk]), post)
    assert response.status_code == 302
    post = _roll_post(w, large)
    started = time.perf_counter()
    with django_assert_num_queries(SAVE_QUERIES):
        response = client.post(reverse("schools:session-log", args=[large.pk]), post)
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    assert Attendance.objects.filter(session__service_class=large).count() == 45
    print(f"\n45-child roll saved in {elapsed * 1000:.0f} ms ({connection.vendor})")
    assert elapsed < 2


def test_detail_review_and_confirm_pages(w, client):
    flagged = log(w, content_note="讲新课", marks={w.child.pk: (PRESENT, ""), w.other_child.pk: (ABSENT, "病假")})
    late = log(w, date=days_ago(w, 6))
    client.force_login(w.service_teacher)
    html = client.get(reverse("schools:session-detail", args=[flagged.pk])).content.decode()
    assert "病假" in html and "讲新课" in html and reverse("schools:session-confirm", args=[flagged.pk]) not in html
    client.force_login(w.school_admin)
    response = client.get(reverse("schools:session-detail", args=[flagged.pk]))
    assert reverse("schools:session-confirm", args=[flagged.pk]) in response.content.decode()
    response = client.get(reverse("schools:session-review"))
    assert [s.pk for s in response.context["page"]] == [late.pk, flagged.pk]
    response = client.post(reverse("schools:session-confirm", args=[late.pk]), {"next": "review"})
    assert response.status_code == 302 and response["Location"] == reverse("schools:session-review")
    assert [s.pk for s in client.get(reverse("schools:session-review")).context["page"]] == [flagged.pk]
    client.post(reverse("schools:session-confirm", args=[late.pk]))  # twice: a message, no 500
    late.refresh_from_db()
    assert late.status == Session.Status.CONFIRMED and late.confirmed_by == w.school_admin
    client.force_login(w.other_school_admin)
    assert list(client.get(reverse("schools:session-review")).context["page"]) == []


def test_review_queue_query_count_does_not_grow(w, client, django_assert_max_num_queries):
    for n in range(1, 8):
        log(w, date=days_ago(w, n), content_note="补课") if days_ago(w, n).isoweekday() <= 5 else None
    client.force_login(w.school_admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("schools:session-review"))
    assert len(response.context["page"]) == 5


# ---------------------------------------------------------------- recorded substitutes


def test_the_school_records_a_substitute_who_may_then_log_that_day(w, client, english):
    client.force_login(w.school_admin)
    url = reverse("schools:substitution-create", args=[w.sc.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"date": w.today.isoformat(), "substitute": w.volunteer.pk, "reason": "王老师培训"})
    assert response.status_code == 302
    substitution = Substitution.objects.get()
    assert (substitution.substitute, substitution.reason, substitution.created_by) == (
        w.volunteer, "王老师培训", w.school_admin,
    )  # fmt: skip
    client.force_login(w.volunteer)
    day = client.get(reverse("schools:teacher-today")).context["day"]
    assert [(r.service_class, r.role) for r in day.rows] == [(w.sc, "substitute")]
    assert client.get(reverse("schools:session-log", args=[w.sc.pk])).status_code == 200
    session = log(w, actor=w.volunteer)
    assert session.teacher_role == "substitute" and session.substitute_reason == "王老师培训"
    # Once the day is logged its substitute stands.
    with pytest.raises(DomainError, match="already logged"):
        services.substitution_record(
            actor=w.school_admin, service_class=w.sc, date=w.today, substitute=w.class_teacher, reason="x"
        )


def test_substitute_rules(w, english):
    def record(**kw):
        args = {"actor": w.school_admin, "service_class": w.sc, "date": w.today, "substitute": w.volunteer}
        return services.substitution_record(**{**args, "reason": "培训", **kw})

    for kw, fragment in (
        ({"reason": " "}, "reason"),
        ({"substitute": w.service_teacher}, "own teacher"),
        ({"substitute": w.parent}, "teacher or volunteer of this school"),
        ({"substitute": w.other_school_admin}, "teacher or volunteer of this school"),
        ({"date": w.school_year.end_date + datetime.timedelta(days=1)}, "school year"),
    ):
        with pytest.raises(DomainError, match=fragment):
            record(**kw)
    with pytest.raises(PermissionDenied):
        record(actor=w.service_teacher)
    with pytest.raises(PermissionDenied):
        record(actor=w.other_school_admin)
    assert not Substitution.objects.exists()
    record()
    replaced = record(substitute=w.class_teacher, reason="改派")  # before the day is logged, it may change
    assert Substitution.objects.get() == replaced and replaced.substitute == w.class_teacher


def test_no_substitute_is_recorded_in_a_closed_month(w, english):
    HoursMonth.objects.create(school=w.sc.school, month=w.today.replace(day=1), closed_by=w.school_admin)
    with pytest.raises(DomainError, match="is closed; ask the administrator for an adjustment"):
        services.substitution_record(
            actor=w.school_admin, service_class=w.sc, date=w.today, substitute=w.volunteer, reason="培训"
        )
    assert not Substitution.objects.exists()


# ---------------------------------------------------------------- two people at the same moment


@pytest.mark.django_db(transaction=True)
def test_two_teachers_saving_the_same_session_at_once_save_it_once(w, english):
    Substitution.objects.create(
        service_class=w.sc, date=w.today, substitute=w.volunteer, reason="培训", created_by=w.school_admin
    )
    marks = everyone_present(w.sc, w.today)
    first = ServiceClass.objects.get(pk=w.sc.pk)
    second = ServiceClass.objects.get(pk=w.sc.pk)
    results = _at_once(
        lambda: log(w, actor=w.service_teacher, service_class=first, marks=marks),
        lambda: log(w, actor=w.volunteer, service_class=second, marks=marks),
    )
    assert results.count("ok") == 1, results
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 1 and "already logged" in errors[0].message, results
    assert Session.objects.count() == 1 and Attendance.objects.count() == 2


def test_the_log_page_says_so_when_the_viewer_may_not_log_that_day(w, client, english):
    Substitution.objects.create(
        service_class=w.sc, date=days_ago(w, 1), substitute=w.volunteer, reason="培训", created_by=w.school_admin
    )
    client.force_login(w.volunteer)
    url = reverse("schools:session-log", args=[w.sc.pk])
    assert 'name="content_note"' in client.get(f"{url}?date={days_ago(w, 1).isoformat()}").content.decode()
    response = client.get(f"{url}?date={w.today.isoformat()}")
    assert response.status_code == 200 and 'name="content_note"' not in response.content.decode()
    assert "recorded substitute on this day" in response.content.decode()
    post = {"date": w.today.isoformat(), "start_time": "16:00", "end_time": "18:00", "class_hours": "2",
            "activity_category": "homework", "content_note": "作业", f"mark-{w.child.pk}": "present",
            f"mark-{w.other_child.pk}": "present"}  # fmt: skip
    assert client.post(url, post).status_code == 403
    assert nothing_written()


# ---------------------------------------------------------------- the journey (issue #15 item 1): next, pre-fill


def test_saving_lands_on_today_with_the_next_session_ready(w, client):
    """Logging today's session from the today page: back on today, where the next day to log is on top."""
    client.force_login(w.service_teacher)
    day = client.get(reverse("schools:teacher-today")).context["day"]
    assert (day.next.service_class, day.next.day) == (w.sc, w.today)  # today's class first
    post = {
        "date": w.today.isoformat(), "start_time": "16:00", "end_time": "18:00", "class_hours": "2",
        "activity_category": "homework", "content_note": "作业辅导",
        f"mark-{w.child.pk}": "present", f"mark-{w.other_child.pk}": "present",
    }  # fmt: skip
    response = client.post(reverse("schools:session-log", args=[w.sc.pk]), post, follow=True)
    assert response.redirect_chain == [(reverse("schools:teacher-today"), 302)]
    day = response.context["day"]
    # Today is logged, so the next is the newest unlogged day of the last week, offered at the top of the page.
    assert day.rows[0].session_id is not None
    assert (day.next.service_class, day.next.day) == (w.sc, day.unlogged[0].day)
    html = response.content.decode()
    next_url = reverse("schools:session-log", args=[w.sc.pk]) + f"?date={day.next.day.isoformat()}"
    assert html.index('id="next"') < html.index('section class="card mb-3"')
    assert next_url in html[html.index('id="next"') :]


def test_nothing_left_to_log_says_so(w, client):
    for n in (0, 1, 2, 5, 6, 7):
        log(w, date=days_ago(w, n))
    client.force_login(w.service_teacher)
    response = client.get(reverse("schools:teacher-today"))
    assert response.context["day"].next is None
    assert 'data-next="none"' in response.content.decode()


def test_the_log_page_fills_in_what_the_class_did_last_time(w, client):
    activity = Activity.objects.create(school=w.school_a, name="趣味数学", category=ActivityCategory.HOMEWORK)
    log(w, date=days_ago(w, 7), content_note="旧的内容")
    log(w, date=days_ago(w, 1), content_note="完成数学作业，订正错题", activity=activity)
    client.force_login(w.service_teacher)
    response = client.get(reverse("schools:session-log", args=[w.sc.pk]))
    form = response.context["form"]
    assert form.initial["content_note"] == "完成数学作业，订正错题"  # the newest session before the day
    assert form.initial["activity"] == activity.pk and form.initial["activity_category"] == ActivityCategory.HOMEWORK
    html = response.content.decode()
    assert "完成数学作业，订正错题</textarea>" in html and f'data-prefilled="{days_ago(w, 1).isoformat()}"' in html
    # Logging a day before any session of the class: nothing to offer, the field is empty.
    response = client.get(reverse("schools:session-log", args=[w.sc.pk]) + f"?date={days_ago(w, 8).isoformat()}")
    assert response.context["form"].initial["content_note"] == "" and "data-prefilled" not in response.content.decode()


def test_a_day_without_service_is_named_as_a_chinese_date_on_a_chinese_page():
    """#15 item 5: the today page said "2026-12-06不是该学段的服务日"; a Chinese page says 2026年12月6日."""
    from django.utils import translation

    semester = Semester(start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2027, 1, 20))
    sunday, after_term = datetime.date(2026, 12, 6), datetime.date(2027, 2, 1)
    with translation.override("zh-hans"):
        why = selectors.day_without_service(day=sunday, semesters=[semester], stage=Stage.PRIMARY, exceptions={})
        outside = selectors.day_without_service(day=after_term, semesters=[semester], stage=Stage.PRIMARY,
                                                exceptions={})  # fmt: skip
    assert why.startswith("2026年12月6日") and "2026-12-06" not in why
    assert outside.startswith("2027年2月1日")
