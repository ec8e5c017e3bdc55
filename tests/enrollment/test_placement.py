"""Placement into service classes (组班, R14/R19): the suggestion, applying it (all or nothing), placing and moving by
hand, the waiting list, activation when the service starts, freeing the place on withdrawal, and two administrators
taking the last place at once.

Applications are built with the ORM in status approved/waiting (the review is another part's); placements go through
the services.
"""

import datetime
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from enrollment.models import Agreement, AgreementText, Application, ApplicationEvent
from enrollment.rules import placement as placement_rules
from enrollment.selectors import placement as selectors
from enrollment.services import placement as services
from schools.models import ActivityCategory, Role, ServiceClass, ServiceClassMember
from schools.services import classes as class_services
from xiji_afterschool.errors import DomainError

from ..concurrency import at_once as _at_once
from ..concurrency import outcome as _outcome
from ..concurrency import someone_waits_on_a_lock
from ..factories import StudentFactory, UserFactory, user_with_role

pytestmark = pytest.mark.usefixtures("english", "english_pages")

S = Application.Status
A = ActivityCategory
T0 = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC)


# ---------------------------------------------------------------- the suggestion, without the database


def app_ns(pk, *, groups=0, minute=0, prefs=(), kind="regular", admin_class=1):
    return SimpleNamespace(
        pk=pk, priority_groups=groups, submitted_at=T0 + datetime.timedelta(minutes=minute), preferences=list(prefs),
        service_kind=kind, student=SimpleNamespace(admin_class_id=admin_class),
    )  # fmt: skip


def class_ns(pk, activity, capacity, *, kind="regular", drawn=(), teacher_id=1):
    return SimpleNamespace(
        pk=pk, activity=activity, capacity=capacity, kind=kind, admin_class_ids=set(drawn), teacher_id=teacher_id
    )


CLASSES = [
    class_ns(1, A.ARTS, 1),
    class_ns(2, A.SPORTS, 2),
    class_ns(3, A.READING, 1, drawn=[2]),  # only children of administrative class 2
    class_ns(4, A.CUSTODY, 1, kind="extended"),
    class_ns(5, A.ARTS, 5, teacher_id=None),  # no responsible teacher: takes nobody
]


def applications_ns():
    return {
        "a": app_ns(10, groups=0, minute=1, prefs=[A.ARTS]),
        "b": app_ns(11, groups=2, minute=5, prefs=[A.ARTS, A.SPORTS]),
        "c": app_ns(12, groups=1, minute=3, prefs=[A.READING, A.ARTS]),
        "d": app_ns(13, groups=1, minute=2, prefs=[A.READING], admin_class=2),
        "e": app_ns(14, minute=4, prefs=[A.CUSTODY], kind="extended"),
        "f": app_ns(15, minute=6, kind="extended"),
        "g": app_ns(16, minute=1, prefs=[A.SPORTS]),  # applied at the same minute as a: the lower id goes first
        "h": app_ns(17, minute=7, prefs=[A.ARTS], kind="evening"),  # no evening class
    }


def _named(suggestion, apps):
    names = {id(v): k for k, v in apps.items()}
    return [(names[id(a)], c.pk if c else None) for a, c in suggestion]


def test_suggestion_follows_priority_then_time_and_honours_preferences_and_capacity():
    apps = applications_ns()
    suggestion = placement_rules.suggest_placements(list(apps.values()), CLASSES, {})
    assert _named(suggestion, apps) == [
        ("b", 1),  # 2 groups: first wish (arts)
        ("d", 3),  # 1 group, earlier: reading, which draws from d's class
        ("c", 2),  # reading is not for c's class, arts is full, class 5 has no teacher: any suitable → sports
        ("a", 2),  # arts full → the last sports place
        ("g", None),  # sports full, nothing else suitable is free
        ("e", 4),  # extended care
        ("f", None),  # the only extended class is full
        ("h", None),  # nobody offers evening service
    ]


def test_suggestion_counts_places_already_taken():
    apps = applications_ns()
    suggestion = placement_rules.suggest_placements(list(apps.values()), CLASSES, {2: 1, 4: 1})
    assert _named(suggestion, apps) == [
        ("b", 1), ("d", 3), ("c", 2), ("a", None), ("g", None), ("e", None), ("f", None), ("h", None),
    ]  # fmt: skip


def test_suggestion_of_nothing_is_empty():
    assert placement_rules.suggest_placements([], CLASSES, {}) == []
    assert [c for _a, c in placement_rules.suggest_placements([app_ns(1)], [], {})] == [None]


# ---------------------------------------------------------------- data


def make_application(w, student=None, *, status=S.APPROVED, minute=0, groups=0, prefs=(), kind="regular", **extra):
    """A signed agreement and an application of `student` (default: a new pupil of class_a1) in `status`."""
    student = student or StudentFactory(admin_class=w.class_a1)
    applicant = UserFactory()
    text = AgreementText.objects.filter(school=student.school, school_year=w.school_year).first()
    text = text or AgreementText.objects.create(
        school=student.school, school_year=w.school_year, version=1, body="自愿服务协议书", published_by=applicant
    )
    agreement = Agreement.objects.create(
        student=student, text=text, decision=Agreement.Decision.SIGNED, signer_name="马文清", relation="父亲",
        consent=True, signed_by=applicant,
    )  # fmt: skip
    flags = ["dual_working", "migrant_child", "disability", "economic_hardship"][:groups]
    return Application.objects.create(
        student=student, school=student.school, school_year=w.school_year, status=status, agreement=agreement,
        applicant=applicant, service_kind=kind, extended_reason="父母夜班" if kind == "extended" else "",
        pickup_difficulty="父母都在外打工", preferences=list(prefs), pickup_person="马爷爷", pickup_relation="祖父",
        pickup_mobile="13909540001", submitted_at=T0 + datetime.timedelta(minutes=minute),
        **{f: True for f in flags}, **extra,
    )  # fmt: skip


def make_class(w, name, activity, capacity, *, kind="regular", teacher="service_teacher", admin_classes=()):
    return class_services.service_class_save(
        actor=w.school_admin, school=w.school_a, school_year=w.school_year, name=name, kind=kind, activity=activity,
        teacher=getattr(w, teacher) if teacher else None, capacity=capacity, admin_classes=admin_classes,
    )  # fmt: skip


def other_school_class(w) -> ServiceClass:
    return ServiceClass.objects.create(
        school=w.school_b, school_year=w.school_year, name="乙班", activity=A.ARTS, capacity=5,
        teacher=w.other_school_admin, created_by=w.other_school_admin,
    )  # fmt: skip


def start_day(w):
    return placement_rules.placement_start_date(w.school_year)


def snapshot():
    """Everything placement writes: members, statuses and classes of applications, events."""
    return (
        sorted(ServiceClassMember.objects.values_list("service_class", "student", "start_date", "end_date")),
        sorted(Application.objects.values_list("pk", "status", "service_class")),
        ApplicationEvent.objects.count(),
    )


@pytest.fixture
def board(world):
    """school_a with two regular classes (arts 1 place, sports 2) and four approved applications."""
    w = world
    w.arts = make_class(w, "书法班", A.ARTS, 1)
    w.sports = make_class(w, "篮球班", A.SPORTS, 2)
    w.first = make_application(w, w.child, groups=2, minute=30, prefs=[A.ARTS])
    w.second = make_application(w, w.other_child, groups=1, minute=10, prefs=[A.ARTS, A.SPORTS])
    w.third = make_application(w, w.child_a2, minute=5, prefs=[A.ARTS], status=S.WAITING)
    w.fourth = make_application(w, minute=20, prefs=[A.SPORTS])
    return w


# ---------------------------------------------------------------- applying the suggestion


def _apply(w, confirmed=None, signature=None, actor=None):
    board = selectors.placement_board(viewer=w.school_admin, school=w.school_a, school_year=w.school_year)
    if confirmed is None:
        confirmed = [a.pk for a, c in board.suggestion if c]
    return services.placement_apply(
        actor=actor or w.school_admin, school=w.school_a, school_year=w.school_year, confirmed_ids=confirmed,
        signature=board.signature if signature is None else signature,
    )  # fmt: skip


def test_board_suggests_in_waiting_list_order(board):
    w = board
    result = selectors.placement_board(viewer=w.school_admin, school=w.school_a, school_year=w.school_year)
    assert [(a.student.name, c.name if c else None) for a, c in result.suggestion] == [
        ("马小明", "书法班"), ("李小红", "篮球班"), ("王小军", "篮球班"), (w.fourth.student.name, None),
    ]  # fmt: skip
    assert [(pos, a.pk) for pos, a in result.waiting] == [(1, w.third.pk)]
    assert result.free_places == 3


def test_applying_places_the_confirmed_and_puts_the_rest_on_the_waiting_list(board):
    w = board
    outcome = _apply(w, confirmed=[w.first.pk, w.second.pk])  # third (waiting) not confirmed: stays waiting
    assert (outcome.placed, outcome.waiting) == (2, 1)
    day = start_day(w)
    for app, status, sc in [(w.first, S.PLACED, w.arts), (w.second, S.PLACED, w.sports), (w.third, S.WAITING, None)]:
        app.refresh_from_db()
        assert (app.status, app.service_class) == (status, sc)
    w.fourth.refresh_from_db()
    assert w.fourth.status == S.WAITING
    assert sorted(ServiceClassMember.objects.values_list("student__name", "service_class__name", "start_date")) == [
        ("李小红", "篮球班", day), ("马小明", "书法班", day),
    ]  # fmt: skip
    event = w.first.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor, event.note) == (
        "place", S.APPROVED, S.PLACED, w.school_admin, "书法班",
    )  # fmt: skip
    assert w.fourth.events.get().action == "wait"
    assert not w.third.events.exists()


def test_applying_is_all_or_nothing(board, monkeypatch):
    w = board
    before = snapshot()
    calls = []
    real_add = class_services.service_class_add_member

    def failing_second(**kw):
        calls.append(kw)
        if len(calls) == 2:
            raise DomainError("boom")
        return real_add(**kw)

    monkeypatch.setattr(class_services, "service_class_add_member", failing_second)
    with pytest.raises(DomainError):
        _apply(w)
    assert len(calls) == 2
    assert snapshot() == before  # the first placement and every event rolled back


def test_a_stale_suggestion_or_a_foreign_id_is_refused_with_nothing_written(board):
    w = board
    stale = selectors.placement_board(viewer=w.school_admin, school=w.school_a, school_year=w.school_year)
    services.application_place(actor=w.school_admin, application=w.fourth, service_class=w.sports)  # meanwhile
    other = make_application(w, w.child_b)  # school_b's
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        services.placement_apply(
            actor=w.school_admin, school=w.school_a, school_year=w.school_year,
            confirmed_ids=[a.pk for a, c in stale.suggestion if c], signature=stale.signature,
        )  # fmt: skip
    assert "changed since the page was opened" in exc.value.message
    with pytest.raises(DomainError):
        _apply(w, confirmed=[other.pk])
    assert snapshot() == before


@pytest.mark.parametrize("who", ["class_teacher", "service_teacher", "township", "other_school_admin", "parent"])
def test_only_the_schools_admin_places(board, who):
    w = board
    before = snapshot()
    with pytest.raises(PermissionDenied):
        _apply(w, actor=getattr(w, who))
    with pytest.raises(PermissionDenied):
        services.application_place(actor=getattr(w, who), application=w.first, service_class=w.arts)
    assert snapshot() == before


# ---------------------------------------------------------------- by hand


def test_placing_by_hand_over_capacity_is_refused_with_nothing_written(board):
    w = board
    services.application_place(actor=w.school_admin, application=w.first, service_class=w.arts)
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        services.application_place(actor=w.school_admin, application=w.second, service_class=w.arts)
    assert exc.value.message == "书法班 is full: all 1 places are taken."
    assert snapshot() == before


@pytest.mark.parametrize(
    "target, message",
    [
        ("evening", "offers “Evening service (boarders, senior high)”, but the family applied for “Regular"),
        ("no_teacher", "without a responsible teacher"),
        ("other_school", "child's school"),
        ("class_a2_only", "does not take students from"),
    ],
)
def test_placing_by_hand_refuses_unsuitable_classes(board, target, message):
    w = board
    classes = {
        "evening": lambda: make_class(w, "晚自习班", A.CUSTODY, 10, kind="evening"),
        "no_teacher": lambda: make_class(w, "无老师班", A.ARTS, 10, teacher=None),
        "class_a2_only": lambda: make_class(w, "四年级班", A.ARTS, 10, admin_classes=[w.class_a2]),
        "other_school": lambda: other_school_class(w),
    }
    service_class = classes[target]()
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        services.application_place(actor=w.school_admin, application=w.first, service_class=service_class)
    assert message in exc.value.message
    assert snapshot() == before


def test_moving_a_placed_child_ends_the_old_place_and_logs_both_steps(board):
    w = board
    today = timezone.localdate()
    services.application_place(actor=w.school_admin, application=w.first, service_class=w.arts)
    services.application_place(actor=w.school_admin, application=w.first, service_class=w.sports)
    w.first.refresh_from_db()
    assert (w.first.status, w.first.service_class) == (S.PLACED, w.sports)
    old = ServiceClassMember.objects.get(service_class=w.arts, student=w.child)
    new = ServiceClassMember.objects.get(service_class=w.sports, student=w.child)
    assert old.end_date == max(today, old.start_date) and new.end_date is None
    assert [(e.action, e.from_status, e.to_status, e.note) for e in w.first.events.all()] == [
        ("place", S.APPROVED, S.PLACED, "书法班"),
        ("unplace", S.PLACED, S.APPROVED, "Moved from 书法班 to 篮球班"),
        ("place", S.APPROVED, S.PLACED, "篮球班"),
    ]
    # the freed arts place goes to the next child
    services.application_place(actor=w.school_admin, application=w.second, service_class=w.arts)
    before = snapshot()
    with pytest.raises(DomainError) as exc:  # the same class again
        services.application_place(actor=w.school_admin, application=w.first, service_class=w.sports)
    assert "already in 篮球班" in exc.value.message
    with pytest.raises(DomainError) as exc:  # a move into a full class changes nothing
        services.application_place(actor=w.school_admin, application=w.first, service_class=w.arts)
    assert "is full" in exc.value.message
    assert snapshot() == before


def test_only_approved_waiting_or_placed_applications_are_placed(board):
    w = board
    submitted = make_application(w, status=S.SUBMITTED)
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        services.application_place(actor=w.school_admin, application=submitted, service_class=w.sports)
    assert "Waiting for class review" in exc.value.message
    assert snapshot() == before


# ---------------------------------------------------------------- waiting list, activation, withdrawal


def test_waiting_list_is_ordered_by_priority_then_time_with_positions(client, world):
    w = world
    late_priority = make_application(w, status=S.WAITING, groups=3, minute=50)
    early = make_application(w, status=S.WAITING, minute=1)
    earlier_priority = make_application(w, status=S.WAITING, groups=3, minute=40)
    same_minute = make_application(w, status=S.WAITING, minute=1)
    one_group = make_application(w, status=S.WAITING, groups=1, minute=60)
    board = selectors.placement_board(viewer=w.school_admin, school=w.school_a, school_year=w.school_year)
    expected = [earlier_priority, late_priority, one_group, early, same_minute]
    assert [(pos, a.pk) for pos, a in board.waiting] == [(i, a.pk) for i, a in enumerate(expected, start=1)]
    client.force_login(w.school_admin)
    page = client.get(reverse("enrollment:placement", args=[w.school_a.pk])).content.decode()
    waiting_section = page[page.index("Waiting list") :]
    positions = [waiting_section.index(a.student.name) for a in expected]
    assert positions == sorted(positions)


def test_placed_children_become_active_when_the_service_starts(board):
    w = board
    start = w.school_year.start_date + datetime.timedelta(days=40)
    services.application_place(
        actor=w.school_admin, application=w.first, service_class=w.arts, today=start - datetime.timedelta(days=3)
    )
    other_admin = user_with_role(Role.SCHOOL_ADMIN, school=w.school_a)
    services.application_place(actor=other_admin, application=w.second, service_class=w.sports, today=start)
    member = ServiceClassMember.objects.get(student=w.child)
    assert services.activate_due_placements(today=member.start_date - datetime.timedelta(days=1)) == 0
    assert services.activate_due_placements(today=start + datetime.timedelta(days=1)) == 2
    assert services.activate_due_placements(today=start + datetime.timedelta(days=1)) == 0  # safe to run twice
    for app, placed_by in [(w.first, w.school_admin), (w.second, other_admin)]:
        app.refresh_from_db()
        event = app.events.last()
        # The scheduled job did it: recorded as the system, not as a person (issue 10).
        assert (app.status, event.action, event.actor, event.by_system, event.note) == (
            S.ACTIVE, "activate", None, True, "Service started",
        )  # fmt: skip
        assert app.events.get(action="place").actor == placed_by


def test_withdrawal_frees_the_place(board):
    w = board
    services.application_place(actor=w.school_admin, application=w.first, service_class=w.arts)
    effective = timezone.localdate()
    ended = services.release_place(actor=w.parent, application=w.first, effective_date=effective)  # the parent
    assert [m.end_date for m in ended] == [max(effective, ended[0].start_date)]
    services.application_place(actor=w.school_admin, application=w.second, service_class=w.arts)  # the place is free
    assert services.release_place(actor=w.school_admin, application=w.fourth, effective_date=effective) == []
    with pytest.raises(PermissionDenied):  # another family cannot free it
        services.release_place(actor=w.parent, application=w.second, effective_date=effective)
    assert ServiceClassMember.objects.get(student=w.other_child).end_date is None


# ---------------------------------------------------------------- two administrators at the same moment


@pytest.mark.django_db(transaction=True)
def test_two_admins_taking_the_last_place_at_once_do_not_both_succeed(board):
    w = board
    other_admin = user_with_role(Role.SCHOOL_ADMIN, school=w.school_a)
    first, second = Application.objects.get(pk=w.first.pk), Application.objects.get(pk=w.second.pk)
    arts_1, arts_2 = ServiceClass.objects.get(pk=w.arts.pk), ServiceClass.objects.get(pk=w.arts.pk)
    results = _at_once(
        lambda: services.application_place(actor=w.school_admin, application=first, service_class=arts_1),
        lambda: services.application_place(actor=other_admin, application=second, service_class=arts_2),
    )
    assert results.count("ok") == 1, results
    refused = [r for r in results if r != "ok"]
    assert isinstance(refused[0], DomainError) and "is full" in refused[0].message, results
    assert ServiceClassMember.objects.filter(service_class=w.arts).count() == 1
    assert Application.objects.filter(status=S.PLACED).count() == 1
    assert ApplicationEvent.objects.filter(action="place").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_second_admin_waits_for_the_first_and_finds_the_class_full(board):
    """Deterministic interleaving: the first placement holds its transaction open until the second waits on the
    class row's lock; without the lock the second would count the place as free and both would succeed."""
    w = board
    other_admin = user_with_role(Role.SCHOOL_ADMIN, school=w.school_a)
    if connection.vendor != "postgresql":
        services.application_place(actor=w.school_admin, application=w.first, service_class=w.arts)
        with pytest.raises(DomainError):
            services.application_place(actor=other_admin, application=w.second, service_class=w.arts)
        return
    results = {}
    placed = threading.Event()

    def first():
        try:
            with transaction.atomic():
                results["first"] = _outcome(
                    lambda: services.application_place(
                        actor=w.school_admin, application=Application.objects.get(pk=w.first.pk), service_class=w.arts
                    )
                )
                placed.set()
                deadline = time.monotonic() + 3
                while time.monotonic() < deadline and not someone_waits_on_a_lock():
                    time.sleep(0.02)
        finally:
            connection.close()

    def second():
        try:
            placed.wait(timeout=10)
            with translation.override("en"):
                results["second"] = _outcome(
                    lambda: services.application_place(
                        actor=other_admin, application=Application.objects.get(pk=w.second.pk), service_class=w.arts
                    )
                )
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results["first"] == "ok", results
    assert isinstance(results["second"], DomainError) and "is full" in results["second"].message, results
    assert ServiceClassMember.objects.filter(service_class=w.arts).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_admins_applying_the_suggestion_at_once_place_each_child_once(board):
    w = board
    other_admin = user_with_role(Role.SCHOOL_ADMIN, school=w.school_a)
    results = _at_once(lambda: _apply(w), lambda: _apply(w, actor=other_admin))
    assert "ok" in results, results
    # The later one either finds nothing left to place or is told the suggestion changed: never a crash.
    refusals = [r for r in results if r != "ok"]
    assert all(isinstance(r, DomainError) and "changed since the page was opened" in r.message for r in refusals)
    assert ServiceClassMember.objects.filter(service_class=w.arts).count() == 1
    assert ServiceClassMember.objects.filter(service_class=w.sports).count() == 2
    assert ApplicationEvent.objects.filter(action="place").count() == 3


# ---------------------------------------------------------------- pages


def test_placement_page_runs_a_fixed_number_of_queries(client, board, django_assert_max_num_queries):
    w = board
    client.force_login(w.school_admin)
    url = reverse("enrollment:placement", args=[w.school_a.pk])
    services.application_place(actor=w.school_admin, application=w.first, service_class=w.arts)
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        assert client.get(url).status_code == 200
    for i in range(12):
        app = make_application(w, minute=100 + i, groups=i % 3, prefs=[A.SPORTS], status=[S.APPROVED, S.WAITING][i % 2])
        if i < 1:
            services.application_place(actor=w.school_admin, application=app, service_class=w.sports)
    make_class(w, "阅读班", A.READING, 10, admin_classes=[w.class_a1, w.class_a2])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "阅读班" in page and "Place the ticked children" in page


def test_page_post_applies_the_suggestion(client, board):
    w = board
    client.force_login(w.school_admin)
    page = client.get(reverse("enrollment:placement", args=[w.school_a.pk]))
    signature = page.context["board"].signature
    response = client.post(
        reverse("enrollment:placement-apply", args=[w.school_a.pk]),
        {"application": [w.first.pk, w.second.pk, w.third.pk], "signature": signature},
        follow=True,
    )
    assert "3 children placed. 1 more on the waiting list." in response.content.decode()
    assert Application.objects.filter(status=S.PLACED).count() == 3


@pytest.mark.parametrize("data", [{"application": ["x"]}, {"application": [1], "signature": "1:2"}, {}])
def test_page_post_with_bad_input_changes_nothing(client, board, data):
    w = board
    client.force_login(w.school_admin)
    before = snapshot()
    response = client.post(reverse("enrollment:placement-apply", args=[w.school_a.pk]), data, follow=True)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("value", ["", "abc", "999999", "other_school"])
def test_place_by_hand_with_a_bad_class_changes_nothing(client, board, value):
    w = board
    if value == "other_school":
        value = other_school_class(w).pk
    client.force_login(w.school_admin)
    before = snapshot()
    response = client.post(reverse("enrollment:application-place", args=[w.first.pk]), {"service_class": value})
    assert response.status_code == 302
    assert snapshot() == before


def test_place_by_hand_over_capacity_shows_the_refusal(client, board):
    w = board
    services.application_place(actor=w.school_admin, application=w.first, service_class=w.arts)
    client.force_login(w.school_admin)
    before = snapshot()
    response = client.post(
        reverse("enrollment:application-place", args=[w.second.pk]), {"service_class": w.arts.pk}, follow=True
    )
    assert "书法班 is full: all 1 places are taken." in response.content.decode()
    assert snapshot() == before
    response = client.post(
        reverse("enrollment:application-place", args=[w.second.pk]), {"service_class": w.sports.pk}, follow=True
    )
    assert "李小红 is placed in 篮球班." in response.content.decode()


def test_the_daily_activation_is_scheduled_and_runs_as_a_task(settings, db):
    from celery import current_app

    from enrollment import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["activate-due-placements"]
    assert entry["task"] == tasks.activate_due_placements_task.name
    assert entry["task"] in current_app.tasks
    assert tasks.activate_due_placements_task.apply().get() == 0  # runs in-process; nothing placed yet
