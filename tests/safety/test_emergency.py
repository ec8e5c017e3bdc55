"""Emergency plans, drills and safety education (R28): versions kept, named responsibilities from the school, who
may write, what is missing this semester, and the link from the school plan's safety section."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from safety.models import Drill, EmergencyPlan
from safety.rules import emergency as rules
from safety.selectors import emergency as selectors
from safety.services import emergency as services
from xiji_afterschool.errors import DomainError

pytestmark = pytest.mark.usefixtures("english")  # the messages asserted are the English msgids


def _plan(w, scenario="fire", **kw):
    return services.plan_create(
        actor=kw.pop("actor", w.school_admin),
        school=w.school_a,
        scenario=scenario,
        title=kw.pop("title", "火灾应急预案"),
        procedure="发现火情立即报警，按疏散路线撤离。",
        effective_from=timezone.localdate(),
        duties=kw.pop("duties", {"commander": w.school_admin, "evacuation": w.service_teacher}),
    )


def test_a_new_version_supersedes_and_the_old_one_is_kept(client, world):
    w = world
    v1 = _plan(w)
    with pytest.raises(DomainError, match="new version"):
        _plan(w)
    v2 = services.plan_revise(
        actor=w.school_admin,
        plan=v1,
        title="火灾应急预案（修订）",
        procedure="新程序",
        effective_from=timezone.localdate(),
        duties={"commander": w.service_teacher},
    )
    v1.refresh_from_db()
    assert (v2.version, v2.previous) == (2, v1)
    assert v1.procedure.startswith("发现火情") and v1.duties.get(duty="commander").person == w.school_admin  # untouched
    assert not EmergencyPlan.objects.get(pk=v1.pk).is_current and v2.is_current
    with pytest.raises(DomainError, match="superseded"):
        services.plan_revise(
            actor=w.school_admin,
            plan=v1,
            title="x",
            procedure="y",
            effective_from=timezone.localdate(),
            duties={"commander": w.school_admin},
        )
    assert [p.pk for p in selectors.current_plans(viewer=w.class_teacher, school=w.school_a)] == [v2.pk]
    client.force_login(w.volunteer)
    page = client.get(reverse("safety:emergency-plan-detail", args=[v1.pk])).content.decode()
    assert "发现火情" in page  # the old version stays readable
    assert reverse("safety:emergency-plan-detail", args=[v2.pk]) in page


def test_responsibilities_go_to_people_of_the_school_and_a_commander_is_named(world):
    w = world
    with pytest.raises(DomainError, match="commander"):
        _plan(w, duties={"evacuation": w.service_teacher})
    with pytest.raises(DomainError, match="people of the school"):
        _plan(w, duties={"commander": w.other_school_admin})
    assert EmergencyPlan.objects.count() == 0


def test_only_the_school_admin_writes(world):
    w = world
    for who in ("service_teacher", "class_teacher", "township", "bureau", "other_school_admin"):
        with pytest.raises(PermissionDenied):
            _plan(w, actor=getattr(w, who))
        with pytest.raises(PermissionDenied):
            services.drill_record(
                actor=getattr(w, who),
                school=w.school_a,
                date=timezone.localdate(),
                scenario="fire",
                pupils=100,
                staff=10,
                duration_minutes=15,
            )


def test_missing_items_this_semester(world):
    w = world
    day = w.autumn.start_date + datetime.timedelta(days=20)
    assert "No fire drill this semester yet" in rules.missing(
        plan_scenarios=set(), drill_scenarios=set(), audiences=set()
    )
    for scenario in ("fire", "injury", "missing", "weather", "traffic"):
        _plan(w, scenario=scenario, title=scenario)
    Drill.objects.create(  # last semester's drill does not count for this one
        school=w.school_a,
        date=w.autumn.start_date - datetime.timedelta(days=10),
        scenario="fire",
        pupils=1,
        staff=1,
        duration_minutes=10,
        recorded_by=w.school_admin,
    )
    overview = selectors.school_overview(viewer=w.school_admin, school=w.school_a, day=day)
    assert overview["semester"] == w.autumn
    assert overview["missing"] == [
        "No fire drill this semester yet",
        "No evacuation (earthquake) drill this semester yet",
        "No safety education for pupils this semester yet",
        "No safety training for teachers this semester yet",
    ]
    for scenario in ("fire", "earthquake"):
        Drill.objects.create(
            school=w.school_a,
            date=day,
            scenario=scenario,
            pupils=300,
            staff=20,
            duration_minutes=12,
            recorded_by=w.school_admin,
        )
    overview = selectors.school_overview(viewer=w.school_admin, school=w.school_a, day=day)
    assert overview["missing"] == [
        "No safety education for pupils this semester yet",
        "No safety training for teachers this semester yet",
    ]


def test_drill_and_education_records_check_their_input(world):
    w = world
    plan = _plan(w)
    drill = services.drill_record(
        actor=w.school_admin,
        school=w.school_a,
        date=timezone.localdate(),
        scenario="fire",
        pupils=320,
        staff=24,
        duration_minutes=9,
        went_wrong="三年级疏散慢",
        changes="增加楼梯引导员",
    )
    assert drill.plan == plan
    with pytest.raises(DomainError, match="future"):
        services.drill_record(
            actor=w.school_admin,
            school=w.school_a,
            date=timezone.localdate() + datetime.timedelta(days=1),
            scenario="fire",
            pupils=1,
            staff=1,
            duration_minutes=1,
        )
    with pytest.raises(DomainError):
        services.drill_record(
            actor=w.school_admin,
            school=w.school_a,
            date=timezone.localdate(),
            scenario="fire",
            pupils=1,
            staff=1,
            duration_minutes=0,
        )
    session = services.education_record(
        actor=w.school_admin,
        school=w.school_a,
        date=timezone.localdate(),
        topic="防溺水",
        audience="pupils",
        class_hours=1,
        attendees=320,
    )
    assert session.topic == "防溺水"
    with pytest.raises(DomainError):
        services.education_record(
            actor=w.school_admin,
            school=w.school_a,
            date=timezone.localdate(),
            topic=" ",
            audience="pupils",
            class_hours=1,
            attendees=3,
        )


def test_school_plan_safety_section_links_the_emergency_plans(client, world):
    w = world
    plan = _plan(w)
    client.force_login(w.school_admin)
    page = client.get(reverse("schools:plan-detail", args=[w.plan.pk])).content.decode()
    assert reverse("safety:emergency-plan-detail", args=[plan.pk]) in page
    assert reverse("safety:emergency-school", args=[w.school_a.pk]) in page


def test_school_page_form_records_a_drill(client, world):
    w = world
    client.force_login(w.school_admin)
    url = reverse("safety:drill-create", args=[w.school_a.pk])
    data = {
        "date": timezone.localdate().isoformat(),
        "scenario": "earthquake",
        "pupils": "300",
        "staff": "20",
        "duration_minutes": "0",
    }
    assert client.post(url, data).status_code == 200 and Drill.objects.count() == 0
    response = client.post(url, {**data, "duration_minutes": "11"})
    assert response.status_code == 302 and Drill.objects.get().scenario == "earthquake"
