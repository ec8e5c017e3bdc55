"""Overlapping runs of the late pick-up job (a redelivered task, a slow run meeting the next minute's): each child
gets one alert, each reminder counts once, nobody is told twice. On PostgreSQL the runs go in real threads at once
(tests/concurrency.py); on SQLite one after the other, which checks the same outcome without the race."""

import datetime

import pytest

from safety.models import LateAlert, LateAlertEvent
from safety.services import alerts as services
from schools.models import Notification

from ..access.alerts import at, session_with_children
from ..concurrency import at_once


@pytest.mark.django_db(transaction=True)
def test_four_runs_at_once_raise_and_remind_once(world):
    day = datetime.date(world.autumn.start_date.year, 11, 11)
    session_with_children(world, day=day, children=[world.child, world.other_child])

    def run(moment):
        return lambda: services.late_alerts_raise(now=moment)

    assert at_once(*(run(at(day, 17, 45)) for _i in range(4))) == ["ok"] * 4
    assert LateAlert.objects.count() == 2
    assert LateAlertEvent.objects.filter(action="raise").count() == 2
    keys = list(Notification.objects.values_list("user", "dedupe_key"))
    assert len(keys) == len(set(keys)) and len(keys) > 0
    told = len(keys)

    assert at_once(*(run(at(day, 17, 55)) for _i in range(4))) == ["ok"] * 4
    assert set(LateAlert.objects.values_list("reminders", flat=True)) == {1}
    assert LateAlertEvent.objects.filter(action="remind").count() == 2
    assert Notification.objects.count() == 2 * told
