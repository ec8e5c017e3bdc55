"""Late pick-up alerts (R30, issue 11 §3): when they are raised, who is told, reminders, the system's resolution
once the child is handed over, idempotency, cost, and a person's resolution with its rules and rights."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from safety.models import DutyRoster, Handover, LateAlert
from safety.rules import alerts as rules
from safety.selectors import alerts as selectors
from safety.services import alerts as services
from safety.tasks import raise_late_pickups_task
from schools.models import CountySettings, Notification, NotificationKind, Role, Student
from xiji_afterschool.errors import DomainError

from ..access.alerts import at, session_with_children
from ..conftest import events, messages_of, pretend_today
from ..factories import StudentFactory, link_guardian, user_with_role

T = datetime.time


@pytest.fixture
def w(world, monkeypatch):
    """A Wednesday of the autumn semester; a session of school_a ending 17:30 with child and other_child present."""
    day = datetime.date(world.autumn.start_date.year, 11, 10)
    while day.isoweekday() != 3:
        day += datetime.timedelta(days=1)
    world.today = pretend_today(monkeypatch, day)
    world.session = session_with_children(world, day=day, children=[world.child, world.other_child])
    return world


def run(w, hour, minute=0, second=0):
    return services.late_alerts_raise(now=at(w.today, hour, minute, second))


def handover(w, student, to, *, to_staff=None, sequence=1, hour=17, minute=50):
    """A hand-over record as the hand-over service writes it (that service is another concern's)."""
    return Handover.objects.create(
        student=student, date=w.today, sequence=sequence, session=w.session, to=to, from_staff=w.service_teacher,
        to_staff=to_staff, recipient_name="马文清" if to != Handover.To.STAFF else "", handed_at=at(w.today, hour, minute),
        recorded_by=w.service_teacher,
    )  # fmt: skip


def inbox(user, key_prefix="late:"):
    return list(
        Notification.objects.filter(user=user, kind=NotificationKind.LATE_PICKUP, dedupe_key__startswith=key_prefix)
        .order_by("pk")
        .values_list("dedupe_key", flat=True)
    )


# ---------------------------------------------------------------- the time arithmetic


def test_a_session_ending_1730_is_late_at_1745_not_at_1744():
    day = datetime.date(2026, 11, 11)
    assert rules.alert_due_at(day, T(17, 30), 15) == at(day, 17, 45)
    assert not rules.is_late(at(day, 17, 44), day, T(17, 30), 15)
    assert not rules.is_late(at(day, 17, 44, 59), day, T(17, 30), 15)
    assert rules.is_late(at(day, 17, 45), day, T(17, 30), 15)
    assert rules.is_late(at(day, 17, 40), day, T(17, 30), 10)


def test_reminder_timing_rule():
    day = datetime.date(2026, 11, 11)
    told = at(day, 17, 45)
    assert not rules.reminder_due(at(day, 17, 54, 59), told, 10)
    assert rules.reminder_due(at(day, 17, 55), told, 10)
    assert rules.reminder_due(at(day, 17, 55), None, 10)


def test_the_default_settings_are_15_and_10_minutes(db):
    county = CountySettings.current()
    assert (county.late_pickup_minutes, county.late_pickup_repeat_minutes) == (15, 10)


def test_the_job_raises_at_1745_not_at_1744(w):
    assert run(w, 17, 44).raised == 0
    assert not LateAlert.objects.exists()
    assert run(w, 17, 45).raised == 2
    alert = LateAlert.objects.get(student=w.child)
    assert (alert.school, alert.date, alert.session, alert.holder) == (
        w.school_a,
        w.today,
        w.session,
        w.service_teacher,
    )
    assert alert.status == LateAlert.Status.OPEN
    assert events(alert) == [("raise", "", "open", None, "")]
    assert alert.events.get().by_system


def test_the_county_setting_moves_the_moment(w):
    CountySettings.objects.update_or_create(pk=1, defaults={"late_pickup_minutes": 5})
    assert run(w, 17, 34).raised == 0
    assert run(w, 17, 35).raised == 2


# ---------------------------------------------------------------- who is told


def test_holder_duty_teacher_gate_and_guardians_are_told(w):
    DutyRoster.objects.create(
        school=w.school_a, date=w.today, duty_teacher=w.class_teacher, gate_keeper=w.gate, created_by=w.school_admin
    )
    run(w, 17, 45)
    child_alert = LateAlert.objects.get(student=w.child)
    other_alert = LateAlert.objects.get(student=w.other_child)
    both = sorted([f"late:{child_alert.pk}", f"late:{other_alert.pk}"])
    for person in (w.service_teacher, w.class_teacher, w.gate):
        assert sorted(inbox(person)) == both
    assert inbox(w.parent) == [f"late:{child_alert.pk}"]
    assert inbox(w.other_parent) == [f"late:{other_alert.pk}"]
    assert inbox(w.school_admin) == [] and inbox(w.care_staff) == []  # the roster names who answers today
    staff_note = Notification.objects.get(user=w.gate, dedupe_key=f"late:{child_alert.pk}")
    assert "马小明" in staff_note.title and "17:30" in staff_note.body
    assert staff_note.url == reverse("safety:alert-detail", args=[child_alert.pk])
    # A parent cannot open the alert page; their notice opens the child's hand-overs (today: not yet collected).
    assert Notification.objects.get(user=w.parent).url == reverse("safety:student-handovers", args=[w.child.pk])


def test_without_a_roster_the_admins_and_gate_keepers_are_told(w):
    run(w, 17, 45)
    alert = LateAlert.objects.get(student=w.child)
    assert f"late:{alert.pk}" in inbox(w.school_admin)
    assert f"late:{alert.pk}" in inbox(w.gate)
    assert inbox(w.class_teacher) == []


def test_a_child_handed_to_staff_is_held_by_them(w):
    handover(w, w.child, Handover.To.STAFF, to_staff=w.care_staff, hour=17, minute=35)
    run(w, 17, 45)
    alert = LateAlert.objects.get(student=w.child)
    assert alert.holder == w.care_staff
    assert inbox(w.care_staff) == [f"late:{alert.pk}"]


def test_a_child_handed_over_for_the_day_raises_nothing(w):
    handover(w, w.child, Handover.To.COLLECTOR, hour=17, minute=35)
    run(w, 17, 45)
    assert list(LateAlert.objects.values_list("student", flat=True)) == [w.other_child.pk]


def test_a_child_absent_or_in_another_school_raises_nothing(w):
    absent = StudentFactory(admin_class=w.class_a1)
    session = session_with_children(w, day=w.today, children=[], start=T(15), end=T(16))
    session.roll.create(student=absent, mark="absent")
    run(w, 19)
    assert set(LateAlert.objects.values_list("student", flat=True)) == {w.child.pk, w.other_child.pk}


def test_a_child_in_a_later_session_waits_for_its_end(w):
    later = session_with_children(w, day=w.today, children=[w.child], start=T(17, 30), end=T(18, 30))
    run(w, 17, 45)
    assert list(LateAlert.objects.values_list("student", flat=True)) == [w.other_child.pk]
    run(w, 18, 45)
    assert LateAlert.objects.get(student=w.child).session == later


# ---------------------------------------------------------------- reminders and the system's resolution


def test_reminders_every_ten_minutes_until_resolved(w):
    run(w, 17, 45)
    alert = LateAlert.objects.get(student=w.child)
    assert run(w, 17, 54, 59).reminded == 0
    assert run(w, 17, 55).reminded == 2
    alert.refresh_from_db()
    assert (alert.reminders, alert.last_reminded_at) == (1, at(w.today, 17, 55))
    assert run(w, 18, 4).reminded == 0
    assert run(w, 18, 5).reminded == 2
    alert.refresh_from_db()
    assert alert.reminders == 2
    assert [e[0] for e in events(alert)] == ["raise", "remind", "remind"]
    assert inbox(w.parent) == [f"late:{alert.pk}", f"late:{alert.pk}:remind:1", f"late:{alert.pk}:remind:2"]
    services.late_alert_resolve(actor=w.school_admin, alert=alert, resolution=LateAlert.Resolution.GUARDIAN_REACHED)
    run(w, 18, 30)
    alert.refresh_from_db()
    assert alert.reminders == 2  # resolved: no more reminders


def test_a_final_handover_resolves_the_open_alert_as_the_system(w):
    run(w, 17, 45)
    moved = handover(w, w.child, Handover.To.STAFF, to_staff=w.class_teacher, hour=17, minute=50)
    summary = run(w, 17, 55)
    assert summary.resolved == 0  # handed to staff: still in the school's hands, still late
    final = handover(w, w.child, Handover.To.COLLECTOR, sequence=2, hour=17, minute=58)
    summary = run(w, 18)
    assert summary.resolved == 1
    alert = LateAlert.objects.get(student=w.child)
    assert alert.status == LateAlert.Status.RESOLVED
    assert (alert.resolution, alert.handover, alert.resolved_by) == (LateAlert.Resolution.COLLECTED, final, None)
    assert alert.resolved_at == at(w.today, 18)
    last = alert.events.last()
    assert (last.action, last.by_system, last.actor) == ("resolve", True, None)
    assert moved.pk != final.pk
    assert run(w, 18, 30).reminded == 1  # only other_child is still waiting


def test_a_reminder_goes_to_the_current_holder(w):
    run(w, 17, 45)
    handover(w, w.child, Handover.To.STAFF, to_staff=w.care_staff, hour=17, minute=50)
    run(w, 17, 55)
    alert = LateAlert.objects.get(student=w.child)
    assert alert.holder == w.service_teacher  # who held the child when raised
    assert inbox(w.care_staff) == [f"late:{alert.pk}:remind:1"]


# ---------------------------------------------------------------- idempotency and cost


def test_running_twice_raises_and_tells_once(w):
    first = run(w, 17, 45)
    notifications = Notification.objects.count()
    second = run(w, 17, 45)
    assert (first.raised, second.raised, second.reminded) == (2, 0, 0)
    assert LateAlert.objects.count() == 2
    assert Notification.objects.count() == notifications


def test_overlapping_runs_raise_and_remind_once(w):
    """Two runs that read the day at the same moment: the second's insert meets the constraint, its reminder the
    compare-and-set on `reminders`; neither tells anyone twice."""
    held = selectors.custody_for_day(day=w.today)[w.child.pk]
    people = services._People(
        day=w.today, school_ids={w.school_a.pk}, user_ids={w.service_teacher.pk}, student_ids={w.child.pk}
    )
    assert services._raise(held, day=w.today, now=at(w.today, 17, 45), people=people) is True
    told = Notification.objects.count()
    assert services._raise(held, day=w.today, now=at(w.today, 17, 45), people=people) is False
    assert LateAlert.objects.count() == 1 and Notification.objects.count() == told
    stale_a, stale_b = LateAlert.objects.get(), LateAlert.objects.get()
    assert services._remind(stale_a, held, now=at(w.today, 17, 55), people=people) is True
    assert services._remind(stale_b, held, now=at(w.today, 17, 55), people=people) is False
    alert = LateAlert.objects.get()
    assert alert.reminders == 1 and alert.events.filter(action="remind").count() == 1
    handed = handover(w, w.child, Handover.To.COLLECTOR, hour=18)
    assert services._resolve_handed_over(stale_a, handed, now=at(w.today, 18, 1)) is True
    assert services._resolve_handed_over(stale_b, handed, now=at(w.today, 18, 1)) is False


def test_a_child_who_left_early_through_the_gate_raises_no_alert(w):
    """The gate recorded the child leaving with a listed adult (an early leave): nobody holds them any more."""
    from safety.models import EarlyLeave

    EarlyLeave.objects.create(
        school=w.school_a, student=w.child, date=w.today, leave_at=T(16, 30), reason="sick", adult_name="马文清",
        guardian=w.child.guardian_links.get().guardian,
        adult_relation="father", status=EarlyLeave.Status.LEFT, permitted_by=w.class_teacher,
        left_at=at(w.today, 16, 35), left_recorded_by=w.gate,
    )  # fmt: skip
    assert run(w, 17, 45).raised == 1
    assert list(LateAlert.objects.values_list("student", flat=True)) == [w.other_child.pk]
    assert w.child.pk not in selectors.custody_for_day(day=w.today)


def test_the_job_costs_the_same_queries_for_2_or_30_children(w, django_assert_max_num_queries):
    run(w, 17, 45)
    with django_assert_max_num_queries(6):
        assert run(w, 17, 50).raised == 0  # open, not yet due for a reminder: reads only
    more = [StudentFactory(admin_class=w.class_a1) for _ in range(28)]
    session = session_with_children(w, day=w.today, children=more, start=T(15), end=T(17))
    run(w, 17, 45)
    assert LateAlert.objects.count() == 30 and LateAlert.objects.filter(session=session).count() == 28
    with django_assert_max_num_queries(6):
        assert run(w, 17, 50).raised == 0


def test_raising_costs_a_fixed_number_of_queries_per_alert(w, django_assert_max_num_queries):
    """Per raised alert: its insert, its event, and the notify calls (3 staff + guardians); never a scan per child."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        run(w, 17, 45)
    w2 = [StudentFactory(admin_class=w.class_a1) for _ in range(2)]
    for child in w2:
        link_guardian(child)
    session_with_children(w, day=w.today, children=w2, start=T(15), end=T(17))
    with CaptureQueriesContext(connection) as four:
        assert run(w, 17, 50).raised == 2  # the two new children; the first two are not yet due for a reminder
    assert len(four.captured_queries) <= len(two.captured_queries)


def test_the_periodic_task_runs_the_job_every_minute(w, eager_celery, monkeypatch):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "safety.raise_late_pickups_task")
    assert entry["schedule"].minute == set(range(60))
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    monkeypatch.setattr(services.timezone, "now", lambda: at(w.today, 17, 45))
    assert raise_late_pickups_task.delay().get() == {"raised": 2, "reminded": 0, "resolved": 0}


# ---------------------------------------------------------------- a person's resolution


def test_who_may_resolve(w, english):
    DutyRoster.objects.create(school=w.school_a, date=w.today, duty_teacher=w.class_teacher, created_by=w.school_admin)
    run(w, 17, 45)
    child_alert = LateAlert.objects.get(student=w.child)
    other_alert = LateAlert.objects.get(student=w.other_child)
    teacher_b = user_with_role(Role.SERVICE_TEACHER, school=w.school_b)
    for person in (w.volunteer, w.gate, w.care_staff, teacher_b, w.parent, w.township, w.bureau, w.other_school_admin):
        with pytest.raises(PermissionDenied):
            services.late_alert_resolve(actor=person, alert=child_alert, resolution="reached")
    services.late_alert_resolve(actor=w.service_teacher, alert=child_alert, resolution="reached")  # the holder
    services.late_alert_resolve(actor=w.class_teacher, alert=other_alert, resolution="reached")  # on duty today
    child_alert.refresh_from_db()
    assert (child_alert.status, child_alert.resolved_by, child_alert.resolution) == (
        "resolved", w.service_teacher, "reached"
    )  # fmt: skip
    assert events(child_alert)[-1] == ("resolve", "open", "resolved", w.service_teacher.pk, "")
    with pytest.raises(DomainError, match="cannot be done now"):
        services.late_alert_resolve(actor=w.school_admin, alert=child_alert, resolution="other", note="again")


def test_the_duty_teacher_of_another_day_may_not_resolve(w):
    DutyRoster.objects.create(
        school=w.school_a, date=w.today + datetime.timedelta(days=1), duty_teacher=w.class_teacher,
        created_by=w.school_admin,
    )  # fmt: skip
    run(w, 17, 45)
    with pytest.raises(PermissionDenied):
        services.late_alert_resolve(actor=w.class_teacher, alert=LateAlert.objects.first(), resolution="reached")


def test_collected_is_the_hand_overs_word_not_a_persons(w, client, english):
    """Who collected a late child is a hand-over (recipient, time); a person cannot just mark the alert collected,
    and the page does not offer it. The hand-over then resolves the alert by itself."""
    run(w, 17, 45)
    alert = LateAlert.objects.get(student=w.child)
    with pytest.raises(DomainError, match="Record who collected the child on the dismissal page"):
        services.late_alert_resolve(actor=w.school_admin, alert=alert, resolution="collected")
    client.force_login(w.school_admin)
    page = client.get(reverse("safety:alert-detail", args=[alert.pk]))
    assert "collected" not in [value for value, _label in page.context["form"].fields["resolution"].choices]
    client.post(reverse("safety:alert-resolve", args=[alert.pk]), {"resolution": "collected"})
    alert.refresh_from_db()
    assert alert.status == "open"


@pytest.mark.parametrize("resolution", ["other", "taken_home"])
def test_a_note_is_required_for_other_and_taken_home(w, english, resolution):
    run(w, 17, 45)
    alert = LateAlert.objects.get(student=w.child)
    with pytest.raises(DomainError, match="a note is required"):
        services.late_alert_resolve(actor=w.school_admin, alert=alert, resolution=resolution, note="  ")
    alert.refresh_from_db()
    assert alert.status == "open" and alert.events.count() == 1
    services.late_alert_resolve(actor=w.school_admin, alert=alert, resolution=resolution, note="王老师送回家")
    assert events(alert)[-1][-1] == "王老师送回家"


def test_an_unknown_resolution_is_refused(w, english):
    run(w, 17, 45)
    with pytest.raises(DomainError, match="Choose what happened"):
        services.late_alert_resolve(actor=w.school_admin, alert=LateAlert.objects.first(), resolution="vanished")


# ---------------------------------------------------------------- the pages


@pytest.mark.parametrize(
    "who, status", [("teacher_b", 404), ("parent", 404), ("township", 403), ("volunteer", 403), ("holder", 302)]
)
def test_resolve_page_rights(w, client, who, status):
    run(w, 17, 45)
    alert = LateAlert.objects.get(student=w.child)
    users = {"teacher_b": user_with_role(Role.SERVICE_TEACHER, school=w.school_b), "holder": w.service_teacher}
    client.force_login(users.get(who) or getattr(w, who))
    response = client.post(reverse("safety:alert-resolve", args=[alert.pk]), {"resolution": "reached"})
    assert response.status_code == status
    alert.refresh_from_db()
    assert alert.status == ("resolved" if status == 302 else "open")


def test_resolve_page_refuses_a_missing_note_and_goes_back_to_the_board(w, client, english):
    run(w, 17, 45)
    alert = LateAlert.objects.get(student=w.child)
    client.force_login(w.school_admin)
    board = reverse("safety:board", args=[w.school_a.pk])
    url = reverse("safety:alert-resolve", args=[alert.pk])
    response = client.post(url, {"resolution": "other", "note": "", "next": board})
    assert response.status_code == 302 and response.url == board
    assert "Say what happened." in " ".join(messages_of(response))
    alert.refresh_from_db()
    assert alert.status == "open"
    response = client.post(url, {"resolution": "other", "note": "舅舅接走", "next": "https://evil.example/"})
    assert response.url == reverse("safety:alert-detail", args=[alert.pk])
    alert.refresh_from_db()
    assert (alert.status, alert.resolution) == ("resolved", "other")


def test_alert_page_shows_the_history(w, client, english):
    run(w, 17, 45)
    run(w, 17, 55)
    alert = LateAlert.objects.get(student=w.child)
    services.late_alert_resolve(actor=w.school_admin, alert=alert, resolution="taken_home", note="王老师送回家")
    client.force_login(w.township)
    page = client.get(reverse("safety:alert-detail", args=[alert.pk])).content.decode()
    for text in ("Raised", "Reminder sent", "Resolved", "王老师送回家", "马小明", "Taken home"):
        assert text in page
    assert 'name="resolution"' not in page  # resolved, and the township reads only


def test_guardian_without_account_is_not_a_problem(w):
    orphan = StudentFactory(admin_class=w.class_a1)
    session_with_children(w, day=w.today, children=[orphan], start=T(15), end=T(17))
    assert run(w, 17, 45).raised == 3
    assert Student.objects.get(pk=orphan.pk).late_alerts.count() == 1


def test_the_alert_page_gives_the_resolver_the_familys_numbers_and_the_way_to_hand_over(w, client):
    """The duty teacher must phone the family and, when someone comes, record who took the child: the alert page
    shows the guardians' numbers as tel: links and the dismissal page's row; a reader who may not resolve (the
    township) sees neither."""
    DutyRoster.objects.create(school=w.school_a, date=w.today, duty_teacher=w.class_teacher, created_by=w.school_admin)
    run(w, 17, 45)
    alert = LateAlert.objects.get(student=w.child)
    mobile = w.child.guardian_links.get().guardian.mobile
    client.force_login(w.class_teacher)
    page = client.get(reverse("safety:alert-detail", args=[alert.pk])).content.decode()
    assert f'href="tel:{mobile}"' in page
    assert reverse("safety:handover-dismissal", args=[w.session.pk]) + f"#child-{w.child.pk}" not in page  # not theirs
    client.force_login(w.service_teacher)  # the holder: may also hand the child over
    page = client.get(reverse("safety:alert-detail", args=[alert.pk])).content.decode()
    assert reverse("safety:handover-dismissal", args=[w.session.pk]) + f"#child-{w.child.pk}" in page
    client.force_login(w.township)
    page = client.get(reverse("safety:alert-detail", args=[alert.pk])).content.decode()
    assert "tel:" not in page
