"""`python manage.py seed_demo`: a believable demo of Xiji County (西吉县, Ningxia, region code 640422).

Departments, 19 townships, 40 schools with their classes, ~3,300 students with guardians, and one login per
role (password Xiji-2021), printed at the end. The whole county is first drawn in memory from
random.Random(2021) in a fixed order; then, in one transaction, only rows whose natural key (code, username,
id_number, mobile, ...) is not stored yet are written. A second run writes nothing; a half-seeded county is
completed, not duplicated.

Then the school year that contains today (1 August - 31 July, from timezone.localdate()) and the one before it:
county settings, the subsidy rate, semesters and calendar days; for the current year also version 1 of every
school's timetables (every stage, both semesters, in force from the first day) and school plans (一校一案) in
every state, written through the plan services as the users entitled to each step, so the event log is real.
Plan transitions cannot be replayed, so the plans are written only while the year has none at all.

Last, the current year's story at three schools (STORIES; 西吉县第一小学 in full): the activity catalogue, agreement
texts (a second version in October), service classes, applications online and on paper in every status with their
reviews, placements, the waiting list, withdrawals and re-signing; then the current semester's sessions up to
yesterday with their rolls, substitutes, sessions waiting for confirmation, the first month closed and one
adjustment. It is played through the services as the people entitled to each step, each on its own day on a
StoryClock (applications before the 30 September deadline, sessions logged the evening they ran). Like the plans,
it is played only while the year has none of it. 马小燕 (LATE_JOINER, letter code MAXY2345) joined 三年级1班 in
November and has no application: the parent browser test applies for her.

Finally the money (funding.demo, issue #6): the previous year settled at 西吉县第一小学 and 西吉县第二小学, and the
current year's claims in every state, funds, spending plans, pay schemes and pay runs; played only while a year has
no claim. 吉强镇中心小学 has no claim: the claim browser test files one.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from heapq import heappop, heappush
from unittest import mock

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation

from enrollment.models import Agreement, AgreementText, Application, ApplicationEvent
from enrollment.rules.placement import is_suitable, placement_start_date
from enrollment.selectors.agreements import current_agreement_text, informed_items, needs_new_signature
from enrollment.selectors.placement import placement_board, placement_classes
from enrollment.services.agreements import (
    Signature,
    agreement_decline,
    agreement_resign,
    agreement_text_publish,
    default_agreement_text,
)
from enrollment.services.applications import (
    application_enter_on_behalf,
    application_resubmit,
    application_submit,
    application_withdraw,
)
from enrollment.services.parents import child_link
from enrollment.services.placement import activate_due_placements, application_place, placement_apply
from enrollment.services.review import (
    application_class_approve,
    application_class_return,
    application_school_approve,
    application_school_return,
)
from funding.demo import save_funding, summary_lines
from schools.forms.plans import SECTIONS, build_form
from schools.models import (
    Activity,
    ActivityCategory,
    AdminClass,
    Attendance,
    CalendarDay,
    CountySettings,
    Department,
    Guardian,
    HoursAdjustment,
    HoursMonth,
    Membership,
    Partner,
    PlanSection,
    Role,
    School,
    SchoolPlan,
    SchoolPlanEvent,
    SchoolYear,
    Semester,
    ServiceClass,
    ServiceClassMember,
    ServiceMode,
    Session,
    SessionAssistant,
    Stage,
    Student,
    StudentGuardian,
    SubsidyRate,
    Substitution,
    Timetable,
    TimetableSlot,
    Township,
    User,
)
from schools.rules import calendar as planning
from schools.rules import hours as hours_reads
from schools.selectors import sessions as sessions_selectors
from schools.services.activities import activity_save, partner_save
from schools.services.classes import service_class_save
from schools.services.hours import hours_adjust, hours_month_close
from schools.services.plans import (
    plan_file,
    plan_forward,
    plan_return,
    plan_revise,
    plan_section_save,
    plan_start,
    plan_submit,
)
from schools.services.sessions import session_confirm, session_log, substitution_record
from schools.services.timetables import timetable_problems
from schools.validators import id_number_check_char, validate_id_number, validate_mobile

T = School.Type
VK = Membership.VolunteerKind
REGION = "640422"
PASSWORD = "Xiji-2021"  # noqa: S105 — the published password of the demo logins
SEAT, FIRST = "吉强镇", "西吉县第一小学"  # the county seat, and the school of the school-level demo logins
COORDINATED = "兴隆镇"  # the township of the printed coordinator login
PARENT_MOBILE = "13909540001"
LINK_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as schools.models.new_link_code, drawn from our seed

DEPARTMENTS = (
    (Department.Kind.EDUCATION, "西吉县教育体育局"),
    (Department.Kind.FINANCE, "西吉县财政局"),
    (Department.Kind.INSPECTION, "西吉县人民政府教育督导室"),
    (Department.Kind.HR, "西吉县人力资源和社会保障局"),
    (Department.Kind.AUDIT, "西吉县审计局"),
)
TOWNS = ("吉强镇", "兴隆镇", "平峰镇", "将台堡镇")  # 镇: codes 6404221xx
TOWNSHIPS = (  # the towns, then the 乡: codes 6404222xx
    *TOWNS,
    "新营乡",
    "红耀乡",
    "田坪乡",
    "马建乡",
    "震湖乡",
    "兴平乡",
    "西滩乡",
    "王民乡",
    "什字乡",
    "马莲乡",
    "硝河乡",
    "偏城乡",
    "沙沟乡",
    "白崖乡",
    "火石寨乡",
)
# Besides one central primary school per township: (name, type, township, classes per grade).
COUNTY_SCHOOLS = (
    (FIRST, T.PRIMARY, SEAT, 2),
    ("西吉县第二小学", T.PRIMARY, SEAT, 2),
    ("西吉县第一幼儿园", T.KINDERGARTEN, SEAT, 2),
    ("西吉县第三中学", T.JUNIOR, SEAT, 2),
    ("西吉中学", T.SENIOR, SEAT, 2),
    ("西吉县回民中学", T.COMPLETE, SEAT, 2),
    ("西吉县将台堡九年制学校", T.NINE_YEAR, "将台堡镇", 1),
)
VILLAGE_SCHOOLS = (
    ("吉强镇", "龙王坝小学"),
    ("兴隆镇", "单家集小学"),
    ("平峰镇", "杨河村小学"),
    ("将台堡镇", "明荣小学"),
    ("新营乡", "陈阳川小学"),
    ("红耀乡", "王河小学"),
    ("震湖乡", "苏堡小学"),
    ("火石寨乡", "石洼小学"),
)
TEACHING_POINTS = (
    ("兴隆镇", "玉桥教学点"),
    ("马建乡", "大坪教学点"),
    ("什字乡", "保林教学点"),
    ("偏城乡", "北庄教学点"),
    ("沙沟乡", "大寨教学点"),
    ("白崖乡", "旧堡教学点"),
)
GRADES = {
    T.KINDERGARTEN: range(-2, 1), T.PRIMARY: range(1, 7), T.VILLAGE: range(1, 7), T.TEACHING_POINT: range(1, 4),
    T.JUNIOR: range(7, 10), T.SENIOR: range(10, 13), T.COMPLETE: range(7, 13), T.NINE_YEAR: range(1, 10),
}  # fmt: skip
# Pupils per class. The plan asks for town classes of 30-45 and village classes of 8-20, but with ~245 classes
# only the low ends of those ranges keep the county near 3,000 pupils; schools with one class per grade are rural.
TOWN_CLASS, RURAL_CLASS = (30, 32), (8, 9)
BOARDING = {T.JUNIOR: 0.3, T.SENIOR: 0.3, T.COMPLETE: 0.3, T.KINDERGARTEN: 0.0}  # everywhere else: 0.03

SURNAMES = "马马马马马马李李王王杨杨田苏张刘何海丁穆虎金白赵陈周吴"  # 马 leads in this largely Hui county
BOYS = (
    "文 军 伟 强 磊 涛 斌 鹏 杰 浩 宇 龙 飞 明 亮 辉 志强 建军 永福 海军 子豪 "
    "浩然 宇轩 俊杰 文博 志远 天佑 嘉乐 学武 金宝 少华 成龙 振华 玉龙 兴旺 有才 正义 "
    "思源 一鸣 雨泽 梓睿 泽宇 尔撒 穆萨 伊斯哈格 耀祖 国庆 晓东"
).split()
GIRLS = (
    "娟 霞 燕 芳 丽 敏 静 婷 雪 梅 琴 兰 萍 红 悦 瑶 秀兰 玉梅 海燕 雪梅 小红 "
    "欣怡 雨涵 梓涵 思琪 佳怡 紫萱 若曦 雅婷 文静 春花 秀英 玉兰 晓燕 丽娟 丹丹 静怡 "
    "一诺 雨欣 梦瑶 嘉欣 法图麦 阿依莎 海丽 慧敏 倩"
).split()
ELDERS = {True: ("德福", "占山", "生贵", "有财", "忠孝", "万福"), False: ("桂英", "秀珍", "凤兰", "玉芳", "翠花")}
MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 158 159 177 180 182 183 185 186 187 188 189 199"
).split()


@dataclass(frozen=True)
class Login:
    username: str
    full_name: str
    role: str
    label: str = ""  # Chinese role label for the printed table; "" for the unprinted staff
    school: str = ""  # school name
    grade_class: tuple[int, int] | None = None  # (grade, number) in that school, for class teachers
    township: str = ""
    department: str = ""  # Department.Kind
    volunteer_kind: str = ""

    @property
    def where(self) -> str:
        if self.role == Role.PARENT:
            return f"{FIRST}（两个孩子）"
        if self.grade_class:
            return f"{self.school} {self.grade_class[0]}年级({self.grade_class[1]})班"
        return self.school or self.township or dict(DEPARTMENTS)[self.department]


LOGINS = (
    Login(PARENT_MOBILE, "马文清", Role.PARENT, "家长"),
    Login("banzhuren", "李雪梅", Role.CLASS_TEACHER, "班主任", FIRST, (3, 1)),
    Login("jiaoshi", "王海燕", Role.SERVICE_TEACHER, "课后服务教师", FIRST),
    Login("zhiyuanzhe", "田志明", Role.VOLUNTEER, "志愿者（退休教师）", FIRST, volunteer_kind=VK.RETIRED_TEACHER),
    Login("xuexiao", "杨建国", Role.SCHOOL_ADMIN, "学校管理员", FIRST),
    Login("xiangzhen", "苏宏伟", Role.TOWNSHIP_COORDINATOR, "乡镇统筹", township=COORDINATED),
    Login("jiaotiju", "张永红", Role.BUREAU, "教体局", department=Department.Kind.EDUCATION),
    Login("caizheng", "刘晓军", Role.FINANCE, "财政局", department=Department.Kind.FINANCE),
    Login("duxue", "何志刚", Role.INSPECTOR, "督学", department=Department.Kind.INSPECTION),
    Login("renshe", "海丽娟", Role.HR, "人社局", department=Department.Kind.HR),
    Login("shenji", "田玉梅", Role.AUDITOR, "审计局", department=Department.Kind.AUDIT),
)
# The parent's two children: the first pupil of these classes (the first is the class teacher's class).
PARENT_SLOTS = ((FIRST, 3, 1), (FIRST, 5, 2))
# A girl who moved to the class teacher's class in November, after the application deadline: no application yet.
# The parent browser test registers a new account, links her with this code and applies. She is drawn after
# everyone else and uses no random number, so the rest of the county is the same with or without her.
LATE_JOINER = {"name": "马小燕", "gender": "F", "birth_date": datetime.date(2013, 3, 15), "link_code": "MAXY2345"}
LATE_JOINER_CLASS = (FIRST, 3, 1)
LATE_JOINER_GUARDIAN = ("13995406688", "马秀兰", "mother")
ADMIN_SCHOOLS = ("西吉县第二小学", "西吉县第一幼儿园", "西吉县第三中学", "西吉中学", "西吉县回民中学",
                 "西吉县将台堡九年制学校", "吉强镇中心小学", "兴隆镇中心小学", "平峰镇中心小学", "将台堡镇中心小学")  # fmt: skip
SERVICE_SCHOOLS = (FIRST, "西吉县第二小学", "吉强镇中心小学", "兴隆镇中心小学", "平峰镇中心小学", "西吉县回民中学")
CLASS_TEACHER_SCHOOLS = (FIRST, "西吉县第二小学", "兴隆镇中心小学")


@dataclass
class DrawnSchool:
    code: str
    name: str
    type: str
    township: str
    per_grade: int
    is_central: bool
    central: str  # code of the township central school, for village schools and teaching points


@dataclass
class Family:
    surname: str
    township: str
    grade: int
    guardians: list  # [(mobile, name, relation)]; the first is the primary contact


def plan_schools() -> list[DrawnSchool]:
    schools, central = [], {}

    def add(name, kind, township, per_grade=1, is_central=False):
        dependent = kind in School.DEPENDENT_TYPES
        code = f"{REGION}{len(schools) + 1:04d}"
        central_code = central[township] if dependent else ""
        schools.append(DrawnSchool(code, name, kind, township, per_grade, is_central, central_code))
        return code

    for township in TOWNSHIPS:
        central[township] = add(f"{township}中心小学", T.PRIMARY, township, is_central=True)
    for name, kind, township, per_grade in COUNTY_SCHOOLS:
        add(name, kind, township, per_grade)
    for township, name in VILLAGE_SCHOOLS:
        add(township + name, T.VILLAGE, township)
    for township, name in TEACHING_POINTS:
        add(township + name, T.TEACHING_POINT, township)
    return schools


class DemoCounty:
    """The county drawn in memory. Every random draw happens here, in a fixed order: same seed, same county."""

    def __init__(self, seed: int = 2021):
        self.rng = random.Random(seed)
        self.schools = plan_schools()
        self.classes = [(s.code, g, n) for s in self.schools for g in GRADES[s.type] for n in range(1, s.per_grade + 1)]
        self.mobiles, self.id_bodies, self.link_codes = {PARENT_MOBILE}, set(), set()
        self.students = []  # (class key, Student field values, guardians)
        parents = Family("马", SEAT, 3, [(PARENT_MOBILE, "马文清", "father"), self.guardian(False, "mother")])
        waiting = defaultdict(list)  # township -> families with one child so far, who may get a sibling
        for school in self.schools:
            size = TOWN_CLASS if school.per_grade > 1 else RURAL_CLASS
            for code, grade, number in (c for c in self.classes if c[0] == school.code):
                for i in range(self.rng.randint(*size)):
                    if i == 0 and (school.name, grade, number) in PARENT_SLOTS:
                        family = parents
                    else:
                        family = self.family(waiting[school.township], school.township, grade)
                    self.students.append(((code, grade, number), self.student(school, grade, family), family.guardians))
        self.students.append(self.late_joiner())
        self.staff = self.plan_staff()

    def name(self, male: bool, surname: str = "", elder: bool = False) -> str:
        given = ELDERS[male] if elder else BOYS if male else GIRLS
        return (surname or self.rng.choice(SURNAMES)) + self.rng.choice(given)

    def guardian(self, male: bool, relation: str, surname: str = "") -> tuple[str, str, str]:
        while (mobile := self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}") in self.mobiles:
            pass
        validate_mobile(mobile)
        self.mobiles.add(mobile)
        return mobile, self.name(male, surname, elder=relation.startswith("grand")), relation

    def family(self, waiting: list, township: str, grade: int) -> Family:
        """Some pupils are siblings of an earlier pupil of the township (at least two grades apart)."""
        if self.rng.random() < 0.15:
            for i, family in enumerate(waiting):
                if abs(family.grade - grade) >= 2:
                    return waiting.pop(i)
        surname, r = self.rng.choice(SURNAMES), self.rng.random()
        father, mother = self.guardian(True, "father", surname), self.guardian(False, "mother")
        if r < 0.55:
            guardians = [father, mother]
        elif r < 0.75:  # father works away from home
            guardians = [mother]
        elif r < 0.85:
            guardians = [father]
        else:  # left-behind child raised by a grandparent
            if self.rng.random() < 0.5:
                guardians = [self.guardian(True, "grandfather", surname), father]
            else:
                guardians = [self.guardian(False, "grandmother"), father]
        family = Family(surname, township, grade, guardians)
        waiting.append(family)
        return family

    def student(self, school: DrawnSchool, grade: int, family: Family) -> dict:
        rng = self.rng
        male = rng.random() < 0.52
        # A grade-1 pupil turns 6 by 1 September 2021 (born Sep 2014 - Aug 2015); one in ten started a year late.
        late = rng.random() < 0.1
        birth = datetime.date(2015 - grade - late, 9, 2) + datetime.timedelta(days=rng.randrange(365))
        while True:  # GB 11643: region, birth date, sequence (odd for boys, even for girls), check character
            body = f"{REGION}{birth:%Y%m%d}{rng.randrange(1 if male else 2, 1000, 2):03d}"
            if body not in self.id_bodies:
                break
        self.id_bodies.add(body)
        id_number = body + id_number_check_char(body)
        validate_id_number(id_number)
        while (link_code := "".join(rng.choice(LINK_ALPHABET) for _ in range(8))) in self.link_codes:
            pass
        self.link_codes.add(link_code)
        return {
            "name": self.name(male, family.surname),
            "gender": "M" if male else "F",
            "birth_date": birth,
            "id_number": id_number,
            "is_boarder": rng.random() < BOARDING.get(school.type, 0.03),
            "link_code": link_code,
        }

    def late_joiner(self) -> tuple:
        """马小燕 (LATE_JOINER): fixed fields, a free ID sequence number and her mother as the only guardian."""
        school = next(s for s in self.schools if s.name == LATE_JOINER_CLASS[0])
        birth = LATE_JOINER["birth_date"]
        body = next(
            b for n in range(86, 1000, 2) if (b := f"{REGION}{birth:%Y%m%d}{n:03d}") not in self.id_bodies
        )  # an even sequence number: a girl
        self.id_bodies.add(body)
        mobile, name, relation = LATE_JOINER_GUARDIAN
        assert mobile not in self.mobiles and LATE_JOINER["link_code"] not in self.link_codes
        validate_mobile(mobile)
        self.mobiles.add(mobile)
        self.link_codes.add(LATE_JOINER["link_code"])
        fields = {**LATE_JOINER, "id_number": body + id_number_check_char(body), "is_boarder": False}
        return (school.code, *LATE_JOINER_CLASS[1:]), fields, [(mobile, name, relation)]

    def plan_staff(self) -> list[Login]:
        """About 90 more staff without printed logins, so lists and pickers look lived in.

        The last ones give every school that writes its own plan an administrator and every township a
        coordinator, so each plan of the demo year is moved by someone entitled to move it.
        """
        by_name = {s.name: s for s in self.schools}
        plans = [(Role.SCHOOL_ADMIN, name, None, "", "") for name in ADMIN_SCHOOLS]
        plans += [(Role.SERVICE_TEACHER, SERVICE_SCHOOLS[i % 6], None, "", "") for i in range(12)]
        plans += [
            (Role.VOLUNTEER, SERVICE_SCHOOLS[i % 4], None, (VK.UNIVERSITY_STUDENT, VK.PARENT)[i % 2], "")
            for i in range(8)
        ]
        plans += [
            (Role.CLASS_TEACHER, name, (g, n), "", "")
            for name in CLASS_TEACHER_SCHOOLS
            for code, g, n in self.classes
            if code == by_name[name].code and (name, g, n) != (FIRST, 3, 1)
        ]
        plans += [
            (Role.SCHOOL_ADMIN, s.name, None, "", "")
            for s in self.schools
            if s.type not in School.DEPENDENT_TYPES and s.name not in (FIRST, *ADMIN_SCHOOLS)
        ]
        plans += [(Role.TOWNSHIP_COORDINATOR, "", None, "", t) for t in TOWNSHIPS if t != COORDINATED]
        return [
            Login(
                f"t{i:04d}",
                self.name(self.rng.random() < 0.5),
                role,
                school=school,
                grade_class=gc,
                township=township,
                volunteer_kind=vk,
            )
            for i, (role, school, gc, vk, township) in enumerate(plans, start=1)
        ]


def insert_missing(model, rows: list, key: tuple[str, ...], **within) -> tuple[dict, int]:
    """bulk_create the rows whose natural key is not stored yet; return ({key: pk} of stored rows, rows written)."""

    def stored():
        return {tuple(k): pk for *k, pk in model.objects.filter(**within).values_list(*key, "pk")}

    have = stored()
    missing = [row for row in rows if tuple(getattr(row, f) for f in key) not in have]
    for row in missing[::250]:  # a sample through the model's own validation; the constraints guard the rest
        row.full_clean(validate_unique=False, validate_constraints=False)
    model.objects.bulk_create(missing)
    return (stored() if missing else have), len(missing)


def save(county: DemoCounty) -> int:
    """Write what is missing of the county; return the number of rows written."""
    written = 0

    def ensure(model, lookup, **defaults):
        nonlocal written
        obj, created = model.objects.get_or_create(**lookup, defaults=defaults)
        written += created
        return obj

    departments = {kind: ensure(Department, {"kind": kind}, name=name).pk for kind, name in DEPARTMENTS}
    townships = {
        name: ensure(Township, {"code": f"{REGION}{100 + i if i < len(TOWNS) else 196 + i}"}, name=name).pk
        for i, name in enumerate(TOWNSHIPS)
    }
    schools = {}  # code -> pk; central schools come first, so dependents find theirs
    for s in county.schools:
        schools[s.code] = ensure(
            School, {"code": s.code}, name=s.name, school_type=s.type, township_id=townships[s.township],
            is_township_central=s.is_central, central_school_id=schools.get(s.central),
        ).pk  # fmt: skip
    code_of = {s.name: s.code for s in county.schools}
    rows = [AdminClass(school_id=schools[code], grade=g, number=n) for code, g, n in county.classes]
    classes, n = insert_missing(
        AdminClass, rows, ("school_id", "grade", "number"), school_id__in=list(schools.values())
    )
    written += n

    users = {}
    for login in (*LOGINS, *county.staff):
        user = User.objects.filter(username=login.username).first()
        if user is None:
            mobile = login.username if login.role == Role.PARENT else None
            user = User(username=login.username, full_name=login.full_name, mobile=mobile)
            if login.label:
                user.set_password(PASSWORD)
            else:
                user.set_unusable_password()
            user.save()
            written += 1
        users[login.username] = user.pk
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", password=PASSWORD, full_name="系统管理员")
        written += 1
    rows = []
    for login in (*LOGINS, *county.staff):
        school = schools[code_of[login.school]] if login.school else None
        rows.append(
            Membership(
                user_id=users[login.username],
                role=login.role,
                school_id=school,
                admin_class_id=classes.get((school, *login.grade_class)) if login.grade_class else None,
                township_id=townships.get(login.township),
                department_id=departments.get(login.department),
                volunteer_kind=login.volunteer_kind,
            )
        )
    key = ("user_id", "role", "school_id", "admin_class_id", "township_id", "department_id")
    written += insert_missing(Membership, rows, key, user_id__in=list(users.values()))[1]

    guardians = {}  # mobile -> Guardian, in order of first appearance
    for _, _, family in county.students:
        for mobile, name, _ in family:
            guardians.setdefault(mobile, Guardian(name=name, mobile=mobile))
    guardians[PARENT_MOBILE].user_id = users[PARENT_MOBILE]
    guardian_pks, n = insert_missing(Guardian, list(guardians.values()), ("mobile",), mobile__in=list(guardians))
    written += n
    rows = [
        Student(school_id=schools[c[0]], admin_class_id=classes[(schools[c[0]], c[1], c[2])], **fields)
        for c, fields, _ in county.students
    ]
    student_pks, n = insert_missing(Student, rows, ("id_number",), school_id__in=list(schools.values()))
    written += n
    rows = [
        StudentGuardian(
            student_id=student_pks[(fields["id_number"],)], guardian_id=guardian_pks[(mobile,)],
            relation=relation, is_primary=i == 0,
        )
        for _, fields, family in county.students
        for i, (mobile, _, relation) in enumerate(family)
    ]  # fmt: skip
    key = ("student_id", "guardian_id")
    written += insert_missing(StudentGuardian, rows, key, student__school_id__in=list(schools.values()))[1]
    return written


# ---------------------------------------------------------------- the school year: calendar, timetables, plans

RATE, RATE_FROM, RATE_NOTE = Decimal("30.00"), datetime.date(2021, 9, 1), "西政办发〔2021〕67号"
# 端午节 (5th day of the 5th lunar month); a weekend festival is taken on the Monday after.
DRAGON_BOAT = {
    2021: (6, 14), 2022: (6, 3), 2023: (6, 22), 2024: (6, 10), 2025: (5, 31),
    2026: (6, 19), 2027: (6, 9), 2028: (5, 28), 2029: (6, 16), 2030: (6, 5),
}  # fmt: skip
SUMMER_TIMES, WINTER_TIMES, EVENING_TIMES = ((16, 0), (18, 0)), ((15, 40), (17, 40)), ((19, 0), (21, 0))
DAY = datetime.timedelta(days=1)
CD = CalendarDay.Kind
Season = Timetable.Season
PS = SchoolPlan.Status
STATUS_LABELS = {PS.DRAFT: "草稿", PS.AT_TOWNSHIP: "乡镇审核中", PS.AT_BUREAU: "教体局审核中", PS.RETURNED: "已退回",
                 PS.FILED: "已备案"}  # fmt: skip
APPLICATION_LABELS = {
    "submitted": "待班级审核", "returned": "已退回", "class_approved": "待学校审批", "approved": "已批准待分班",
    "waiting": "候补", "placed": "已分班", "active": "参加中", "withdrawn": "已退出",
}  # fmt: skip
STAGE_LABELS = {Stage.KINDERGARTEN: "幼儿园", Stage.PRIMARY: "小学", Stage.JUNIOR: "初中", Stage.SENIOR: "高中"}

# What happens to each school's plan in the current year, in this order (filing numbers follow it). A school not
# listed has no plan at all, so the bureau sees schools without a filed plan.
#   draft:N         started, the first N form sections written, not submitted
#   submitted       complete and submitted (a village school or teaching point: to the township, else the bureau)
#   at_bureau       submitted, and forwarded by the township if the school depends on one
#   returned        at the bureau, returned by it with a comment
#   township_return submitted to the township, returned by it with a comment
#   filed           at the bureau, filed
#   refiled         returned once by the bureau (no campus injury insurance), corrected, resubmitted and filed
#   revised         filed, then refined in October: version 2 is a draft with a new parent survey
# 兴隆镇玉桥教学点 deliberately has NO plan: the browser test starts it through the page ("start the plan"), so
# the whole path start -> sections -> submit to the township is exercised from an empty slate.
PLAN_STORIES = (
    (FIRST, "revised"),
    ("兴隆镇中心小学", "filed"),
    ("西吉县第二小学", "filed"),
    ("西吉县第一幼儿园", "filed"),
    ("西吉县将台堡九年制学校", "filed"),
    ("吉强镇中心小学", "filed"),
    ("平峰镇中心小学", "filed"),
    ("红耀乡中心小学", "filed"),
    ("田坪乡中心小学", "filed"),
    ("震湖乡中心小学", "filed"),
    ("西滩乡中心小学", "filed"),
    ("王民乡中心小学", "filed"),
    ("兴隆镇单家集小学", "filed"),
    ("吉强镇龙王坝小学", "filed"),
    ("新营乡陈阳川小学", "filed"),
    ("红耀乡王河小学", "filed"),
    ("兴平乡中心小学", "refiled"),
    ("西吉中学", "at_bureau"),
    ("西吉县第三中学", "at_bureau"),
    ("将台堡镇中心小学", "at_bureau"),
    ("平峰镇杨河村小学", "at_bureau"),
    ("西吉县回民中学", "returned"),
    ("将台堡镇明荣小学", "township_return"),
    ("马建乡大坪教学点", "submitted"),
    ("震湖乡苏堡小学", "submitted"),
    ("新营乡中心小学", "draft:7"),
    ("马建乡中心小学", "draft:3"),
    ("什字乡中心小学", "draft:1"),
)
BUREAU_RETURN = "晚自习结束后寄宿生返回宿舍、走读生离校的交接安排写得不具体，请补充值守教师名单和应急联系人后重新提交。"
INSURANCE_RETURN = "方案未说明校园安全责任险的投保情况，请落实后修改“安全与应急预案”部分重新提交。"
TOWNSHIP_RETURN = "服务内容没有安排阅读活动，学校图书角已配齐图书，请补充后再报中心小学。"


def school_year_start(today: datetime.date) -> int:
    """The calendar year in which the school year containing `today` began (years run 1 August - 31 July)."""
    return today.year if today.month >= 8 else today.year - 1


def year_name(y: int) -> str:
    return f"{y}–{y + 1}"


def weekdays_back(end: datetime.date, n: int) -> list[datetime.date]:
    days, day = [], end
    while len(days) < n:
        if day.isoweekday() <= 5:
            days.append(day)
        day -= DAY
    return days


def plan_calendar(y: int) -> tuple[dict, list[tuple], dict]:
    """The school year beginning in August of y: its fields, its two semesters, and its exceptional days."""
    d = datetime.date
    year = {
        "start_date": d(y, 8, 1), "end_date": d(y + 1, 7, 31), "plan_deadline": d(y, 8, 31),
        "application_deadline": d(y, 9, 30), "refinement_deadline": d(y, 10, 31),
    }  # fmt: skip
    semesters = [(d(y, 9, 1), d(y + 1, 1, 22)), (d(y + 1, 2, 22), d(y + 1, 7, 9))]
    days = {}

    def mark(first: datetime.date, n: int, kind: str, note: str):
        for i in range(n):
            days[first + i * DAY] = (kind, note)

    national = d(y, 10, 1)
    mark(national, 7, CD.HOLIDAY, "国庆节")
    mark(national - (national.isoweekday() % 7 or 7) * DAY, 1, CD.MAKEUP_WORKDAY, "国庆节调休上班")  # the Sunday before
    after = d(y, 10, 8)
    mark(after + ((6 - after.isoweekday()) % 7) * DAY, 1, CD.MAKEUP_WORKDAY, "国庆节调休上班")  # the Saturday after
    mid = d(y, 11, 12)
    mark(mid + ((4 - mid.isoweekday()) % 7) * DAY, 2, CD.EXAM, "期中考试")  # Thursday and Friday
    mark(d(y + 1, 1, 1), 1, CD.HOLIDAY, "元旦")
    mark(d(y + 1, 4, 5), 1, CD.HOLIDAY, "清明节")
    mark(d(y + 1, 5, 1), 5, CD.HOLIDAY, "劳动节")
    boat = d(y + 1, *DRAGON_BOAT.get(y + 1, (6, 10)))
    mark(boat + (8 - boat.isoweekday() if boat.isoweekday() > 5 else 0) * DAY, 1, CD.HOLIDAY, "端午节")
    for _, end in semesters:
        for day in weekdays_back(end, 3):
            days[day] = (CD.EXAM, "期末考试")
    return year, semesters, days


def save_calendar(y: int) -> tuple[SchoolYear, int]:
    """The school year beginning in y, its semesters and calendar days; only what is missing is written."""
    fields, semesters, days = plan_calendar(y)
    written = 0
    school_year = SchoolYear.objects.filter(name=year_name(y)).first()
    if school_year is None:
        school_year = SchoolYear(name=year_name(y), **fields)
        school_year.full_clean()
        school_year.save()
        written += 1
    for number, (start, end) in enumerate(semesters, start=1):
        if not school_year.semesters.filter(number=number).exists():
            semester = Semester(school_year=school_year, number=number, start_date=start, end_date=end)
            semester.full_clean()
            semester.save()
            written += 1
    rows = []
    for day, (kind, note) in sorted(days.items()):
        assert kind != CD.MAKEUP_WORKDAY or day.isoweekday() >= 6, day  # as calendar_day_set insists
        rows.append(CalendarDay(school_year=school_year, date=day, kind=kind, note=note))
    written += insert_missing(CalendarDay, rows, ("date",), school_year=school_year)[1]
    return school_year, written


def slot_rows(stage: str) -> list[tuple[str, str, int, datetime.time, datetime.time]]:
    """(season, kind, weekday, start, end): two hours on each day of the stage's mode, the same in both seasons
    for the senior evening service, 16:00-18:00 in summer and 15:40-17:40 in winter for day service."""
    mode = ServiceMode.for_stage(stage)
    rows = []
    for season in (Season.SUMMER, Season.WINTER):
        if stage == Stage.SENIOR:
            kind, times = TimetableSlot.Kind.EVENING, EVENING_TIMES
        else:
            kind, times = TimetableSlot.Kind.REGULAR, SUMMER_TIMES if season == Season.SUMMER else WINTER_TIMES
        start, end = (datetime.time(*t) for t in times)
        rows += [(season, kind, day, start, end) for day in mode.weekdays]
    return rows


def check_slot_rows() -> None:
    """Every stage's slots pass the county's own timetable rules (cheap: no database rows)."""
    settings = CountySettings.current()
    for stage in Stage:
        slots = [
            TimetableSlot(season=s, kind=k, weekday=w, start_time=a, end_time=b) for s, k, w, a, b in slot_rows(stage)
        ]
        problems = timetable_problems(stage=stage, slots=slots, settings=settings, seasons=list(Season.values))
        if problems:
            raise CommandError(f"{stage}: {' '.join(problems)}")


def actors(schools: list[School]) -> dict[int, User]:
    """school pk -> the user who writes its plan: its administrator, or for a village school or teaching point
    the coordinator of its township (R16). One User object per person, so the permission cache is reused."""
    users = {}

    def one(user):
        return users.setdefault(user.pk, user)

    admins, coordinators = {}, {}
    for m in (
        Membership.objects.filter(role=Role.SCHOOL_ADMIN, school__in=schools)
        .select_related("user")
        .order_by("user__username")
    ):
        admins.setdefault(m.school_id, one(m.user))
    coordinated = Membership.objects.filter(
        role=Role.TOWNSHIP_COORDINATOR, township__in={s.township_id for s in schools}
    )
    for m in coordinated.select_related("user").order_by("user__username"):
        coordinators.setdefault(m.township_id, one(m.user))
    return {s.pk: coordinators[s.township_id] if s.is_dependent else admins[s.pk] for s in schools}


def save_timetables(school_year: SchoolYear, schools: list[School], actor_of: dict) -> int:
    """Version 1 of every stage's timetable for both semesters, in force from the first day of the semester."""
    semesters = list(school_year.semesters.order_by("number"))
    rows = []
    for school in schools:
        for stage in school.stages:
            for semester in semesters:
                autumn = semester.number == 1
                rows.append(
                    Timetable(
                        school=school,
                        semester=semester,
                        stage=stage,
                        version=1,
                        effective_from=semester.start_date,
                        opening_season=Season.SUMMER if autumn else Season.WINTER,
                        switch_date=datetime.date(semester.start_date.year, 10, 1)
                        if autumn
                        else datetime.date(semester.end_date.year, 5, 1),
                        created_by=actor_of[school.pk],
                    )
                )
    key = ("school_id", "semester_id", "stage", "version")
    written = insert_missing(Timetable, rows, key, semester__in=semesters, school__in=schools)[1]
    empty = Timetable.objects.filter(semester__in=semesters, school__in=schools, version=1, slots__isnull=True)
    slots = [
        TimetableSlot(timetable=t, season=season, kind=kind, weekday=day, start_time=start, end_time=end)
        for t in empty
        for season, kind, day, start, end in slot_rows(t.stage)
    ]
    TimetableSlot.objects.bulk_create(slots)
    return written + len(slots)


def stage_of(grade: int) -> str:
    return (
        Stage.KINDERGARTEN
        if grade <= 0
        else Stage.PRIMARY
        if grade <= 6
        else Stage.JUNIOR
        if grade <= 9
        else Stage.SENIOR
    )


def principal(code: str) -> str:
    rng = random.Random(f"principal:{code}")
    return rng.choice(SURNAMES) + rng.choice(BOYS if rng.random() < 0.7 else GIRLS)


STAGE_NEEDS = {
    Stage.KINDERGARTEN: "多数家长务工，下午四点后无人接送，希望幼儿园延长看护时间，开展游戏、绘本阅读和户外活动，不要教小学内容。",
    Stage.PRIMARY: "不少家长在外务工，孩子由祖辈照看，希望学校放学后辅导作业、保证安全；也希望开设阅读、体育和书法等兴趣活动。",
    Stage.JUNIOR: "希望教师在校辅导作业、答疑解惑，寄宿生晚间有组织地自习；学生希望开展篮球、足球、合唱等社团活动。",
    Stage.SENIOR: "希望晚自习由教师值守答疑，以学生自主学习为主；也希望每周有阅读和体育锻炼的时间。",
}
STAGE_CONTENT = {
    Stage.KINDERGARTEN: (
        ["custody", "reading", "outdoor", "arts", "sports"],
        "以游戏为基本活动：绘本阅读、户外体育游戏、音乐律动和手工活动轮换开展，保教人员全程看护，不教授小学课程内容。",
    ),
    Stage.PRIMARY: (
        ["homework", "tutoring", "reading", "sports", "arts", "interest"],
        "周一至周五放学后两课时：第一课时由任课教师在本班教室辅导学生完成书面作业，对学习有困难的学生个别答疑；"
        "第二课时开展阅读、体育、美术、书法、剪纸等兴趣小组活动，学生自愿选择，每学期可调整一次。不讲新课，不集体补课。",
    ),
    Stage.JUNIOR: (
        ["homework", "tutoring", "sports", "clubs", "reading"],
        "第一课时作业辅导和答疑，第二课时开展篮球、足球、合唱、书法等社团活动；寄宿生在值守教师指导下集体自习。不讲新课，不集体补课。",
    ),
    Stage.SENIOR: (
        ["homework", "tutoring", "custody", "reading", "sports"],
        "周一至周六晚间两课时，以学生自主学习为主，各班教师轮流值守答疑；每周安排一次阅读分享和一次体育锻炼。不讲新课，不收取任何费用。",
    ),
}
DUTIES = (
    "组长全面负责课后服务的组织领导和安全工作；分管副校长负责制定课后服务方案、安排服务教师和活动内容；"
    "教务处负责课程安排、教师考勤和服务质量评价；总务处负责场地、设施和经费使用；班主任负责家长沟通、学生报名和放学交接。"
)
DEPENDENT_DUTIES = (  # a village school or teaching point, planned by its township central school (R16)
    "组长统筹中心小学和所属村小、教学点的课后服务；负责人负责日常组织、学生签到和放学交接，每周向中心小学报告一次；"
    "乡镇统筹负责方案汇总上报和督导检查。"
)
MEASURES = (
    "课后服务开始前由服务教师清点人数，请假学生当天告知家长；服务结束后按年级分批离校，低年级学生由家长到校门口接送，"
    "校门口由值班教师和保安值守；活动场地和器材每周检查一次，食品药品一律不进班级。"
)
EVENING_MEASURES = "晚自习结束后寄宿生由宿管教师清点人数返回宿舍，走读生由家长接回；值班领导和值班教师当晚在校值守。"
EMERGENCY = (
    "学生突发疾病或受伤时，服务教师先行处置并拨打120，同时通知家长和值班领导；遇暴雨、大雪等恶劣天气提前通知家长并调整放学时间；"
    "发生火灾、地震时按疏散路线组织撤离，每学期演练一次。"
)


class PlanWriter:
    """Writes the current year's plans through the plan services, as the users entitled to each step."""

    def __init__(self, school_year: SchoolYear, schools: list[School], actor_of: dict, bureau: User):
        self.year, self.actor_of, self.bureau = school_year, actor_of, bureau
        self.y = school_year.start_date.year
        by_pk = {s.pk: s for s in schools}
        self.coordinator = {s.township_id: actor_of[s.pk] for s in schools if s.is_dependent}
        self.classes = defaultdict(lambda: defaultdict(int))  # school pk -> stage -> administrative classes
        for school, grade in AdminClass.objects.filter(school__in=schools).values_list("school_id", "grade"):
            self.classes[school][stage_of(grade)] += 1
        # Families asked in the survey: the pupils' primary guardians (siblings share one), so never more than pupils.
        primary = StudentGuardian.objects.filter(is_primary=True, student__school__in=schools)
        self.families = dict(
            primary.values_list("student__school_id").annotate(n=Count("guardian_id", distinct=True)).order_by()
        )
        self.by_pk = by_pk

    # -- section data, as a browser would post it

    def sections(self, school: School) -> dict[str, dict]:
        rng = random.Random(f"plan:{school.code}")
        central = self.by_pk.get(school.central_school_id)
        head = principal(school.code)
        names = [rng.choice(SURNAMES) + rng.choice(BOYS if rng.random() < 0.5 else GIRLS) for _ in range(4)]
        admin = self.actor_of[school.pk]
        if school.is_dependent:
            leader, title = principal(central.code), f"{central.name}校长"
            members = [f"{head}，{'教学点' if school.school_type == School.Type.TEACHING_POINT else '村小'}负责人",
                       f"{names[0]}，教师", f"{admin.full_name}，乡镇统筹"]  # fmt: skip
            officer = head
        else:
            leader, title = head, "园长" if school.school_type == School.Type.KINDERGARTEN else "校长"
            posts = ["副校长（分管课后服务）", "教务主任", "总务主任", "德育主任", "家长委员会主任"]
            people = [admin.full_name, *names]
            members = [f"{n}，{p}" for n, p in zip(people, posts, strict=True)]
            officer = names[1]
        stages = school.stages
        families = self.families.get(school.pk, 0)
        asked = max(families - rng.randint(0, max(1, families // 40)), 1)
        wanting = round(asked * rng.uniform(0.72, 0.92))
        categories = list(dict.fromkeys(c for st in stages for c in STAGE_CONTENT[st][0]))
        county = school.name.startswith("西吉")
        classes = {f"classes_{st}": self.classes[school.pk][st] for st in stages}
        teachers = sum(classes.values()) + rng.randint(2, 6 if county else 3)
        return {
            "leadership": {
                "leader_name": leader,
                "leader_title": title,
                "members": "\n".join(members),
                "duties": DEPENDENT_DUTIES if school.is_dependent else DUTIES,
            },
            "survey": {
                "survey_date": f"{self.y}-08-{rng.randint(18, 28):02d}",
                "families_asked": asked,
                "families_wanting": wanting,
                "main_needs": "".join(STAGE_NEEDS[st] for st in stages),
            },
            "content": {
                "categories": categories,
                "description": "".join(STAGE_CONTENT[st][1] for st in stages),
                "partners": "西吉县青少年活动中心、西吉县图书馆"
                if county
                else rng.choice(["乡村学校少年宫、乡文化站", "村级少年宫", ""]),
            },
            "staffing": {
                "teachers_planned": teachers,
                "volunteers_planned": rng.randint(3, 8) if county else rng.randint(0, 3),
                "volunteer_sources": ["retired_teacher", "parent"] + (["university_student"] if county else []),
                "notes": "服务教师实行轮值，每人每周不超过三次；退休教师和家长志愿者协助看护和组织活动。",
            },
            "funding": classes,
            "safety": {
                "safety_officer": officer,
                "measures": MEASURES + (EVENING_MEASURES if Stage.SENIOR in stages else ""),
                "emergency_plan": EMERGENCY,
                "insured": True,
            },
            "publicity": {
                "channels": ["letter", "meeting", "group", "website" if county else "notice"],
                "informed": True,
                "notes": "开学第一周发放《致家长的一封信》，告知服务方式、内容、时间安排和免费原则，家长自愿报名。",
            },
        }

    def save_section(self, plan: SchoolPlan, key: str, data: dict) -> None:
        form = build_form(key, school=plan.school, data=data)
        if not form.is_valid():
            raise CommandError(f"{plan.school.name} {key}: {form.errors.as_text()}")
        plan_section_save(actor=self.actor_of[plan.school_id], plan=plan, key=key, cleaned_data=form.cleaned_data)

    # -- the stories

    def submit(self, plan: SchoolPlan) -> SchoolPlan:
        return plan_submit(actor=self.actor_of[plan.school_id], plan=plan)

    def to_bureau(self, plan: SchoolPlan) -> SchoolPlan:
        plan = self.submit(plan)
        if plan.status == PS.AT_TOWNSHIP:
            coordinator = self.coordinator[plan.school.township_id]
            plan = plan_forward(actor=coordinator, plan=plan, note="已审核，同意报送县教体局。")
        return plan

    def file(self, plan: SchoolPlan) -> SchoolPlan:
        return plan_file(actor=self.bureau, plan=plan, note="同意备案。")

    def write(self, school: School, story: str) -> None:
        data = self.sections(school)
        actor = self.actor_of[school.pk]
        plan = plan_start(actor=actor, school=school, school_year=self.year)
        keys = [s.key for s in SECTIONS if s.form is not None]
        if story.startswith("draft:"):
            for key in keys[: int(story.split(":")[1])]:
                self.save_section(plan, key, data[key])
            return
        if story == "refiled":  # the reason the bureau returns it
            data["safety"]["insured"] = False
        if story == "township_return":  # the reason the township returns it
            data["content"]["categories"].remove(ActivityCategory.READING)
        for key in keys:
            self.save_section(plan, key, data[key])
        if story == "submitted":
            self.submit(plan)
        elif story == "township_return":
            plan = self.submit(plan)
            plan_return(actor=self.coordinator[school.township_id], plan=plan, note=TOWNSHIP_RETURN)
        elif story == "at_bureau":
            self.to_bureau(plan)
        elif story == "returned":
            plan_return(actor=self.bureau, plan=self.to_bureau(plan), note=BUREAU_RETURN)
        elif story == "refiled":
            plan = plan_return(actor=self.bureau, plan=self.to_bureau(plan), note=INSURANCE_RETURN)
            self.save_section(plan, "safety", {**data["safety"], "insured": True})
            self.file(self.to_bureau(plan))
        elif story in ("filed", "revised"):
            plan = self.file(self.to_bureau(plan))
            if story == "revised":  # the October refinement (R17): a second parent survey after a month of service
                draft = plan_revise(actor=actor, plan=plan)
                survey = data["survey"]
                more = survey["families_asked"] - survey["families_wanting"]
                self.save_section(
                    draft,
                    "survey",
                    {
                        **survey,
                        "survey_date": f"{self.y}-10-15",
                        "families_wanting": survey["families_wanting"] + more // 2,
                        "main_needs": survey["main_needs"]
                        + "试行一个月后，更多家长希望孩子参加；不少家长希望周五增加体育和阅读活动。",
                    },
                )
        else:
            raise CommandError(f"unknown plan story {story!r}")


def save_plans(school_year: SchoolYear, schools: list[School], actor_of: dict) -> int:
    """The current year's plans in every state. The transitions are not idempotent: once any plan of the year
    exists, nothing is written."""
    if SchoolPlan.objects.filter(school_year=school_year, school__in=schools).exists():
        return 0
    models = (SchoolPlan, PlanSection, SchoolPlanEvent)
    before = sum(m.objects.count() for m in models)
    writer = PlanWriter(school_year, schools, actor_of, User.objects.get(username="jiaotiju"))
    by_name = {s.name: s for s in schools}
    for name, story in PLAN_STORIES:
        writer.write(by_name[name], story)
    return sum(m.objects.count() for m in models) - before


def save_school_years(today: datetime.date) -> tuple[SchoolYear, int]:
    """County settings, the subsidy rate, the current and previous school years with timetables and plans."""
    written = 0
    if not CountySettings.objects.filter(pk=1).exists():
        CountySettings.objects.create(pk=1, class_hours_per_day=2, earliest_pickup_time=datetime.time(17, 30))
        written += 1
    _, created = SubsidyRate.objects.get_or_create(
        effective_from=RATE_FROM, defaults={"amount": RATE, "note": RATE_NOTE}
    )
    written += created
    check_slot_rows()
    y = school_year_start(today)
    written += save_calendar(y - 1)[1]  # last year, for history: calendar only
    current, n = save_calendar(y)
    written += n
    schools = list(School.objects.filter(code__startswith=REGION).order_by("code"))
    actor_of = actors(schools)
    written += save_timetables(current, schools, actor_of)
    written += save_plans(current, schools, actor_of)
    written += save_story(current, schools, actor_of)
    written += save_money(current)
    return current, written


def save_money(school_year: SchoolYear) -> int:
    """The previous and current year's subsidy claims, funds, pay and settlements (funding.demo), on a StoryClock
    and, like the story, without savepoints."""
    connection = transaction.get_connection()
    with StoryClock() as clock, mock.patch.object(connection.features, "uses_savepoints", False):
        return save_funding(current=school_year, clock=clock)


# ---------------------------------------------------------------- the year's story: enrollment and service delivery

AC = ActivityCategory
AS = Application.Status
SCK = ServiceClass.Kind
MARK = Attendance.Mark
PARTNERS = (  # (name, kind, contact) of 西吉县第一小学's partners (R11)
    ("西吉县青少年活动中心", Partner.Kind.YOUTH_CENTRE, "马老师 0954-3012160"),
    ("吉强镇乡村学校少年宫", Partner.Kind.YOUTH_PALACE, "苏老师 13995401275"),
    ("吉强镇社区", Partner.Kind.COMMUNITY, "社区居委会 0954-3019021"),
)
ACTIVITIES = (  # (name, category, partner or "", description): one per category the school offers
    ("作业辅导班", AC.HOMEWORK, "", "在本班教室完成当天书面作业，教师巡视答疑，不讲新内容。"),
    ("数学答疑小组", AC.TUTORING, "", "退休教师为学习有困难的学生个别答疑。"),
    ("科学小实验", AC.EXTENSION, "", "用身边的材料做简单实验，观察、记录、交流。"),
    ("合唱团", AC.ARTS, "", "每周排练两次，参加学校艺术节。"),
    ("篮球社", AC.SPORTS, "西吉县青少年活动中心", "活动中心教练每周到校指导一次。"),
    ("校园种植园", AC.LABOUR, "", "在校园空地种土豆和向日葵，学习劳动。"),
    ("经典诵读", AC.READING, "", "诵读古诗和《三字经》《弟子规》选段。"),
    ("剪纸兴趣小组", AC.INTEREST, "吉强镇乡村学校少年宫", "少年宫老师教西吉剪纸。"),
    ("书法社", AC.CLUBS, "吉强镇乡村学校少年宫", "毛笔字入门。"),
    ("六一文艺展演排练", AC.FESTIVALS, "", "五月排练六一儿童节节目。"),
    ("周五电影课", AC.FILMS, "", "每月一次观看优秀儿童影片并交流。"),
    ("托管自习室", AC.CUSTODY, "", "延时托管的学生自主学习，教师看护。"),
    ("四点半课堂", AC.FOUR_THIRTY, "吉强镇社区", "社区活动室里的四点半课堂。"),
    ("走进社区志愿服务", AC.PRACTICE, "吉强镇社区", "高年级学生参加社区清洁和敬老活动。"),
)


@dataclass(frozen=True)
class ClassPlan:
    name: str
    activity: str
    teacher: str  # username of the responsible teacher
    capacity: int
    grades: tuple[int, ...] = ()  # draws from every class of these grades; () = the whole school
    kind: str = SCK.REGULAR


@dataclass(frozen=True)
class SchoolStory:
    school: str
    shares: tuple[float, ...]  # of the pupils of grades 1-6 who apply (older children's families apply more)
    online: float  # of the applying families who apply online (the others on paper, entered by the school: 代录)
    waves: tuple[float, float]  # shares applying in late August and in September; the rest on paper in November
    withdrawals: int  # children withdrawn in October
    classes: tuple[ClassPlan, ...]


# Where the demo year has applications and service classes; every other school has none (coverage shows the gap).
STORIES = (
    SchoolStory(FIRST, (0.55, 0.55, 0.55, 0.6, 0.7, 0.7), 0.65, (0.6, 0.3), 7, (
        ClassPlan("一二年级作业辅导班", AC.HOMEWORK, "t0017", 40, (1, 2)),
        ClassPlan("三四年级作业辅导班", AC.HOMEWORK, "jiaoshi", 40, (3, 4)),
        ClassPlan("五六年级数学答疑小组", AC.TUTORING, "zhiyuanzhe", 30, (5, 6)),
        ClassPlan("低年级经典诵读班", AC.READING, "t0033", 40, (1, 2, 3)),
        ClassPlan("篮球社", AC.SPORTS, "t0041", 30, (4, 5, 6)),
        ClassPlan("延时托管班", AC.CUSTODY, "t0027", 20, (), SCK.EXTENDED),
    )),
    SchoolStory("西吉县第二小学", (0.15,) * 6, 0.0, (0.75, 0.2), 1, (
        ClassPlan("一至三年级作业辅导班", AC.HOMEWORK, "t0012", 30, (1, 2, 3)),
        ClassPlan("四至六年级阅读班", AC.READING, "t0018", 30, (4, 5, 6)),
    )),
    SchoolStory("兴隆镇中心小学", (0.5,) * 6, 0.0, (0.8, 0.1), 0, (
        ClassPlan("课后服务班", AC.HOMEWORK, "t0014", 30),
    )),
)  # fmt: skip
# The service classes whose sessions are logged (the others' teachers have logged nothing yet).
LOGGED_CLASSES = (
    (FIRST, "三四年级作业辅导班"),
    (FIRST, "五六年级数学答疑小组"),
    (FIRST, "一二年级作业辅导班"),
    ("西吉县第二小学", "一至三年级作业辅导班"),
)
PRIMARY_CATEGORIES = [AC.HOMEWORK, AC.TUTORING, AC.READING, AC.SPORTS, AC.ARTS, AC.INTEREST]

PICKUP_DIFFICULTIES = (
    "父母都在县城上班，下午六点才下班，放学时没人接。",
    "父亲在银川打工，母亲在工厂上班，奶奶年纪大腿脚不便。",
    "家住得远，爷爷奶奶不会骑电动车，四点多接不了。",
    "母亲在超市上班，五点半以后才能来接。",
    "父母在外地务工，孩子跟着奶奶，奶奶还要照看弟弟。",
    "做小生意，下午要看店，走不开。",
    "母亲在医院上班，经常倒班。",
    "父亲跑运输常不在家，母亲一个人顾不过来。",
)
EXTENDED_REASONS = (
    "父母都在工业园区上班，晚上七点才下班，需要延时托管。",
    "母亲值夜班，父亲在外地，六点以后也没人接。",
)
PRIORITY_NOTES = ("父亲在银川务工", "建档立卡户", "父母在福建务工，孩子随爷爷奶奶生活", "低保户", "母亲身体不好")
CLASS_RETURNS = (
    "接送人手机号和登记的监护人号码不一致，请核对后重新提交。",
    "请写清楚放学后为什么没人接，以便学校安排。",
    "申请表上接送人只写了“家人”，请写明接送人姓名和手机号。",
)
SCHOOL_RETURNS = (
    "延时托管班名额有限，请说明晚上几点能接孩子后重新提交。",
    "孩子已报名校合唱团下午训练，请家长确认参加哪一项后重新提交。",
)
RESUBMIT_NOTES = ("已改正，请老师审核。", "已补充接送人信息。", "")
WITHDRAW_NOTES = (
    "孩子转学到银川，不再参加课后服务。",
    "奶奶从老家来了，放学可以接孩子。",
    "母亲换了工作，下午能接孩子了。",
    "孩子身体原因，暂停参加。",
)
AGREEMENT_V2 = (  # what version 2 adds, after the October refinement of the plan
    "\n\n十一、补充说明（第2版）：10月1日起执行冬季作息，课后服务15:40开始、17:40结束；"
    "服务结束时由服务教师在班级门口逐一交接，接送人须当面签字。"
)
PHONES = (
    "Mozilla/5.0 (Linux; Android 10; V1936A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; PDAM10) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 15_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
)
LEAVE_REASONS = ("病假：感冒发烧", "事假：随家长回老家", "病假：肚子疼，家长接回", "事假：家里有事", "病假：看牙")
ABSENT_REASONS = ("未到，电话联系家长：被爷爷提前接走", "未到，家长说孩子直接回家了", "未到，已通知家长")
NOTES = {
    AC.HOMEWORK: (
        "完成语文、数学书面作业，教师巡视答疑",
        "订正数学练习册错题，个别辅导口算",
        "完成生字抄写和课文朗读，同桌互查",
        "数学作业答疑：两位数乘法竖式",
        "检查作业完成情况，辅导有困难的学生",
        "语文阅读理解练习讲评，学生自主订正",
    ),
    AC.TUTORING: (
        "分数的意义答疑，个别讲解错题",
        "应用题解题思路答疑",
        "小数乘除法计算错题订正与答疑",
        "长方形、正方形面积计算答疑",
        "整理错题本，逐一答疑",
    ),
    AC.READING: (
        "诵读《三字经》选段",
        "诵读古诗《静夜思》《春晓》",
        "《弟子规》诵读与故事分享",
        "绘本共读《小猪唏哩呼噜》",
    ),
    AC.EXTENSION: ("科学小实验：会跳舞的盐粒", "科学小实验：纸杯电话", "科学小实验：鸡蛋浮起来了"),
    AC.FILMS: ("周五电影课：观看《小兵张嘎》，交流观后感", "周五电影课：观看《闪闪的红星》"),
}
FLAGGED_NOTE = "期中考试后给几名学生补课，讲分数应用题"  # "补课": flagged for the administrator's review (R12)
SUBSTITUTE_REASONS = ("王海燕老师参加县教研室课后服务培训", "田志明老师身体不适")


class StoryClock:
    """While active, `timezone.now()` (and so `localdate()`, `auto_now` fields and every service's "today") is the
    moment of the step being played, never later than the real now.

    The story happens on its own days: the agreement is published in August, parents apply before the 30 September
    deadline, a session is logged the evening it ran. So the services run unchanged, with their date rules, and every
    timestamp and history entry reads like the real thing."""

    def __init__(self):
        self.real = timezone.now()
        self.moment = self.real
        self._patch = None

    def __enter__(self):
        self._patch = mock.patch.object(timezone, "now", lambda: self.moment)
        self._patch.start()
        return self

    def __exit__(self, *exc):
        self._patch.stop()

    def set(self, moment: datetime.datetime) -> None:
        self.moment = min(moment, self.real)

    @staticmethod
    def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class Timeline:
    """Steps played in the order of their moments; a step due after the real now has not happened yet."""

    def __init__(self, clock: StoryClock):
        self.clock, self.queue, self.seq = clock, [], 0

    def at(self, moment: datetime.datetime, step, *args, clamp: bool = False) -> None:
        if moment > self.clock.real:
            if not clamp:
                return
            moment = self.clock.real
        heappush(self.queue, (moment, self.seq, step, args))
        self.seq += 1

    def run(self) -> None:
        while self.queue:
            moment, _seq, step, args = heappop(self.queue)
            self.clock.moment = moment
            step(*args)


@dataclass
class Case:
    """One child's application in the story: who applies, how, when, and what becomes of it."""

    student: Student
    guardian: tuple[str, str, str]  # (name, mobile, relation) of the primary guardian
    school: School
    wave: int  # 1: late August, 2: September (both online or on paper), 3: November (paper, after the deadline)
    fate: str  # a key of FLOWS
    online: bool
    clerk: User | None = None  # who enters it from paper (代录)
    data: dict | None = None
    steps: list = None
    application: Application | None = None


# What happens after submission. "withdrawn" is "through" plus a withdrawal in October; "placed" and "demo" are
# placed by hand after approval (November; the demo parent's child in August); the rest wait for the Friday
# placement runs of September (a place, or the waiting list).
FLOWS = {
    "through": ["class_approve", "school_approve"],
    "withdrawn": ["class_approve", "school_approve"],
    "returned": ["class_return"],
    "school_returned": ["class_approve", "school_return"],
    "resubmitted": ["class_return", "resubmit", "class_approve", "school_approve"],
    "withdrawn_early": ["withdraw"],
    "submitted": [],
    "class_approved": ["class_approve"],
    "approved": ["class_approve", "school_approve"],
    "placed": ["class_approve", "school_approve", "place"],
    "demo": ["class_approve", "school_approve", "place"],
}


class YearStory:
    """The current school year at the schools of STORIES, played through the services as the people entitled to
    each step: agreement texts, service classes, applications online and on paper with their reviews, placements,
    the waiting list, withdrawals, re-signing; then a semester of sessions, substitutes, a closed month."""

    def __init__(self, year: SchoolYear, clock: StoryClock, actor_of: dict):
        self.year, self.clock, self.actor_of = year, clock, actor_of
        self.y = year.start_date.year
        self.today = timezone.localtime(clock.real).date()
        self.timeline = Timeline(clock)
        self.users = {u.username: u for u in actor_of.values()}  # one object per person: permission caches
        self.schools = {s.name: s for s in School.objects.filter(name__in=[st.school for st in STORIES])}
        self.admin = {name: actor_of[school.pk] for name, school in self.schools.items()}
        self.classes = {}  # (school name, class name) -> ServiceClass
        self.parents = {}  # mobile -> User (the accounts of families applying online)
        self.class_teacher = {}  # AdminClass pk -> User
        self.activation_days = set()
        self.text_versions = {}  # school pk -> the version of its agreement text parents sign now
        for m in (
            Membership.objects.filter(role=Role.CLASS_TEACHER, school__in=self.schools.values())
            .select_related("user")
            .order_by("user__username")
        ):
            self.class_teacher.setdefault(m.admin_class_id, self.user_object(m.user))

    def user_object(self, user: User) -> User:
        return self.users.setdefault(user.username, user)

    def user(self, username: str) -> User:
        if username not in self.users:
            self.users[username] = User.objects.get(username=username)
        return self.users[username]

    # -- the story, in order

    def play(self) -> None:
        first = self.schools[FIRST]
        rng = random.Random(f"story:{self.y}")
        self.clock.set(StoryClock.at(datetime.date(self.y, 8, 18), 10, 20))
        for story in STORIES:
            self.open_school(story)
        self.clock.set(StoryClock.at(datetime.date(self.y, 8, 26), 15, 10))
        for story in STORIES:
            self.form_classes(story)
        cases = []
        for story in STORIES:
            cases += self.plan_cases(story, random.Random(f"applications:{story.school}:{self.y}"))
        for case in cases:
            self.timeline.at(case.steps.pop(0), self.submit, case)
        self.plan_placements()
        self.plan_declines(first, cases, rng)
        self.plan_withdrawals(cases, rng)
        self.plan_new_agreement(first, cases, rng)
        self.timeline.run()

    def open_school(self, story: SchoolStory) -> None:
        school = self.schools[story.school]
        text = agreement_text_publish(
            actor=self.admin[story.school], school=school, school_year=self.year,
            body=default_agreement_text(school=school),
        )  # fmt: skip
        self.text_versions[school.pk] = text.version

    def form_classes(self, story: SchoolStory) -> None:
        school = self.schools[story.school]
        admin_classes = list(AdminClass.objects.filter(school=school).order_by("grade", "number"))
        for plan in story.classes:
            self.classes[story.school, plan.name] = service_class_save(
                actor=self.admin[story.school], school=school, school_year=self.year, name=plan.name,
                kind=plan.kind, activity=plan.activity, teacher=self.user(plan.teacher), capacity=plan.capacity,
                admin_classes=[c for c in admin_classes if c.grade in plan.grades],
            )  # fmt: skip

    # -- who applies, how and when

    def plan_cases(self, story: SchoolStory, rng: random.Random) -> list[Case]:
        school = self.schools[story.school]
        students = list(
            Student.objects.filter(school=school)
            .select_related("admin_class")
            .order_by("admin_class__grade", "admin_class__number", "id_number")
        )
        primary = {
            link.student_id: (link.guardian.name, link.guardian.mobile, link.relation)
            for link in StudentGuardian.objects.filter(student__school=school, is_primary=True).select_related(
                "guardian"
            )
        }
        categories = informed_items(school=school, school_year=self.year)["categories"] or PRIMARY_CATEGORIES
        extended = any(plan.kind == SCK.EXTENDED for plan in story.classes)  # offered only where a class gives it
        online_family = {}
        cases = []
        for student in students:
            guardian = primary[student.pk]
            demo = guardian[1] == PARENT_MOBILE
            share = story.shares[student.admin_class.grade - 1]
            if student.link_code == LATE_JOINER["link_code"] or not (demo or rng.random() < share):
                continue
            online = online_family.setdefault(guardian[1], demo or rng.random() < story.online)
            r = rng.random()
            wave = 1 if demo or r < story.waves[0] else 2 if r < story.waves[0] + story.waves[1] else 3
            case = Case(student, guardian, school, wave, "through", online and wave < 3)
            case.data = application_data(rng, student, guardian, categories, extended=extended)
            r = rng.random()
            if demo:
                case.fate = "demo" if student.admin_class.grade == 3 else "returned"
                case.data.update(preferences=[AC.HOMEWORK, AC.READING, AC.SPORTS], dual_working=True)
                if case.fate == "returned":
                    case.data.update(pickup_person="家人", preferences=[AC.TUTORING, AC.SPORTS])
            elif wave == 1:
                case.fate = "returned" if r < 0.03 else "resubmitted" if r < 0.1 else "through"
            elif wave == 2:
                case.fate = (
                    "returned" if r < 0.03 else "school_returned" if r < 0.06 else "resubmitted" if r < 0.12
                    else "withdrawn_early" if r < 0.14 and case.online else "through"
                )  # fmt: skip
            if not case.online:
                teacher = self.class_teacher.get(student.admin_class_id)
                case.clerk = teacher if teacher and (wave < 3 or rng.random() < 0.4) else self.admin[story.school]
            cases.append(case)
        third = [c for c in cases if c.wave == 3]
        for i, case in enumerate(third):  # in four equal parts: from placed (entered first) to just submitted
            case.fate = ("placed", "approved", "class_approved", "submitted")[i * 4 // max(len(third), 1)]
        for case in cases:
            case.steps = [self.submit_moment(case, rng), *FLOWS[case.fate]]
        return cases

    def submit_moment(self, case: Case, rng: random.Random) -> datetime.datetime:
        d = datetime.date
        if case.fate == "demo" or (case.wave == 1 and case.guardian[1] == PARENT_MOBILE):
            return StoryClock.at(d(self.y, 8, 24), 20, 15 + 40 * (case.fate != "demo"))
        if case.wave == 1:
            day = d(self.y, 8, 24) + DAY * rng.randrange(5)
        elif case.wave == 2:
            day = d(self.y, 9, 1) + DAY * rng.randrange(27)
        else:  # paper applications of families who missed the deadline, handed in over the last four weeks
            first = {"placed": 27, "approved": 20, "class_approved": 12, "submitted": 5}[case.fate]
            day = max(self.today - DAY * (first - rng.randrange(5)), self.year.application_deadline + DAY)
            while day.isoweekday() > 5:  # handed in at the school office on the Friday before
                day -= DAY
        if case.online:
            return StoryClock.at(day, rng.randint(19, 22), rng.randrange(60))
        return working_moment(day, rng)

    # -- the steps

    def next_step(self, case: Case, rng: random.Random | None = None) -> None:
        if not case.steps:
            return
        rng = rng or random.Random(f"step:{case.student.id_number}:{len(case.steps)}")
        step = case.steps[0]
        if step == "resubmit" and case.online:
            moment = StoryClock.at(self.clock.moment.date() + DAY, rng.randint(19, 22), rng.randrange(60))
        elif step == "place" and case.fate == "placed":  # today, by hand, before the nightly activation
            moment = StoryClock.at(self.today, 9, rng.randrange(60))
        else:
            moment = working_moment(self.clock.moment.date() + DAY * rng.choice((1, 1, 2)), rng)
        self.timeline.at(moment, self.act, case, clamp=step == "place")

    def submit(self, case: Case) -> None:
        name, _mobile, relation = case.guardian
        version = self.text_versions[case.school.pk]
        rng = random.Random(f"submit:{case.student.id_number}")
        if case.online:
            parent = self.parent_account(case.student, case.guardian)
            signature = Signature(name, relation, f"223.104.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                                  rng.choice(PHONES))  # fmt: skip
            case.application = application_submit(
                actor=parent, student=case.student, data=case.data, text_version=version, signature=signature
            )
        else:
            case.application = application_enter_on_behalf(
                actor=case.clerk, student=case.student, data=case.data, text_version=version,
                signature=Signature(name, relation), paper_original_on_file=True,
            )  # fmt: skip
        self.next_step(case, rng)

    def act(self, case: Case) -> None:
        step = case.steps.pop(0)
        app = case.application
        rng = random.Random(f"{step}:{case.student.id_number}")
        teacher = self.class_teacher.get(case.student.admin_class_id)
        admin = self.admin[case.school.name]
        if step == "class_approve":
            application_class_approve(actor=teacher, application=app)
        elif step == "class_return":
            note = CLASS_RETURNS[2] if app.pickup_person == "家人" else rng.choice(CLASS_RETURNS[:2])
            application_class_return(actor=teacher, application=app, note=note)
        elif step == "school_approve":
            application_school_approve(actor=admin, application=app)
        elif step == "school_return":
            application_school_return(actor=admin, application=app, note=rng.choice(SCHOOL_RETURNS))
        elif step == "resubmit":
            actor = self.parents[case.guardian[1]] if case.online else teacher or admin
            application_resubmit(actor=actor, application=app, data=case.data, note=rng.choice(RESUBMIT_NOTES))
        elif step == "withdraw":
            application_withdraw(
                actor=self.parents[case.guardian[1]], application=app, effective=timezone.localdate(),
                note=rng.choice(WITHDRAW_NOTES[1:]),
            )  # fmt: skip
        elif step == "place":
            self.place_by_hand(case, admin)
        self.next_step(case, rng)

    def place_by_hand(self, case: Case, admin: User) -> None:
        """The demo parent's child goes to the service teacher's class; a late paper applicant to the first class
        that suits the child and has a free place (else the application stays approved)."""
        if case.fate == "demo":
            target = self.classes[FIRST, "三四年级作业辅导班"]
        else:
            day = placement_start_date(self.year)
            classes = placement_classes(viewer=admin, school=case.school, school_year=self.year, day=day)
            free = [c for c in classes if c.free > 0 and is_suitable(c, case.application)]
            wanted = case.application.preferences
            free.sort(key=lambda c: wanted.index(c.activity) if c.activity in wanted else len(wanted))
            if not free:
                return
            target = free[0]
        application_place(actor=admin, application=case.application, service_class=target)
        self.activate_after(placement_start_date(self.year))

    def parent_account(self, student: Student, guardian: tuple[str, str, str]) -> User:
        """The account a family registered (no known password: not a demo login), linked with the letter's code."""
        name, mobile, relation = guardian
        if mobile in self.parents:
            return self.parents[mobile]
        parent = User.objects.filter(username=mobile).first()
        if parent is None:
            parent = User(username=mobile, mobile=mobile, full_name=name)
            parent.set_unusable_password()
            parent.save()
            Membership.objects.create(user=parent, role=Role.PARENT)
            child_link(actor=parent, code=student.link_code, relation=relation)
        self.parents[mobile] = parent
        return parent

    # -- what the schools do on given days

    def plan_placements(self) -> None:
        """Placement runs after the last August reviews and every Friday of September: the suggestion, confirmed
        whole (a place, or the waiting list)."""
        d = datetime.date
        days = [d(self.y, 8, 31)] + [d(self.y, 9, n) for n in range(1, 31) if d(self.y, 9, n).isoweekday() == 5]
        for day in days:
            for story in STORIES:
                self.timeline.at(StoryClock.at(day, 16, 30), self.placement_run, story.school)

    def placement_run(self, school_name: str) -> None:
        admin, school, day = self.admin[school_name], self.schools[school_name], timezone.localdate()
        if not Application.objects.filter(school=school, school_year=self.year, status=AS.APPROVED).exists():
            return
        board = placement_board(viewer=admin, school=school, school_year=self.year, today=day)
        placement_apply(
            actor=admin, school=school, school_year=self.year, signature=board.signature, today=day,
            confirmed_ids=[a.pk for a, c in board.suggestion if c is not None],
        )  # fmt: skip
        self.activate_after(board.start_date)

    def activate_after(self, start: datetime.date) -> None:
        """The nightly job (05:30) that makes placed children attending once their place has started: played on
        the mornings it has something to do."""
        day = max(start, timezone.localdate() + DAY)
        if day not in self.activation_days:
            self.activation_days.add(day)
            self.timeline.at(StoryClock.at(day, 5, 30), activate_due_placements)

    def plan_declines(self, school: School, cases: list[Case], rng: random.Random) -> None:
        """Two families say “I do not agree” online (R13): recorded, with no other consequence."""
        applying = {c.guardian[1] for c in cases} | {LATE_JOINER_GUARDIAN[0]}
        links = StudentGuardian.objects.filter(student__school=school, is_primary=True).select_related(
            "student", "guardian"
        )
        free = sorted(
            (link for link in links if link.guardian.mobile not in applying and link.guardian.user_id is None),
            key=lambda link: link.student.id_number,
        )
        for i, link in enumerate(rng.sample(free, 2)):
            moment = StoryClock.at(datetime.date(self.y, 9, 3 + 6 * i), 21, 5)
            self.timeline.at(moment, self.decline, link)

    def decline(self, link: StudentGuardian) -> None:
        guardian = (link.guardian.name, link.guardian.mobile, link.relation)
        parent = self.parent_account(link.student, guardian)
        version = current_agreement_text(school=link.student.school, school_year=self.year).version
        agreement_decline(
            actor=parent, student=link.student, school_year=self.year, text_version=version,
            signature=Signature(guardian[0], guardian[2], "223.104.3.18", PHONES[0]),
        )  # fmt: skip

    def plan_withdrawals(self, cases: list[Case], rng: random.Random) -> None:
        """In October some attending children leave (from a date); the administrator gives the place to the first
        child of the waiting list that it suits."""
        for story in STORIES:
            candidates = [c for c in cases if c.school.name == story.school and c.fate == "through" and c.wave < 3]
            for i, case in enumerate(rng.sample(candidates, story.withdrawals)):
                case.fate = "withdrawn"
                day = datetime.date(self.y, 10, 9) + DAY * (3 * i + rng.randrange(3))
                self.timeline.at(working_moment(day, rng), self.withdraw, case, rng.randrange(4))

    def withdraw(self, case: Case, days_later: int) -> None:
        app = case.application
        if app is None:  # not applied yet
            return
        app.refresh_from_db()
        if app.status == AS.WITHDRAWN:
            return
        actor = self.parents[case.guardian[1]] if case.online else self.admin[case.school.name]
        rng = random.Random(f"withdraw:{case.student.id_number}")
        freed = app.service_class_id
        application_withdraw(
            actor=actor, application=app, effective=timezone.localdate() + DAY * days_later,
            note=rng.choice(WITHDRAW_NOTES),
        )  # fmt: skip
        if freed:
            moment = working_moment(timezone.localdate() + DAY * (days_later + 1), rng)
            self.timeline.at(moment, self.fill_place, case.school.name)

    def fill_place(self, school_name: str) -> None:
        admin = self.admin[school_name]
        board = placement_board(
            viewer=admin, school=self.schools[school_name], school_year=self.year, today=timezone.localdate()
        )
        first = next(((a, c) for a, c in board.suggestion if c is not None), None)
        if first is not None:
            application_place(actor=admin, application=first[0], service_class=first[1])
            self.activate_after(board.start_date)

    def plan_new_agreement(self, school: School, cases: list[Case], rng: random.Random) -> None:
        """On 20 October the school publishes version 2 of its agreement; about half of the families who apply
        online sign it again within three weeks (the demo parent for the attending child only)."""
        self.timeline.at(StoryClock.at(datetime.date(self.y, 10, 20), 10, 5), self.publish_v2, school)
        for case in cases:
            if case.school != school or not case.online or case.fate == "returned":
                continue
            if case.fate == "demo":
                moment = StoryClock.at(datetime.date(self.y, 10, 21), 20, 30)
            elif rng.random() < 0.55:
                moment = StoryClock.at(datetime.date(self.y, 10, 20) + DAY * rng.randint(1, 20), rng.randint(19, 22),
                                       rng.randrange(60))  # fmt: skip
            else:
                continue
            self.timeline.at(moment, self.resign, case)

    def publish_v2(self, school: School) -> None:
        body = current_agreement_text(school=school, school_year=self.year).body + AGREEMENT_V2
        text = agreement_text_publish(actor=self.admin[school.name], school=school, school_year=self.year, body=body)
        self.text_versions[school.pk] = text.version

    def resign(self, case: Case) -> None:
        app = case.application
        if app is None:
            return
        app.refresh_from_db()
        current = current_agreement_text(school=case.school, school_year=self.year)
        if app.status in (AS.WITHDRAWN, AS.RETURNED) or not needs_new_signature(app, current.version):
            return
        name, _mobile, relation = case.guardian
        agreement_resign(
            actor=self.parents[case.guardian[1]], application=app, text_version=current.version,
            signature=Signature(name, relation, "223.104.17.86", PHONES[1]),
        )  # fmt: skip


def working_moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A moment of school office hours on `day`, or on the next weekday when `day` falls on a weekend."""
    while day.isoweekday() > 5:
        day += DAY
    return StoryClock.at(day, rng.randint(8, 16), rng.randrange(60))


def application_data(
    rng: random.Random, student: Student, guardian: tuple, categories: list[str], *, extended: bool
) -> dict:
    """《自愿参加课后服务工作申请表》 as a family fills it in (extended care where the school offers it)."""
    name, mobile, relation = guardian
    extended = rng.random() < 0.07 and extended
    preferences = rng.sample(list(categories), rng.choice((1, 2, 2, 3, 3)))
    if AC.HOMEWORK in categories and rng.random() < 0.5:  # what most families want first
        preferences = [AC.HOMEWORK, *(p for p in preferences if p != AC.HOMEWORK)][:3]
    groups = [rng.random() < p for p in (0.38, 0.12, 0.02, 0.1)]
    return {
        "service_kind": Application.ServiceKind.EXTENDED if extended else Application.ServiceKind.REGULAR,
        "extended_reason": rng.choice(EXTENDED_REASONS) if extended else "",
        "pickup_difficulty": rng.choice(PICKUP_DIFFICULTIES),
        "dual_working": groups[0],
        "migrant_child": groups[1],
        "disability": groups[2],
        "economic_hardship": groups[3],
        "priority_note": rng.choice(PRIORITY_NOTES) if any(groups[1:]) and rng.random() < 0.6 else "",
        "preferences": [str(p) for p in preferences],
        "pickup_person": name,
        "pickup_relation": relation,
        "pickup_mobile": mobile,
    }


class Delivery:
    """A semester of sessions up to yesterday for the LOGGED_CLASSES, following the timetables and the calendar,
    logged the evening they ran by the teacher (or the recorded substitute), with the roll; a few logged late or
    flagged for the administrator; at 西吉县第一小学 the semester's first month closed and one adjustment.

    The service teacher's session on the last service day before today is left unlogged: it waits on their
    "today" page (the browser test logs it), as does today's session on a service day."""

    def __init__(self, story: YearStory):
        self.story, self.clock, self.year, self.today, self.y = story, story.clock, story.year, story.today, story.y
        started = [s for s in self.year.semesters.all() if s.start_date < self.today]
        self.semester = max(started, key=lambda s: s.start_date) if started else None
        self.settings = CountySettings.current()

    def play(self) -> None:
        if self.semester is None:
            return
        story = self.story
        first = story.schools[FIRST]
        admin = story.admin[FIRST]
        classes = {
            key: ServiceClass.objects.select_related("school", "school_year")
            .prefetch_related("admin_classes")
            .get(pk=story.classes[key].pk)
            for key in LOGGED_CLASSES
        }
        exceptions = planning.calendar_exceptions(self.year)
        timetables = sessions_selectors.timetables_for(
            school_ids=sorted({c.school_id for c in classes.values()}), first=self.semester.start_date, last=self.today
        )
        activities = {a.name: a for a in Activity.objects.filter(school=first)}
        month = self.semester.start_date.replace(day=1)
        month_end = hours_reads.month_end(month)
        plans = {}  # class key -> {day: (actor, logged at, note, category, activity, assistants)}
        for key, service_class in classes.items():
            stage = sessions_selectors.class_stage(service_class)
            mode = ServiceMode.for_stage(stage)
            days = [
                d
                for d in planning.service_days(semesters=[self.semester], mode=mode, exceptions=exceptions)
                if d < self.today
            ]
            plans[key] = self.plan_days(key, service_class, days, activities, month_end)
        # The school records its substitutes the afternoon before.
        for key, days in plans.items():
            for day, plan in days.items():
                if plan["substitute"]:
                    self.clock.set(StoryClock.at(day - DAY, 16, 10))
                    substitution_record(
                        actor=admin, service_class=classes[key], date=day, substitute=plan["actor"],
                        reason=plan["substitute"],
                    )  # fmt: skip
        to_confirm = []
        for key, service_class in classes.items():
            members = list(
                ServiceClassMember.objects.filter(service_class=service_class).values_list(
                    "student_id", "start_date", "end_date"
                )
            )
            rng = random.Random(f"roll:{key[0]}:{key[1]}:{self.y}")
            for day, plan in sorted(plans[key].items()):
                present = [sid for sid, start, end in members if start <= day and (end is None or end >= day)]
                if not present:
                    continue
                timetable = sessions_selectors.timetable_in_force(
                    timetables, school_id=service_class.school_id, stage=sessions_selectors.class_stage(service_class),
                    day=day,
                )  # fmt: skip
                slot = sessions_selectors.slot_on(timetable, kind=service_class.kind, day=day)
                if slot is None:
                    continue
                self.clock.set(plan["at"])
                session = session_log(
                    actor=plan["actor"], service_class=service_class, date=day, start_time=slot.start_time,
                    end_time=slot.end_time, class_hours=sessions_selectors.prefill_class_hours(slot, self.settings),
                    activity_category=plan["category"], activity=plan["activity"], content_note=plan["note"],
                    assistants=plan["assistants"], marks=roll(rng, sorted(present)),
                )  # fmt: skip
                if plan["confirm"]:
                    to_confirm.append((plan["confirm"], session))
        for moment, session in to_confirm:
            self.clock.set(moment)
            session_confirm(actor=admin, session=session)
        if month_end < self.today:
            self.clock.set(StoryClock.at(month_end + DAY * 9, 10, 30))
            hours_month_close(actor=admin, school=first, month=month)
            self.clock.set(StoryClock.at(month_end + DAY * 12, 11, 0))
            days = [d for d in plans[FIRST, "三四年级作业辅导班"] if d.month == month.month]
            thursday = next((d for d in days if d.isoweekday() == 4), days[0])
            hours_adjust(
                actor=admin, school=first, person=story.user("zhiyuanzhe"), month=month, role="assistant",
                class_hours=Decimal("2.0"), sessions=1,
                reason=f"{thursday.month}月{thursday.day}日也协助了三四年级作业辅导班，登记时漏选助教，经核实补记。",
            )  # fmt: skip

    def plan_days(self, key, service_class, days, activities, month_end) -> dict:
        """Who logs each day's session, when, and what was done."""
        story = self.story
        teacher = story.user(service_class.teacher.username)
        rng = random.Random(f"sessions:{key[0]}:{key[1]}:{self.y}")
        special = {}  # day -> what is special about it
        name = key[1]
        after_close = [d for d in days if d > month_end]
        if name == "三四年级作业辅导班":
            if days and (self.today - days[-1]).days <= sessions_selectors.RECENT_DAYS:
                special[days[-1]] = "unlogged"
            for i in (12, -15):
                if len(days) > 30:
                    special.setdefault(days[i], "substitute:banzhuren:0")
        elif name == "五六年级数学答疑小组":
            days = [d for d in days if d.isoweekday() != 3]  # on Wednesdays the volunteer assists the class above
            if len(after_close) > 10:
                special[[d for d in after_close if d.isoweekday() != 3][-3]] = "flagged"
                special[[d for d in after_close if d.isoweekday() != 3][-8]] = "late"
            if len(days) > 40:
                special.setdefault(days[30], "substitute:t0023:1")
        elif name == "一二年级作业辅导班":
            if len(after_close) > 10:
                special[after_close[-8]] = "late"
            if len(days) > 20:  # in the semester's third week, logged late and confirmed at once
                special.setdefault(days[10], "late_confirmed")
        plans = {}
        for day in days:
            kind = special.get(day, "")
            if kind == "unlogged":
                continue
            category, activity = service_class.activity, None
            if key[0] == FIRST:
                category, activity = self.activity_of(name, day, activities)
            note = rng.choice(NOTES.get(category, NOTES[AC.HOMEWORK]))
            actor, substitute, at = teacher, "", StoryClock.at(day, 18, rng.randrange(5, 50))
            confirm = None
            if kind.startswith("substitute"):
                _s, username, reason = kind.split(":")
                actor, substitute = story.user(username), SUBSTITUTE_REASONS[int(reason)]
            elif kind == "flagged":
                note = FLAGGED_NOTE
            elif kind in ("late", "late_confirmed"):
                at = StoryClock.at(day + DAY * 5, 20, rng.randrange(60))
                if kind == "late_confirmed":
                    confirm = working_moment(day + DAY * 6, rng)
            assistants = [story.user("zhiyuanzhe")] if name == "三四年级作业辅导班" and day.isoweekday() == 3 else []
            plans[day] = {"actor": actor, "substitute": substitute, "at": at, "note": note, "category": category,
                          "activity": activity, "assistants": assistants, "confirm": confirm}  # fmt: skip
        return plans

    @staticmethod
    def activity_of(name: str, day: datetime.date, activities: dict) -> tuple[str, Activity]:
        """The catalogue activity of the day: homework classes read on Fridays (a film on the first Friday of the
        month for the middle grades, a science experiment for the little ones)."""
        friday = day.isoweekday() == 5
        if name == "五六年级数学答疑小组":
            chosen = "数学答疑小组"
        elif friday and name == "三四年级作业辅导班":
            chosen = "周五电影课" if day.day <= 7 else "经典诵读"
        elif friday:
            chosen = "科学小实验"
        else:
            chosen = "作业辅导班"
        activity = activities[chosen]
        return activity.category, activity


def roll(rng: random.Random, students: list[int]) -> dict[int, tuple[str, str]]:
    """Most children present; now and then one on leave or absent, with the reason the teacher noted."""
    marks = {}
    for student in students:
        r = rng.random()
        if r < 0.035:
            marks[student] = (MARK.LEAVE, rng.choice(LEAVE_REASONS))
        elif r < 0.05:
            marks[student] = (MARK.ABSENT, rng.choice(ABSENT_REASONS))
        else:
            marks[student] = (MARK.PRESENT, "")
    return marks


STORY_MODELS = (Partner, Activity, AgreementText, Agreement, Application, ApplicationEvent, ServiceClass,
                ServiceClassMember, Session, SessionAssistant, Attendance, Substitution, HoursMonth, HoursAdjustment,
                User, Membership)  # fmt: skip


def save_catalogue(school: School, admin: User) -> None:
    """The school's partners and activities (R9–R12), through the services; what is missing by name is added."""
    partners = {p.name: p for p in Partner.objects.filter(school=school)}
    for name, kind, contact in PARTNERS:
        if name not in partners:
            partners[name] = partner_save(actor=admin, school=school, name=name, kind=kind, contact=contact)
    have = set(Activity.objects.filter(school=school).values_list("name", flat=True))
    for name, category, partner, description in ACTIVITIES:
        if name not in have:
            activity_save(
                actor=admin, school=school, name=name, category=category, partner=partners.get(partner),
                description=description,
            )  # fmt: skip


def save_story(school_year: SchoolYear, schools: list[School], actor_of: dict) -> int:
    """The current year's enrollment and service delivery, played on a StoryClock (YearStory, then Delivery).

    The catalogue is completed by name. Transitions cannot be replayed, so the story is played only while no school
    of the county has an agreement text for the year: a second run writes nothing."""
    before = sum(m.objects.count() for m in STORY_MODELS)
    first = next(s for s in schools if s.name == FIRST)
    # Each service opens a savepoint inside the seed's one transaction, so that a caller could carry on after a
    # refusal. The seed never does (any refusal aborts it, and the whole transaction rolls back), so the story runs
    # without them: a third fewer queries, which keeps the seed within its time on PostgreSQL.
    connection = transaction.get_connection()
    with StoryClock() as clock, mock.patch.object(connection.features, "uses_savepoints", False):
        clock.set(StoryClock.at(school_year.start_date + DAY * 19, 9, 40))
        save_catalogue(first, actor_of[first.pk])
        if not AgreementText.objects.filter(school_year=school_year, school__in=schools).exists():
            story = YearStory(school_year, clock, actor_of)
            story.play()
            Delivery(story).play()
    return sum(m.objects.count() for m in STORY_MODELS) - before


def width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK characters take two terminal columns


class Command(BaseCommand):
    help = (
        "Seed a deterministic demo of Xiji County (townships, schools, ~3,000 students, one login per role, "
        "the current school year with timetables and school plans)."
    )

    def handle(self, *args, **options):
        county = DemoCounty(seed=2021)
        # Stored texts (funding lines, timetable summaries) are in the county's language whatever is active.
        with transaction.atomic(), translation.override("zh-hans"):
            written = save(county)
            year, n = save_school_years(timezone.localdate())
            written += n
        self.stdout.write(
            f"西吉县演示数据：新写入 {written} 行。" if written else "西吉县演示数据已完整，未写入任何内容。"
        )
        table = [("角色", "登录名", "密码", "单位")] + [(x.label, x.username, PASSWORD, x.where) for x in LOGINS]
        table.append(("系统管理员（仅 /admin/）", "admin", PASSWORD, ""))
        widths = [max(width(row[i]) for row in table) for i in range(4)]
        for row in table:
            self.stdout.write(
                "  ".join(cell + " " * (w - width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
        in_county = {"school__code__startswith": REGION}
        self.stdout.write(
            f"乡镇 {Township.objects.filter(code__startswith=REGION).count()} · "
            f"学校 {School.objects.filter(code__startswith=REGION).count()} · "
            f"班级 {AdminClass.objects.filter(**in_county).count()} · "
            f"学生 {Student.objects.filter(**in_county).count()} · "
            f"监护人 {Guardian.objects.filter(student_links__student__school__code__startswith=REGION).distinct().count()}"
        )
        self.stdout.write(
            f"学年 {year.name}（{year.start_date:%Y-%m-%d} 至 {year.end_date:%Y-%m-%d}）· "
            f"学期 {year.semesters.count()} · 校历例外日 {year.calendar_days.count()} · "
            f"作息时间表 {Timetable.objects.filter(semester__school_year=year, **in_county).count()} · "
            f"时段 {TimetableSlot.objects.filter(timetable__semester__school_year=year, timetable__school__code__startswith=REGION).count()} · "
            f"补助标准 ¥{SubsidyRate.in_force(year.start_date)}/班/课时"
        )
        self.stdout.write(
            "计划服务天数："
            + " · ".join(f"{STAGE_LABELS[stage]} {planning.planned_days(year, stage)}" for stage in Stage)
        )
        plans = SchoolPlan.objects.filter(school_year=year, **in_county)
        statuses = dict(plans.values_list("status").annotate(n=Count("id")).order_by())
        without = School.objects.filter(code__startswith=REGION).exclude(plans__school_year=year).count()
        self.stdout.write(
            f"一校一案 {plans.count()} 份："
            + " · ".join(f"{STATUS_LABELS[s]} {statuses.get(s, 0)}" for s in PS)
            + f" · 尚无方案的学校 {without}"
        )
        self.print_story(year)

    def print_story(self, year: SchoolYear) -> None:
        in_county = {"school__code__startswith": REGION}
        apps = Application.objects.filter(school_year=year, **in_county)
        statuses = dict(apps.values_list("status").annotate(n=Count("id")).order_by())
        schools = apps.values("school").distinct().count()
        self.stdout.write(
            f"课后服务申请 {apps.count()} 份（{schools} 所学校，代录 {apps.filter(entered_by__isnull=False).count()} 份）："
            + " · ".join(f"{APPLICATION_LABELS[s]} {statuses.get(s, 0)}" for s in AS)
        )
        agreements = Agreement.objects.filter(text__school_year=year, student__school__code__startswith=REGION)
        classes = ServiceClass.objects.filter(school_year=year, **in_county)
        members = ServiceClassMember.objects.filter(service_class__in=classes, end_date__isnull=True)
        self.stdout.write(
            f"自愿服务协议书文本 {AgreementText.objects.filter(school_year=year, **in_county).count()} 版 · "
            f"签署 {agreements.filter(decision=Agreement.Decision.SIGNED).count()} · "
            f"不同意 {agreements.filter(decision=Agreement.Decision.DECLINED).count()} · "
            f"服务班 {classes.count()} 个 · 在班学生 {members.count()} · "
            f"活动 {Activity.objects.filter(**in_county).count()} · 合作单位 {Partner.objects.filter(**in_county).count()}"
        )
        sessions = Session.objects.filter(service_class__in=classes)
        self.stdout.write(
            f"课后服务记录 {sessions.count()} 次 · 点名 {Attendance.objects.filter(session__in=sessions).count()} 人次 · "
            f"代课 {Substitution.objects.filter(service_class__in=classes).count()} · "
            f"待管理员确认 {sessions.filter(status=Session.Status.NEEDS_CONFIRMATION).count()} · "
            f"已结账月份 {HoursMonth.objects.filter(**in_county).count()} · "
            f"课时调整 {HoursAdjustment.objects.filter(**in_county).count()}"
        )
        for line in summary_lines(year):
            self.stdout.write(line)
        self.stdout.write(
            f"插班生 {LATE_JOINER['name']}（{FIRST} 三年级1班）家长信编码 {LATE_JOINER['link_code']}：尚未申请"
        )
