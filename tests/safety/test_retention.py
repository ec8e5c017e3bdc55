"""Kept no longer than needed (issue #14 item 4) for safety's records, the messages and the answered requests: the
nightly sweep with the clock moved forward anonymises what each app's privacy.py declares once its class is due
(hand-overs and pick-up lists after three years, the gate after a year, incidents after twenty), deletes the old
messages, and does nothing the second time."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from safety.models import Collector, Handover, Incident, IncidentChild, Visit
from safety.services import incidents as incident_services
from schools.models import Notification, NotificationKind, Student, TextMessage
from schools.rules import retention as rules
from schools.services import retention as services
from xiji_afterschool import privacy

from .handover_world import collector, dismissal_world

ANON = rules.ANONYMISED
YEAR = 365


def later(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def _handover(w, student) -> Handover:
    return Handover.objects.create(
        student=student, date=timezone.localdate(), sequence=1, session=w.session, to=Handover.To.COLLECTOR,
        from_staff=w.service_teacher, recipient_name="王父", recipient_relation="父亲", recipient_mobile="13995400000",
        signature="M0 0 L10 10", handed_at=timezone.now(), recorded_by=w.service_teacher,
    )  # fmt: skip


def _visit(w) -> Visit:
    return Visit.objects.create(
        school=w.school_a, date=timezone.localdate(), name="赵来访", id_checked=True, id_last4="1234",
        mobile="13995409999", purpose="parent", purpose_note="送作业", time_in=timezone.now(),
        recorded_by=w.school_admin,
    )  # fmt: skip


def _incident(w) -> Incident:
    return incident_services.incident_record(
        actor=w.service_teacher, school=w.school_a, occurred_at=timezone.now() - datetime.timedelta(hours=2),
        place="操场", description="两名学生在操场跑步时相撞摔倒",
        children=[{"student": w.child, "injury": "膝盖擦伤", "first_aid": "消毒包扎", "first_aid_by": "王老师"}],
    )  # fmt: skip


def test_no_record_kind_is_left_without_a_period():
    assert privacy.gaps() == []


def test_safety_records_are_anonymised_after_three_years_and_the_gate_after_one(world, media):
    w = world
    dismissal_world(w)
    handover = _handover(w, w.child)
    visit = _visit(w)
    old = collector(w, w.child, valid_until=timezone.localdate())
    old.photo.save("gran.jpg", ContentFile(b"JPEG"), save=True)
    photo = old.photo.name
    current = collector(w, w.other_child, name="李桂兰")  # still valid: kept

    services.sweep(now=later(YEAR - 2))
    visit.refresh_from_db()
    assert visit.name == "赵来访" and visit.mobile == "13995409999"

    run = services.sweep(now=later(YEAR + 2))
    visit.refresh_from_db()
    assert (visit.name, visit.mobile, visit.purpose_note) == (ANON, "", "")
    assert visit.purpose == "parent" and visit.id_checked  # the facts stay for the statistics
    assert run.counts[rules.GATE] == 1
    assert Handover.objects.get(pk=handover.pk).recipient_name == "王父"

    services.sweep(now=later(3 * YEAR - 2))
    assert Handover.objects.get(pk=handover.pk).recipient_name == "王父"
    assert Collector.objects.get(pk=old.pk).name == "马桂花"

    run = services.sweep(now=later(3 * YEAR + 2))
    handover.refresh_from_db()
    assert (handover.recipient_name, handover.recipient_mobile, handover.signature) == (ANON, "", "")
    assert handover.to == Handover.To.COLLECTOR and handover.recipient_relation == ""
    old.refresh_from_db()
    assert (old.name, old.mobile, old.photo.name, old.pickup_code) == (ANON, "", "", "")
    assert not old.photo.storage.exists(photo)  # the photo's file is deleted
    assert Collector.objects.get(pk=current.pk).name == "李桂兰"
    assert run.counts[rules.SAFETY_RECORDS] == 2
    assert run.details["safety.Handover"] == 1 and run.details["safety.Collector"] == 1

    again = services.sweep(now=later(3 * YEAR + 3))
    assert again.counts[rules.SAFETY_RECORDS] == 0 and again.counts[rules.GATE] == 0


def test_incidents_are_kept_twenty_years_then_anonymised(world):
    w = world
    incident = _incident(w)
    incident_services.incident_follow_up(
        actor=w.school_admin, incident=incident, date=timezone.localdate(), note="到县医院复查，无骨折"
    )
    services.sweep(now=later(20 * YEAR - 2))
    assert Incident.objects.get(pk=incident.pk).description.startswith("两名学生")

    run = services.sweep(now=later(20 * YEAR + 2))
    incident.refresh_from_db()
    assert incident.description == ANON and incident.place == "操场" and incident.severity == Incident.Severity.MINOR
    child = IncidentChild.objects.get(incident=incident)
    assert (child.injury, child.first_aid, child.first_aid_by) == (ANON, "", "")
    assert incident.follow_ups.get().note == ANON
    assert run.counts[rules.INCIDENTS] >= 3
    assert services.sweep(now=later(20 * YEAR + 3)).counts[rules.INCIDENTS] == 0


def test_a_child_with_a_live_hand_over_is_kept_and_its_pick_up_list_goes_with_it(world):
    w = world
    dismissal_world(w)
    _handover(w, w.child)
    grandmother = collector(w, w.child)  # no end date: kept while the child is
    assert services._is_live(w.child, now=later(1), days_of=services.current_days())
    services.sweep(now=later(3 * YEAR + 2))  # the hand-over anonymised: it keeps the child no longer
    assert not services._is_live(Student.objects.get(pk=w.child.pk), now=later(31 * YEAR), days_of={
        **services.current_days(), rules.APPLICANTS_CLOSED: 180})  # fmt: skip
    services._anonymise_child(Student.objects.get(pk=w.child.pk), now=later(31 * YEAR))
    grandmother.refresh_from_db()
    assert grandmother.name == ANON and grandmother.mobile == ""


def test_messages_are_deleted_after_a_year(world):
    w = world
    note = Notification.objects.create(
        user=w.parent, kind=NotificationKind.INCIDENT, title="马小明受伤", body="膝盖擦伤"
    )
    TextMessage.objects.create(notification=note, mobile="13995401234")
    services.sweep(now=later(YEAR - 1))
    assert Notification.objects.filter(pk=note.pk).exists()
    run = services.sweep(now=later(YEAR + 1))
    assert not Notification.objects.filter(pk=note.pk).exists() and not TextMessage.objects.exists()
    assert run.counts[rules.MESSAGES] == 1
    assert services.sweep(now=later(YEAR + 2)).counts[rules.MESSAGES] == 0


@pytest.mark.needs_postgres
def test_the_triggers_let_only_the_anonymising_update_through(world):
    w = world
    dismissal_world(w)
    handover = _handover(w, w.child)
    visit = _visit(w)
    incident = _incident(w)
    for qs, changes in [
        (Handover.objects.filter(pk=handover.pk), {"recipient_name": "李四"}),  # a personal field, not anonymised
        (Handover.objects.filter(pk=handover.pk), {"recipient_name": ANON, "to": Handover.To.BUS}),  # a fact
        (Visit.objects.filter(pk=visit.pk), {"purpose_note": "改了"}),
        (IncidentChild.objects.filter(incident=incident), {"injury": "骨折"}),
        (incident.events.all(), {"note": "改了"}),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            qs.update(**changes)
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=visit.pk).delete()
    assert Handover.objects.filter(pk=handover.pk).update(recipient_name=ANON, signature="") == 1
    assert IncidentChild.objects.filter(incident=incident).update(injury=ANON, first_aid="") == 1
    assert incident.events.update(note=ANON) >= 1
    assert connection.vendor == "postgresql"
