"""The safety part of the demo county: on a small county (the roster and calendar of `seed_demo --schools 3`)
played to 20 October 2025, the incidents, plans, drills and safety education are there, through the services, never
after the day, and a second run writes nothing.

20 October cuts the story: the incident (15 October), the phone call and the follow-up have happened on their days;
the insurance steps and the closing, due later, happen on the 20th (the clock never runs ahead), as do the sessions of
November."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import override_settings
from django.utils import timezone, translation

from safety import demo as safety_demo
from safety.models import (
    Drill,
    EmergencyPlan,
    GuardianContact,
    Incident,
    IncidentEvent,
    IncidentFollowUp,
    InsuranceClaim,
    SafetyEducation,
    Scenario,
)
from schools import demo as schools_demo
from schools.models import Membership, Role, School
from xiji_afterschool.demo import FIRST, SECOND, SETUP, DemoCounty

# Its county is seeded once for the module: under `pytest -n` the module stays on one worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("safety_demo")

AS_OF = datetime.date(2025, 10, 20)
AS_OF_END = timezone.make_aware(datetime.datetime.combine(AS_OF, datetime.time(23, 59, 59)))
SEMESTER = (datetime.date(2025, 9, 1), datetime.date(2026, 1, 22))
FIVE = {Scenario.FIRE, Scenario.INJURY, Scenario.MISSING, Scenario.WEATHER, Scenario.TRAFFIC}


def rows() -> int:
    return sum(model.objects.count() for model in apps.get_models())


def county() -> DemoCounty:
    return DemoCounty(as_of=AS_OF, schools_wanted=3)


@pytest.fixture(scope="module")
def _played(django_db_setup, django_db_blocker):
    """The roster and calendar of a three-school county (schools.demo SETUP), then the safety story, once for the
    module, inside a transaction rolled back at its end."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            c = county()
            with translation.override("zh-hans"), c.without_savepoints():
                schools_demo.play(c, SETUP)
                lines = safety_demo.play_incidents(c) + safety_demo.play_emergency(c)
            yield lines
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def played(_played, db):
    yield _played


def school(name: str) -> School:
    return School.objects.get(name=name)


@pytest.mark.django_db
def test_the_playground_fall_at_first_is_insured_paid_shared_and_closed(played):
    incident = Incident.objects.get(school=school(FIRST))
    assert incident.status == Incident.Status.CLOSED and incident.closing_summary
    assert incident.during_service and incident.severity == Incident.Severity.MEDICAL
    assert "操场" in incident.place
    assert timezone.localtime(incident.occurred_at).date() == datetime.date(2025, 10, 15)  # 44 days in, a Wednesday
    assert incident.recorded_by.username == "jiaoshi" and incident.closed_by.username == "xuexiao"
    child = incident.children.get()
    assert child.student.admin_class.grade == 3 and child.student.school.name == FIRST
    assert "擦伤" in child.injury and "扭伤" in child.injury and "冰敷" in child.first_aid
    contact = child.contacts.get()
    assert contact.how == GuardianContact.How.PHONE and contact.told_by.username == "jiaoshi"
    assert datetime.timedelta(0) < contact.told_at - incident.occurred_at <= datetime.timedelta(minutes=10)
    guardians = set(child.student.guardian_links.values_list("guardian__name", flat=True))
    assert contact.guardian_name in guardians
    follow_up = incident.follow_ups.get()
    assert follow_up.kind == IncidentFollowUp.Kind.NOTE and follow_up.child == child
    assert follow_up.date == datetime.date(2025, 10, 17)  # two days later

    claim = incident.insurance
    assert claim.policy == InsuranceClaim.Policy.SCHOOL_LIABILITY and "中国人寿" in claim.insurer
    assert claim.status == InsuranceClaim.Status.PAID
    assert claim.filed_on <= claim.decided_on <= claim.paid_on <= AS_OF
    assert claim.amount_paid <= claim.amount_claimed
    shares = claim.share_insurer + claim.share_school + claim.share_other_party + claim.share_family
    assert shares == claim.compensation_total == Decimal("860.00")
    assert claim.share_insurer == claim.amount_paid and claim.share_school > 0
    assert set(claim.events.values_list("action", flat=True)) == {"open", "file", "accept", "pay", "compensation"}
    assert set(incident.events.values_list("action", flat=True)) == {"record", "guardian_told", "follow_up", "close"}


@pytest.mark.django_db
def test_second_has_one_closed_nosebleed_without_insurance(played):
    incident = Incident.objects.get(school=school(SECOND))
    assert incident.status == Incident.Status.CLOSED and incident.severity == Incident.Severity.MINOR
    assert "鼻出血" in incident.children.get().injury
    assert incident.children.get().contacts.get().how == GuardianContact.How.IN_PERSON
    assert not InsuranceClaim.objects.filter(incident=incident).exists()
    assert incident.closed_by.memberships.filter(role=Role.SCHOOL_ADMIN, school=incident.school).exists()
    assert Incident.objects.count() == 2  # the third school has none


@pytest.mark.django_db
def test_five_plans_at_both_schools_with_the_admin_in_command_and_one_revision(played):
    for name in (FIRST, SECOND):
        s = school(name)
        current = [p for p in EmergencyPlan.objects.filter(school=s) if p.is_current]
        assert {p.scenario for p in current} == FIVE and len(current) == 5
        staff = set(Membership.objects.filter(school=s).values_list("user_id", flat=True))
        for plan in current:
            duties = {d.duty: d.person for d in plan.duties.all()}
            assert duties["commander"].memberships.filter(role=Role.SCHOOL_ADMIN, school=s).exists()
            assert len(duties) >= 5 and {p.pk for p in duties.values()} <= staff
            assert SEMESTER[0] <= plan.effective_from <= AS_OF
    revised = EmergencyPlan.objects.filter(version__gt=1)
    assert revised.count() == 1
    v2 = revised.get()
    assert v2.school.name == FIRST and v2.scenario == Scenario.FIRE and v2.version == 2
    assert v2.previous.version == 1 and not v2.previous.is_current and v2.created_by.username == "xuexiao"
    assert not EmergencyPlan.objects.filter(school__name="兴隆镇中心小学").exists()


@pytest.mark.django_db
def test_a_fire_and_an_evacuation_drill_this_semester_and_the_education_sessions(played):
    for name in (FIRST, SECOND):
        drills = Drill.objects.filter(school__name=name, date__range=SEMESTER)
        assert sorted(drills.values_list("scenario", flat=True)) == ["earthquake", "fire"]
        assert all(d.date <= AS_OF and d.pupils > 0 and d.staff > 0 for d in drills)
        sessions = SafetyEducation.objects.filter(school__name=name, date__range=SEMESTER)
        pupils = sessions.filter(audience=SafetyEducation.Audience.PUPILS)
        topics = " ".join(pupils.values_list("topic", flat=True))
        assert pupils.count() == 4 and all(t in topics for t in ("交通安全", "防溺水", "冬季防滑防冻", "防欺凌"))
        assert sessions.filter(audience=SafetyEducation.Audience.TEACHERS).count() == 1
        assert all(d <= AS_OF for d in sessions.values_list("date", flat=True))
    fire = Drill.objects.get(school__name=FIRST, scenario=Scenario.FIRE)
    assert fire.plan.version == 1 and fire.went_wrong  # the drill that led to the revision, before it
    assert fire.plan.next_version.effective_from > fire.date


@pytest.mark.django_db
def test_nothing_is_dated_after_the_day_played_to(played):
    for model in apps.get_models():
        if model._meta.app_label != "safety":
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                assert not model.objects.filter(**{f"{field.name}__gt": AS_OF_END}).exists(), (model, field.name)
            elif isinstance(field, models.DateField):
                assert not model.objects.filter(**{f"{field.name}__gt": AS_OF}).exists(), (model, field.name)
    assert IncidentEvent.objects.exists()


@pytest.mark.django_db
def test_the_summary_lines_and_a_second_run_writes_nothing(played):
    incidents_line, emergency_line = played
    assert incidents_line.startswith("安全事件 2 起（已结案 2") and "中国人寿" in incidents_line
    assert "校方责任险" in incidents_line and "已赔付" in incidents_line and "赔偿合计 ¥860.00" in incidents_line
    assert emergency_line.startswith("应急预案 10 份现行（2 所学校，修订 1 次）")
    assert "应急演练 4 次" in emergency_line and "安全教育 10 次（学生 8，教师 2）" in emergency_line
    before = rows()
    c = county()
    with translation.override("zh-hans"):
        again = safety_demo.play_incidents(c) + safety_demo.play_emergency(c)  # the whole seed: test_seed_demo
    assert rows() == before
    assert again == played
    assert safety_demo.play(c, SETUP) == []
