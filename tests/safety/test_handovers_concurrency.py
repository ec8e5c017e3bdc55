"""Hand-overs at the same moment (R30, issue 11 §2): two phones recording the same child, a staff hand-over racing
a final one, two receipts of the same bus rider. On PostgreSQL the calls run in real threads (tests/concurrency.py)
and the database's unique (student, date, sequence) decides; on SQLite they run one after the other. The triggers
that keep hand-overs append-only exist only on PostgreSQL and are checked there."""

import pytest
from django.db import DatabaseError, connection, transaction

from safety.models import Handover
from safety.selectors import handovers as selectors
from safety.services import handovers as services
from schools.models import Session, Student, StudentGuardian, User
from xiji_afterschool.errors import DomainError

from ..concurrency import at_once
from .handover_world import bus_rider, dismissal_world

pytestmark = pytest.mark.usefixtures("english")


def fresh(model, obj):
    return model.objects.get(pk=obj.pk)


@pytest.mark.django_db(transaction=True)
def test_two_phones_recording_the_same_child_at_once_record_once(world):
    dismissal_world(world)
    father = StudentGuardian.objects.get(student=world.child).guardian

    def tap(actor):
        return lambda: services.handover_one(
            actor=fresh(User, actor), session=fresh(Session, world.session), student=fresh(Student, world.child),
            choice=f"guardian:{father.pk}",
        )  # fmt: skip

    results = at_once(tap(world.service_teacher), tap(world.school_admin))
    assert results.count("ok") == 1, results
    refusal = next(r for r in results if r != "ok")
    assert isinstance(refusal, DomainError)
    assert "Someone else has just recorded" in refusal.message or "Already handed over" in refusal.message
    assert Handover.objects.filter(student=world.child).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_staff_handover_racing_a_final_one_stays_consistent(world):
    dismissal_world(world)
    father = StudentGuardian.objects.get(student=world.child).guardian

    def staff():
        return services.handover_to_staff(
            actor=fresh(User, world.service_teacher),
            pairs=[(fresh(Session, world.session), fresh(Student, s)) for s in (world.child, world.other_child)],
            to_staff=fresh(User, world.care_staff),
        )

    def final():
        return services.handover_one(
            actor=fresh(User, world.school_admin), session=fresh(Session, world.session),
            student=fresh(Student, world.child), choice=f"guardian:{father.pk}",
        )  # fmt: skip

    results = at_once(staff, final)
    assert results.count("ok") >= 1, results
    records = list(Handover.objects.filter(student=world.child).order_by("sequence"))
    assert [r.sequence for r in records] == list(range(1, len(records) + 1))
    custody = selectors.custody_for_session(world.session)[world.child.pk]
    if results == ["ok", "ok"]:  # one after the other: the staff hand-over first, then the admin's final one
        assert [r.to for r in records] == ["staff", "collector"] and custody.holder_id is None
    elif results[0] == "ok":  # the staff hand-over won: both children with the care staff, the final one refused
        assert [r.to for r in records] == ["staff"] and custody.holder_id == world.care_staff.pk
        assert Handover.objects.filter(student=world.other_child, to="staff").count() == 1
    else:  # the final one won: the whole staff batch refused, the other child still with the teacher
        assert [r.to for r in records] == ["collector"] and custody.final is not None
        assert not Handover.objects.filter(student=world.other_child).exists()


@pytest.mark.django_db(transaction=True)
def test_two_receipts_at_once_confirm_once(world):
    dismissal_world(world)
    bus_rider(world, world.child)
    handover = services.handover_one(actor=world.service_teacher, session=world.session, student=world.child,
                                     choice="bus")  # fmt: skip

    def receive():
        return services.handover_receive(actor=fresh(User, world.care_staff), handover=fresh(Handover, handover))

    results = at_once(receive, receive)
    assert results.count("ok") == 1, results
    assert "Already confirmed" in next(r for r in results if r != "ok").message


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_change_or_delete_a_handover(world):
    dismissal_world(world)
    bus_rider(world, world.child)
    handover = services.handover_one(actor=world.service_teacher, session=world.session, student=world.child,
                                     choice="bus")  # fmt: skip
    if connection.vendor != "postgresql":  # SQLite has no triggers: the services are the only guard there
        services.handover_receive(actor=world.care_staff, handover=handover)
        with pytest.raises(DomainError):
            services.handover_receive(actor=world.care_staff, handover=fresh(Handover, handover))
        return
    for change in (
        lambda: Handover.objects.filter(pk=handover.pk).update(recipient_name="别人"),
        lambda: Handover.objects.filter(pk=handover.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    # The receipt, once: allowed; a second fill refused by the database too.
    services.handover_receive(actor=world.care_staff, handover=handover)
    with pytest.raises(DatabaseError), transaction.atomic():
        Handover.objects.filter(pk=handover.pk).update(received_by=world.school_admin)
    assert Handover.objects.get(pk=handover.pk).received_by == world.care_staff
