"""Compliance flags at the county (issue #12): the county sees flagged sessions and reviews them once, after the
school has confirmed; a violation tells the school; the bureau hears daily what waits; the review never changes."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from schools.models import ActivityCategory, Notification, Role, ServiceClass, Session
from schools.services import sessions as sessions_services
from xiji_afterschool.bureau.models import FlagReview
from xiji_afterschool.bureau.selectors import compliance as selectors
from xiji_afterschool.bureau.services import compliance as services
from xiji_afterschool.errors import DomainError

from ..access.sessions import service_class_a
from ..concurrency import at_once
from ..conftest import events, messages_of, pages_in_english
from ..factories import user_with_role

pytestmark = pytest.mark.usefixtures("english")
ACCEPTED, VIOLATION = FlagReview.Outcome.ACCEPTED, FlagReview.Outcome.VIOLATION
T = datetime.time


def class_b(w) -> ServiceClass:
    if getattr(w, "_class_b", None) is None:
        w._class_b = ServiceClass.objects.create(
            school=w.school_b, school_year=w.school_year, name="乙校作业班", activity=ActivityCategory.HOMEWORK,
            teacher=w.other_school_admin, capacity=40, created_by=w.other_school_admin,
        )  # fmt: skip
    return w._class_b


def flagged(w, *, day=None, school_b=False, confirmed=False, flag="R12:新课", start=16) -> Session:
    """A session of school_a (or school_b) logged with a note that reads like a new lesson; optionally confirmed by
    the school's administrator through the schools service."""
    session = Session.objects.create(
        service_class=class_b(w) if school_b else service_class_a(w), date=day or w.autumn.start_date,
        start_time=T(start), end_time=T(start + 1), class_hours=Decimal("1"),
        activity_category=ActivityCategory.HOMEWORK, content_note="讲新课：分数", teacher=w.service_teacher,
        teacher_role=Session.TeacherRole.RESPONSIBLE, flag=flag,
        status=Session.Status.NEEDS_CONFIRMATION if flag else Session.Status.RECORDED, logged_by=w.service_teacher,
    )  # fmt: skip
    if confirmed:
        sessions_services.session_confirm(actor=w.other_school_admin if school_b else w.school_admin, session=session)
    return session


# ---------------------------------------------------------------- the review


def test_the_county_reviews_only_after_the_school_confirmed(world):
    w = world
    session = flagged(w)
    with pytest.raises(DomainError, match="has not confirmed this session yet"):
        services.flag_review(actor=w.bureau, session=session, outcome=ACCEPTED)
    assert not FlagReview.objects.exists()

    sessions_services.session_confirm(actor=w.school_admin, session=session)
    review = services.flag_review(actor=w.inspector, session=session, outcome=ACCEPTED)
    assert (review.outcome, review.reviewed_by, review.note) == (ACCEPTED, w.inspector, "")
    assert events(session)[-1] == ("county_accept", "confirmed", "confirmed", w.inspector.pk, "")
    assert not Notification.objects.filter(user=w.school_admin).exists()  # an acceptance tells nobody


def test_a_second_review_is_refused_with_a_clear_message(world):
    w = world
    session = flagged(w, confirmed=True)
    services.flag_review(actor=w.bureau, session=session, outcome=ACCEPTED)
    with pytest.raises(DomainError, match="already reviewed this session"):
        services.flag_review(actor=w.inspector, session=session, outcome=VIOLATION, note="讲新课")
    review = FlagReview.objects.get()
    assert (review.outcome, review.reviewed_by) == (ACCEPTED, w.bureau)
    assert [e[0] for e in events(session)].count("county_accept") == 1


def test_a_race_lost_at_the_database_gets_the_same_message(world, monkeypatch):
    """Two reviewers at once: both pass the check; the unique session refuses the second insert."""
    w = world
    session = flagged(w, confirmed=True)
    FlagReview.objects.create(session=session, outcome=ACCEPTED, reviewed_by=w.bureau)  # the other reviewer won
    real_filter = FlagReview.objects.filter
    monkeypatch.setattr(
        FlagReview.objects,
        "filter",
        lambda *a, **kw: real_filter(pk__in=[]) if "session" in kw else real_filter(*a, **kw),
    )
    with pytest.raises(DomainError, match="already reviewed this session"):
        services.flag_review(actor=w.inspector, session=session, outcome=VIOLATION, note="x")
    assert FlagReview.objects.count() == 1
    assert "county_violation" not in [e[0] for e in events(session)]


def test_a_violation_needs_a_note_and_tells_the_school_once(world):
    w = world
    session = flagged(w, confirmed=True)
    with pytest.raises(DomainError, match="Say what the violation is"):
        services.flag_review(actor=w.bureau, session=session, outcome=VIOLATION, note="  ")
    with pytest.raises(DomainError, match="accepted or a violation"):
        services.flag_review(actor=w.bureau, session=session, outcome="maybe")
    assert not FlagReview.objects.exists()

    services.flag_review(actor=w.bureau, session=session, outcome=VIOLATION, note="讲授新课，违反规定")
    told = Notification.objects.get(user=w.school_admin)
    assert told.dedupe_key == f"flag-violation:{session.pk}"
    assert "讲授新课，违反规定" in told.body and told.url == reverse("schools:session-detail", args=[session.pk])
    assert not Notification.objects.filter(user=w.other_school_admin).exists()
    assert events(session)[-1][0] == "county_violation"


def test_a_session_without_a_flag_is_not_reviewed(world):
    w = world
    late = flagged(w, flag="")
    with pytest.raises(DomainError, match="carries no compliance flag"):
        services.flag_review(actor=w.bureau, session=late, outcome=ACCEPTED)


@pytest.mark.parametrize("who", ["leadership", "township", "school_admin", "finance"])
def test_only_the_bureau_and_inspectors_review(world, who):
    w = world
    session = flagged(w, confirmed=True)
    with pytest.raises(PermissionDenied):
        services.flag_review(actor=getattr(w, who), session=session, outcome=ACCEPTED)
    assert not FlagReview.objects.exists()


def test_the_database_wants_a_note_for_a_violation(world):
    w = world
    session = flagged(w, confirmed=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        FlagReview.objects.create(session=session, outcome=VIOLATION, note="", reviewed_by=w.bureau)


@pytest.mark.needs_postgres  # the trigger is PostgreSQL's
def test_the_database_refuses_to_change_or_delete_a_review(world):
    w = world
    session = flagged(w, confirmed=True)
    review = services.flag_review(actor=w.bureau, session=session, outcome=VIOLATION, note="讲新课")
    for statement in (
        lambda: FlagReview.objects.filter(pk=review.pk).update(outcome=ACCEPTED),
        lambda: FlagReview.objects.filter(pk=review.pk).update(note="改写"),
        lambda: FlagReview.objects.filter(pk=review.pk).delete(),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            statement()
    review.refresh_from_db()
    assert (review.outcome, review.note) == (VIOLATION, "讲新课")


# ---------------------------------------------------------------- reading: states, counts, scope


def _states(w):
    """One flagged session in each state at school_a, plus one waiting for the county at school_b."""
    waiting_school = flagged(w, start=8)
    waiting_county = flagged(w, start=10, confirmed=True)
    accepted = flagged(w, start=12, confirmed=True)
    services.flag_review(actor=w.bureau, session=accepted, outcome=ACCEPTED)
    violation = flagged(w, start=14, confirmed=True)
    services.flag_review(actor=w.bureau, session=violation, outcome=VIOLATION, note="讲新课")
    at_b = flagged(w, school_b=True, confirmed=True, day=w.autumn.start_date + datetime.timedelta(days=7))
    flagged(w, flag="", start=18)  # logged late, no flag: not the county's
    return waiting_school, waiting_county, accepted, violation, at_b


def test_counts_and_states_for_the_county_and_a_township(world):
    w = world
    waiting_school, waiting_county, accepted, violation, at_b = _states(w)
    county = {"flagged": 5, "waiting_school": 1, "waiting_county": 2, "accepted": 1, "violations": 1}
    assert selectors.flag_counts(w.bureau, w.school_year) == county
    assert selectors.flag_counts(w.leadership, w.school_year) == county
    assert selectors.flag_counts(w.township, w.school_year) == {**county, "flagged": 4, "waiting_county": 1}
    assert selectors.flag_counts(w.school_admin, w.school_year)["flagged"] == 0  # the county's page, not the school's
    states = {s.pk: s.state for s in selectors.flag_list(viewer=w.bureau)}
    assert states == {
        waiting_school.pk: "waiting_school", waiting_county.pk: "waiting_county", accepted.pk: "accepted",
        violation.pk: "violation", at_b.pk: "waiting_county",
    }  # fmt: skip
    assert selectors.waiting_county_count() == 2


def test_filters_township_school_state_and_dates(world):
    w = world
    waiting_school, waiting_county, accepted, violation, at_b = _states(w)

    def pks(**filters):
        return {s.pk for s in selectors.flag_list(viewer=w.bureau, school_year=w.school_year, **filters)}

    assert pks(township_id=w.township_b.pk) == {at_b.pk}
    assert pks(school_id=w.school_a.pk) == {waiting_school.pk, waiting_county.pk, accepted.pk, violation.pk}
    assert pks(state="waiting_county") == {waiting_county.pk, at_b.pk}
    assert pks(state="violation") == {violation.pk}
    assert pks(date_from=at_b.date) == {at_b.pk}
    assert pks(date_to=at_b.date - datetime.timedelta(days=1)) == pks(school_id=w.school_a.pk)


def test_the_page_for_the_county_and_the_township(world, client):
    w = world
    *_rest, at_b = _states(w)
    pages_in_english(client)
    client.force_login(w.bureau)
    response = client.get(reverse("bureau:compliance-list"), {"state": "waiting_county"})
    assert response.status_code == 200
    assert {s.pk for s in response.context["page"]} == {_rest[1].pk, at_b.pk}
    html = response.content.decode()
    assert "Waiting for the county" in html and 'data-count="violations">1<' in html
    client.force_login(w.township)
    assert at_b.pk not in {s.pk for s in client.get(reverse("bureau:compliance-list")).context["page"]}
    assert client.get(reverse("bureau:compliance-detail", args=[at_b.pk])).status_code == 404  # another township
    assert client.get(reverse("bureau:compliance-detail", args=[_rest[1].pk])).status_code == 200


def test_reviewing_through_the_page(world, client):
    w = world
    session = flagged(w, confirmed=True)
    pages_in_english(client)
    client.force_login(w.inspector)
    detail = reverse("bureau:compliance-detail", args=[session.pk])
    assert client.get(detail).context["form"] is not None
    response = client.post(reverse("bureau:compliance-review", args=[session.pk]), {"outcome": "violation", "note": ""})
    assert response.status_code == 302 and "Say what the violation is" in " ".join(messages_of(response))
    response = client.post(
        reverse("bureau:compliance-review", args=[session.pk]), {"outcome": "violation", "note": "讲授新课"}
    )
    assert response.url == detail and messages_of(response)[-1] == "The county's review is recorded."
    page = client.get(detail)
    assert page.context["form"] is None and "讲授新课" in page.content.decode()
    client.force_login(w.leadership)
    assert client.get(detail).context["form"] is None  # reads, never reviews
    waiting = flagged(w, start=9)
    client.force_login(w.bureau)
    assert client.get(reverse("bureau:compliance-detail", args=[waiting.pk])).context["form"] is None


def test_the_export_lists_what_the_page_lists(world, client):
    w = world
    _states(w)
    client.force_login(w.bureau)
    response = client.get(reverse("bureau:compliance-export"), {"state": "violation"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][2] == w.school_a.name and rows[1][-1] == "讲新课"
    assert rows[1][9] == str(w.school_admin)  # confirmed by
    client.force_login(w.township)
    rows = list(load_workbook(io.BytesIO(client.get(reverse("bureau:compliance-export")).content)).active.values)
    assert len(rows) == 1 + 4 and all(r[2] == w.school_a.name for r in rows[1:])


# ---------------------------------------------------------------- the daily digest


def test_the_digest_tells_the_bureau_once_a_day(world):
    w = world
    day = datetime.date(2025, 10, 9)
    assert services.send_flag_digest(today=day) == 0  # nothing waits: nobody is told
    flagged(w, confirmed=True)
    flagged(w, confirmed=True, start=10)
    flagged(w, start=12)  # still the school's
    assert services.send_flag_digest(today=day) == 1
    assert services.send_flag_digest(today=day) == 0  # run twice: told once
    told = Notification.objects.get(user=w.bureau)
    assert told.dedupe_key == "flag-digest:2025-10-09" and "2 flagged sessions" in told.body
    assert not Notification.objects.filter(user=w.inspector).exists()
    assert services.send_flag_digest(today=day + datetime.timedelta(days=1)) == 1


@pytest.mark.django_db(transaction=True)
def test_four_reviewers_at_once_make_one_review(world):
    """On PostgreSQL in real threads (tests/concurrency.py); on SQLite one after the other: one review, three clear
    refusals, one history step, one notice to the school."""
    w = world
    session = flagged(w, confirmed=True)
    reviewers = [w.bureau, w.inspector, user_with_role(Role.INSPECTOR), user_with_role(Role.BUREAU)]

    def review(user):
        return lambda: services.flag_review(
            actor=user, session=Session.objects.get(pk=session.pk), outcome=VIOLATION, note=f"违规 {user.pk}"
        )

    results = at_once(*(review(user) for user in reviewers))
    assert results.count("ok") == 1, results
    refusals = [r for r in results if r != "ok"]
    assert all(isinstance(r, DomainError) and "already reviewed this session" in r.message for r in refusals), results
    assert FlagReview.objects.count() == 1
    assert FlagReview.objects.get().reviewed_by == reviewers[results.index("ok")]
    assert [e[0] for e in events(session)].count("county_violation") == 1
    assert Notification.objects.filter(user=w.school_admin).count() == 1
