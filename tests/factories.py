"""factory_boy factories and `user_with_role`, the one way tests make people with roles."""

import datetime
import itertools

import factory

from schools.models import (
    AdminClass,
    Department,
    Guardian,
    Membership,
    Role,
    School,
    SchoolYear,
    Semester,
    ServiceMode,
    Stage,
    Student,
    StudentGuardian,
    Timetable,
    TimetableSlot,
    Township,
    User,
)
from schools.rules.roster import id_number_check_char

_id_seq = itertools.count(1)
_mobile_seq = itertools.count(1)


def make_id_number(birth: datetime.date, gender: str) -> str:
    """A checksum-valid Xiji resident ID: region 640422, birth date, sequence whose parity is the gender."""
    n = next(_id_seq) % 500
    seq = f"{n * 2 + (1 if gender == 'M' else 0):03d}"[-3:]
    body = f"640422{birth:%Y%m%d}{seq}"
    return body + id_number_check_char(body)


def make_mobile() -> str:
    return f"139{next(_mobile_seq):08d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-Xiji-2021")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township

    name = factory.Sequence(lambda n: f"测试乡{n}")
    code = factory.Sequence(lambda n: f"T{n:05d}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    code = factory.Sequence(lambda n: f"S{n:07d}")
    name = factory.Sequence(lambda n: f"测试第{n}小学")
    school_type = School.Type.PRIMARY
    township = factory.SubFactory(TownshipFactory)


class AdminClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdminClass

    school = factory.SubFactory(SchoolFactory)
    grade = 3
    number = factory.Sequence(lambda n: n + 1)


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    admin_class = factory.SubFactory(AdminClassFactory)
    school = factory.SelfAttribute("admin_class.school")
    name = factory.Sequence(lambda n: f"学生{n}")
    gender = "M"
    birth_date = datetime.date(2013, 5, 17)
    id_number = factory.LazyAttribute(lambda o: make_id_number(o.birth_date, o.gender))


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    name = factory.Sequence(lambda n: f"家长{n}")
    mobile = factory.LazyFunction(make_mobile)


def department(kind: str) -> Department:
    return Department.objects.get_or_create(kind=kind, defaults={"name": Department.Kind(kind).label})[0]


_COUNTY_DEPARTMENT = {
    Role.BUREAU: Department.Kind.EDUCATION,
    Role.FINANCE: Department.Kind.FINANCE,
    Role.INSPECTOR: Department.Kind.INSPECTION,
    Role.HR: Department.Kind.HR,
    Role.AUDITOR: Department.Kind.AUDIT,
    Role.LEADERSHIP: Department.Kind.GOVERNMENT,
}


def user_with_role(role: str, *, user: User | None = None, school=None, admin_class=None, township=None, **user_kwargs):
    """A user holding `role`, anchored where that role lives (see Membership's constraint)."""
    if user is None:
        if role == Role.PARENT:
            mobile = make_mobile()
            user_kwargs.setdefault("username", mobile)
            user_kwargs.setdefault("mobile", mobile)
        user = UserFactory(**user_kwargs)
    anchor = {}
    if role == Role.CLASS_TEACHER:
        admin_class = admin_class or AdminClassFactory(school=school or SchoolFactory())
        anchor = {"school": admin_class.school, "admin_class": admin_class}
    elif role in (Role.SERVICE_TEACHER, Role.VOLUNTEER, Role.SCHOOL_ADMIN, Role.GATE, Role.CARE_STAFF):
        anchor = {"school": school or SchoolFactory()}
        if role == Role.VOLUNTEER:
            anchor["volunteer_kind"] = Membership.VolunteerKind.RETIRED_TEACHER
    elif role == Role.TOWNSHIP_COORDINATOR:
        anchor = {"township": township or TownshipFactory()}
    elif role in _COUNTY_DEPARTMENT:
        anchor = {"department": department(_COUNTY_DEPARTMENT[role])}
    Membership.objects.create(user=user, role=role, **anchor)
    user.__dict__.pop("_xiji_memberships", None)
    return user


def link_guardian(student: Student, *, user: User | None = None, relation="father", primary=True) -> Guardian:
    """Make a guardian of `student`; with `user`, the guardian record is that parent's login."""
    guardian = GuardianFactory(user=user, mobile=user.mobile if user and user.mobile else make_mobile())
    StudentGuardian.objects.create(student=student, guardian=guardian, relation=relation, is_primary=primary)
    return guardian


class SchoolPlanFactory(factory.django.DjangoModelFactory):
    """A plan version as stored; `filed=True` skips the workflow (tests of the workflow call the services)."""

    class Meta:
        model = "schools.SchoolPlan"

    class Params:
        filed = factory.Trait(
            status="filed",
            submitted_at=factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=3)),
            filed_at=factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC)),
            filing_number=factory.LazyAttributeSequence(
                lambda o, n: f"西教体备〔{o.school_year.start_date.year}〕{n + 1}号"
            ),
        )

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.SubFactory("tests.factories.SchoolYearFactory")
    created_by = factory.SubFactory(UserFactory)


class SchoolYearFactory(factory.django.DjangoModelFactory):
    """A school year without semesters; every deadline on its first day unless given."""

    class Meta:
        model = SchoolYear

    name = factory.Sequence(lambda n: f"测试学年{n}")
    start_date = datetime.date(2021, 8, 1)
    end_date = datetime.date(2022, 7, 31)
    plan_deadline = factory.SelfAttribute("start_date")
    application_deadline = factory.SelfAttribute("start_date")
    refinement_deadline = factory.SelfAttribute("start_date")


class SemesterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Semester

    school_year = factory.SubFactory(SchoolYearFactory)
    number = 1
    start_date = factory.SelfAttribute("school_year.start_date")
    end_date = factory.SelfAttribute("school_year.end_date")


def valid_slots(timetable: Timetable) -> list[TimetableSlot]:
    """Unsaved slots that keep the county's rules: 2 hours on each served weekday, both seasons.

    Senior high (6+2): evening 19:00–21:00 Monday to Saturday. Other stages (5+2): Monday to Friday,
    summer 16:00–18:00, winter 15:30–17:30 (ending at the earliest pick-up time).
    """
    mode = ServiceMode.for_stage(timetable.stage)
    if timetable.stage == Stage.SENIOR:
        kind = TimetableSlot.Kind.EVENING
        times = {Timetable.Season.SUMMER: ((19, 0), (21, 0)), Timetable.Season.WINTER: ((19, 0), (21, 0))}
    else:
        kind = TimetableSlot.Kind.REGULAR
        times = {Timetable.Season.SUMMER: ((16, 0), (18, 0)), Timetable.Season.WINTER: ((15, 30), (17, 30))}
    return [
        TimetableSlot(
            timetable=timetable,
            season=season,
            kind=kind,
            weekday=day,
            start_time=datetime.time(*start),
            end_time=datetime.time(*end),
        )
        for season, (start, end) in times.items()
        for day in mode.weekdays
    ]


class TimetableFactory(factory.django.DjangoModelFactory):
    """Version 1 of a stage's timetable, in force from the semester's first day. `slots=True` fills in valid slots."""

    class Meta:
        model = Timetable
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    semester = factory.SubFactory(SemesterFactory)
    stage = factory.LazyAttribute(lambda o: o.school.stages[0])
    version = 1
    effective_from = factory.SelfAttribute("semester.start_date")
    opening_season = Timetable.Season.SUMMER
    switch_date = None

    @factory.post_generation
    def slots(obj, create, extracted, **kwargs):
        if create and extracted:
            TimetableSlot.objects.bulk_create(valid_slots(obj))
