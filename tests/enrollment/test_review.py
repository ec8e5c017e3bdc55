"""Class review (班级审核) and school approval (R14): every transition allowed and refused, the queues, the
all-or-nothing bulk approval, and two reviewers acting at the same moment.

Applications start as ORM rows (tests/access/review.py `make_application`); every move is made by the services.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from enrollment.models import Application, ApplicationEvent
from enrollment.services import review as services
from schools.models import ActivityCategory, Role
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..access.review import make_application
from ..concurrency import at_once as _at_once
from ..conftest import events, messages_of
from ..factories import SchoolYearFactory, StudentFactory, link_guardian, user_with_role
from ..factories_enrollment import application

pytestmark = pytest.mark.usefixtures(
    "english", "english_pages"
)  # pages in English: the catalog lacks the new strings yet

S = Application.Status


def status_of(application) -> str:
    return Application.objects.get(pk=application.pk).status


@pytest.fixture
def w(world):
    """world plus the child's submitted application (class_a1) and child_a2's (class_a2, same school)."""
    world.app = make_application(world.child, school_year=world.school_year)
    world.app_a2 = make_application(world.child_a2, school_year=world.school_year)
    world.teacher_a2 = user_with_role(Role.CLASS_TEACHER, admin_class=world.class_a2)
    return world


# ---------------------------------------------------------------- class review


def test_class_teacher_approves_an_application_of_their_class(w):
    services.application_class_approve(actor=w.class_teacher, application=w.app, note="  情况属实  ")
    assert status_of(w.app) == S.CLASS_APPROVED
    assert events(w.app) == [("class_approve", S.SUBMITTED, S.CLASS_APPROVED, w.class_teacher.pk, "情况属实")]


def test_class_teacher_returns_with_a_reason_and_never_without_one(w):
    for blank in ("", "   \n "):
        with pytest.raises(DomainError) as exc:
            services.application_class_return(actor=w.class_teacher, application=w.app, note=blank)
        assert "reason is required" in exc.value.message
    assert status_of(w.app) == S.SUBMITTED and events(w.app) == []  # nothing written

    services.application_class_return(actor=w.class_teacher, application=w.app, note="接送人电话不对，请核实")
    assert status_of(w.app) == S.RETURNED
    assert events(w.app) == [("class_return", S.SUBMITTED, S.RETURNED, w.class_teacher.pk, "接送人电话不对，请核实")]


@pytest.mark.parametrize("who", ["parent", "school_admin", "township", "bureau", "inspector", "service_teacher"])
def test_only_the_class_teacher_may_review_the_class(w, who):
    for call in (services.application_class_approve, services.application_class_return):
        with pytest.raises(PermissionDenied):
            call(actor=getattr(w, who), application=w.app, note="理由")
    assert status_of(w.app) == S.SUBMITTED and events(w.app) == []


def test_a_class_teacher_cannot_review_another_class(w, client):
    with pytest.raises(PermissionDenied):
        services.application_class_approve(actor=w.teacher_a2, application=w.app)
    client.force_login(w.teacher_a2)
    for name in ("enrollment:application-class-approve", "enrollment:application-class-return"):
        assert client.post(reverse(name, args=[w.app.pk]), {"note": "理由"}).status_code == 404
    assert status_of(w.app) == S.SUBMITTED and events(w.app) == []


def test_class_review_of_an_application_not_waiting_for_it_is_refused_clearly(w):
    services.application_class_approve(actor=w.class_teacher, application=w.app)
    stale = Application.objects.get(pk=w.app.pk)
    for call in (services.application_class_approve, services.application_class_return):
        with pytest.raises(TransitionNotAllowed) as exc:
            call(actor=w.class_teacher, application=stale, note="理由")
        assert "“Waiting for school approval”" in exc.value.message and "Reload the page" in exc.value.message
    assert [e[0] for e in events(w.app)] == ["class_approve"]


# ---------------------------------------------------------------- school approval


def test_school_approves_after_the_class_and_the_history_records_both(w):
    with pytest.raises(TransitionNotAllowed):  # the class has not reviewed it yet
        services.application_school_approve(actor=w.school_admin, application=w.app)
    services.application_class_approve(actor=w.class_teacher, application=w.app)
    services.application_school_approve(actor=w.school_admin, application=w.app, note="同意")
    assert status_of(w.app) == S.APPROVED
    assert events(w.app) == [
        ("class_approve", S.SUBMITTED, S.CLASS_APPROVED, w.class_teacher.pk, ""),
        ("school_approve", S.CLASS_APPROVED, S.APPROVED, w.school_admin.pk, "同意"),
    ]
    with pytest.raises(TransitionNotAllowed) as exc:
        services.application_school_return(actor=w.school_admin, application=w.app, note="晚了")
    assert "“Approved, waiting for a place”" in exc.value.message


def test_school_returns_to_the_parent_with_a_reason(w):
    services.application_class_approve(actor=w.class_teacher, application=w.app)
    with pytest.raises(DomainError):
        services.application_school_return(actor=w.school_admin, application=w.app, note=" ")
    assert status_of(w.app) == S.CLASS_APPROVED and len(events(w.app)) == 1
    services.application_school_return(actor=w.school_admin, application=w.app, note="请补充延时托管理由")
    assert status_of(w.app) == S.RETURNED
    assert events(w.app)[-1] == ("school_return", S.CLASS_APPROVED, S.RETURNED, w.school_admin.pk, "请补充延时托管理由")


@pytest.mark.parametrize("who", ["class_teacher", "other_school_admin", "township", "bureau", "parent"])
def test_only_the_schools_admin_may_approve(w, who):
    services.application_class_approve(actor=w.class_teacher, application=w.app)
    for call in (services.application_school_approve, services.application_school_return):
        with pytest.raises(PermissionDenied):
            call(actor=getattr(w, who), application=w.app, note="理由")
    assert status_of(w.app) == S.CLASS_APPROVED and len(events(w.app)) == 1


def test_a_teacher_who_is_also_a_parent_cannot_review_their_own_child_in_another_class(w, client):
    """The class teacher of class_a2 is also a guardian of `child` (class_a1): seeing is not reviewing."""
    user_with_role(Role.PARENT, user=w.teacher_a2)
    link_guardian(w.child, user=w.teacher_a2, relation="mother", primary=False)
    with pytest.raises(PermissionDenied):
        services.application_class_approve(actor=w.teacher_a2, application=w.app)
    client.force_login(w.teacher_a2)
    response = client.post(reverse("enrollment:application-class-approve", args=[w.app.pk]))
    assert response.status_code == 403
    page = client.get(reverse("enrollment:review-class"))
    assert [a.pk for a in page.context["page"].object_list] == [w.app_a2.pk]
    assert status_of(w.app) == S.SUBMITTED


# ---------------------------------------------------------------- views


def test_approve_and_return_buttons(w, client):
    client.force_login(w.class_teacher)
    response = client.post(reverse("enrollment:application-class-approve", args=[w.app.pk]), {"note": ""})
    assert response.status_code == 302 and response["Location"] == reverse("enrollment:review-class")
    assert status_of(w.app) == S.CLASS_APPROVED
    assert messages_of(response) == ["Approved: 马小明."]

    other = make_application(w.other_child, school_year=w.school_year)
    response = client.post(
        reverse("enrollment:application-class-return", args=[other.pk]), {"note": "请写明接送困难", "show": "all"}
    )
    assert response["Location"] == reverse("enrollment:review-class") + "?show=all"
    assert status_of(other) == S.RETURNED and events(other)[0][4] == "请写明接送困难"


@pytest.mark.parametrize("note", ["", "  ", "x" * 2001], ids=["empty", "blank", "too-long"])
def test_a_return_without_a_usable_reason_writes_nothing(w, client, note):
    client.force_login(w.class_teacher)
    before = ApplicationEvent.objects.count()
    response = client.post(reverse("enrollment:application-class-return", args=[w.app.pk]), {"note": note})
    assert response.status_code == 302
    assert status_of(w.app) == S.SUBMITTED and ApplicationEvent.objects.count() == before
    assert len(messages_of(response)) == 1


def test_review_views_are_post_only(w, client):
    client.force_login(w.class_teacher)
    assert client.get(reverse("enrollment:application-class-approve", args=[w.app.pk])).status_code == 405
    assert client.get(reverse("enrollment:review-class-bulk-approve")).status_code == 405


def test_school_admin_buttons(w, client):
    services.application_class_approve(actor=w.class_teacher, application=w.app)
    client.force_login(w.school_admin)
    response = client.post(reverse("enrollment:application-school-approve", args=[w.app.pk]), {"note": "同意"})
    assert response["Location"] == reverse("enrollment:review-school")
    assert status_of(w.app) == S.APPROVED
    # Acting again on the same application: a clear message, not an error page.
    response = client.post(reverse("enrollment:application-school-return", args=[w.app.pk]), {"note": "退回"})
    assert response.status_code == 302 and "cannot be done now" in messages_of(response)[-1]
    # The other school's admin does not see it at all.
    client.force_login(w.other_school_admin)
    assert client.post(reverse("enrollment:application-school-return", args=[w.app.pk])).status_code == 404


# ---------------------------------------------------------------- the queues


def test_class_queue_lists_this_years_applications_of_the_teachers_class(w, client):
    last_year = SchoolYearFactory(name="2020—2021学年")
    other_class_mate = StudentFactory(admin_class=w.class_a1, name="何小兰")
    make_application(other_class_mate, school_year=last_year)  # last year's: not listed
    returned = make_application(
        w.other_child,
        school_year=w.school_year,
        status=S.RETURNED,
        dual_working=True,
        economic_hardship=True,
        priority_note="母亲残疾",
        preferences=[ActivityCategory.READING, ActivityCategory.HOMEWORK],
    )
    Application.objects.filter(pk=w.app.pk).update(migrant_child=True, preferences=["arts", "no-such-thing"])
    client.force_login(w.class_teacher)

    page = client.get(reverse("enrollment:review-class"))
    assert [a.pk for a in page.context["page"].object_list] == [w.app.pk]  # waiting for review, own class only
    assert page.context["to_review"] == 1
    html = page.content.decode()
    assert "马小明" in html and "王小军" not in html and "何小兰" not in html
    assert "Child of migrant workers" in html and "Arts (文艺)" in html and "父母都在外打工" in html

    everything = client.get(reverse("enrollment:review-class"), {"show": "all"})
    assert {a.pk for a in everything.context["page"].object_list} == {w.app.pk, returned.pk}
    html = everything.content.decode()
    assert "李小红" in html and "母亲残疾" in html and "1. Reading (阅读)；2. Homework guidance (作业辅导)" in html
    assert html.count('name="application"') == 1  # only the one still waiting can be ticked


def test_school_queue_lists_class_approved_applications_of_the_school(w, client):
    services.application_class_approve(actor=w.class_teacher, application=w.app)
    other_school = application(w.child_b, status=S.CLASS_APPROVED)
    client.force_login(w.school_admin)
    page = client.get(reverse("enrollment:review-school"))
    assert [a.pk for a in page.context["page"].object_list] == [w.app.pk]
    client.force_login(w.other_school_admin)
    page = client.get(reverse("enrollment:review-school"))
    assert [a.pk for a in page.context["page"].object_list] == [other_school.pk]


@pytest.mark.parametrize("level, status", [("class", S.SUBMITTED), ("school", S.CLASS_APPROVED)])
def test_queue_pages_cost_the_same_for_3_or_30_applications(w, client, django_assert_max_num_queries, level, status):
    Application.objects.filter(pk__in=[w.app.pk, w.app_a2.pk]).delete()
    user = w.class_teacher if level == "class" else w.school_admin
    client.force_login(user)
    for n in (3, 30):
        while Application.objects.filter(status=status).count() < n:
            application(StudentFactory(admin_class=w.class_a1), status=status)
        # The school's queue reads its late applications too (one query more, #15 §2).
        with django_assert_max_num_queries(8 if level == "class" else 9):
            response = client.get(reverse(f"enrollment:review-{level}"))
        assert len(response.context["page"].object_list) == n


# ---------------------------------------------------------------- approving a page at once


def _class_of_three(w):
    more = StudentFactory(admin_class=w.class_a1, name="何小兰")
    return [w.app, make_application(w.other_child, school_year=w.school_year), make_application(more, school_year=w.school_year)]  # fmt: skip


def test_class_teacher_approves_the_ticked_applications_with_one_post(w, client):
    apps = _class_of_three(w)
    client.force_login(w.class_teacher)
    response = client.post(reverse("enrollment:review-class-bulk-approve"), {"application": [a.pk for a in apps]})
    assert response.status_code == 302 and messages_of(response) == ["3 applications approved."]
    assert [status_of(a) for a in apps] == [S.CLASS_APPROVED] * 3
    assert all(events(a) == [("class_approve", S.SUBMITTED, S.CLASS_APPROVED, w.class_teacher.pk, "")] for a in apps)


def test_one_stale_application_refuses_the_whole_batch(w, client):
    apps = _class_of_three(w)
    other_teacher = user_with_role(Role.CLASS_TEACHER, admin_class=w.class_a1)  # a second teacher of the class
    services.application_class_return(actor=other_teacher, application=apps[2], note="缺少接送人")
    client.force_login(w.class_teacher)
    before = ApplicationEvent.objects.count()
    response = client.post(reverse("enrollment:review-class-bulk-approve"), {"application": [a.pk for a in apps]})
    assert response.status_code == 302
    [text] = messages_of(response)
    assert "何小兰" in text and "nothing was approved" in text and "“Returned to the parent”" in text
    assert [status_of(a) for a in apps] == [S.SUBMITTED, S.SUBMITTED, S.RETURNED]
    assert ApplicationEvent.objects.count() == before


def test_bulk_service_is_all_or_nothing(w):
    apps = _class_of_three(w)
    Application.objects.filter(pk=apps[1].pk).update(status=S.CLASS_APPROVED)  # reviewed in between
    with pytest.raises(DomainError) as exc:
        services.application_class_approve_many(actor=w.class_teacher, applications=apps)
    assert "李小红" in exc.value.message
    assert [status_of(a) for a in apps] == [S.SUBMITTED, S.CLASS_APPROVED, S.SUBMITTED]
    assert ApplicationEvent.objects.filter(application__in=apps).count() == 0
    with pytest.raises(DomainError):
        services.application_class_approve_many(actor=w.class_teacher, applications=[])
    with pytest.raises(PermissionDenied):  # child_a2 is not in this teacher's class: nothing approved either
        services.application_class_approve_many(actor=w.class_teacher, applications=[apps[0], w.app_a2])
    assert status_of(apps[0]) == S.SUBMITTED


@pytest.mark.parametrize(
    "data, status",
    [({}, 302), ({"application": ["abc"]}, 302), ({"application": ["-1"]}, 302), ({"application": ["999999"]}, 404)],
    ids=["nothing-ticked", "junk", "negative", "unknown"],
)
def test_bulk_approve_bad_input(w, client, data, status):
    client.force_login(w.class_teacher)
    response = client.post(reverse("enrollment:review-class-bulk-approve"), data)
    assert response.status_code == status
    assert status_of(w.app) == S.SUBMITTED and ApplicationEvent.objects.count() == 0


def test_bulk_approve_of_another_class_is_not_found_and_approves_nothing(w, client):
    client.force_login(w.class_teacher)
    response = client.post(reverse("enrollment:review-class-bulk-approve"), {"application": [w.app.pk, w.app_a2.pk]})
    assert response.status_code == 404
    assert status_of(w.app) == S.SUBMITTED and status_of(w.app_a2) == S.SUBMITTED


def test_school_approves_a_page_at_once(w, client):
    for app, teacher in ((w.app, w.class_teacher), (w.app_a2, w.teacher_a2)):
        services.application_class_approve(actor=teacher, application=app)
    other_school = application(w.child_b, status=S.CLASS_APPROVED)
    client.force_login(w.school_admin)
    url = reverse("enrollment:review-school-bulk-approve")
    assert client.post(url, {"application": [w.app.pk, other_school.pk]}).status_code == 404
    assert status_of(w.app) == S.CLASS_APPROVED
    response = client.post(url, {"application": [w.app.pk, w.app_a2.pk]})
    assert messages_of(response) == ["2 applications approved."]
    assert status_of(w.app) == status_of(w.app_a2) == S.APPROVED
    client.force_login(w.class_teacher)
    assert client.post(url, {"application": [w.app.pk]}).status_code == 403


# ---------------------------------------------------------------- two reviewers at the same moment


@pytest.mark.django_db(transaction=True)
def test_class_approve_and_return_at_once_only_one_wins(w):
    second_teacher = user_with_role(Role.CLASS_TEACHER, admin_class=w.class_a1)
    first, second = Application.objects.get(pk=w.app.pk), Application.objects.get(pk=w.app.pk)
    results = _at_once(
        lambda: services.application_class_approve(actor=w.class_teacher, application=first),
        lambda: services.application_class_return(actor=second_teacher, application=second, note="信息不全"),
    )
    assert results.count("ok") == 1, results
    assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 1, results
    won = "class_approve" if results[0] == "ok" else "class_return"
    assert status_of(w.app) == (S.CLASS_APPROVED if won == "class_approve" else S.RETURNED)
    assert [e[0] for e in events(w.app)] == [won]


@pytest.mark.django_db(transaction=True)
def test_two_bulk_approvals_of_the_same_class_at_once_approve_each_application_once(w):
    apps = _class_of_three(w)
    second_teacher = user_with_role(Role.CLASS_TEACHER, admin_class=w.class_a1)
    mine = [Application.objects.get(pk=a.pk) for a in apps]
    theirs = [Application.objects.get(pk=a.pk) for a in reversed(apps)]  # another order: still no deadlock
    results = _at_once(
        lambda: services.application_class_approve_many(actor=w.class_teacher, applications=mine),
        lambda: services.application_class_approve_many(actor=second_teacher, applications=theirs),
    )
    assert results.count("ok") == 1, results
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    assert [status_of(a) for a in apps] == [S.CLASS_APPROVED] * 3
    assert ApplicationEvent.objects.filter(application__in=apps).count() == 3


# ---------------------------------------------------------------- the class teacher's journey (issue #15 item 1)


def test_class_home_to_queue_to_approved_in_two_screens_with_a_way_back(w, client):
    """Class home → the queue (each waiting application with its own approve button) → approved, on the queue."""
    client.force_login(w.class_teacher)
    home = client.get(reverse("enrollment:class-home")).content.decode()
    assert reverse("enrollment:review-class") in home and 'data-count="waiting"' in home
    queue = client.get(reverse("enrollment:review-class")).content.decode()
    approve = reverse("enrollment:application-class-approve", args=[w.app.pk])
    assert f'formaction="{approve}"' in queue  # one step from the queue
    assert f'href="{reverse("home")}"' in queue  # and a way back
    response = client.post(approve, {"note": ""}, follow=True)
    assert response.redirect_chain == [(reverse("enrollment:review-class"), 302)]
    assert status_of(w.app) == S.CLASS_APPROVED
    assert "Nothing is waiting for your review." in response.content.decode() or w.app.pk not in [
        a.pk for a in response.context["page"].object_list
    ]


# ---------------------------------------------------------------- late applications (逾期申请 / 插班申请, #15 §2)


@pytest.fixture
def late(w):
    """A late application of other_child (class_a1 of school_a), waiting for the school."""
    return make_application(w.other_child, school_year=w.school_year, status=S.LATE, late=True)


def test_the_school_accepts_a_late_application_and_it_goes_through_the_normal_review(w, late):
    services.application_late_accept(actor=w.school_admin, application=late, note="插班生，有空位")
    assert status_of(late) == S.SUBMITTED
    assert events(late) == [("late_accept", S.LATE, S.SUBMITTED, w.school_admin.pk, "插班生，有空位")]
    services.application_class_approve(actor=w.class_teacher, application=late)
    services.application_school_approve(actor=w.school_admin, application=late)
    assert status_of(late) == S.APPROVED
    assert w.other_parent.notifications.filter(dedupe_key=f"application:{late.pk}:late_accepted").exists()


def test_the_school_wait_lists_a_late_application_and_accepts_it_later(w, late):
    services.application_late_wait(actor=w.school_admin, application=late)
    assert status_of(late) == S.LATE_WAITING
    with pytest.raises(TransitionNotAllowed):  # already on the waiting list
        services.application_late_wait(actor=w.school_admin, application=late)
    services.application_late_accept(actor=w.school_admin, application=late)
    assert [e[:3] for e in events(late)] == [
        ("late_wait", S.LATE, S.LATE_WAITING),
        ("late_accept", S.LATE_WAITING, S.SUBMITTED),
    ]
    with pytest.raises(TransitionNotAllowed):  # accepted once: no second decision
        services.application_late_accept(actor=w.school_admin, application=late)


@pytest.mark.parametrize("who", ["class_teacher", "other_school_admin", "parent", "township", "bureau"])
def test_only_the_schools_admin_decides_on_a_late_application(w, late, who):
    for decide in (services.application_late_accept, services.application_late_wait):
        with pytest.raises(PermissionDenied):
            decide(actor=getattr(w, who), application=late)
    assert status_of(late) == S.LATE and events(late) == []


def test_a_late_application_is_not_in_class_review_until_the_school_accepts_it(w, late):
    with pytest.raises(TransitionNotAllowed):
        services.application_class_approve(actor=w.class_teacher, application=late)
    assert status_of(late) == S.LATE


def test_an_ordinary_application_cannot_be_late_accepted(w):
    with pytest.raises(TransitionNotAllowed):
        services.application_late_accept(actor=w.school_admin, application=w.app)
    assert status_of(w.app) == S.SUBMITTED


def test_school_queue_shows_late_applications_with_accept_and_wait_list_buttons(w, late, client):
    other_school = make_application(w.child_b, school_year=w.school_year, status=S.LATE, late=True)
    client.force_login(w.school_admin)
    response = client.get(reverse("enrollment:review-school"))
    assert [a.pk for a in response.context["late"]] == [late.pk]
    page = response.content.decode()
    assert reverse("enrollment:application-late-accept", args=[late.pk]) in page
    assert reverse("enrollment:application-late-wait", args=[late.pk]) in page
    assert reverse("enrollment:application-late-accept", args=[other_school.pk]) not in page

    response = client.post(reverse("enrollment:application-late-wait", args=[late.pk]), {"note": ""})
    assert response["Location"] == reverse("enrollment:review-school")
    assert "waiting list" in " ".join(messages_of(response)) and status_of(late) == S.LATE_WAITING
    page = client.get(reverse("enrollment:review-school")).content.decode()
    assert reverse("enrollment:application-late-wait", args=[late.pk]) not in page, "already wait-listed"
    response = client.post(reverse("enrollment:application-late-accept", args=[late.pk]), {"note": ""})
    assert "class review" in " ".join(messages_of(response)) and status_of(late) == S.SUBMITTED
    # A second click (another tab) is refused with a message, not a 500.
    response = client.post(reverse("enrollment:application-late-accept", args=[late.pk]), {"note": ""})
    assert response.status_code == 302 and status_of(late) == S.SUBMITTED and messages_of(response)
    # Another school's late application is not found.
    response = client.post(reverse("enrollment:application-late-accept", args=[other_school.pk]), {"note": ""})
    assert response.status_code == 404 and status_of(other_school) == S.LATE


def test_a_late_status_needs_the_late_flag(w):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_application(w.other_child, school_year=w.school_year, status=S.LATE, late=False)
