"""seed_demo builds a believable, valid Xiji County with one working login per role, and a rerun changes nothing.

Its money (funding.demo) is checked at the end: every claim state this year, a settled previous year whose figures
add up, funds that match their ledgers, pay runs that divide their pool exactly. One seed serves the whole module,
played to a fixed day (AS_OF, `--as-of`), and the tests read it on that day: none depends on today's date or skips
for the season. `--as-of` in October and `--schools N` are tested in test_seed_demo_options.py."""

import datetime
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Count, F, Q, Sum
from django.test import (
    RequestFactory,  # the sign-in guard (axes) needs the request
    override_settings,
)
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Agreement, AgreementText, Application, Consent, DataRequest
from enrollment.rules.placement import is_suitable, placement_start_date
from enrollment.selectors import data_requests as data_requests_selectors
from enrollment.selectors.placement import placement_classes
from funding.models import (
    ZERO,
    Category,
    Claim,
    Disclosure,
    Fund,
    LedgerEntry,
    PayRun,
    PayScheme,
    PayShare,
    Settlement,
    SpendingPlan,
)
from schools.demo import DrawnCounty, cohort_start
from schools.models import (
    Activity,
    Attendance,
    AuditRecord,
    CountySettings,
    Guardian,
    HoursAdjustment,
    HoursMonth,
    Membership,
    Partner,
    Role,
    School,
    SchoolPlan,
    SchoolYear,
    ServiceClass,
    ServiceClassMember,
    ServiceMode,
    Session,
    Stage,
    Student,
    StudentGuardian,
    SubsidyRate,
    Substitution,
    Timetable,
    Township,
    User,
)
from schools.rules import calendar as calendar_rules
from schools.rules.hours import COUNTED
from schools.rules.plans import diff
from schools.rules.roster import validate_id_number, validate_mobile
from schools.selectors import sessions as sessions_selectors
from schools.services.timetables import timetable_problems
from xiji_afterschool import crypto, permissions

# Its county is seeded once for the module: under `pytest -n` the module stays on one worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("seed_demo")

PASSWORD = "Xiji-2021"
# The day the module's county is played to: a Wednesday of the first semester, after the whole enrollment story
# (November) and the first closed month. Wednesday: a service day, with the volunteer assisting.
AS_OF = datetime.date(2025, 12, 10)
PAST_SESSIONS = 1348  # last year's sessions at 西吉县第一小学 and 西吉县第二小学 (2024–2025)
AS_OF_END = timezone.make_aware(datetime.datetime.combine(AS_OF, datetime.time(23, 59, 59)))
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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
    "menwei": (Role.GATE, FIRST),
    "shengguan": (Role.CARE_STAFF, FIRST),
    "xiangzhen": (Role.TOWNSHIP_COORDINATOR, "兴隆镇"),
    "jiaotiju": (Role.BUREAU, "西吉县教育体育局"),
    "caizheng": (Role.FINANCE, "西吉县财政局"),
    "duxue": (Role.INSPECTOR, "西吉县人民政府教育督导室"),
    "renshe": (Role.HR, "西吉县人力资源和社会保障局"),
    "shenji": (Role.AUDITOR, "西吉县审计局"),
}


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the whole module, inside a transaction rolled back at its end. Each test runs in a savepoint
    of it (pytest-django's `db`), so a test that changes the county hands the next one the county as seeded."""
    media = tmp_path_factory.mktemp("seed-media")  # the spending plans' minutes PDFs
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER, MEDIA_ROOT=str(media)):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            call_command("seed_demo", "--as-of", AS_OF.isoformat(), stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(_seeded_once, db):
    """The command's output after seeding the test database once. The test reads the county on AS_OF: "now" is
    the end of that day (as for the seed's last steps), so every "today" of the selectors is AS_OF."""
    with mock.patch.object(timezone, "now", lambda: AS_OF_END):
        yield _seeded_once


def _snapshot():
    # Every model's rows, but the audit trail's: it only grows (a deletion and a re-seed are themselves recorded).
    counts = {model._meta.label: model.objects.count() for model in apps.get_models() if model is not AuditRecord}
    return (
        counts,
        set(Student.objects.values_list("id_number", "link_code")),
        set(Guardian.objects.values_list("mobile", "user__username")),
        set(SchoolYear.objects.values_list("name", "start_date", "end_date", "semesters__start_date")),
        set(Timetable.objects.values_list("school__code", "semester__school_year__name", "semester__number", "stage")),
        set(SchoolPlan.objects.values_list("school__code", "version", "status", "filing_number", "previous__version")),
        set(Application.objects.values_list("student__id_number", "status", "service_class__name", "agreement__text__version")),
        set(Agreement.objects.values_list("student__id_number", "text__version", "decision")),
        set(ServiceClassMember.objects.values_list("service_class__name", "student__id_number", "start_date", "end_date")),
        set(Session.objects.values_list("service_class__name", "date", "status", "teacher__username", "present")),
        set(HoursMonth.objects.values_list("school__code", "month")),
        set(Activity.objects.values_list("school__code", "name", "category", "partner__name")),
    )  # fmt: skip


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
    rows = list(Student.objects.values_list("id_number", "birth_date", "gender"))
    assert 2800 <= len(rows) <= 3400
    assert len({id_number for id_number, *_ in rows}) == len(rows)
    for id_number, birth, gender in rows:
        validate_id_number(id_number)
        assert id_number.startswith("640422") and id_number[6:14] == f"{birth:%Y%m%d}"
        assert int(id_number[16]) % 2 == (1 if gender == "M" else 0)


def _age_on(day: datetime.date, birth: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@pytest.mark.django_db
def test_every_demo_pupils_age_fits_their_grade_in_the_school_year_played(seeded):
    """Issue #15 item 9: on 1 September of the year played (2025, not the seed's 2021), grade 1 is 6 or 7 (7: started
    a year late), senior three 17 or 18, kindergarten -2..0 younger; 马小燕 too."""
    start = datetime.date(_current_year().start_date.year, 9, 1)
    assert start == datetime.date(2025, 9, 1)
    rows = list(Student.objects.values_list("name", "birth_date", "admin_class__grade"))
    for name, birth, grade in rows:
        assert grade + 5 <= _age_on(start, birth) <= grade + 6, (name, birth, grade)
    ages = {(grade, _age_on(start, birth)) for _, birth, grade in rows}
    assert {(1, 6), (1, 7), (12, 17), (12, 18), (-2, 3)} <= ages  # every end of the range occurs
    late_joiner = Student.objects.get(link_code=LATE_JOINER_CODE)
    assert (late_joiner.birth_date, late_joiner.admin_class.grade) == (datetime.date(2017, 3, 15), 3)


@pytest.mark.parametrize("y", [2021, 2024, 2026])
def test_the_drawn_pupils_ages_follow_the_school_year_they_are_drawn_for(y):
    county = DrawnCounty(seed=2021, y=y)
    start = datetime.date(y, 9, 1)
    for (_, grade, _), fields, _ in county.students:
        assert grade + 5 <= _age_on(start, fields["birth_date"]) <= grade + 6, (fields["name"], grade)
        validate_id_number(fields["id_number"])
        assert fields["id_number"][6:14] == f"{fields['birth_date']:%Y%m%d}"
    # The same pupils, each born the same number of days into their grade's year, (y - 2021) years later.
    first = DrawnCounty(seed=2021, y=2021)
    assert [f["name"] for _, f, _ in county.students] == [f["name"] for _, f, _ in first.students]

    def offsets(drawn):  # (a year late or not, days from the 2 September before the birth)
        rows = []
        for (_, grade, _), f, _ in drawn.students[:-1]:  # the last, 马小燕, is born on 15 March whatever the year
            born, first_day = f["birth_date"], cohort_start(drawn.y, grade)
            late = born < first_day
            rows.append((late, (born - first_day.replace(year=first_day.year - late)).days))
        return rows

    assert offsets(county) == offsets(first)


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
        user = authenticate(RequestFactory().post("/login/"), username=username, password=PASSWORD)
        # A parent signs in with the mobile; the account's user name is derived from its digest (#14 item 6).
        expected = crypto.parent_username(username) if role == Role.PARENT else username
        assert user is not None and user.username == expected and user.full_name
        membership = Membership.objects.get(user=user)
        assert membership.role == role
        anchor = membership.school or membership.township or membership.department
        assert (anchor.name if anchor else None) == place
    assert (
        authenticate(RequestFactory().post("/login/"), username="13909540001", password=PASSWORD).mobile
        == "13909540001"
    )
    teacher = Membership.objects.get(user__username="banzhuren").admin_class
    assert (teacher.school.name, teacher.grade, teacher.number) == (FIRST, 3, 1)
    assert (
        Membership.objects.get(user__username="zhiyuanzhe").volunteer_kind == Membership.VolunteerKind.RETIRED_TEACHER
    )
    admin = authenticate(RequestFactory().post("/login/"), username="admin", password=PASSWORD)
    assert admin.is_superuser and not admin.memberships.exists()
    assert Membership.objects.count() >= 60  # the unprinted staff


@pytest.mark.django_db
def test_parent_sees_only_two_children_and_class_teacher_only_their_class(seeded):
    parent = User.objects.by_mobile("13909540001").get()  # parents sign in by mobile (issue 14 item 6)
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
    call_command("seed_demo", "--as-of", AS_OF.isoformat(), stdout=out)
    assert _snapshot() == before
    assert "未写入" in out.getvalue() and "banzhuren" in out.getvalue()


@pytest.mark.django_db
def test_a_partly_deleted_county_is_completed_with_the_same_rows(seeded):
    before = _snapshot()
    # A school without applications (their rows protect the pupils who applied): its pupils and guardian links.
    Student.objects.filter(school__name="西吉中学").delete()
    # t0013 is a service teacher of 吉强镇中心小学 who teaches no service class and is on no duty roster: the
    # administrators (t0001-t0010) own timetables and plans, and 西吉县第一小学's teachers hand-overs and duty days,
    # which protect them. The county leadership only reads (the inspector's inspections protect duxue).
    User.objects.filter(username__in=["lingdao", "t0013"]).delete()  # and their memberships
    call_command("seed_demo", "--as-of", AS_OF.isoformat(), stdout=io.StringIO())
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
    assert 170 <= calendar_rules.planned_days(year, Stage.PRIMARY) <= 200
    assert 200 <= calendar_rules.planned_days(year, Stage.SENIOR) <= 252


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
    assert filed.count() == 17
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
    first, second = DrawnCounty(seed=2021), DrawnCounty(seed=2021)
    assert first.students == second.students and first.staff == second.staff
    assert DrawnCounty(seed=2022).students != first.students


# ---------------------------------------------------------------- the year's story: enrollment and delivery

STORY_SCHOOLS = {FIRST, "西吉县第二小学", "兴隆镇中心小学"}
LATE_JOINER_CODE = "MAXY2345"  # printed by the seed; the parent browser test links 马小燕 with it
NEW_PARENT_MOBILE = "13912340000"  # the parent browser test registers it


def _story_told(year: SchoolYear) -> bool:
    """The seeded story runs from August to November (the last steps relative to today): complete from November."""
    return timezone.localdate() >= datetime.date(year.start_date.year, 11, 1)


def _started_semester(year: SchoolYear):
    """The semester whose sessions are seeded: the latest that started before today (None in August)."""
    today = timezone.localdate()
    started = [s for s in year.semesters.all() if s.start_date < today]
    return max(started, key=lambda s: s.start_date) if started else None


@pytest.mark.django_db
def test_applications_exist_in_every_status_at_three_schools_through_the_services(seeded):
    year = _current_year()
    assert _story_told(year)  # AS_OF is in December
    applications = Application.objects.filter(school_year=year).select_related("school", "agreement__text")
    assert set(applications.values_list("status", flat=True)) == set(Application.Status.values)
    assert set(applications.values_list("school__name", flat=True)) == STORY_SCHOOLS
    assert School.objects.exclude(applications__school_year=year).count() >= 30  # coverage shows the gaps
    first = applications.filter(school__name=FIRST)
    assert set(first.values_list("status", flat=True)) == set(Application.Status.values)
    assert 0.55 <= first.count() / Student.objects.filter(school__name=FIRST).count() <= 0.68
    for application in applications.prefetch_related("events"):
        events = list(application.events.all())
        assert events[0].action == "submit" and events[-1].to_status == application.status  # every move logged
        if application.status == Application.Status.RETURNED:  # the last move (a withdrawn consent is no move)
            moved = [e for e in events if e.from_status != e.to_status][-1]
            assert moved.action in ("class_return", "school_return") and moved.note.strip()
        assert application.agreement.decision == Agreement.Decision.SIGNED
    paper = first.filter(entered_by__isnull=False)
    online = first.filter(entered_by__isnull=True)
    assert 40 <= paper.count() <= 140 and online.count() >= 60
    assert all(a.paper_original_on_file and a.applicant_id == a.entered_by_id for a in paper)
    assert all(a.applicant.memberships.filter(role=Role.PARENT).exists() for a in online.select_related("applicant"))
    for group in ("dual_working", "migrant_child", "economic_hardship"):  # a spread of R2 priority groups
        assert first.filter(**{group: True}).count() >= 5, group
    assert first.filter(service_kind=Application.ServiceKind.EXTENDED).exclude(extended_reason="").exists()
    # The waiting list is there because the suitable classes are full.
    waiting = first.filter(status=Application.Status.WAITING).select_related("student")
    assert waiting.exists()
    for application in waiting:
        classes = placement_classes(
            viewer=User.objects.get(username="xuexiao"), school=application.school, school_year=year,
            day=placement_start_date(year),
        )  # fmt: skip
        assert not [c for c in classes if c.free > 0 and is_suitable(c, application)], application.student.name


@pytest.mark.django_db
def test_the_class_teachers_home_has_paper_applications_waiting_for_her_review(seeded, client):
    """#15 item 7: the printed class teacher's home has something due: late paper applications of her class, handed in
    the week before the day played, wait for her review."""
    year = _current_year()
    waiting = Application.objects.filter(
        school_year=year, status=Application.Status.SUBMITTED, student__admin_class__school__name=FIRST,
        student__admin_class__grade=3, student__admin_class__number=1,
    )  # fmt: skip
    assert waiting.count() >= 2
    for application in waiting.prefetch_related("events"):
        submitted = timezone.localtime(application.events.get(action="submit").created_at).date()
        assert AS_OF - datetime.timedelta(days=10) <= submitted <= AS_OF  # the week before, never the seed's day
        assert submitted > year.application_deadline
    client.force_login(User.objects.get(username="banzhuren"))
    home = client.get("/enrollment/class/", follow=True).content.decode()
    assert f'data-count="waiting">{waiting.count()} ' in home


@pytest.mark.django_db
def test_the_demo_parent_has_an_attending_child_and_a_returned_application(seeded):
    year = _current_year()
    assert _story_told(year)  # AS_OF is in December: the second agreement text is published
    parent = User.objects.by_mobile("13909540001").get()  # parents sign in by mobile (issue 14 item 6)
    mine = Application.objects.filter(student__guardian_links__guardian__user=parent, school_year=year)
    active = mine.get(status=Application.Status.ACTIVE)
    assert (active.service_class.name, active.service_class.teacher.username) == ("三四年级作业辅导班", "jiaoshi")
    assert (active.student.admin_class.grade, active.student.admin_class.number) == (3, 1)
    assert [e.action for e in active.events.all()] == [
        "submit", "class_approve", "school_approve", "place", "activate", "resign"
    ]  # fmt: skip
    other = mine.exclude(pk=active.pk).get()
    assert other.status in (Application.Status.SUBMITTED, Application.Status.RETURNED)
    assert other.events.count() >= 2 and other.applicant == parent
    texts = AgreementText.objects.filter(school__name=FIRST, school_year=year).order_by("version")
    assert list(texts.values_list("version", flat=True)) == [1, 2]
    assert texts[0].created_at.date() < datetime.date(year.start_date.year, 9, 1) < texts[1].created_at.date()
    assert active.agreement.text.version == 2 and other.agreement.text.version == 1  # still to be signed again
    live = Application.objects.filter(school__name=FIRST, school_year=year).exclude(status="withdrawn")
    assert live.filter(agreement__text__version=1).count() >= 20  # families asked to sign the new text
    declined = Agreement.objects.filter(decision=Agreement.Decision.DECLINED, text__school_year=year)
    assert declined.count() >= 1
    assert not Application.objects.filter(student__in=declined.values("student")).exists()
    assert not declined.filter(student__guardian_links__guardian__user=parent).exists()


@pytest.mark.django_db
def test_the_demo_parent_has_an_answered_and_an_overdue_data_request(seeded):
    parent = User.objects.by_mobile("13909540001").get()  # parents sign in by mobile (issue 14 item 6)
    done, open_ = DataRequest.objects.filter(requester=parent).order_by("pk")
    assert (done.kind, done.status, done.answered_by.username) == ("correction", "done", "xuexiao")
    assert [e.action for e in done.events.all()] == ["submit", "complete"]
    assert (open_.kind, open_.status) == ("deletion", "submitted") and open_.due_date < AS_OF
    bureau = User.objects.get(username="jiaotiju")
    rows = data_requests_selectors.overdue_by_school(viewer=bureau, today=AS_OF)
    assert [(r["school"].name, r["count"]) for r in rows] == [(FIRST, 1)]


@pytest.mark.django_db
def test_every_application_has_the_guardians_consent_and_one_sensitive_consent_is_withdrawn(seeded):
    """Issue #14 item 2: each signed application came with its separate consent — online by the guardian, or on
    paper with the form's scan — and one guardian withdrew the sensitive consent, which cleared their child's items."""
    apps_ = Application.objects.filter(school__code__startswith="640422")
    assert apps_.exists()
    consented = set(Consent.objects.filter(kind="personal").values_list("student", flat=True))
    assert set(apps_.values_list("student", flat=True)) <= consented
    paper = Consent.objects.filter(channel="paper")
    assert paper.exists() and not paper.filter(scan="").exists()
    assert set(paper.values_list("student", flat=True)) >= set(
        apps_.filter(entered_by__isnull=False).values_list("student", flat=True)
    )
    flagged = apps_.filter(Q(disability=True) | Q(economic_hardship=True)).values_list("student", flat=True)
    assert set(flagged) <= set(
        Consent.objects.filter(kind="sensitive", status="given").values_list("student", flat=True)
    )
    withdrawn = Consent.objects.get(kind="sensitive", status="withdrawn")
    assert [e.action for e in withdrawn.events.all()] == ["give", "withdraw"]
    live = Application.objects.exclude(status="withdrawn").filter(student=withdrawn.student).get()
    assert not (live.disability or live.economic_hardship) and live.events.filter(action="sensitive_cleared").exists()


@pytest.mark.django_db
def test_the_late_joiner_has_a_letter_code_no_application_and_a_free_place(seeded):
    year = _current_year()
    girl = Student.objects.select_related("admin_class", "school").get(link_code=LATE_JOINER_CODE)
    assert (girl.name, girl.school.name, girl.admin_class.grade, girl.admin_class.number) == ("马小燕", FIRST, 3, 1)
    assert LATE_JOINER_CODE in seeded
    assert not girl.applications.exists() and not girl.agreements.exists()
    assert girl.guardian_links.get().is_primary  # her mother; the browser test's new account becomes the second
    assert not User.objects.filter(username=NEW_PARENT_MOBILE).exists()
    assert not Guardian.objects.by_mobile(NEW_PARENT_MOBILE).exists()
    assert _started_semester(year) is not None
    classes = placement_classes(viewer=User.objects.get(username="xuexiao"), school=girl.school, school_year=year,
                                day=placement_start_date(year))  # fmt: skip
    probe = Application(student=girl, service_kind=Application.ServiceKind.REGULAR)
    assert [c for c in classes if c.free > 0 and is_suitable(c, probe)]

    # She can still apply today whatever the date (#15 §2, §7): online before the deadline, a late application after
    # it. A parent linked to her sees the apply button.
    from enrollment.selectors.homes import parent_home_rows
    from enrollment.services.parents import child_link
    from tests.factories import user_with_role

    parent = user_with_role(Role.PARENT, full_name="马测试")
    child_link(actor=parent, code=LATE_JOINER_CODE, relation="father")
    for day in (year.start_date, year.application_deadline, year.application_deadline + datetime.timedelta(days=60)):
        with mock.patch("django.utils.timezone.localdate", return_value=day):
            (row,) = parent_home_rows(parent=parent, school_year=year)
        assert row["student"] == girl and row["can_apply"], day


@pytest.mark.django_db
def test_service_classes_and_the_activity_catalogue(seeded):
    year = _current_year()
    first = School.objects.get(name=FIRST)
    partners = dict(Partner.objects.filter(school=first).values_list("name", "kind"))
    assert partners == {"西吉县青少年活动中心": "youth_centre", "吉强镇乡村学校少年宫": "youth_palace",
                        "吉强镇社区": "community"}  # fmt: skip
    catalogue = Activity.objects.filter(school=first)
    assert catalogue.count() == 14 and catalogue.values("category").distinct().count() == 14
    assert catalogue.get(name="篮球社").partner.name == "西吉县青少年活动中心"
    classes = ServiceClass.objects.filter(school=first, school_year=year)
    assert 5 <= classes.count() <= 6
    teachers = set(classes.values_list("teacher__username", flat=True))
    assert {"jiaoshi", "zhiyuanzhe"} <= teachers and None not in teachers
    assert all(30 <= c.capacity <= 40 for c in classes if c.kind == ServiceClass.Kind.REGULAR)
    for service_class in ServiceClass.objects.filter(school_year=year).prefetch_related("members"):
        members = [m for m in service_class.members.all() if m.end_date is None]
        assert len(members) <= service_class.capacity
    members = ServiceClassMember.objects.filter(service_class__school_year=year, end_date__isnull=True)
    attending = Application.objects.filter(school_year=year, status__in=["placed", "active"])
    assert set(members.values_list("student", "service_class")) == set(
        attending.values_list("student", "service_class")
    )


@pytest.mark.django_db
def test_a_semester_of_sessions_on_service_days_with_their_roll(seeded):
    year = _current_year()
    semester = _started_semester(year)
    assert semester is not None
    today = timezone.localdate()
    exceptions = calendar_rules.calendar_exceptions(year)
    semesters = list(year.semesters.all())
    sessions = Session.objects.filter(service_class__school_year=year).select_related("service_class__school")
    by_class = {}
    for session in sessions.prefetch_related("service_class__admin_classes"):
        by_class.setdefault(session.service_class.teacher.username, []).append(session)
        stage = sessions_selectors.class_stage(session.service_class)
        problem = sessions_selectors.day_without_service(
            day=session.date, semesters=semesters, stage=stage, exceptions=exceptions
        )
        assert problem is None and semester.start_date <= session.date < today, session
    assert {"jiaoshi", "zhiyuanzhe", "t0017", "t0012"} <= set(by_class)
    assert len(by_class["jiaoshi"]) >= 10 and (today - semester.start_date).days >= 21
    rolls = dict(
        Attendance.objects.filter(session__in=sessions).values_list("session").annotate(n=Count("id")).order_by()
    )
    for session in sessions:
        assert session.present + session.absent + session.on_leave == rolls[session.pk] > 0
        assert session.class_hours == 2 and session.start_time < session.end_time
    marks = Attendance.objects.filter(session__in=sessions)
    assert marks.filter(mark="present").count() > 0.9 * marks.count()
    assert marks.filter(mark="absent").exists() and marks.filter(mark="leave").exists()
    assert not marks.exclude(mark="present").filter(reason="").exists()
    assert (today - semester.start_date).days >= 60
    assert Substitution.objects.filter(service_class__school__name=FIRST).count() >= 2
    substituted = sessions.filter(teacher_role=Session.TeacherRole.SUBSTITUTE)
    assert substituted.count() >= 2 and all(s.teacher_id != s.service_class.teacher_id for s in substituted)
    assert sessions.filter(assistants__person__username="zhiyuanzhe").count() >= 5
    waiting = sessions.filter(status=Session.Status.NEEDS_CONFIRMATION, service_class__school__name=FIRST)
    assert waiting.filter(late=True, flag="").count() == 2
    assert waiting.filter(late=False).get().flag.startswith("R12:")
    assert "补课" in waiting.get(late=False).content_note
    assert sessions.filter(status=Session.Status.CONFIRMED, late=True, confirmed_by__username="xuexiao").exists()


@pytest.mark.django_db
def test_the_first_month_is_closed_with_an_adjustment_and_the_last_day_waits_for_the_teacher(seeded):
    year = _current_year()
    semester = _started_semester(year)
    assert semester is not None
    today = timezone.localdate()
    month = semester.start_date.replace(day=1)
    next_month = (month + datetime.timedelta(days=31)).replace(day=1)
    first = School.objects.get(name=FIRST)
    assert next_month <= today
    closed = HoursMonth.objects.get(school=first, month__gte=year.start_date)  # last year's are closed too
    assert (closed.month, closed.closed_by.username) == (month, "xuexiao")
    adjustment = HoursAdjustment.objects.get(school=first)
    assert (adjustment.person.username, adjustment.month, adjustment.role) == ("zhiyuanzhe", month, "assistant")
    assert adjustment.reason and adjustment.class_hours > 0
    assert not Session.objects.filter(
        service_class__school=first, date__range=(month, next_month), status=Session.Status.NEEDS_CONFIRMATION
    ).exists()
    assert not HoursMonth.objects.exclude(school=first).exists()
    # The service teacher's class: today (a service day) and the last service day before today have no session yet
    # (the browser test logs it).
    service_class = ServiceClass.objects.get(school=first, school_year=year, teacher__username="jiaoshi")
    teacher = User.objects.get(username="jiaoshi")
    day = sessions_selectors.teacher_day(viewer=teacher, today=today)
    assert [(r.service_class, r.session_id) for r in day.rows] == [(service_class, None)]
    assert Session.objects.filter(service_class=service_class, date__gte=today - datetime.timedelta(days=7)).exists()
    assert [(r.service_class, r.session_id) for r in day.unlogged][:1] == [(service_class, None)]


@pytest.mark.django_db
def test_nothing_is_dated_after_the_day_the_year_is_played_to(seeded):
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                assert not model.objects.filter(**{f"{field.name}__gt": AS_OF_END}).exists(), (model, field.name)
    assert Session.objects.filter(date=AS_OF - datetime.timedelta(days=1)).exists()  # yesterday's are logged
    assert not Session.objects.filter(date__gte=AS_OF).exists()
    assert not LedgerEntry.objects.filter(date__gt=AS_OF).exists()


@pytest.mark.django_db
def test_last_years_sessions_were_logged_through_the_session_service_each_with_its_roll(seeded):
    _current, previous = _years()
    sessions = Session.objects.filter(service_class__school_year=previous).select_related("service_class")
    assert sessions.count() == PAST_SESSIONS
    rolls = dict(
        Attendance.objects.filter(session__in=sessions).values_list("session").annotate(n=Count("id")).order_by()
    )
    for session in sessions:
        assert session.status == Session.Status.RECORDED and session.logged_by_id == session.teacher_id
        assert timezone.localtime(session.created_at).date() == session.date  # logged the evening it ran
        assert session.present + session.absent + session.on_leave == rolls[session.pk] == 38
        assert 26 <= session.present <= 38
    substituted = sessions.filter(teacher_role=Session.TeacherRole.SUBSTITUTE)
    assert substituted.exists()
    for session in substituted:  # recorded by the school beforehand, as a substitute must be
        substitution = Substitution.objects.get(service_class=session.service_class, date=session.date)
        assert (substitution.substitute_id, substitution.reason) == (session.teacher_id, session.substitute_reason)


# ---------------------------------------------------------------- the county's money (funding.demo, issue #6)

SECOND = "西吉县第二小学"


def _years() -> tuple[SchoolYear, SchoolYear]:
    today = timezone.localdate()
    current = SchoolYear.objects.get(start_date__lte=today, end_date__gte=today)
    previous = SchoolYear.objects.filter(end_date__lt=current.start_date).order_by("-start_date").first()
    return current, previous


def _sum(qs, field="amount") -> Decimal:
    return qs.aggregate(total=Sum(field))["total"] or ZERO


@pytest.mark.django_db
def test_current_year_has_claims_in_every_state_and_a_school_left_to_claim(seeded):
    current, _previous = _years()
    claims = Claim.objects.filter(school_year=current)
    assert set(claims.values_list("status", flat=True)) == set(Claim.Status.values)
    # FIRST's annual claim is allocated and its supplementary claim waits for first review.
    first = claims.get(school__name=FIRST, kind=Claim.Kind.ANNUAL)
    assert first.status == Claim.Status.ALLOCATED and first.voucher_no
    supplementary = claims.get(school__name=FIRST, kind=Claim.Kind.SUPPLEMENTARY)
    assert supplementary.status == Claim.Status.SUBMITTED and supplementary.supplements == first
    # One approval for less than claimed, with its reason; a returned claim carries the bureau's reason.
    less = claims.get(status=Claim.Status.APPROVED, approved_amount__lt=F("requested_amount"))
    assert less.reduction_reason and less.events.get(action="approve").note == less.reduction_reason
    returned = claims.get(status=Claim.Status.RETURNED)
    assert returned.events.get(action="return").note
    # The three people on a claim differ; the browser test's school has none.
    for claim in claims.exclude(approved_by=None):
        assert len({claim.submitted_by_id, claim.first_reviewed_by_id, claim.approved_by_id}) == 3
    assert not claims.filter(school__name="吉强镇中心小学").exists()
    assert "经费申请 11 份" in seeded and "已拨付 2" in seeded


@pytest.mark.django_db
def test_previous_year_is_settled_and_its_figures_add_up(seeded):
    _current, previous = _years()
    settlements = Settlement.objects.filter(school_year=previous, status=Settlement.Status.CONFIRMED)
    assert {s.school.name for s in settlements} == {FIRST, SECOND}
    outcomes = {s.school.name: s.outcome for s in settlements}
    assert outcomes == {FIRST: Settlement.Outcome.SURPLUS, SECOND: Settlement.Outcome.SHORTFALL}
    for s in settlements:
        assert s.difference == s.delivered_amount - s.allocated_amount
        assert s.confirmed_by.username == "caizheng" and s.filed_by != s.confirmed_by
        allocated = Claim.objects.filter(school=s.school, school_year=previous, status=Claim.Status.ALLOCATED)
        assert s.allocated_amount == _sum(allocated, "approved_amount")
        assert s.delivered_amount == _sum(s.lines.all())
        hours = _sum(
            Session.objects.filter(
                service_class__school=s.school, service_class__school_year=previous, status__in=COUNTED
            ),
            "class_hours",
        )
        assert s.delivered_class_hours == hours
        assert s.delivered_amount == hours * Decimal("30.00")
    first_claims = Claim.objects.filter(school__name=FIRST, school_year=previous)
    assert {(c.kind, c.status) for c in first_claims} == {
        (Claim.Kind.ANNUAL, Claim.Status.ALLOCATED),
        (Claim.Kind.SUPPLEMENTARY, Claim.Status.ALLOCATED),
    }
    assert Disclosure.objects.filter(school__name=FIRST, semester__school_year=previous).count() == 2


@pytest.mark.django_db
def test_every_fund_matches_its_ledger_and_spends_no_more_than_allocated(seeded):
    funds = Fund.objects.all()
    assert funds.count() >= 4
    for fund in funds:
        entries = fund.entries.all()
        spent = _sum(entries.filter(kind=LedgerEntry.Kind.SPENDING)) - _sum(
            entries.filter(kind=LedgerEntry.Kind.REVERSAL)
        )
        assert fund.spent == spent
        assert fund.allocated == _sum(entries.filter(kind=LedgerEntry.Kind.ALLOCATION))
        assert fund.spent <= fund.allocated
    # FIRST spends in all four categories in both years, and reverses one entry each year.
    assert funds.filter(school__name=FIRST).count() == 2
    for fund in funds.filter(school__name=FIRST):
        spending = fund.entries.filter(kind=LedgerEntry.Kind.SPENDING)
        assert set(spending.values_list("category", flat=True)) == set(Category.values)
        assert fund.entries.filter(kind=LedgerEntry.Kind.REVERSAL).count() == 1


@pytest.mark.django_db
def test_approved_pay_runs_divide_their_pool_exactly_and_the_teacher_has_a_slip(seeded):
    current, previous = _years()
    runs = PayRun.objects.filter(status=PayRun.Status.APPROVED)
    assert runs.filter(school_year=previous).count() == 2
    for run in runs:
        assert _sum(run.shares.all()) == run.pool
        assert run.ledger_entry.amount == run.pool and run.ledger_entry.category == Category.TEACHER
        assert not run.shares.filter(person__username="zhiyuanzhe").exists()  # volunteers are not paid from it
    # Once the seed's story has closed September (from mid-October on), its pay run gives 王海燕 a slip.
    september = datetime.date(current.start_date.year, 9, 1)
    assert HoursMonth.objects.filter(school__name=FIRST, month=september).exists()
    run = runs.get(school__name=FIRST, first_month=september, last_month=september)
    assert PayShare.objects.filter(run=run, person=User.objects.get(username="jiaoshi")).exists()
    schemes = PayScheme.objects.filter(school_year=current)
    assert set(schemes.values_list("status", flat=True)) >= {
        PayScheme.Status.APPROVED,
        PayScheme.Status.SUBMITTED,
        PayScheme.Status.RETURNED,
    }


@pytest.mark.django_db
def test_spending_plans_are_approved_with_their_minutes(seeded):
    plans = SpendingPlan.objects.filter(school__name=FIRST)
    assert plans.count() == 2  # last year's and this year's
    for plan in plans:
        assert plan.status == SpendingPlan.Status.APPROVED
        assert (
            plan.budget_total
            == Claim.objects.get(
                school=plan.school, school_year=plan.school_year, kind=Claim.Kind.ANNUAL
            ).approved_amount
        )
        for minutes in (plan.office_meeting_minutes, plan.staff_congress_minutes):
            with minutes.open("rb") as f:
                assert f.read(5) == b"%PDF-"


@pytest.mark.django_db
def test_the_county_delivery_page_matches_a_count_from_the_raw_rows(seeded, client):
    """The bureau's delivery table (every school, not only the page shown) against the demo county's sessions
    counted here class by class: classes, planned and delivered hours, share, idle classes and weeks behind. A
    faster selector (or a summary) that drifts from the raw rows fails here."""
    from schools.rules import delivery as delivery_rules
    from schools.selectors.delivery import planned_class_hours_to_date

    year = _current_year()
    today = timezone.localdate()
    client.force_login(User.objects.get(username="jiaotiju"))
    response = client.get(reverse("schools:delivery-county"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(response.context["page"]) == min(len(rows), 50)

    sessions = {}  # class pk -> [(date, hours)] of counted sessions
    for class_pk, day, hours in Session.objects.filter(service_class__school_year=year, status__in=COUNTED).values_list(
        "service_class_id", "date", "class_hours"
    ):
        sessions.setdefault(class_pk, []).append((day, hours))
    semesters, exceptions = list(year.semesters.all()), calendar_rules.calendar_exceptions(year)
    mondays = delivery_rules.complete_weeks(today)

    def stage_days(stage):
        return set(calendar_rules.service_days(semesters=semesters, mode=ServiceMode.for_stage(stage), exceptions=exceptions))  # fmt: skip

    expected = {}
    for school in School.objects.all():
        classes = list(ServiceClass.objects.filter(school=school, school_year=year).prefetch_related("admin_classes"))
        planned = delivered = 0
        idle, behind = 0, set()
        for service_class in classes:
            service_class.school = school
            stage = delivery_rules.service_class_stage(service_class)
            own = sessions.get(service_class.pk, [])
            p = planned_class_hours_to_date(year, stage, today)
            d = sum((h for day, h in own if day <= today), Decimal("0"))
            planned, delivered, idle = planned + p, delivered + d, idle + (p > 0 and not d)
            weeks = delivery_rules.weeks_behind(stage, mondays, stage_days(stage), {day for day, _h in own})
            behind |= {w["start"] for w in weeks}
        if not classes:
            stage = school.stages[0]
            behind |= {w["start"] for w in delivery_rules.weeks_behind(stage, mondays, stage_days(stage), set())}
        expected[school.pk] = (len(classes), planned, delivered, delivery_rules.share(delivered, planned), idle, len(behind))  # fmt: skip
    shown = {
        r.school.pk: (len(r.classes), r.planned, r.delivered, r.share, len(r.idle_classes), r.behind_week_count)
        for r in rows
    }
    assert shown == expected
    assert sum(1 for c, _p, d, *_ in expected.values() if c and d) >= 2 and any(v[-1] for v in expected.values())
    shares = [r.share for r in rows if r.share is not None]
    assert shares == sorted(shares)  # least delivered first


@pytest.mark.django_db
def test_the_county_coverage_page_matches_a_count_from_the_raw_rows(seeded, client):
    """The bureau's coverage table (every school, not only the page shown) against the demo county's applications
    counted here child by child: a withdrawn application counts only when the child has no live one."""
    from enrollment.selectors.coverage import APPROVED, IN_REVIEW, PLACED, WAITING

    year = _current_year()
    client.force_login(User.objects.get(username="jiaotiju"))
    response = client.get(reverse("enrollment:coverage-county"))
    assert response.status_code == 200
    data = response.context["data"]
    assert len(response.context["page"]) == min(len(data["schools"]), 50)

    applications = list(Application.objects.filter(school_year=year).values("school", "student", "status", "dual_working", "migrant_child"))  # fmt: skip
    live = {a["student"] for a in applications if a["status"] != Application.Status.WITHDRAWN}
    counted = [a for a in applications if a["status"] != Application.Status.WITHDRAWN or a["student"] not in live]
    metrics = {
        "applicants": lambda a: True,
        "in_review": lambda a: a["status"] in IN_REVIEW,
        "approved": lambda a: a["status"] in APPROVED,
        "placed": lambda a: a["status"] in PLACED,
        "waiting": lambda a: a["status"] in WAITING,
        "withdrawn": lambda a: a["status"] == Application.Status.WITHDRAWN,
    }

    def numbers(apps_of_school, students=None):
        row = {m: len({a["student"] for a in apps_of_school if test(a)}) for m, test in metrics.items()}
        row["not_placed"] = row["applicants"] - row["withdrawn"] - row["placed"]
        if students is not None:
            row["students"] = students
        return row

    students = dict(Student.objects.values("school").annotate(n=Count("pk")).values_list("school", "n").order_by())
    keys = [*metrics, "not_placed", "students"]
    total = dict.fromkeys(keys, 0)
    for r in data["schools"]:
        own = [a for a in counted if a["school"] == r["school"].pk]
        row = numbers(own, students.get(r["school"].pk, 0))
        assert {k: r[k] for k in keys} == row, r["school"]
        total = {k: total[k] + row[k] for k in keys}
        for group in ("dual_working", "migrant_child"):
            got = {k: r["groups"][group][k] for k in [*metrics, "not_placed"]}
            assert got == numbers([a for a in own if a[group]]), (r["school"], group)
    assert len(data["schools"]) == School.objects.count()
    assert {k: data["total"][k] for k in keys} == total and total["students"] == Student.objects.count()
    assert data["total"]["applicants"] > 0 and data["total"]["placed"] > 0
