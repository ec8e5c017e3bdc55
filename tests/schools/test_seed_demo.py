"""seed_demo builds a believable, valid Xiji County with one working login per role, and a rerun changes nothing."""

import datetime
import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from schools import planning
from schools.models import (
    CountySettings,
    Guardian,
    Membership,
    Role,
    School,
    SchoolPlan,
    SchoolYear,
    Stage,
    Student,
    StudentGuardian,
    SubsidyRate,
    Timetable,
    Township,
    User,
)
from schools.plan_sections import diff
from schools.services.calendar import timetable_problems
from schools.validators import validate_id_number, validate_mobile
from xiji_afterschool import permissions
from xiji_afterschool.management.commands.seed_demo import DemoCounty

PASSWORD = "Xiji-2021"
FIRST = "西吉县第一小学"
TOWNSHIPS = [
    "吉强镇", "兴隆镇", "平峰镇", "将台堡镇", "新营乡", "红耀乡", "田坪乡", "马建乡", "震湖乡", "兴平乡",
    "西滩乡", "王民乡", "什字乡", "马莲乡", "硝河乡", "偏城乡", "沙沟乡", "白崖乡", "火石寨乡",
]  # fmt: skip
LOGINS = {  # username -> (role, the school / township / department its membership is anchored to)
    "13909540001": (Role.PARENT, None),
    "banzhuren": (Role.CLASS_TEACHER, FIRST),
    "jiaoshi": (Role.SERVICE_TEACHER, FIRST),
    "zhiyuanzhe": (Role.VOLUNTEER, FIRST),
    "xuexiao": (Role.SCHOOL_ADMIN, FIRST),
    "xiangzhen": (Role.TOWNSHIP_COORDINATOR, "兴隆镇"),
    "jiaotiju": (Role.BUREAU, "西吉县教育体育局"),
    "caizheng": (Role.FINANCE, "西吉县财政局"),
    "duxue": (Role.INSPECTOR, "西吉县人民政府教育督导室"),
    "renshe": (Role.HR, "西吉县人力资源和社会保障局"),
}


@pytest.fixture
def seeded(db):
    """The command's output after seeding the test database once."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _snapshot():
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    return (
        counts,
        set(Student.objects.values_list("id_number", "link_code")),
        set(Guardian.objects.values_list("mobile")),
        set(SchoolYear.objects.values_list("name", "start_date", "end_date", "semesters__start_date")),
        set(Timetable.objects.values_list("school__code", "semester__school_year__name", "semester__number", "stage")),
        set(SchoolPlan.objects.values_list("school__code", "version", "status", "filing_number", "previous__version")),
    )


def _current_year() -> SchoolYear:
    today = timezone.localdate()
    return SchoolYear.objects.get(start_date__lte=today, end_date__gte=today)


@pytest.mark.django_db
def test_county_has_its_nineteen_townships_and_every_school_type(seeded):
    assert list(Township.objects.values_list("name", flat=True)) == TOWNSHIPS  # ordered by code
    assert School.objects.count() >= 30
    assert set(School.objects.values_list("school_type", flat=True)) == set(School.Type.values)
    for township in Township.objects.all():
        central = township.schools.get(is_township_central=True)
        assert (central.name, central.school_type) == (f"{township.name}中心小学", School.Type.PRIMARY)
    dependents = School.objects.filter(school_type__in=School.DEPENDENT_TYPES).select_related("central_school")
    assert dependents.filter(school_type=School.Type.VILLAGE).count() >= 8
    assert dependents.filter(school_type=School.Type.TEACHING_POINT).count() >= 6
    for school in dependents:
        assert school.central_school.is_township_central
        assert school.central_school.township_id == school.township_id


@pytest.mark.django_db
def test_students_have_valid_unique_id_numbers_that_encode_birth_date_and_gender(seeded):
    rows = list(Student.objects.values_list("id_number", "birth_date", "gender", "admin_class__grade"))
    assert 2800 <= len(rows) <= 3400
    assert len({id_number for id_number, *_ in rows}) == len(rows)
    start = datetime.date(2021, 9, 1)
    for id_number, birth, gender, grade in rows:
        validate_id_number(id_number)
        assert id_number.startswith("640422") and id_number[6:14] == f"{birth:%Y%m%d}"
        assert int(id_number[16]) % 2 == (1 if gender == "M" else 0)
        age = start.year - birth.year - ((start.month, start.day) < (birth.month, birth.day))
        assert grade + 5 <= age <= grade + 6  # grade 1 is 6 or 7 on 1 September 2021, kindergarten younger


@pytest.mark.django_db
def test_guardians_have_valid_mobiles_and_each_student_exactly_one_primary_guardian(seeded):
    for mobile in Guardian.objects.values_list("mobile", flat=True):
        validate_mobile(mobile)
    students = Student.objects.annotate(
        links=Count("guardian_links"), primary=Count("guardian_links", filter=Q(guardian_links__is_primary=True))
    )
    assert not students.exclude(primary=1).exists()
    assert not students.exclude(links__in=[1, 2]).exists()
    assert Guardian.objects.annotate(children=Count("student_links")).filter(children=2).count() > 100  # siblings


@pytest.mark.django_db
def test_every_printed_login_signs_in_and_holds_its_role(seeded):
    for username, (role, place) in LOGINS.items():
        assert username in seeded
        user = authenticate(username=username, password=PASSWORD)
        assert user is not None and user.username == username and user.full_name
        membership = Membership.objects.get(user=user)
        assert membership.role == role
        anchor = membership.school or membership.township or membership.department
        assert (anchor.name if anchor else None) == place
    assert authenticate(username="13909540001", password=PASSWORD).mobile == "13909540001"
    teacher = Membership.objects.get(user__username="banzhuren").admin_class
    assert (teacher.school.name, teacher.grade, teacher.number) == (FIRST, 3, 1)
    assert (
        Membership.objects.get(user__username="zhiyuanzhe").volunteer_kind == Membership.VolunteerKind.RETIRED_TEACHER
    )
    admin = authenticate(username="admin", password=PASSWORD)
    assert admin.is_superuser and not admin.memberships.exists()
    assert Membership.objects.count() >= 60  # the unprinted staff


@pytest.mark.django_db
def test_parent_sees_only_two_children_and_class_teacher_only_their_class(seeded):
    parent = User.objects.get(username="13909540001")
    children = list(permissions.scope(parent, Student.objects.all()).select_related("school", "admin_class"))
    assert len(children) == 2
    assert {child.school.name for child in children} == {FIRST}
    assert len({child.admin_class_id for child in children}) == 2
    links = StudentGuardian.objects.filter(guardian__user=parent)
    assert {(link.student_id, link.relation) for link in links} == {(child.pk, "father") for child in children}
    assert parent.guardian.name == parent.full_name == "马文清"

    teacher = User.objects.get(username="banzhuren")
    admin_class = teacher.memberships.get().admin_class
    visible = set(permissions.scope(teacher, Student.objects.all()).values_list("pk", flat=True))
    assert visible == set(admin_class.students.values_list("pk", flat=True))
    assert len(visible) >= 30 and any(child.admin_class_id == admin_class.pk for child in children)


@pytest.mark.django_db
def test_running_twice_changes_nothing(seeded):
    before = _snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _snapshot() == before
    assert "未写入" in out.getvalue() and "banzhuren" in out.getvalue()


@pytest.mark.django_db
def test_a_partly_deleted_county_is_completed_with_the_same_rows(seeded):
    before = _snapshot()
    Student.objects.filter(school__name=FIRST).delete()  # and their guardian links
    # t0011 is a service teacher: the administrators (t0001-t0010) own timetables and plans, which protect them.
    User.objects.filter(username__in=["duxue", "t0011"]).delete()  # and their memberships
    call_command("seed_demo", stdout=io.StringIO())
    assert _snapshot() == before


@pytest.mark.django_db
def test_the_current_school_year_has_two_semesters_a_calendar_and_last_year_for_history(seeded):
    year = _current_year()
    y = year.start_date.year
    assert year.name == f"{y}–{y + 1}"  # an en dash
    assert (year.start_date, year.end_date) == (datetime.date(y, 8, 1), datetime.date(y + 1, 7, 31))
    assert (year.plan_deadline, year.application_deadline, year.refinement_deadline) == (
        datetime.date(y, 8, 31), datetime.date(y, 9, 30), datetime.date(y, 10, 31),
    )  # fmt: skip
    assert list(year.semesters.values_list("number", "start_date", "end_date")) == [
        (1, datetime.date(y, 9, 1), datetime.date(y + 1, 1, 22)),
        (2, datetime.date(y + 1, 2, 22), datetime.date(y + 1, 7, 9)),
    ]
    days = dict(year.calendar_days.values_list("date", "kind"))
    assert all(days[datetime.date(y, 10, d)] == "holiday" for d in range(1, 8))
    makeup = [day for day, kind in days.items() if kind == "makeup"]
    assert len(makeup) == 2 and all(day.isoweekday() >= 6 for day in makeup)
    assert any(kind == "exam" and day.month == 11 for day, kind in days.items())
    for semester in year.semesters.all():  # final exams: the last three weekdays
        assert all(days[day] == "exam" for day in (semester.end_date - datetime.timedelta(days=i) for i in range(3)))
    previous = SchoolYear.objects.get(name=f"{y - 1}–{y}")
    assert previous.semesters.count() == 2 and previous.calendar_days.exists()
    assert not previous.plans.exists() and not Timetable.objects.filter(semester__school_year=previous).exists()
    settings = CountySettings.current()
    assert (settings.class_hours_per_day, settings.earliest_pickup_time) == (2, datetime.time(17, 30))
    assert SubsidyRate.in_force(year.start_date) == 30


@pytest.mark.django_db
def test_planned_days_come_from_the_calendar(seeded):
    year = _current_year()
    assert 170 <= planning.planned_days(year, Stage.PRIMARY) <= 200
    assert 200 <= planning.planned_days(year, Stage.SENIOR) <= 252


@pytest.mark.django_db
def test_every_school_has_a_valid_timetable_for_each_stage_and_semester(seeded):
    year = _current_year()
    semesters = list(year.semesters.all())
    timetables = Timetable.objects.filter(semester__school_year=year).prefetch_related("slots")
    have = {(t.school_id, t.semester_id, t.stage): t for t in timetables}
    settings = CountySettings.current()
    for school in School.objects.all():
        for stage in school.stages:
            for semester in semesters:
                t = have.pop((school.pk, semester.pk, stage))
                assert (t.version, t.effective_from) == (1, semester.start_date)
                assert t.switch_date.month == (10 if semester.number == 1 else 5)
                seasons = list(Timetable.Season.values)
                assert (
                    timetable_problems(stage=stage, slots=list(t.slots.all()), settings=settings, seasons=seasons) == []
                )
    assert have == {}  # no timetable for a stage a school does not have


@pytest.mark.django_db
def test_plans_exist_in_every_state_through_the_services(seeded):
    year = _current_year()
    plans = SchoolPlan.objects.filter(school_year=year).select_related("school", "previous")
    assert set(plans.values_list("status", flat=True)) == set(SchoolPlan.Status.values)
    assert plans.filter(school__school_type=School.Type.TEACHING_POINT, status=SchoolPlan.Status.AT_TOWNSHIP).exists()
    assert School.objects.exclude(plans__school_year=year).count() >= 5  # the bureau sees schools without a plan
    assert not SchoolPlan.objects.filter(school__name="兴隆镇玉桥教学点").exists()  # the browser test starts it
    assert plans.filter(school__name="兴隆镇中心小学").exists()
    for plan in plans.exclude(status=SchoolPlan.Status.DRAFT):  # every move went through a service: it is logged
        assert plan.events.last().to_status == plan.status
    for plan in plans.filter(status=SchoolPlan.Status.RETURNED):
        assert plan.events.last().note.strip()
    filed = plans.filter(status=SchoolPlan.Status.FILED)
    assert all(plan.filing_number and plan.filed_at for plan in filed)
    assert len({plan.filing_number for plan in filed}) == len(filed)

    v1, v2 = plans.filter(school__name=FIRST).order_by("version")
    assert (v1.version, v1.status) == (1, SchoolPlan.Status.FILED) and v1.filing_number
    assert (v2.version, v2.status, v2.previous) == (2, SchoolPlan.Status.DRAFT, v1)
    changes = {
        d["key"]: d["changes"]
        for d in diff(
            {s.key: s.data for s in v1.sections.all()}, {s.key: s.data for s in v2.sections.all()}, school=v1.school
        )
        if d["changes"]
    }
    assert set(changes) == {"survey"}
    survey = v2.sections.get(key="survey").data
    students = Student.objects.filter(school__name=FIRST).count()
    assert 0 < survey["families_wanting"] <= survey["families_asked"] <= students
    assert v1.sections.get(key="leadership").data["members"].startswith("杨建国")  # xuexiao sits in the group
    assert v1.events.filter(actor__username="xuexiao", action="submit").exists()
    assert v1.events.filter(actor__username="jiaotiju", action="file").exists()
    assert SchoolPlan.objects.filter(events__actor__username="xiangzhen", events__action="forward").exists()


def test_the_same_seed_draws_the_same_county():
    first, second = DemoCounty(seed=2021), DemoCounty(seed=2021)
    assert first.students == second.students and first.staff == second.staff
    assert DemoCounty(seed=2022).students != first.students
