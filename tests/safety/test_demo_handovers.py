"""The hand-over part of the demo county (safety.demo.play_handovers): on a small county (`seed_demo --schools 3`:
the roster, the enrollment story and the schools' sessions) played to 15 October 2025, every present child of every
logged session is handed over exactly once a day, through the services, by the session's teacher; bus riders went
by bus and were received, the late children's alerts were raised, repeated and are all resolved, the duty roster
covers every school day up to the next five, nothing is dated after the day, and a second run writes nothing.

Its own module (not test_demo.py's fixture): it needs the sessions, so the schools' DELIVERY and the enrollment."""

import datetime

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import override_settings
from django.utils import timezone, translation

from enrollment import demo as enrollment_demo
from safety import demo as safety_demo
from safety.models import DutyRoster, Handover, LateAlert
from safety.selectors import duty as duty_selectors
from safety.selectors import pickups as pickups_selectors
from schools import demo as schools_demo
from schools.models import Attendance, CountySettings, Notification, NotificationKind, ServiceClass, Session
from xiji_afterschool.demo import DELIVERY, FIRST, SECOND, SETUP, DemoCounty

# Its county is seeded once for the module: under `pytest -n` the module stays on one worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("demo_handovers")

AS_OF = datetime.date(2025, 10, 15)  # a Wednesday, six weeks of sessions (the National Day week off)
AS_OF_END = timezone.make_aware(datetime.datetime.combine(AS_OF, datetime.time(23, 59, 59)))
SEMESTER_START = datetime.date(2025, 9, 1)
To = Handover.To


def rows() -> int:
    return sum(model.objects.count() for model in apps.get_models())


def county() -> DemoCounty:
    return DemoCounty(as_of=AS_OF, schools_wanted=3)


@pytest.fixture(scope="module")
def _played(django_db_setup, django_db_blocker):
    """A three-school county: the roster, the enrollment, the sessions, the pick-up lists, then the hand-overs, once
    for the module, inside a transaction rolled back at its end."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            c = county()
            with translation.override("zh-hans"), c.without_savepoints():
                schools_demo.play(c, SETUP)
                enrollment_demo.play(c, SETUP)
                schools_demo.play(c, DELIVERY)
                safety_demo.play_pickups(c)
                lines = safety_demo.play_handovers(c)
            yield lines
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def played(_played, db):
    yield _played


def sessions():
    return Session.objects.filter(
        service_class__school__name__in=(FIRST, SECOND), date__gte=SEMESTER_START, date__lte=AS_OF
    ).select_related("service_class__school", "teacher")


def end_of(session) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(session.date, session.end_time))


def final(student_id, day, standing=None) -> Handover:
    """The child's standing final hand-over of the day (a corrected one does not count)."""
    finals = (standing or standing_finals()).get((student_id, day), [])
    assert len(finals) == 1, (student_id, day, finals)
    return finals[0]


def standing_finals() -> dict:
    """(child, day) -> the day's final hand-overs that no later record corrects, in one query."""
    rows = list(Handover.objects.select_related("session", "from_staff", "received_by", "bus_route"))
    corrected = {h.corrects_id for h in rows if h.corrects_id}
    out: dict = {}
    for h in rows:
        if h.is_final and h.pk not in corrected:
            out.setdefault((h.student_id, h.date), []).append(h)
    return out


@pytest.mark.django_db
def test_every_present_child_is_handed_over_once_a_day_by_the_sessions_teacher(played):
    played_sessions = list(sessions())
    assert len(played_sessions) > 60 and max(s.date for s in played_sessions) < AS_OF
    present = set()
    firsts = {(h.student_id, h.date): h for h in Handover.objects.filter(sequence=1).select_related("session")}
    for session in played_sessions:
        for student_id in session.roll.filter(mark=Attendance.Mark.PRESENT).values_list("student_id", flat=True):
            present.add((student_id, session.date))
            first = firsts[student_id, session.date]
            assert first.session == session and first.from_staff == session.teacher  # the teacher, or the substitute
            assert first.handed_at >= end_of(session) and not first.on_paper
    finals = {(h.student_id, h.date) for h in Handover.objects.filter(to__in=Handover.FINAL)}
    assert finals == present  # nobody absent is handed over, nobody present is left
    standing = standing_finals()
    for student_id, day in present:
        final(student_id, day, standing)
    late = set(LateAlert.objects.values_list("student_id", "date"))
    for h in Handover.objects.filter(sequence=1).select_related("session"):
        if (h.student_id, h.date) not in late:  # the batch: 0–12 minutes after the end
            assert h.handed_at <= h.recorded_at <= end_of(h.session) + datetime.timedelta(minutes=12)
    assert Handover.objects.filter(student__school__name=SECOND).exists()  # the other school is handed over too
    assert not Handover.objects.filter(to=To.CONSENT).exists()


@pytest.mark.django_db
def test_bus_riders_went_by_bus_and_were_received_boarders_to_the_dormitory_delegates_took_theirs(played):
    escort, standing = 0, standing_finals()
    for session in sessions():
        ids = list(session.roll.filter(mark=Attendance.Mark.PRESENT).values_list("student_id", flat=True))
        allowed = pickups_selectors.allowed_today(student_ids=ids, date=session.date)
        for student_id, a in allowed.items():
            h = final(student_id, session.date, standing)
            if a.bus is not None:
                assert h.to == To.BUS and h.bus_route == a.bus.bus_route
                assert h.received_by.username == "shengguan" and h.received_at - h.recorded_at == datetime.timedelta(
                    minutes=1
                )
                escort += 1
            elif a.dormitory is not None and a.dormitory.dormitory.teacher_id:
                assert h.to == To.DORMITORY and h.received_by == a.dormitory.dormitory.teacher
            elif a.delegations:
                assert h.to == To.DELEGATE and h.delegation == a.delegations[0]
            else:
                assert h.to in (To.COLLECTOR, To.DELEGATE, To.ALONE)
                if h.to == To.COLLECTOR:  # a roster guardian or a listed adult of that day
                    assert h.guardian in [g for g, _label in a.guardians] or h.collector in a.collectors
    assert escort > 20
    assert Handover.objects.filter(to=To.BUS, received_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_guardians_are_told_at_the_hand_over(played):
    handover = Handover.objects.filter(to=To.BUS, student__guardian_links__guardian__user__isnull=False).first()
    note = Notification.objects.get(dedupe_key=f"handover:{handover.pk}", kind=NotificationKind.HANDED_OVER)
    assert note.created_at == handover.recorded_at  # on the step's clock, not at the seed's commit
    assert handover.bus_route.name in note.body


@pytest.mark.django_db
def test_the_late_children_alerts_are_raised_repeated_and_all_resolved(played):
    alerts = list(LateAlert.objects.select_related("session", "student", "resolved_by").order_by("date"))
    assert 4 <= len(alerts) <= 7  # about one a week
    minutes = CountySettings.current().late_pickup_minutes
    by_job = by_hand = 0
    standing = standing_finals()
    for alert in alerts:
        assert alert.status == LateAlert.Status.RESOLVED and alert.school.name == FIRST
        assert alert.date.isoweekday() in (1, 3, 5) and alert.reminders == 1
        assert alert.created_at == end_of(alert.session) + datetime.timedelta(minutes=minutes)
        assert list(alert.events.order_by("created_at", "pk").values_list("action", flat=True)) == [
            "raise", "remind", "resolve",
        ]  # fmt: skip
        handed = final(alert.student_id, alert.date, standing)
        assert handed.handed_at > alert.created_at and handed.from_staff == alert.session.teacher
        if alert.resolved_by is None:  # the system, by the hand-over itself
            assert alert.handover == handed and alert.resolved_at >= handed.handed_at
            by_job += 1
        else:  # the day's duty teacher, with what happened
            roster = DutyRoster.objects.get(school=alert.school, date=alert.date)
            assert alert.resolved_by == roster.duty_teacher and alert.events.get(action="resolve").note
            assert alert.resolution == LateAlert.Resolution.GUARDIAN_REACHED
            by_hand += 1
        assert Notification.objects.filter(dedupe_key=f"late:{alert.pk}").exists()
    assert by_job >= 2 and by_hand == 2


@pytest.mark.django_db
def test_extended_care_twice_a_week_and_two_corrections(played):
    teacher = ServiceClass.objects.get(school__name=FIRST, kind=ServiceClass.Kind.EXTENDED).teacher
    to_care = Handover.objects.filter(to=To.STAFF)
    assert to_care.count() >= 10 and set(to_care.values_list("to_staff", flat=True)) == {teacher.pk}
    standing = standing_finals()
    for h in to_care:
        assert h.date.isoweekday() in (2, 4)
        later = final(h.student_id, h.date, standing)
        assert later.from_staff == teacher and later.sequence == h.sequence + 1 and later.handed_at > h.handed_at
    corrections = Handover.objects.filter(corrects__isnull=False).select_related("corrects")
    assert corrections.count() == 2
    for c in corrections:
        assert c.correction_reason.startswith("误点成") and c.correction_reason.endswith("接走")
        assert (
            c.corrects.student_id == c.student_id
            and c.corrects.date == c.date
            and c.from_staff == c.corrects.from_staff
        )
        assert c.collector_id != c.corrects.collector_id and c.student.school.name == FIRST


@pytest.mark.django_db
def test_the_duty_roster_covers_every_school_day_and_the_next_five(played):
    days = duty_selectors.school_days(first=SEMESTER_START, last=AS_OF + datetime.timedelta(days=30))
    wanted = [d for d in days if d <= AS_OF] + [d for d in days if d > AS_OF][:5]
    roster = DutyRoster.objects.filter(school__name=FIRST).select_related("created_by", "gate_keeper")
    assert sorted(r.date for r in roster) == wanted
    assert {r.created_by.username for r in roster} == {"xuexiao"} and {r.gate_keeper.username for r in roster} == {
        "menwei"
    }
    assert len({r.duty_teacher_id for r in roster}) >= 4  # they rotate
    for r in roster:
        assert timezone.localtime(r.created_at).date() < r.date or r.date > AS_OF  # set a few days ahead
    assert not DutyRoster.objects.filter(school__name=SECOND).exists()


@pytest.mark.django_db
def test_nothing_is_dated_after_the_day_played_to(played):
    for model in apps.get_models():
        if model._meta.app_label != "safety" and model is not Notification:
            continue  # the other apps' parts have their own tests
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                assert not model.objects.filter(**{f"{field.name}__gt": AS_OF_END}).exists(), (model, field.name)
    assert not Handover.objects.filter(date__gte=AS_OF).exists()
    assert not LateAlert.objects.filter(date__gte=AS_OF).exists()


@pytest.mark.django_db
def test_the_summary_lines_and_a_second_run_writes_nothing(played):
    first_line, second_line = played
    n = Handover.objects.filter(student__school__name=FIRST, corrects__isnull=True).count()
    assert first_line.startswith(f"放学交接（{FIRST}）{n:,} 人次（接送人 ")
    assert "· 更正 2 · 值班表 " in first_line and "值班教师处理 2）" in first_line
    assert second_line.startswith(f"放学交接（{SECOND}）") and "校车 0" in second_line
    before = rows()
    with translation.override("zh-hans"):
        again = safety_demo.play_handovers(county())
    assert rows() == before and again == played
