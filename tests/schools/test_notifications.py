"""The one notification service (issue 11 §4): inbox, text messages through the one sender, Celery delivery with
retries, preferences and quiet hours, the inbox and settings pages, and the earlier workflows that use it."""

import datetime
import logging
import os
import subprocess
import sys
import time
import zoneinfo

import pytest
from celery.exceptions import Retry
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from enrollment.services import agreements as agreements_services
from enrollment.services import placement as placement_services
from enrollment.services import review as review_services
from enrollment.services.agreements import Signature
from schools import tasks
from schools.models import (
    Attendance,
    Notification,
    NotificationKind,
    NotificationPreference,
    TextMessage,
    TimetableSlot,
)
from schools.rules import notifications as rules
from schools.services import notifications as services
from xiji_afterschool import sms
from xiji_afterschool.celery import app as celery_app

from ..access.review import make_application
from ..access.sessions import service_class_a
from ..conftest import pretend_today
from ..factories import valid_slots
from ..factories_enrollment import agreement_text, application, service_class_for
from . import sms_senders
from .test_sessions import log

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
K = NotificationKind
ST = TextMessage.Status
RECORDING = "tests.schools.sms_senders.RecordingSender"
DOWN = "tests.schools.sms_senders.DownSender"


def local(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=TZ)


class Clock:
    """timezone.now() answers `moment` (and localtime/localdate follow) until the test ends."""

    def __init__(self, monkeypatch, moment):
        self.moment = moment
        monkeypatch.setattr(timezone, "now", lambda: self.moment)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, local(11, 12))  # a Wednesday at noon: outside anyone's quiet hours


@pytest.fixture
def sent(settings, eager_celery):
    """Texts go to the recording sender; tasks run in-process."""
    settings.SMS_SENDER = RECORDING
    sms_senders.SENT.clear()
    sms_senders.DownSender.calls = 0
    return sms_senders.SENT


def verified(user, mobile="13912345678"):
    user.mobile, user.mobile_verified_at = mobile, timezone.now()
    user.save(update_fields=["mobile", "mobile_verified_at"])
    return user


def notify(user, kind=K.ABSENT, key="", **kw):
    return services.notify(
        user=user,
        kind=kind,
        title=kw.pop("title", "缺勤通知"),
        body=kw.pop("body", "您的孩子今天缺勤。"),
        key=key,
        **kw,
    )


# ---------------------------------------------------------------- rules


def test_quiet_hours_wrap_over_midnight_and_end_at_the_next_morning():
    night, morning = datetime.time(21, 30), datetime.time(7)
    assert rules.in_quiet_hours(datetime.time(21, 30), night, morning)
    assert rules.in_quiet_hours(datetime.time(2, 0), night, morning)
    assert not rules.in_quiet_hours(datetime.time(7, 0), night, morning)
    assert not rules.in_quiet_hours(datetime.time(12, 0), night, morning)
    assert rules.in_quiet_hours(datetime.time(13, 0), datetime.time(12), datetime.time(14))  # a siesta, same day
    assert not rules.in_quiet_hours(datetime.time(2, 0), None, None)
    assert rules.quiet_hours_end(local(11, 22), night, morning) == local(12, 7)
    assert rules.quiet_hours_end(local(12, 3), night, morning) == local(12, 7)
    assert rules.quiet_hours_end(local(11, 12), night, morning) is None


def test_retry_backoff_is_60_120_240_480_seconds_then_no_more():
    assert [rules.retry_countdown(n) for n in range(1, 6)] == [60, 120, 240, 480, None]


def test_default_text_kinds_are_the_safety_kinds_for_parents_and_late_pickup_and_safety_for_staff():
    assert rules.default_text_kinds({"parent"}) == {"handed_over", "late_pickup", "absent", "incident"}
    assert rules.default_text_kinds({"gate"}) == {"late_pickup", "safety"}
    assert rules.default_text_kinds({"parent", "service_teacher"}) >= {"absent", "safety"}
    assert rules.default_text_kinds(set()) == set()


# ---------------------------------------------------------------- the sender


def test_console_sender_logs_the_text_with_the_mobile_masked(caplog, settings):
    settings.SMS_SENDER = "xiji_afterschool.sms.ConsoleSender"
    with caplog.at_level(logging.INFO, logger="xiji.sms"):
        reference = sms.send("13912345678", "您的孩子已交接")
    assert reference.startswith("console-")
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text and "您的孩子已交接" in caplog.text


def test_the_sender_is_the_class_the_settings_name():
    with override_settings(SMS_SENDER=DOWN):
        assert isinstance(sms.get_sender(), sms_senders.DownSender)
        with pytest.raises(sms.SmsError):
            sms.send("13912345678", "x")


# ---------------------------------------------------------------- notify: the inbox and the text message


def test_a_notification_reaches_the_inbox_and_its_text_is_sent_when_the_transaction_commits(
    world, clock, sent, django_capture_on_commit_callbacks
):
    verified(world.parent)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(world.parent, url="/x/")
        assert sent == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    text = TextMessage.objects.get(notification=notification)
    assert (text.status, text.attempts, text.mobile, text.error) == (ST.SENT, 1, "13912345678", "")
    assert text.sent_at == clock.moment and text.provider_reference == "test-1"
    assert sent == [("13912345678", "缺勤通知：您的孩子今天缺勤。")]


def test_the_same_key_twice_is_one_notification_and_one_text(world, clock, sent, django_capture_on_commit_callbacks):
    verified(world.parent)
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(world.parent, key="absent:1:2")
        second = notify(world.parent, key="absent:1:2")
    assert first is not None and second is None
    assert Notification.objects.filter(user=world.parent).count() == 1 and TextMessage.objects.count() == 1
    assert len(sent) == 1
    assert notify(world.other_parent, key="absent:1:2") is not None  # the key is per person


def test_without_a_verified_mobile_the_inbox_only_and_the_reason_is_shown(
    world, clock, sent, client, english, django_capture_on_commit_callbacks
):
    world.parent.mobile = "13912345678"  # a number, never verified
    world.parent.save()
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(world.parent)
    text = notification.text_message
    assert (text.status, text.error, text.mobile) == (ST.SKIPPED, TextMessage.NOT_VERIFIED, "")
    assert sent == []
    client.force_login(world.parent)
    html = client.get(reverse("schools:notification-list")).content.decode()
    assert "缺勤通知" in html and "Text message not sent: mobile number not verified." in html


def test_a_kind_the_person_does_not_take_as_text_is_inbox_only_without_a_warning(world, clock, sent, client, english):
    verified(world.parent)
    notification = notify(world.parent, kind=K.APPLICATION)  # not a default text kind for parents
    assert (notification.text_message.status, notification.text_message.error) == (ST.SKIPPED, TextMessage.NOT_CHOSEN)
    assert notification.text_message.note() == ""


def test_an_unknown_kind_is_a_programming_error(world):
    with pytest.raises(ValueError):
        notify(world.parent, kind="gossip")


# ---------------------------------------------------------------- quiet hours


def test_a_non_urgent_text_in_quiet_hours_is_held_and_released_when_they_end(
    world, clock, sent, client, english, django_capture_on_commit_callbacks
):
    verified(world.parent)
    clock.moment = local(11, 22, 15)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(world.parent, kind=K.ABSENT)
    text = notification.text_message
    assert (text.status, text.send_after) == (ST.HELD, local(12, 7))
    assert sent == []
    client.force_login(world.parent)
    assert (
        "Text message held until 07:00 (quiet hours)."
        in client.get(reverse("schools:notification-list")).content.decode()
    )
    clock.moment = local(12, 6, 59)
    assert tasks.release_held_text_messages_task.apply().get() == 0
    clock.moment = local(12, 7, 0)
    assert tasks.release_held_text_messages_task.apply().get() == 1
    text.refresh_from_db()
    assert (text.status, text.attempts, text.sent_at) == (ST.SENT, 1, local(12, 7))
    assert len(sent) == 1
    assert tasks.release_held_text_messages_task.apply().get() == 0  # released once


def test_an_urgent_text_is_sent_even_in_quiet_hours(world, clock, sent, django_capture_on_commit_callbacks):
    verified(world.parent)
    clock.moment = local(11, 23, 40)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(world.parent, kind=K.LATE_PICKUP, title="晚接提醒")
    notification.text_message.refresh_from_db()
    assert notification.text_message.status == ST.SENT and len(sent) == 1
    assert K.LATE_PICKUP in K.urgent() and K.INCIDENT in K.urgent() and K.ABSENT not in K.urgent()


def test_someone_who_cleared_their_quiet_hours_gets_texts_at_night(
    world, clock, sent, django_capture_on_commit_callbacks
):
    verified(world.parent)
    services.notification_preference_save(actor=world.parent, text_kinds=[K.ABSENT], quiet_from=None, quiet_until=None)
    clock.moment = local(11, 23)
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.parent, kind=K.ABSENT)
    assert len(sent) == 1


# ---------------------------------------------------------------- delivery: failures, retries, idempotence


def test_provider_down_the_inbox_keeps_it_the_text_is_retried_then_failed_and_the_error_shown(
    world, clock, sent, settings, client, english, django_capture_on_commit_callbacks
):
    settings.SMS_SENDER = DOWN
    verified(world.parent)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(world.parent)  # raises nothing to the caller
    assert Notification.objects.filter(pk=notification.pk, user=world.parent).exists()
    text = TextMessage.objects.get(notification=notification)
    assert sms_senders.DownSender.calls == rules.MAX_ATTEMPTS == 5
    assert (text.status, text.attempts) == (ST.FAILED, 5)
    assert text.error == "短信网关不可用 (gateway timeout)" and text.sent_at is None
    client.force_login(world.parent)
    html = client.get(reverse("schools:notification-list")).content.decode()
    assert "Text message failed after 5 attempts: 短信网关不可用 (gateway timeout)" in html
    # The failed text is not sent again by the periodic job, and a redelivered task does nothing.
    clock.moment += datetime.timedelta(hours=1)
    assert tasks.release_held_text_messages_task.apply().get() == 0
    assert tasks.send_text_message_task.apply(args=[text.pk]).get() == "nothing to do"
    assert sms_senders.DownSender.calls == 5


def test_on_a_worker_a_failure_is_retried_with_the_backoff(world, clock, sent, settings, monkeypatch):
    """Not eager (a real worker): each failed attempt asks Celery to retry after 60, 120, 240, 480 s; the fifth is final."""
    settings.SMS_SENDER = DOWN
    verified(world.parent)
    text = notify(world.parent).text_message
    countdowns = []

    def fake_retry(**kwargs):
        countdowns.append(kwargs["countdown"])
        return Retry("retry")

    monkeypatch.setattr(tasks.send_text_message_task, "retry", fake_retry)
    for _attempt in range(4):
        tasks.send_text_message_task.push_request(is_eager=False, retries=0)
        try:
            with pytest.raises(Retry):
                tasks.send_text_message_task.run(text.pk)
        finally:
            tasks.send_text_message_task.pop_request()
        text.refresh_from_db()
        assert text.status == ST.QUEUED and text.error.startswith("短信网关不可用")
    tasks.send_text_message_task.push_request(is_eager=False, retries=0)
    try:
        assert tasks.send_text_message_task.run(text.pk) == ST.FAILED
    finally:
        tasks.send_text_message_task.pop_request()
    assert countdowns == [60, 120, 240, 480]
    text.refresh_from_db()
    assert (text.status, text.attempts) == (ST.FAILED, 5)


def test_a_redelivered_task_after_sent_sends_nothing(world, clock, sent, django_capture_on_commit_callbacks):
    verified(world.parent)
    with django_capture_on_commit_callbacks(execute=True):
        text = notify(world.parent).text_message
    text.refresh_from_db()
    assert text.status == ST.SENT
    assert services.text_message_send(text_message_id=text.pk) is None
    assert tasks.send_text_message_task.apply(args=[text.pk]).get() == "nothing to do"
    text.refresh_from_db()
    assert (text.status, text.attempts, len(sent)) == (ST.SENT, 1, 1)


def test_a_second_task_while_the_first_is_sending_does_nothing(world, clock, sent, monkeypatch):
    """Two workers on one text (a redelivered task): the second arrives while the first talks to the provider."""
    verified(world.parent)
    text = notify(world.parent).text_message  # queued; not committed, so no task has run
    second = []
    real_send = sms_senders.RecordingSender.send

    def send_while_another_task_runs(self, mobile, body):
        second.append(services.text_message_send(text_message_id=text.pk))
        return real_send(self, mobile, body)

    monkeypatch.setattr(sms_senders.RecordingSender, "send", send_while_another_task_runs)
    assert services.text_message_send(text_message_id=text.pk).status == ST.SENT
    assert second == [None] and len(sent) == 1
    text.refresh_from_db()
    assert (text.status, text.attempts, text.send_after) == (ST.SENT, 1, None)


def test_a_crashed_send_is_picked_up_again_after_its_lease(world, clock, sent):
    verified(world.parent)
    text = notify(world.parent).text_message
    TextMessage.objects.filter(pk=text.pk).update(attempts=1, send_after=clock.moment + rules.SENDING_LEASE)
    assert services.text_message_send(text_message_id=text.pk) is None  # leased to a worker that died
    clock.moment += rules.STUCK_AFTER + datetime.timedelta(seconds=1)
    assert tasks.release_held_text_messages_task.apply().get() == 1
    text.refresh_from_db()
    assert (text.status, text.attempts, len(sent)) == (ST.SENT, 2, 1)


def test_a_lost_task_is_queued_again_after_ten_minutes(world, clock, sent):
    verified(world.parent)
    text = notify(world.parent).text_message  # queued; its on-commit task never ran (as if the broker lost it)
    assert text.status == ST.QUEUED and sent == []
    clock.moment += datetime.timedelta(minutes=9)
    assert tasks.release_held_text_messages_task.apply().get() == 0
    clock.moment += datetime.timedelta(minutes=2)
    assert tasks.release_held_text_messages_task.apply().get() == 1
    text.refresh_from_db()
    assert text.status == ST.SENT and len(sent) == 1


def test_the_release_job_runs_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["release-held-text-messages"]
    assert entry["task"] == "schools.release_held_text_messages_task"
    assert entry["schedule"].minute == set(range(0, 60, 5))


def test_the_school_sees_its_failed_texts_and_sends_one_again(
    world, clock, sent, settings, client, english, django_capture_on_commit_callbacks
):
    settings.SMS_SENDER = DOWN
    verified(world.parent)
    verified(world.other_school_admin, "13912340002")
    with django_capture_on_commit_callbacks(execute=True):
        ours = notify(world.parent, key="ours").text_message
        theirs = notify(world.other_school_admin, kind=K.LATE_PICKUP, key="theirs").text_message
    client.force_login(world.school_admin)
    response = client.get(reverse("schools:text-message-failed"))
    assert [t.pk for t in response.context["page"]] == [ours.pk]  # school_b's admin is not school_a's to see
    assert "gateway timeout" in response.content.decode()
    assert client.post(reverse("schools:text-message-resend", args=[theirs.pk])).status_code == 404
    settings.SMS_SENDER = RECORDING  # the provider is back
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("schools:text-message-resend", args=[ours.pk]))
    assert response.status_code == 302
    ours.refresh_from_db()
    assert (ours.status, ours.attempts, ours.error) == (ST.SENT, 1, "") and len(sent) == 1
    response = client.post(reverse("schools:text-message-resend", args=[ours.pk]), follow=True)  # twice: a message
    assert "no longer failed" in " ".join(str(m) for m in response.context["messages"])
    assert len(sent) == 1


def test_a_failed_text_is_not_sent_again_to_a_mobile_no_longer_verified(world, clock, sent, settings, client, english):
    settings.SMS_SENDER = DOWN
    verified(world.parent)
    text = notify(world.parent).text_message
    TextMessage.objects.filter(pk=text.pk).update(status=ST.FAILED, attempts=5, error="down")
    world.parent.mobile_verified_at = None
    world.parent.save()
    client.force_login(world.school_admin)
    response = client.post(reverse("schools:text-message-resend", args=[text.pk]), follow=True)
    assert "no verified mobile" in " ".join(str(m) for m in response.context["messages"])
    text.refresh_from_db()
    assert text.status == ST.FAILED


# ---------------------------------------------------------------- the inbox page


def test_inbox_newest_first_unread_highlighted_mark_one_and_all_read(world, clock, sent, client, english):
    older = notify(world.parent, title="旧消息", key="a")
    clock.moment += datetime.timedelta(minutes=5)
    newer = notify(world.parent, title="新消息", key="b", url=reverse("schools:student-detail", args=[world.child.pk]))
    notify(world.other_parent, title="别人的消息")
    client.force_login(world.parent)
    response = client.get(reverse("schools:notification-list"))
    assert [n.pk for n in response.context["page"]] == [newer.pk, older.pk]
    html = response.content.decode()
    assert "别人的消息" not in html and html.count("bg-success-subtle") == 2
    assert response.context["unread_notifications"] == 2
    # Open one: marked read, and on to its link.
    response = client.post(reverse("schools:notification-read", args=[newer.pk]), {"next": "open"})
    assert response.status_code == 302 and response["Location"] == newer.url
    newer.refresh_from_db()
    assert newer.read_at == clock.moment
    assert client.get(reverse("schools:notification-list")).context["unread_notifications"] == 1
    response = client.post(reverse("schools:notification-read-all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=world.parent, read_at=None).exists()
    assert Notification.objects.filter(user=world.other_parent, read_at=None).count() == 1  # not theirs to mark
    assert client.get(reverse("schools:notification-read", args=[older.pk])).status_code == 405


def test_nobody_can_mark_another_persons_message_read(world, clock, client):
    theirs = notify(world.other_parent)
    for actor in (world.parent, world.school_admin, world.bureau):
        client.force_login(actor)
        assert client.post(reverse("schools:notification-read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_link_to_another_site_is_never_followed(world, clock, client):
    notification = notify(world.parent, url="https://evil.example/")
    client.force_login(world.parent)
    response = client.post(reverse("schools:notification-read", args=[notification.pk]), {"next": "open"})
    assert response["Location"] == reverse("schools:notification-list")


def test_the_top_bar_badge_costs_no_query_of_its_own(world, clock, client, django_assert_num_queries):
    notify(world.parent, key="1")
    notify(world.parent, key="2")
    client.force_login(world.parent)
    response = client.get(reverse("enrollment:parent-home"))
    assert response.wsgi_request.user.unread_notification_count == 2  # read with the user, in the same query
    html = response.content.decode()
    assert reverse("schools:notification-list") in html and '<span class="badge text-bg-danger">2</span>' in html
    client.force_login(world.gate)  # a role without a home yet still reaches its inbox from the top bar
    assert client.get(reverse("schools:notification-list")).status_code == 200


# ---------------------------------------------------------------- settings


def test_settings_page_shows_the_defaults_then_saves_the_choice(world, clock, sent, client, english):
    client.force_login(world.parent)
    response = client.get(reverse("schools:notification-settings"))
    form = response.context["form"]
    assert set(form.initial["text_kinds"]) == set(rules.PARENT_TEXT_KINDS)
    assert (form.initial["quiet_from"], form.initial["quiet_until"]) == (datetime.time(21, 30), datetime.time(7))
    assert "Your mobile number is not verified" in response.content.decode()
    response = client.post(
        reverse("schools:notification-settings"),
        {"text_kinds": [K.APPLICATION, K.INCIDENT], "quiet_from": "22:00", "quiet_until": "06:30"},
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=world.parent)
    assert preference.text_kinds == [K.INCIDENT, K.APPLICATION]
    assert (preference.quiet_from, preference.quiet_until) == (datetime.time(22), datetime.time(6, 30))
    verified(world.parent)
    assert notify(world.parent, kind=K.ABSENT).text_message.error == TextMessage.NOT_CHOSEN  # no longer chosen
    assert notify(world.parent, kind=K.APPLICATION).text_message.status == ST.QUEUED


@pytest.mark.parametrize(
    "data",
    [
        {"quiet_from": "22:00", "quiet_until": ""},  # half the quiet hours
        {"quiet_from": "22:00", "quiet_until": "22:00"},
        {"quiet_from": "25:00", "quiet_until": "07:00"},
        {"text_kinds": ["gossip"]},
    ],
)
def test_bad_settings_are_refused_with_a_message_and_nothing_saved(world, client, english, data):
    client.force_login(world.parent)
    response = client.post(reverse("schools:notification-settings"), data)
    assert response.status_code == 200 and response.context["messages"]
    assert not NotificationPreference.objects.exists()


def test_staff_keep_late_pickup_and_safety_as_text_by_default(world, clock, sent, django_capture_on_commit_callbacks):
    verified(world.gate, "13912340001")
    with django_capture_on_commit_callbacks(execute=True):
        late = notify(world.gate, kind=K.LATE_PICKUP, key="l")
        general = notify(world.gate, kind=K.GENERAL, key="g")
    late.text_message.refresh_from_db()
    assert late.text_message.status == ST.SENT and general.text_message.status == ST.SKIPPED


# ---------------------------------------------------------------- the earlier workflows


def only_notification(user) -> Notification:
    rows = list(Notification.objects.filter(user=user))
    assert len(rows) == 1, [r.title for r in rows]
    return rows[0]


def test_an_application_returned_by_the_class_then_the_school_tells_the_applicant_each_time(world, clock, english):
    app = make_application(world.child, school_year=world.school_year, applicant=world.parent)
    review_services.application_class_return(actor=world.class_teacher, application=app, note="请写明接送困难")
    n = only_notification(world.parent)
    assert (n.kind, n.title) == (K.APPLICATION, "Application returned")
    assert "马小明" in n.body and "请写明接送困难" in n.body
    assert n.url == reverse("enrollment:application-detail", args=[app.pk])
    assert n.dedupe_key.startswith(f"application:{app.pk}:returned:")


def test_school_approval_tells_the_applicant_once(world, clock, english):
    app = make_application(world.child, school_year=world.school_year, applicant=world.parent, status="class_approved")
    review_services.application_school_approve(actor=world.school_admin, application=app)
    n = only_notification(world.parent)
    assert n.title == "Application approved" and n.dedupe_key == f"application:{app.pk}:approved"
    assert n.body == "The after-school service application for your child 马小明 has been approved."
    assert not Notification.objects.exclude(user=world.parent).exists()  # the reviewers are not told


def test_a_paper_application_tells_the_childs_registered_guardians(world, clock, english):
    app = application(world.child, status="approved")  # entered by the school (代录): the applicant is staff
    n = only_notification(world.parent)
    assert n.dedupe_key == f"application:{app.pk}:approved"
    assert not Notification.objects.filter(user=app.applicant).exists()


def test_a_placement_tells_the_applicant_once(world, clock, english):
    app = make_application(world.child, school_year=world.school_year, applicant=world.parent, status="approved")
    service_class = service_class_for(world.child, actor=world.school_admin)
    placement_services.application_place(actor=world.school_admin, application=app, service_class=service_class)
    n = only_notification(world.parent)
    assert n.title == "Service class assigned" and service_class.name in n.body and "马小明" in n.body
    assert n.dedupe_key == f"application:{app.pk}:placed:{service_class.pk}"


def test_the_placement_run_tells_each_placed_family_once(world, clock, english):
    app = make_application(world.child, school_year=world.school_year, applicant=world.parent, status="approved")
    service_class_for(world.child, actor=world.school_admin)
    result = placement_services.placement_apply(
        actor=world.school_admin, school=world.school_a, school_year=world.school_year, confirmed_ids=[app.pk]
    )
    assert result.placed == 1
    assert only_notification(world.parent).title == "Service class assigned"


def test_a_new_agreement_text_asks_families_on_an_older_one_to_sign_again(world, clock, english):
    app = make_application(world.child, school_year=world.school_year, applicant=world.parent, status="approved")
    version = app.agreement.text.version
    text = agreements_services.agreement_text_publish(
        actor=world.school_admin, school=world.school_a, school_year=world.school_year, body="自愿服务协议书（修订）"
    )
    assert text.version == version + 1
    n = only_notification(world.parent)
    assert (n.kind, n.title) == (K.AGREEMENT, "Please sign the new service agreement")
    assert world.school_a.name in n.body and "马小明" in n.body
    agreements_services.agreement_resign(
        actor=world.parent, application=app, text_version=text.version,
        signature=Signature(signer_name="马文清", relation="father"),
    )  # fmt: skip
    agreements_services.agreement_text_publish(
        actor=world.school_admin, school=world.school_a, school_year=world.school_year, body="第三版"
    )
    assert Notification.objects.filter(user=world.parent, kind=K.AGREEMENT).count() == 2  # one per new text


def test_a_family_already_on_the_new_text_is_not_asked(world, clock):
    agreement_text(world.school_a, actor=world.school_admin)
    assert not Notification.objects.exists()


@pytest.fixture
def session_world(world, monkeypatch):
    """As tests/schools/test_sessions.py `w`: a Wednesday of the autumn semester, the timetable, school_a's class."""
    today = datetime.date(world.autumn.start_date.year, 11, 10)
    while today.isoweekday() != 3:
        today += datetime.timedelta(days=1)
    world.today = pretend_today(monkeypatch, today)
    TimetableSlot.objects.bulk_create(valid_slots(world.timetable))
    world.sc = service_class_a(world)
    return world


def test_a_child_marked_absent_tells_the_guardian_the_same_day_and_leave_tells_nobody(
    session_world, clock, english, django_capture_on_commit_callbacks, sent
):
    w = session_world
    verified(w.parent)
    marks = {w.child.pk: (Attendance.Mark.ABSENT, "没来"), w.other_child.pk: (Attendance.Mark.LEAVE, "家长请假")}
    with django_capture_on_commit_callbacks(execute=True):
        session = log(w, marks=marks)
    n = only_notification(w.parent)
    assert (n.kind, n.title, n.dedupe_key) == (
        K.ABSENT,
        "Absent from the after-school service",
        f"absent:{session.pk}:{w.child.pk}",
    )
    assert "马小明" in n.body and w.sc.name in n.body and "没来" in n.body
    assert not Notification.objects.filter(user=w.other_parent).exists()  # on leave: the family asked for it
    assert len(sent) == 1  # absent is a text kind for parents by default, sent at noon


def test_a_roll_with_everyone_present_tells_nobody(session_world, clock):
    log(session_world)
    assert not Notification.objects.exists()


# ---------------------------------------------------------------- a real worker on Redis


def _database_url_for_worker(connection) -> str:
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        return (
            f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        )
    assert connection.vendor == "sqlite" and not connection.is_in_memory_db()
    return f"sqlite:///{s['NAME']}"


@pytest.mark.needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_text_message_round_trip_through_a_real_worker_on_redis(world, settings, tmp_path):
    """notify() commits, the task goes through Redis, a real `celery worker` sends it with the console sender."""
    from django.db import connection

    assert not celery_app.conf.task_always_eager, "REDIS_URL is set, so tasks must go through the broker"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_worker(connection),
        "DJANGO_SETTINGS_MODULE": "xiji_afterschool.settings",
        "XIJI_SMS_SENDER": "xiji_afterschool.sms.ConsoleSender",
    }
    queue = f"test-sms-{os.getpid()}"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "xiji_afterschool", "worker", "--pool=solo", "-Q", queue,
         "--loglevel=INFO", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    old_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        verified(world.parent)
        services.notification_preference_save(
            actor=world.parent, text_kinds=[K.GENERAL], quiet_from=None, quiet_until=None
        )
        notification = notify(world.parent, kind=K.GENERAL, title="测试短信", body="经 Redis 发送")
        text = TextMessage.objects.get(notification=notification)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            text.refresh_from_db()
            if text.status in (ST.SENT, ST.FAILED):
                break
            assert worker.poll() is None, "the worker died"
            time.sleep(0.25)
        assert text.status == ST.SENT, text.error or "worker did not send in 90 s"
        assert text.provider_reference.startswith("console-") and text.attempts == 1
    finally:
        celery_app.conf.task_default_queue = old_queue
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "schools.send_text_message_task" in output and "succeeded" in output, output[-2000:]
    assert "139****5678" in output and "13912345678" not in output
