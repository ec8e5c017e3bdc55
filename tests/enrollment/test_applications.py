"""Applying (R13–R15): the two screens, one transaction for the agreement and the application, every refusal with
nothing half-written; withdrawal, correcting a returned application, and the paper path (代录)."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from enrollment.forms.applications import ApplicationForm
from enrollment.models import Agreement, AgreementText, Application, ApplicationEvent
from enrollment.rules import applications as applications_rules
from enrollment.services import agreements as agreement_services
from enrollment.services import applications as services
from enrollment.services import consents as consent_services
from enrollment.services.agreements import Signature
from schools.models import ActivityCategory, PlanSection, Role, ServiceClass, ServiceClassMember, StudentGuardian
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..access.parents import agreement_text, signed_application
from ..conftest import messages_of, pretend_today
from ..factories import AdminClassFactory, StudentFactory, user_with_role
from ..factories_enrollment import paper_consent, scan

pytestmark = pytest.mark.usefixtures("english", "english_pages")

S = Application.Status
KIND = Application.ServiceKind
SIGNATURE = Signature(signer_name="马文清", relation="father", ip_address="10.1.2.3", user_agent="test")


def counts() -> tuple[int, int, int]:
    return Agreement.objects.count(), Application.objects.count(), ApplicationEvent.objects.count()


def app_data(**overrides) -> dict:
    """Screen 1 as a browser posts it."""
    data = {
        "service_kind": KIND.REGULAR,
        "extended_reason": "",
        "pickup_difficulty": "父母都在银川打工，奶奶腿脚不便",
        "dual_working": "on",
        "migrant_child": "",
        "disability": "",
        "economic_hardship": "on",
        "priority_note": "低保户",
        "preference_1": "reading",
        "preference_2": "homework",
        "preference_3": "",
        "pickup_person": "马奶奶",
        "pickup_relation": "grandmother",
        "pickup_mobile": "+86 139-0954-0002",
    }
    data.update(overrides)
    return data


def service_data(**overrides) -> dict:
    """Screen 1 as the service takes it (ApplicationForm.application_data())."""
    data = {
        "service_kind": KIND.REGULAR,
        "extended_reason": "",
        "pickup_difficulty": "父母都在外打工",
        "dual_working": True,
        "migrant_child": False,
        "disability": False,
        "economic_hardship": False,
        "priority_note": "",
        "preferences": ["homework"],
        "pickup_person": "马爷爷",
        "pickup_relation": "grandfather",
        "pickup_mobile": "13909540002",
    }
    data.update(overrides)
    return data


def give(w, student=None, *, sensitive: bool = False, parent=None):
    """The guardian's separate consents (issue #14 item 2), given online before a service call applies."""
    kinds = {"personal": 1, "sensitive": 1} if sensitive else {"personal": 1}
    return consent_services.consents_give(
        actor=parent or w.parent, student=student or w.child, versions=kinds, relation="father"
    )


def sign_data(version: int, **overrides) -> dict:
    """Screen 2 as a browser posts it: the signature and the two separate consents ticked (app_data() has economic
    hardship ticked, which needs the sensitive one)."""
    data = {
        "text_version": version, "signer_name": "马文清", "relation": "father", "consent": "on",
        "consent-personal": "on", "consent-personal_version": 1, "consent-sensitive": "on",
        "consent-sensitive_version": 1,
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def w(world):
    """Applications open (deadline at the end of the year); school_a's text v1 published; its filed plan's content."""
    world.school_year.application_deadline = world.school_year.end_date
    world.school_year.save()
    world.text = agreement_services.agreement_text_publish(
        actor=world.school_admin, school=world.school_a, school_year=world.school_year,
        body="一、家长自愿参加。\n\n二、课后服务免费，由县财政承担。",
    )  # fmt: skip
    PlanSection.objects.create(
        plan=world.plan_filed, key="content",
        data={"categories": ["homework", "reading", "sports"], "description": "第一课时作业辅导。", "partners": ""},
    )  # fmt: skip
    PlanSection.objects.create(
        plan=world.plan_filed, key="timetable",
        data={"timetables": [{"semester": 1, "stage": "primary", "version": 1,
                              "seasons": [{"season": "summer", "times": ["16:30–18:30"], "days": 5}]}]},
    )  # fmt: skip
    return world


def apply_url(w, student=None):
    return reverse("enrollment:application-create", args=[(student or w.child).pk])


def days_after_deadline(w, monkeypatch):
    """Pretend today is two weeks after the online deadline (still inside the school year)."""
    w.school_year.application_deadline = w.school_year.start_date + datetime.timedelta(days=30)
    w.school_year.save()
    later = w.school_year.application_deadline + datetime.timedelta(days=14)
    return pretend_today(monkeypatch, later)


# ---------------------------------------------------------------- the two screens


def test_parent_reads_the_letter_applies_and_signs_on_one_page(w, client):
    """One screen (#15 §1): the Letter to Parents folded in, the application with the pick-up person pre-filled from
    the account, the informed items, the agreement and the signature, sent with one button."""
    client.force_login(w.parent)
    page = client.get(apply_url(w)).content.decode()
    assert 'id="application-form"' in page and 'id="sign-fields"' in page and 'id="letter"' in page
    assert "Please apply by" in page, "the letter, read inline"
    # Only the categories of the school's filed plan are offered; evening service is not offered to a day pupil.
    assert 'value="reading"' in page and 'value="sports"' in page and 'value="clubs"' not in page
    assert 'value="evening"' not in page
    # The pick-up person and the signer are pre-filled from the account: name, relation, mobile.
    assert 'name="pickup_person" value="马文清"' in page and f'name="pickup_mobile" value="{w.parent.mobile}"' in page
    assert '<option value="father" selected>' in page and 'name="signer_name" value="马文清"' in page
    # R13: the informed items (method, content, times from the filed plan, the fee) and the current text.
    assert "5+2" in page and "第一课时作业辅导" in page and "16:30–18:30" in page and "Free of charge" in page
    assert "课后服务免费，由县财政承担" in page and 'name="text_version" value="1"' in page
    assert "Late application" not in page, "before the deadline it is an ordinary application"

    response = client.post(
        apply_url(w),
        {**app_data(), **sign_data(1), "step": "sign"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.66",  # the client's own header: ignored with no trusted proxy
        HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 400,
    )
    app = Application.objects.get()
    # Sent: the parent lands on the home page, which shows the status.
    assert response.status_code == 302 and response["Location"] == reverse("enrollment:parent-home")
    assert not app.late
    assert (app.status, app.school, app.school_year, app.applicant) == (
        S.SUBMITTED,
        w.school_a,
        w.school_year,
        w.parent,
    )
    assert app.entered_by is None and not app.paper_original_on_file and app.submitted_at is not None
    assert app.preferences == ["reading", "homework"]
    assert app.pickup_mobile == "13909540002", "the mobile is stored normalised"
    assert (app.dual_working, app.economic_hardship, app.migrant_child, app.priority_groups) == (True, True, False, 2)
    agreement = app.agreement
    assert (agreement.decision, agreement.consent, agreement.text, agreement.signed_by) == (
        Agreement.Decision.SIGNED, True, w.text, w.parent,
    )  # fmt: skip
    assert (agreement.signer_name, agreement.relation, agreement.student) == ("马文清", "father", w.child)
    assert agreement.ip_address == "203.0.113.9", "REMOTE_ADDR, never a header the client wrote"
    assert len(agreement.user_agent) == 300 and agreement.user_agent.startswith("Mozilla/5.0")
    assert list(app.events.values_list("action", "from_status", "to_status", "actor")) == [
        ("submit", S.SUBMITTED, S.SUBMITTED, w.parent.pk)
    ]


def test_address_falls_back_to_remote_addr_and_ignores_junk(w, client):
    client.force_login(w.parent)
    client.post(apply_url(w), {**app_data(), **sign_data(1), "step": "sign"}, HTTP_X_FORWARDED_FOR="not-an-ip")
    assert Agreement.objects.get().ip_address == "127.0.0.1"


def test_a_refused_page_keeps_every_answer_and_the_signature(w, client):
    client.force_login(w.parent)
    data = {**app_data(pickup_person="马二叔"), **sign_data(1, signer_name="马二叔", consent="")}
    page = client.post(apply_url(w), {**data, "step": "sign"}).content.decode()
    assert 'id="application-form"' in page and 'name="pickup_person" value="马二叔"' in page
    assert 'name="signer_name" value="马二叔"' in page and "tick the box" in page
    assert counts() == (0, 0, 0)


def test_all_activities_are_offered_when_the_school_has_no_filed_plan(w, client):
    w.plan.delete()
    w.plan_filed.delete()
    client.force_login(w.parent)
    page = client.get(apply_url(w)).content.decode()
    assert all(f'value="{c}"' in page for c in ActivityCategory.values)
    assert "plan is not filed yet" in page and "Free of charge" in page
    assert 'id="letter"' not in page, "no Letter to Parents before the plan is filed"


def test_boarders_may_ask_for_evening_service_and_day_pupils_may_not(w, client):
    boarder = StudentFactory(admin_class=w.class_a1, name="马住校", is_boarder=True)
    StudentGuardian.objects.create(student=boarder, guardian=w.parent.guardian, relation="father")
    client.force_login(w.parent)
    assert 'value="evening"' in client.get(apply_url(w, boarder)).content.decode()
    client.post(apply_url(w, boarder), {**app_data(service_kind="evening"), **sign_data(1), "step": "sign"})
    assert Application.objects.get(student=boarder).service_kind == KIND.EVENING

    # A forged post for the day pupil is refused by the form, and the service refuses it too.
    page = client.post(apply_url(w), {**app_data(service_kind="evening"), **sign_data(1), "step": "sign"})
    assert 'id="application-form"' in page.content.decode()
    assert not Application.objects.filter(student=w.child).exists()
    with pytest.raises(DomainError, match="boarders and senior-high pupils only"):
        services.application_submit(
            actor=w.parent, student=w.child, data=service_data(service_kind="evening"), text_version=1,
            signature=SIGNATURE,
        )  # fmt: skip


def test_every_senior_high_pupil_may_ask_for_evening_service(w):
    """The plan: “初中住校生和高中学生主要是在晚间课后服务” — senior-high day pupils too, junior day pupils not."""
    senior = StudentFactory(admin_class=AdminClassFactory(school=w.school_a, grade=10, number=1), is_boarder=False)
    junior = StudentFactory(admin_class=AdminClassFactory(school=w.school_a, grade=8, number=1), is_boarder=False)
    assert ("evening", "Evening service (boarders and senior high)") in ApplicationForm(student=senior).fields[
        "service_kind"
    ].choices
    assert "evening" not in dict(ApplicationForm(student=junior).fields["service_kind"].choices)
    assert applications_rules.evening_service_open_to(senior) and not applications_rules.evening_service_open_to(junior)


def test_extended_care_needs_a_reason(w, client):
    client.force_login(w.parent)
    response = client.post(apply_url(w), {**app_data(service_kind="extended"), **sign_data(1), "step": "sign"})
    assert "Please say why the child needs extended care." in response.content.decode()
    assert counts() == (0, 0, 0)
    with pytest.raises(DomainError):
        services.application_submit(
            actor=w.parent, student=w.child, data=service_data(service_kind="extended", extended_reason="  "),
            text_version=1, signature=SIGNATURE,
        )  # fmt: skip
    assert counts() == (0, 0, 0)
    client.post(
        apply_url(w),
        {**app_data(service_kind="extended", extended_reason="父母晚上八点下班"), **sign_data(1), "step": "sign"},
    )
    assert Application.objects.get().extended_reason == "父母晚上八点下班"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"pickup_mobile": "1234"}, "11-digit mainland mobile"),
        ({"pickup_mobile": "12909540002"}, "11-digit mainland mobile"),
        ({"pickup_person": ""}, "This field is required"),
        ({"pickup_difficulty": ""}, "This field is required"),
        ({"preference_2": "reading"}, "Each activity can be chosen only once"),
        ({"preference_1": "clubs"}, "Select a valid choice"),  # not offered by this school
        ({"service_kind": "make-up lessons"}, "Select a valid choice"),
        ({"pickup_difficulty": "难" * 301}, "at most 300 characters"),
    ],
)
def test_bad_application_input_is_refused_on_the_page_and_nothing_is_written(w, client, overrides, message):
    client.force_login(w.parent)
    response = client.post(apply_url(w), {**app_data(**overrides), **sign_data(1), "step": "sign"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="application-form"' in page and message in page
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"consent": ""}, "tick the box"),
        ({"signer_name": "   "}, "This field is required"),
        ({"relation": "neighbour"}, "Select a valid choice"),
    ],
)
def test_signing_needs_a_typed_name_a_relation_and_the_consent_box(w, client, overrides, message):
    client.force_login(w.parent)
    response = client.post(apply_url(w), {**app_data(), **sign_data(1, **overrides), "step": "sign"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="sign-fields"' in page and message in page
    assert counts() == (0, 0, 0)


def test_unknown_step_and_garbage_never_fail(w, client):
    client.force_login(w.parent)
    for data in ({"step": "hack"}, {"step": "sign", "text_version": "x"}, {"step": "decline_confirm"}, {}):
        assert client.post(apply_url(w), data).status_code == 200
    assert counts() == (0, 0, 0)


# ---------------------------------------------------------------- refusals


def test_a_second_live_application_for_the_same_child_and_year_is_refused(w, client):
    client.force_login(w.parent)
    client.post(apply_url(w), {**app_data(), **sign_data(1), "step": "sign"})
    before = counts()
    first = Application.objects.get()
    # Opening the form again leads to the existing application.
    response = client.get(apply_url(w))
    assert response["Location"] == reverse("enrollment:application-detail", args=[first.pk])
    assert "already has an application" in " ".join(messages_of(response))
    with pytest.raises(DomainError, match="already has an application"):
        services.application_submit(
            actor=w.parent, student=w.child, data=service_data(), text_version=1, signature=SIGNATURE
        )
    assert counts() == before


def test_the_unique_constraint_catches_a_racing_second_application_and_leaves_no_agreement(w):
    signed_application(w)
    give(w)
    before = counts()
    # Both requests passed the check before either wrote: the partial unique index refuses the second.
    with mock.patch.object(services, "live_application", return_value=None):
        with pytest.raises(DomainError, match="already has an application"):
            services.application_submit(
                actor=w.parent, student=w.child, data=service_data(), text_version=1, signature=SIGNATURE
            )
    assert counts() == before


def test_a_new_application_is_allowed_after_withdrawal(w, client):
    old = signed_application(w)
    services.application_withdraw(actor=w.parent, application=old, effective=timezone.localdate())
    client.force_login(w.parent)
    client.post(apply_url(w), {**app_data(), **sign_data(1), "step": "sign"})
    assert Application.objects.filter(student=w.child).exclude(status=S.WITHDRAWN).count() == 1


def test_no_agreement_published_yet_means_no_application(w, client):
    AgreementText.objects.all().delete()
    client.force_login(w.parent)
    page = client.get(apply_url(w)).content.decode()
    assert "has not published its agreement yet" in page and 'id="application-form"' not in page
    client.post(apply_url(w), {**app_data(), **sign_data(1), "step": "sign"})
    assert counts() == (0, 0, 0)
    with pytest.raises(DomainError, match="not published"):
        services.application_submit(
            actor=w.parent, student=w.child, data=service_data(), text_version=1, signature=SIGNATURE
        )


def test_signing_an_outdated_text_writes_nothing_and_shows_the_new_one(w, client):
    client.force_login(w.parent)
    client.get(apply_url(w))
    agreement_services.agreement_text_publish(
        actor=w.school_admin, school=w.school_a, school_year=w.school_year, body="新版协议：第三条修改了服务时间。" * 3
    )
    response = client.post(apply_url(w), {**app_data(), **sign_data(1), "step": "sign"})
    page = response.content.decode()
    assert "published a new version of the agreement" in " ".join(messages_of(response))
    assert counts() == (0, 0, 0)
    assert "新版协议" in page and 'name="text_version" value="2"' in page and 'id="sign-fields"' in page
    client.post(apply_url(w), {**app_data(), **sign_data(2), "step": "sign"})
    assert Application.objects.get().agreement.text.version == 2


def test_after_the_deadline_a_parent_sends_a_late_application_and_paper_ones_are_taken(w, client, monkeypatch):
    """No dead end (#15 §2): the page names the deadline, the class teacher and the school's telephone, and takes
    a late application (逾期申请), which waits for the school (status late) before any review."""
    days_after_deadline(w, monkeypatch)
    w.school_a.phone = "0954-7012345"
    w.school_a.save()
    w.class_teacher.full_name = "马老师"
    w.class_teacher.save()
    client.force_login(w.parent)
    page = client.get(apply_url(w)).content.decode()
    assert "Online applications closed on" in page and "data-late" in page
    assert "马老师" in page and "0954-7012345" in page and 'id="application-form"' in page
    assert "Sign and send the late application" in page
    assert "Applications were due by" in page, "the letter says what to do now, not only a date gone by"
    response = client.post(apply_url(w), {**app_data(), **sign_data(1), "step": "sign"})
    assert response["Location"] == reverse("enrollment:parent-home")
    assert "Late application sent" in " ".join(messages_of(response))
    app = Application.objects.get()
    assert (app.status, app.late) == (S.LATE, True)
    event = app.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == ("submit", S.LATE, S.LATE, w.parent)
    home = client.get(reverse("enrollment:parent-home")).content.decode()
    assert "Late application, waiting for the school" in home
    detail = client.get(reverse("enrollment:application-detail", args=[app.pk])).content.decode()
    assert "data-late-next" in detail and "the school decides next" in detail and "0954-7012345" in detail

    # The paper path (代录) is still open after the deadline, for another child; it goes straight to review.
    paper_consent(w.other_child, actor=w.class_teacher)
    app = services.application_enter_on_behalf(
        actor=w.class_teacher, student=w.other_child, data=service_data(), text_version=1, signature=SIGNATURE,
        paper_original_on_file=True,
    )  # fmt: skip
    assert (app.status, app.late) == (S.SUBMITTED, False)


def test_a_parent_cannot_apply_for_another_familys_child(w, client):
    client.force_login(w.parent)
    for student in (w.other_child, w.child_b):
        assert client.get(apply_url(w, student)).status_code == 404
        assert client.post(apply_url(w, student), {**app_data(), **sign_data(1), "step": "sign"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.application_submit(
            actor=w.parent, student=w.other_child, data=service_data(), text_version=1, signature=SIGNATURE
        )
    assert counts() == (0, 0, 0)


def test_staff_cannot_apply_online_for_a_child(w):
    for actor in (w.class_teacher, w.school_admin, w.bureau):
        with pytest.raises(PermissionDenied):
            services.application_submit(
                actor=actor, student=w.child, data=service_data(), text_version=1, signature=SIGNATURE
            )


# ---------------------------------------------------------------- withdrawal


def withdraw_url(app):
    return reverse("enrollment:application-withdraw", args=[app.pk])


def test_parent_withdraws_from_a_date_at_any_stage(w, client):
    client.force_login(w.parent)
    for status in (S.SUBMITTED, S.RETURNED, S.CLASS_APPROVED, S.APPROVED, S.WAITING):
        app = signed_application(w, status)
        day = timezone.localdate() + datetime.timedelta(days=3)
        response = client.post(withdraw_url(app), {"effective": day.isoformat(), "note": "孩子转学"})
        assert response.status_code == 302
        app.refresh_from_db()
        assert (app.status, app.withdrawal_effective) == (S.WITHDRAWN, day), status
        assert app.events.last().action == "withdraw" and app.events.last().note == "孩子转学"


def test_a_placed_child_leaves_the_service_class_on_the_withdrawal_date(w):
    service_class = ServiceClass.objects.create(
        school=w.school_a, school_year=w.school_year, name="阅读一班", activity=ActivityCategory.READING,
        teacher=w.service_teacher, capacity=30, created_by=w.school_admin,
    )  # fmt: skip
    app = signed_application(w, S.ACTIVE, service_class=service_class)
    member = ServiceClassMember.objects.create(
        service_class=service_class, student=w.child, start_date=timezone.localdate() - datetime.timedelta(days=20),
        added_by=w.school_admin,
    )  # fmt: skip
    day = timezone.localdate() + datetime.timedelta(days=7)
    services.application_withdraw(actor=w.school_admin, application=app, effective=day)
    member.refresh_from_db()
    assert member.end_date == day and app.status == S.WITHDRAWN


@pytest.mark.parametrize("days, message", [(-1, "cannot be in the past"), (None, "This field is required")])
def test_withdrawal_date_in_the_past_or_missing_is_refused(w, client, days, message):
    app = signed_application(w)
    client.force_login(w.parent)
    data = {"effective": (timezone.localdate() + datetime.timedelta(days=days)).isoformat()} if days else {}
    response = client.post(withdraw_url(app), data)
    assert response.status_code == 302 and message in " ".join(messages_of(response))
    app.refresh_from_db()
    assert app.status == S.SUBMITTED and app.withdrawal_effective is None
    with pytest.raises(DomainError):
        services.application_withdraw(
            actor=w.parent, application=app, effective=timezone.localdate() - datetime.timedelta(days=1)
        )
    with pytest.raises(DomainError, match="inside the school year"):
        services.application_withdraw(
            actor=w.parent, application=app, effective=w.school_year.end_date + datetime.timedelta(days=1)
        )
    assert app.events.count() == 0


def test_withdrawing_twice_is_refused_clearly(w, client):
    app = signed_application(w)
    services.application_withdraw(actor=w.parent, application=app, effective=timezone.localdate())
    with pytest.raises(TransitionNotAllowed):
        services.application_withdraw(actor=w.school_admin, application=app, effective=timezone.localdate())
    client.force_login(w.parent)
    response = client.post(withdraw_url(app), {"effective": timezone.localdate().isoformat()})
    assert "cannot be done now" in " ".join(messages_of(response))
    assert app.events.filter(action="withdraw").count() == 1


def test_who_may_withdraw(w):
    app = signed_application(w)
    for actor in (w.class_teacher, w.township, w.bureau, w.other_parent, w.other_school_admin):
        with pytest.raises(PermissionDenied):
            services.application_withdraw(actor=actor, application=app, effective=timezone.localdate())
    services.application_withdraw(actor=w.school_admin, application=app, effective=timezone.localdate())
    assert app.status == S.WITHDRAWN


# ---------------------------------------------------------------- correcting a returned application


def edit_url(app):
    return reverse("enrollment:application-edit", args=[app.pk])


def test_parent_corrects_a_returned_application_and_sends_it_again(w, client):
    app = signed_application(w, S.RETURNED)
    give(w, sensitive=True)  # app_data() ticks economic hardship
    ApplicationEvent.objects.create(
        application=app, action="class_return", from_status=S.SUBMITTED, to_status=S.RETURNED, actor=w.class_teacher,
        note="请填写接送人的手机号",
    )  # fmt: skip
    client.force_login(w.parent)
    page = client.get(edit_url(app)).content.decode()
    assert "请填写接送人的手机号" in page and 'value="马爷爷"' in page
    response = client.post(edit_url(app), {**app_data(pickup_mobile="13909540009"), "note": "已补充"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.status, app.pickup_mobile, app.pickup_person, app.preferences) == (
        S.SUBMITTED, "13909540009", "马奶奶", ["reading", "homework"],
    )  # fmt: skip
    last = app.events.last()
    assert (last.action, last.from_status, last.to_status, last.actor, last.note) == (
        "resubmit", S.RETURNED, S.SUBMITTED, w.parent, "已补充",
    )  # fmt: skip


def test_only_a_returned_application_can_be_corrected(w, client):
    app = signed_application(w, S.CLASS_APPROVED)
    client.force_login(w.parent)
    response = client.get(edit_url(app))
    assert response["Location"] == reverse("enrollment:application-detail", args=[app.pk])
    client.post(edit_url(app), app_data(pickup_person="别人"))
    app.refresh_from_db()
    assert app.pickup_person == "马爷爷" and app.status == S.CLASS_APPROVED
    with pytest.raises(DomainError, match="Only a returned application"):
        services.application_resubmit(actor=w.parent, application=app, data=service_data())


def test_bad_correction_changes_nothing(w, client):
    app = signed_application(w, S.RETURNED)
    client.force_login(w.parent)
    response = client.post(edit_url(app), app_data(service_kind="extended", pickup_mobile="123"))
    assert response.status_code == 200 and "extended care" in response.content.decode()
    app.refresh_from_db()
    assert (app.status, app.service_kind, app.pickup_mobile) == (S.RETURNED, KIND.REGULAR, "13909540002")


# ---------------------------------------------------------------- the paper path (代录)


def enter_url(student):
    return reverse("enrollment:application-enter", args=[student.pk])


def paper_data(**overrides) -> dict:
    data = {
        **app_data(),
        "text_version": 1,
        "signer_name": "李秀英",
        "relation": "grandmother",
        "paper_original_on_file": "on",
        "consent-personal": "on",
        "consent-sensitive": "on",  # app_data() ticks economic hardship
        "consent-scan": scan(),
    }
    data.update(overrides)
    return data


def test_class_teacher_enters_a_paper_application_for_their_class(w, client):
    client.force_login(w.class_teacher)
    assert client.get(enter_url(w.child)).status_code == 200
    response = client.post(enter_url(w.child), paper_data())
    app = Application.objects.get()
    assert response["Location"] == reverse("enrollment:application-detail", args=[app.pk])
    assert (app.applicant, app.entered_by, app.paper_original_on_file) == (w.class_teacher, w.class_teacher, True)
    agreement = app.agreement
    assert (agreement.signer_name, agreement.relation, agreement.entered_by, agreement.signed_by) == (
        "李秀英", "grandmother", w.class_teacher, w.class_teacher,
    )  # fmt: skip
    assert agreement.paper_original_on_file and agreement.consent
    assert app.events.get().note == "Entered from the signed paper application."
    # The parent sees it at once on their home page.
    client.force_login(w.parent)
    assert "Waiting for class review" in client.get(reverse("enrollment:parent-home")).content.decode()


def test_paper_application_needs_the_original_on_file(w, client):
    client.force_login(w.school_admin)
    response = client.post(enter_url(w.child), paper_data(paper_original_on_file=""))
    assert "signed original is on file" in response.content.decode()
    assert counts() == (0, 0, 0)
    with pytest.raises(DomainError):
        services.application_enter_on_behalf(
            actor=w.school_admin, student=w.child, data=service_data(), text_version=1, signature=SIGNATURE,
            paper_original_on_file=False,
        )  # fmt: skip
    assert counts() == (0, 0, 0)


def test_paper_path_is_for_the_own_class_or_the_school_admin(w, client):
    teacher_a2 = user_with_role(Role.CLASS_TEACHER, admin_class=w.class_a2)
    client.force_login(w.class_teacher)
    assert client.post(enter_url(w.child_a2), paper_data()).status_code == 404  # another class: not even seen
    client.force_login(teacher_a2)
    assert client.post(enter_url(w.child), paper_data()).status_code == 404
    client.force_login(w.parent)
    assert client.post(enter_url(w.child), paper_data()).status_code == 403
    assert counts() == (0, 0, 0)
    client.force_login(w.school_admin)
    client.post(enter_url(w.child_a2), paper_data())
    assert Application.objects.get().student == w.child_a2


def test_paper_application_refused_when_the_child_already_applied(w, client):
    signed_application(w)
    before = counts()
    client.force_login(w.class_teacher)
    assert "already has an application" in client.get(enter_url(w.child)).content.decode()
    with pytest.raises(DomainError, match="already has an application"):
        services.application_enter_on_behalf(
            actor=w.class_teacher, student=w.child, data=service_data(), text_version=1, signature=SIGNATURE,
            paper_original_on_file=True,
        )  # fmt: skip
    assert counts() == before


# ---------------------------------------------------------------- the application page


def test_detail_shows_status_history_with_comments_and_the_service_class(w, client):
    service_class = ServiceClass.objects.create(
        school=w.school_a, school_year=w.school_year, name="篮球一班", activity=ActivityCategory.SPORTS,
        teacher=w.service_teacher, capacity=30, created_by=w.school_admin,
    )  # fmt: skip
    app = signed_application(w, S.PLACED, service_class=service_class)
    for action, old, new, actor, note in [
        ("submit", S.SUBMITTED, S.SUBMITTED, w.parent, ""),
        ("class_approve", S.SUBMITTED, S.CLASS_APPROVED, w.class_teacher, "情况属实"),
        ("school_approve", S.CLASS_APPROVED, S.APPROVED, w.school_admin, ""),
        ("place", S.APPROVED, S.PLACED, w.school_admin, ""),
    ]:
        ApplicationEvent.objects.create(
            application=app, action=action, from_status=old, to_status=new, actor=actor, note=note
        )
    client.force_login(w.parent)
    page = client.get(reverse("enrollment:application-detail", args=[app.pk])).content.decode()
    for text in ("Applied", "Approved by the class teacher", "情况属实", "Approved by the school", "篮球一班"):
        assert text in page
    assert page.index("Applied") < page.index("Approved by the class teacher") < page.index("Approved by the school")
    assert reverse("enrollment:agreement-pdf", args=[app.agreement_id]) in page
    assert "13909540002" in page, "the family sees the pick-up mobile it gave"
    client.force_login(w.bureau)
    page = client.get(reverse("enrollment:application-detail", args=[app.pk])).content.decode()
    assert "139****0002" in page and reverse("enrollment:agreement-pdf", args=[app.agreement_id]) not in page
    assert "Withdraw from the service" not in page


def test_a_parent_never_sees_another_familys_application_or_agreement(w, client):
    theirs = signed_application(w, student=w.other_child, parent=w.other_parent)
    client.force_login(w.parent)
    for name, pk in [
        ("enrollment:application-detail", theirs.pk),
        ("enrollment:application-edit", theirs.pk),
        ("enrollment:agreement-resign", theirs.pk),
        ("enrollment:agreement-pdf", theirs.agreement_id),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.post(withdraw_url(theirs), {"effective": timezone.localdate().isoformat()}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.SUBMITTED
    page = client.get(reverse("enrollment:parent-home")).content.decode()
    assert "李小红" not in page


def test_agreement_text_belongs_to_the_childs_school(w):
    """A text of another school never counts as the child's current text."""
    agreement_text(w)  # school_a v1 exists already
    give(w)
    AgreementText.objects.create(
        school=w.school_b, school_year=w.school_year, version=5, body="乙乡协议" * 20, published_by=w.other_school_admin
    )
    app = services.application_submit(
        actor=w.parent, student=w.child, data=service_data(), text_version=1, signature=SIGNATURE
    )
    assert app.agreement.text.school == w.school_a
