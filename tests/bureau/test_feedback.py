"""Feedback (意见建议与投诉, R33, R37): anonymous sending and lookup, the throttle, routing, the fee complaint's
referral to market supervision, answering and closing, the deadline in working days, scoping, the console's counts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from schools.models import CalendarDay
from xiji_afterschool.bureau.models import Feedback
from xiji_afterschool.bureau.rules import feedback as rules
from xiji_afterschool.bureau.selectors import feedback as selectors
from xiji_afterschool.bureau.services import feedback as services
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..concurrency import at_once

pytestmark = pytest.mark.usefixtures("english")

D = datetime.date


def send(w, *, kind="complaint", school="a", actor=None, address="10.1.1.1", theme="timetable", **extra):
    school = {"a": w.school_a, "b": w.school_b, None: None}[school]
    return services.feedback_submit(
        actor=actor, address=address, kind=kind, sender="parent", theme=theme, text="服务结束太晚", school=school,
        **extra,
    )  # fmt: skip


def form(**extra):
    return {"sender": "parent", "kind": "complaint", "theme": "safety", "text": "校门口车辆太多", **extra}


# ---------------------------------------------------------------- anonymous sending and lookup


def test_anonymous_sends_and_looks_up_by_tracking_code(client, world):
    response = client.post(reverse("bureau:feedback-submit"), form(school=world.school_a.pk))
    assert response.status_code == 302 and response["Location"] == reverse("bureau:feedback-sent")
    feedback = Feedback.objects.get()
    assert feedback.is_anonymous and feedback.submitted_by is None
    assert (feedback.handler, feedback.status) == ("school", "assigned")
    assert [(e.action, e.by_system) for e in feedback.events.all()] == [("submit", True), ("assign", True)]
    sent = client.get(reverse("bureau:feedback-sent")).content.decode()
    assert feedback.code in sent
    # The code may be typed back in lower case with dashes; the page shows status, not the message itself.
    typed = f"{feedback.code[:4].lower()}-{feedback.code[4:]}"
    page = client.get(reverse("bureau:feedback-track"), {"code": typed}).content.decode()
    assert feedback.code in page and "Assigned" in page and "校门口车辆太多" not in page
    missing = client.get(reverse("bureau:feedback-track"), {"code": "ZZZZZZZZZZZZ"}).content.decode()
    assert "No message has this tracking code" in missing


def test_a_bad_mobile_is_refused_and_nothing_is_saved(client, world):
    response = client.post(reverse("bureau:feedback-submit"), form(mobile="12345"))
    assert response.status_code == 200 and "11-digit" in response.content.decode()
    assert not Feedback.objects.exists()
    client.post(reverse("bureau:feedback-submit"), form(name="马文清", mobile="+86 139-5123-4567"))
    assert Feedback.objects.get().mobile == "13951234567"


def test_a_hundred_posts_from_one_address_create_at_most_the_limit(client, world):
    statuses = [
        client.post(reverse("bureau:feedback-submit"), form(), REMOTE_ADDR="203.0.113.9").status_code
        for _ in range(100)
    ]
    assert Feedback.objects.count() == rules.THROTTLE_LIMIT
    assert statuses[: rules.THROTTLE_LIMIT] == [302] * rules.THROTTLE_LIMIT
    assert set(statuses[rules.THROTTLE_LIMIT :]) == {429}
    refused = client.post(reverse("bureau:feedback-submit"), form(), REMOTE_ADDR="203.0.113.9")
    assert "Too many messages" in refused.content.decode()
    # A forged X-Forwarded-For does not walk past it (no trusted proxy by default); another address is not held back.
    forged = client.post(
        reverse("bureau:feedback-submit"), form(), REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert forged.status_code == 429
    other = client.post(reverse("bureau:feedback-submit"), form(), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302 and Feedback.objects.count() == rules.THROTTLE_LIMIT + 1


def test_a_signed_in_parents_feedback_lists_under_their_account(client, world):
    client.force_login(world.parent)
    client.post(reverse("bureau:feedback-submit"), form(school=world.school_a.pk))
    feedback = Feedback.objects.get()
    assert feedback.submitted_by == world.parent and feedback.events.first().actor == world.parent
    assert feedback.code in client.get(reverse("bureau:feedback-mine")).content.decode()
    assert client.get(reverse("bureau:feedback-detail", args=[feedback.pk])).status_code == 200
    client.force_login(world.other_parent)
    assert feedback.code not in client.get(reverse("bureau:feedback-mine")).content.decode()
    assert client.get(reverse("bureau:feedback-detail", args=[feedback.pk])).status_code == 404


# ---------------------------------------------------------------- routing


def test_routing_school_bureau_and_fee_complaints(world):
    about_school = send(world)
    no_school = send(world, school=None, kind="suggestion")
    fee = send(world, kind="fee_complaint", theme="safety")
    assert about_school.handler == "school"
    assert no_school.handler == "bureau"
    assert fee.handler == "bureau" and fee.school == world.school_a
    # The school's admin sees only what is routed to the school; the fee complaint about it stays with the bureau.
    assert set(selectors.feedback_list(viewer=world.school_admin)) == {about_school}
    assert set(selectors.feedback_list(viewer=world.bureau)) == {about_school, no_school, fee}


def test_a_fee_complaint_form_is_filed_under_fees(client, world):
    client.post(reverse("bureau:feedback-submit"), form(kind="fee_complaint", theme="safety"))
    assert (Feedback.objects.get().theme, Feedback.objects.get().handler) == ("fees", "bureau")


# ---------------------------------------------------------------- fee complaint and referral


def test_fee_complaint_is_referred_by_the_bureau_and_then_answered(client, world):
    fee = send(world, kind="fee_complaint")
    with pytest.raises(PermissionDenied):
        services.feedback_refer(actor=world.school_admin, feedback=fee, note="x")
    with pytest.raises(DomainError, match="Record what was referred"):
        services.feedback_refer(actor=world.bureau, feedback=fee, note=" ")
    services.feedback_refer(actor=world.bureau, feedback=fee, note="西市监函〔2026〕12号")
    fee.refresh_from_db()
    assert fee.status == "referred" and fee.referral_note == "西市监函〔2026〕12号" and fee.referred_at
    event = fee.events.last()
    assert (event.action, event.actor, event.to_status) == ("refer", world.bureau, "referred")
    assert not fee.is_overdue  # a referral is itself an answer to the sender
    services.feedback_answer(actor=world.bureau, feedback=fee, answer="已转县市场监管局查处")
    fee.refresh_from_db()
    assert fee.status == "answered"
    # The school never sees the fee complaint about it.
    client.force_login(world.school_admin)
    assert client.get(reverse("bureau:feedback-detail", args=[fee.pk])).status_code == 404


def test_only_fee_complaints_are_referred(world):
    complaint = send(world, school=None)
    with pytest.raises(DomainError, match="Only a complaint about a fee"):
        services.feedback_refer(actor=world.bureau, feedback=complaint, note="x")
    assert Feedback.objects.get(pk=complaint.pk).status == "assigned"


def test_refer_through_the_page(client, world):
    fee = send(world, kind="fee_complaint")
    client.force_login(world.bureau)
    client.post(reverse("bureau:feedback-refer", args=[fee.pk]), {"note": "已移送"})
    assert Feedback.objects.get(pk=fee.pk).status == "referred"


# ---------------------------------------------------------------- answering and closing


def test_answer_records_the_time_and_who_and_the_sender_reads_it(client, world):
    feedback = send(world)
    before = timezone.now()
    client.force_login(world.school_admin)
    response = client.post(reverse("bureau:feedback-answer", args=[feedback.pk]), {"answer": "已调整结束时间"})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == "answered" and feedback.answer == "已调整结束时间"
    assert feedback.answered_by == world.school_admin and feedback.answered_at >= before
    with pytest.raises(TransitionNotAllowed):
        services.feedback_answer(actor=world.bureau, feedback=feedback, answer="again")
    client.logout()
    page = client.get(reverse("bureau:feedback-track"), {"code": feedback.code}).content.decode()
    assert "已调整结束时间" in page and str(world.school_admin) not in page
    stats = selectors.feedback_response_stats(world.bureau)
    assert (stats["answered"], stats["on_time"], stats["open"]) == (1, 1, 0)


def test_an_empty_answer_is_refused_and_close_needs_an_answer(world):
    feedback = send(world)
    with pytest.raises(DomainError, match="Write the answer"):
        services.feedback_answer(actor=world.school_admin, feedback=feedback, answer="  ")
    with pytest.raises(TransitionNotAllowed):
        services.feedback_close(actor=world.school_admin, feedback=feedback)
    services.feedback_answer(actor=world.school_admin, feedback=feedback, answer="好")
    services.feedback_close(actor=world.school_admin, feedback=feedback)
    assert Feedback.objects.get(pk=feedback.pk).status == "closed"


def test_readers_cannot_answer(world):
    feedback = send(world)
    for reader in (world.inspector, world.leadership):
        with pytest.raises(PermissionDenied):
            services.feedback_answer(actor=reader, feedback=feedback, answer="x")
    with pytest.raises(PermissionDenied):
        services.feedback_answer(actor=world.other_school_admin, feedback=feedback, answer="x")


# ---------------------------------------------------------------- deadline and overdue


def test_answer_deadline_counts_working_days():
    friday = D(2026, 12, 4)
    assert rules.answer_deadline(friday) == D(2026, 12, 11)  # Mon–Fri of the next week
    assert rules.answer_deadline(friday, holidays=frozenset({D(2026, 12, 8)})) == D(2026, 12, 14)
    assert rules.answer_deadline(friday, workdays=frozenset({D(2026, 12, 5)})) == D(2026, 12, 10)  # 调休 Saturday


def test_deadline_skips_the_countys_holidays(world):
    today = timezone.localdate()
    plain = rules.answer_deadline(today)
    first_workday = next(
        today + datetime.timedelta(days=n) for n in range(1, 5) if (today + datetime.timedelta(days=n)).weekday() < 5
    )
    CalendarDay.objects.create(school_year=world.school_year, date=first_workday, kind=CalendarDay.Kind.HOLIDAY)
    assert send(world).due_on > plain


def test_overdue_is_computed_and_filtered(client, world):
    late, on_time, answered = send(world), send(world), send(world)
    Feedback.objects.filter(pk__in=[late.pk, answered.pk]).update(due_on=timezone.localdate() - datetime.timedelta(1))
    services.feedback_answer(actor=world.school_admin, feedback=answered, answer="好")
    late.refresh_from_db()
    on_time.refresh_from_db()
    answered.refresh_from_db()
    assert late.is_overdue and not on_time.is_overdue and not answered.is_overdue
    assert list(selectors.feedback_filtered(viewer=world.bureau, overdue=True)) == [late]
    client.force_login(world.bureau)
    page = client.get(reverse("bureau:feedback-list"), {"overdue": "on"}).content.decode()
    assert page.count("data-feedback") == 1
    assert selectors.feedback_response_stats(world.bureau)["overdue"] == 1


# ---------------------------------------------------------------- scoping and the console's counts


def test_a_school_sees_only_its_own(client, world):
    mine, theirs = send(world, school="a"), send(world, school="b")
    client.force_login(world.school_admin)
    listed = client.get(reverse("bureau:feedback-list")).content.decode()
    assert reverse("bureau:feedback-detail", args=[mine.pk]) in listed
    assert reverse("bureau:feedback-detail", args=[theirs.pk]) not in listed
    assert client.get(reverse("bureau:feedback-detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("bureau:feedback-answer", args=[theirs.pk]), {"answer": "x"}).status_code == 404
    assert Feedback.objects.get(pk=theirs.pk).status == "assigned"


def test_list_filters_by_status_and_theme(world):
    a = send(world, theme="safety")
    send(world, theme="staff")
    services.feedback_answer(actor=world.school_admin, feedback=a, answer="好")
    assert list(selectors.feedback_filtered(viewer=world.bureau, theme="safety")) == [a]
    assert list(selectors.feedback_filtered(viewer=world.bureau, status="answered")) == [a]


def test_feedback_counts_per_theme_since(world):
    send(world, theme="safety")
    send(world, theme="safety")
    send(world, kind="fee_complaint")  # filed under fees by the form; the service keeps what it is given
    old = send(world, theme="staff")
    Feedback.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    since = timezone.localdate() - datetime.timedelta(days=30)
    counts = {c["theme"]: c for c in selectors.feedback_counts(world.bureau, since)}
    assert set(counts) == set(Feedback.Theme.values)  # every theme, zeros included
    assert counts["safety"]["total"] == 2 and counts["safety"]["open"] == 2
    assert counts["staff"]["total"] == 0
    assert selectors.feedback_counts(world.bureau)[[t for t in Feedback.Theme.values].index("staff")]["total"] == 1
    # The school's admin counts only what is routed to the school.
    school_counts = {c["theme"]: c["total"] for c in selectors.feedback_counts(world.school_admin, since)}
    assert sum(school_counts.values()) == 2


# ---------------------------------------------------------------- races and costs


@pytest.mark.django_db(transaction=True)
def test_twenty_posts_at_once_from_one_address_create_at_most_the_limit(world):
    """On PostgreSQL (+ Redis in CI) from threads at the same moment; on SQLite one after the other."""
    calls = [lambda: send(world, address="203.0.113.50") for _ in range(20)]
    results = at_once(*calls)
    assert results.count("ok") == rules.THROTTLE_LIMIT
    assert all(isinstance(r, services.TooManySubmissions) for r in results if r != "ok")
    assert Feedback.objects.count() == rules.THROTTLE_LIMIT


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_one_wins(world):
    feedback = send(world)
    results = at_once(
        lambda: services.feedback_answer(actor=world.school_admin, feedback=Feedback.objects.get(pk=feedback.pk), answer="甲"),
        lambda: services.feedback_answer(actor=world.bureau, feedback=Feedback.objects.get(pk=feedback.pk), answer="乙"),
    )  # fmt: skip
    assert results.count("ok") == 1 and any(isinstance(r, TransitionNotAllowed) for r in results)
    feedback.refresh_from_db()
    assert feedback.events.filter(action="answer").count() == 1 and feedback.answer in ("甲", "乙")


def test_the_handlers_list_costs_the_same_for_more_messages(client, world, django_assert_max_num_queries):
    for _ in range(3):
        send(world, address="10.9.9.1")
    client.force_login(world.bureau)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("bureau:feedback-list"))
    for i in range(12):
        send(world, address=f"10.9.9.{i + 10}", school=("a", "b", None)[i % 3])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("bureau:feedback-list"))


def test_the_service_files_a_fee_complaint_under_fees(world):
    assert send(world, kind="fee_complaint", theme="safety").theme == "fees"
