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
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation

from schools import planning
from schools.models import (
    ActivityCategory,
    AdminClass,
    CalendarDay,
    CountySettings,
    Department,
    Guardian,
    Membership,
    PlanSection,
    Role,
    School,
    SchoolPlan,
    SchoolPlanEvent,
    SchoolYear,
    Semester,
    ServiceMode,
    Stage,
    Student,
    StudentGuardian,
    SubsidyRate,
    Timetable,
    TimetableSlot,
    Township,
    User,
)
from schools.plan_sections import SECTIONS, build_form
from schools.services.calendar import timetable_problems
from schools.services.plans import (
    plan_file,
    plan_forward,
    plan_return,
    plan_revise,
    plan_section_save,
    plan_start,
    plan_submit,
)
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
)
# The parent's two children: the first pupil of these classes (the first is the class teacher's class).
PARENT_SLOTS = ((FIRST, 3, 1), (FIRST, 5, 2))
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
    return current, written


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
