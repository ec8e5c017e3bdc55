"""Several people (or job runs) acting on one hazard at the same moment: one escalation, one verification, one
rectification. On PostgreSQL the calls run in real threads at once (tests/concurrency.py); on SQLite one after the
other, which checks the same outcome without the race."""

import datetime

import pytest
from django.utils import timezone

from safety.models import Hazard, HazardEvent, Rectification
from safety.services import hazards as services
from schools.models import Notification
from xiji_afterschool.workflow import TransitionNotAllowed

from ..concurrency import at_once

pytestmark = pytest.mark.usefixtures("english")


def assigned(world):
    hazard = services.hazard_report(
        actor=world.class_teacher, school=world.school_a, category="fire", description="灭火器过期", place="三楼"
    )
    services.hazard_assign(
        actor=world.school_admin,
        hazard=hazard,
        responsible=world.service_teacher,
        deadline=timezone.localdate() + datetime.timedelta(days=1),
    )
    return hazard


@pytest.mark.django_db(transaction=True)
def test_four_escalation_runs_at_once_escalate_once(world):
    hazard = assigned(world)
    later = timezone.localdate() + datetime.timedelta(days=5)
    results = at_once(*(lambda: services.hazard_escalate_overdue(today=later) for _i in range(4)))
    assert sorted(results) == ["ok"] * 4, results
    assert HazardEvent.objects.filter(hazard=hazard, action="escalate").count() == 1
    assert Notification.objects.filter(user=world.bureau, dedupe_key=f"hazard-escalated-{hazard.pk}").count() == 1


@pytest.mark.django_db(transaction=True)
def test_rectify_twice_at_once_and_close_against_return(world):
    hazard = assigned(world)

    def rectify(actor, note):
        return lambda: services.hazard_rectify(actor=actor, hazard=Hazard.objects.get(pk=hazard.pk), note=note)

    results = at_once(rectify(world.service_teacher, "换新"), rectify(world.school_admin, "学校已换"))
    assert results.count("ok") == 1 and isinstance(next(r for r in results if r != "ok"), TransitionNotAllowed)
    assert Rectification.objects.filter(hazard=hazard).count() == 1

    results = at_once(
        lambda: services.hazard_close(actor=world.school_admin, hazard=Hazard.objects.get(pk=hazard.pk)),
        lambda: services.hazard_return(actor=world.school_admin, hazard=Hazard.objects.get(pk=hazard.pk), note="不行"),
    )
    assert results.count("ok") == 1, results
    hazard.refresh_from_db()
    assert hazard.status == ("closed" if results[0] == "ok" else "assigned")
    assert HazardEvent.objects.filter(hazard=hazard, action__in=["close", "return"]).count() == 1
