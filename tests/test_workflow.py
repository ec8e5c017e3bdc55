"""The lifecycle helper (issue 10): start, transition and log write one event model; a scheduled job is the system;
labels and badge colours come from the workflow's model."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.utils import translation

from enrollment.models import Agreement, AgreementText, Application
from enrollment.services.placement import activate_due_placements
from schools.models import (
    ActivityCategory,
    SchoolPlan,
    SchoolPlanEvent,
    ServiceClass,
    ServiceClassMember,
    Session,
    SessionEvent,
    StudentGuardian,
)
from schools.services.sessions import session_confirm
from xiji_afterschool import workflow
from xiji_afterschool.errors import DomainError
from xiji_afterschool.models import WorkflowEvent


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def steps(record) -> list[tuple]:
    return list(record.events.values_list("action", "from_status", "to_status", "actor", "by_system", "note"))


def homework_class(w) -> ServiceClass:
    service_class = ServiceClass.objects.create(
        school=w.school_a, school_year=w.school_year, name="三年级作业辅导班", activity=ActivityCategory.HOMEWORK,
        teacher=w.service_teacher, capacity=40, created_by=w.school_admin,
    )  # fmt: skip
    service_class.admin_classes.add(w.class_a1)
    return service_class


# ---------------------------------------------------------------- start, transition, log


def test_start_logs_the_creation_from_nothing_to_the_first_status(world, english):
    plan = world.plan  # a draft
    workflow.start(plan, actor=world.school_admin, note="v2")
    workflow.start(plan, action="file", actor=world.school_admin)  # a workflow with its own word for the start
    assert steps(plan) == [
        ("create", "", "draft", world.school_admin.pk, False, "v2"),
        ("file", "", "draft", world.school_admin.pk, False, ""),
    ]
    first = plan.events.first()
    assert (first.action_label, first.from_status_label, first.to_status_label) == ("Created", "", "Draft")


def test_transition_moves_the_status_and_logs_it_with_the_models_words(world, english):
    plan = world.plan
    with transaction.atomic():
        workflow.transition(plan, "submit", actor=world.school_admin, note="请审核")
    assert plan.status == SchoolPlan.Status.AT_BUREAU
    assert steps(plan) == [("submit", "draft", "at_bureau", world.school_admin.pk, False, "请审核")]
    event = plan.events.get()
    assert (event.action_label, event.from_status_label, event.to_status_label, event.who) == (
        "Submitted to the bureau", "Draft", "Under bureau review", str(world.school_admin),
    )  # fmt: skip
    with pytest.raises(workflow.TransitionNotAllowed), transaction.atomic():
        workflow.transition(plan, "submit", actor=world.school_admin)
    assert plan.events.count() == 1, "a refused move logs nothing"


def test_log_records_a_step_that_keeps_the_status(world, english):
    plan = world.plan
    workflow.log(plan, "reminded", actor=None, system=True, note="deadline in 3 days")
    assert steps(plan) == [("reminded", "draft", "draft", None, True, "deadline in 3 days")]
    event = plan.events.get()
    assert (event.action_label, event.who) == ("reminded", "The system"), "an action without a label reads as stored"


def test_a_step_is_done_by_a_person_or_by_the_system_never_both_never_neither(world):
    plan = world.plan
    with pytest.raises(ValueError):
        workflow.log(plan, "x", actor=world.school_admin, system=True)
    with pytest.raises(ValueError):
        workflow.start(plan, actor=None)
    with pytest.raises(ValueError), transaction.atomic():
        workflow.transition(plan, "submit", actor=None)
    plan.refresh_from_db()
    assert plan.status == SchoolPlan.Status.DRAFT and not plan.events.exists()
    for actor, by_system in [(None, False), (world.school_admin, True)]:  # the database refuses them too
        with pytest.raises(IntegrityError), transaction.atomic():
            SchoolPlanEvent.objects.create(plan=plan, action="x", to_status="draft", actor=actor, by_system=by_system)


# ---------------------------------------------------------------- who did it: a scheduled job, an administrator


def test_the_daily_activation_is_recorded_as_the_system(world, english):
    w = world
    service_class = homework_class(w)
    start = w.autumn.start_date
    ServiceClassMember.objects.create(
        service_class=service_class, student=w.child, start_date=start, added_by=w.school_admin
    )
    text = AgreementText.objects.create(
        school=w.school_a, school_year=w.school_year, version=1, body="自愿服务协议书", published_by=w.school_admin
    )
    agreement = Agreement.objects.create(
        student=w.child, text=text, decision=Agreement.Decision.SIGNED, signer_name="马文清", relation="father",
        consent=True, signed_by=w.parent,
    )  # fmt: skip
    application = Application.objects.create(
        student=w.child, school=w.school_a, school_year=w.school_year, status=Application.Status.PLACED,
        service_class=service_class, agreement=agreement, applicant=w.parent, service_kind="regular",
        pickup_difficulty="父母都在外打工", pickup_person="马爷爷", pickup_relation="grandfather",
        pickup_mobile="13909540001", submitted_at=datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC),
    )  # fmt: skip
    assert activate_due_placements(today=start) == 1
    application.refresh_from_db()
    assert application.status == Application.Status.ACTIVE
    assert steps(application) == [("activate", "placed", "active", None, True, "Service started")]
    assert application.events.get().who == "The system"


def test_confirming_a_session_goes_through_the_workflow_and_is_logged(world, english):
    w = world
    session = Session.objects.create(
        service_class=homework_class(w), date=w.autumn.start_date + datetime.timedelta(days=7),
        start_time=datetime.time(16), end_time=datetime.time(18), class_hours=Decimal("2"),
        activity_category=ActivityCategory.HOMEWORK, content_note="讲新课", teacher=w.service_teacher,
        teacher_role=Session.TeacherRole.RESPONSIBLE, status=Session.Status.NEEDS_CONFIRMATION, flag="讲新课",
        logged_by=w.service_teacher,
    )  # fmt: skip
    session_confirm(actor=w.school_admin, session=session)
    assert (session.status, session.confirmed_by) == (Session.Status.CONFIRMED, w.school_admin)
    assert steps(session) == [("confirm", "unconfirmed", "confirmed", w.school_admin.pk, False, "")]
    event = SessionEvent.objects.get()
    assert (event.session, event.action_label) == (session, "Confirmed by the administrator")
    with pytest.raises(DomainError, match="nothing to confirm"):
        session_confirm(actor=w.school_admin, session=session)
    assert SessionEvent.objects.count() == 1


# ---------------------------------------------------------------- the words and colours live with the workflow


def workflow_models():
    return [m for m in apps.get_models() if hasattr(m, "TRANSITIONS")]


def test_every_workflow_has_an_event_model_labels_and_badge_colours():
    models = workflow_models()
    assert {m.__name__ for m in models} >= {
        "SchoolPlan", "Session", "Application", "Claim", "Settlement", "SpendingPlan", "PayScheme", "PayRun"
    }  # fmt: skip
    for model in models:
        events = model._meta.get_field("events").related_model
        assert issubclass(events, WorkflowEvent), model
        assert set(model.TRANSITIONS) <= set(model.ACTION_LABELS), model
        assert set(model.STATUS_STYLE) == set(model.Status.values), model


def test_the_status_badge_tag_renders_the_label_in_the_models_colour(world, english):
    template = Template('{% load xiji %}{% status_badge plan %}|{% status_badge session extra="fs-6 fw-normal" %}')
    session = Session(status=Session.Status.NEEDS_CONFIRMATION)
    html = template.render(Context({"plan": world.plan_filed, "session": session}))
    assert html == (
        '<span class="badge text-bg-success" data-status="filed">Filed</span>|'
        '<span class="badge text-bg-warning fs-6 fw-normal" data-status="unconfirmed">Waiting for the administrator</span>'
    )
    with translation.override("zh-hans"):
        assert "已备案" in Template("{% load xiji %}{% status_badge plan %}").render(
            Context({"plan": world.plan_filed})
        )


def test_relation_words_come_from_one_place(english):
    assert StudentGuardian.Relation.label_of("grandmother") == "Grandmother"
    assert StudentGuardian.Relation.label_of("舅舅") == "舅舅", "a relation typed on paper reads as written"
    assert Template("{% load xiji %}{{ value|relation }}").render(Context({"value": "father"})) == "Father"
