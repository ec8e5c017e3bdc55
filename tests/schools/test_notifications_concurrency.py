"""Races of the notification service, proved on PostgreSQL (threads at once; one after the other on SQLite):
the same event told at once from several phones is one message, and one text claimed by several workers at once is
sent once."""

import pytest
from django.utils import timezone

from schools.models import Notification, NotificationKind, TextMessage
from schools.services import notifications as services

from ..concurrency import at_once
from . import sms_senders
from .test_notifications import RECORDING, clock, verified  # noqa: F401 (clock is a fixture)


@pytest.mark.django_db(transaction=True)
def test_the_same_key_from_four_phones_at_once_is_one_message(world, clock, settings):  # noqa: F811
    settings.SMS_SENDER = RECORDING
    results = at_once(
        *(
            lambda: services.notify(
                user=world.parent, kind=NotificationKind.GENERAL, title="交接", body="已交接", key="handover:1"
            )
            for _i in range(4)
        )
    )
    assert results == ["ok"] * 4
    assert Notification.objects.filter(user=world.parent, dedupe_key="handover:1").count() == 1
    assert TextMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_four_workers_on_one_text_at_once_send_it_once(world, clock, settings):  # noqa: F811
    settings.SMS_SENDER = RECORDING
    sms_senders.SENT.clear()
    verified(world.parent)
    notification = services.notify(user=world.parent, kind=NotificationKind.GENERAL, title="通知", body="x")
    # General is not a text kind by default: make it a queued text whose task has not run (no on-commit send).
    TextMessage.objects.filter(notification=notification).update(
        status=TextMessage.Status.QUEUED, error="", mobile=world.parent.mobile, updated_at=timezone.now()
    )
    text = notification.text_message
    results = at_once(*(lambda: services.text_message_send(text_message_id=text.pk) for _i in range(4)))
    assert results == ["ok"] * 4
    text.refresh_from_db()
    assert (text.status, text.attempts) == (TextMessage.Status.SENT, 1)
    assert len(sms_senders.SENT) == 1
