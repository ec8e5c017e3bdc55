"""The schools' part of the demo county (see xiji_afterschool/demo.py for the contract, the clock and the order).

SETUP. The county drawn in memory from random.Random(2021) in a fixed order (DrawnCounty: 19 townships, 40 schools
with their classes, ~3,300 students with guardians, ~90 staff and one login per role), then only the rows whose
natural key is not stored yet are written. Then the school year that contains `county.now` and the one before it:
semesters and calendar days (the bureau), the subsidy rate, version 1 of every school's timetables (every stage,
both semesters, in force from the first day, made in August), the school plans (一校一案) in every state, written
through the plan services as the users entitled to each step (played only while the year has no plan), the
activity catalogue of 西吉县第一小学 (completed by name) and the service classes of the story schools (formed on
26 August, only while the year has none there).

DELIVERY. The current semester's sessions up to yesterday for LOGGED_CLASSES, following the timetables and the
calendar, logged the evening they ran by the teacher (or the recorded substitute) with the roll; a few logged late
or flagged for the administrator; at 西吉县第一小学 the semester's first month closed and one adjustment. Played only
while the year has no session at these schools. The service teacher's session on the last service day before today
is left unlogged: it waits on their "today" page (the browser test logs it), as does today's session.

Writes go through the schools services, except the roster (townships, schools, classes, users, memberships,
students, guardians and their links): there is no bulk roster service (the roster import reads a workbook per
school), so it is bulk-inserted like an import would, validated on a sample by the models' own full_clean.
"""

import datetime
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from schools.forms.plans import SECTIONS, build_form
from schools.models import (
    Activity,
    ActivityCategory,
    AdminClass,
    Attendance,
    CalendarDay,
    CountySettings,
    Department,
    Grade,
    Guardian,
    HoursAdjustment,
    HoursMonth,
    Membership,
    Partner,
    PasswordReset,
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
    TimetableSlot,
    Township,
    User,
)
from schools.rules import calendar as calendar_rules
from schools.rules import hours as hours_rules
from schools.rules import roster as roster_rules
from schools.selectors import passwords as passwords_selectors
from schools.selectors import sessions as sessions_selectors
from schools.services import retention as retention_services
from schools.services.activities import activity_save, partner_save
from schools.services.calendar import calendar_day_set, school_year_save
from schools.services.classes import service_class_save
from schools.services.hours import hours_adjust, hours_month_close
from schools.services.passwords import reset_password
from schools.services.plans import (
    plan_file,
    plan_forward,
    plan_return,
    plan_revise,
    plan_section_save,
    plan_start,
    plan_submit,
)
from schools.services.rates import rate_set
from schools.services.sessions import session_confirm, session_log, substitution_record
from schools.services.timetables import SlotRow, timetable_create, timetable_save
from xiji_afterschool import crypto
from xiji_afterschool.demo import (
    COORDINATED,
    DAY,
    DELIVERY,
    DEPARTMENTS,
    FIRST,
    KEPT_SCHOOLS,
    LOGINS,
    PARENT_MOBILE,
    PASSWORD,
    REGION,
    SEAT,
    SETUP,
    DemoCounty,
    Login,
    at,
    school_year_start,
    working_moment,
    year_name,
)

VK = Membership.VolunteerKind
T = School.Type

# ---------------------------------------------------------------- the roster, drawn in memory

LINK_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as schools.models.new_link_code, drawn from our seed

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


PARENT_SLOTS = ((FIRST, 3, 1), (FIRST, 5, 2))
# A girl who moved to the class teacher's class in November, after the application deadline: no application yet.
# The parent browser test registers a new account, links her with this code and applies. She is drawn after
# everyone else and uses no random number, so the rest of the county is the same with or without her.
# Her birth date follows the school year like everyone's: 15 March, in the year that makes her a third-grader.
LATE_JOINER = {"name": "马小燕", "gender": "F", "link_code": "MAXY2345"}
LATE_JOINER_CLASS = (FIRST, 3, 1)
LATE_JOINER_BIRTHDAY = (3, 15)
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


def cohort_start(y: int, grade: int) -> datetime.date:
    """The first birth day of the pupils of `grade` who started school on time, in the school year beginning in
    August of y: a grade-1 pupil turns 6 by 1 September of y (born 2 September y-7 to 1 September y-6), so is 6 or
    7 at the start of the year, a senior-three pupil (grade 12) 17 or 18; kindergarten grades are -2..0."""
    return datetime.date(y - 6 - grade, 9, 2)


class DrawnCounty:
    """The county drawn in memory. Every random draw happens here, in a fixed order: same seed, same county.

    `y` is the school year the county is drawn for (beginning in August of y): the pupils' birth dates follow it,
    so every pupil's age fits their grade whatever the year the demo is played in. The draws do not depend on it: a
    county drawn for another year has the same pupils, each born the same day of the year, years earlier or later.
    """

    def __init__(self, seed: int = 2021, rng: random.Random | None = None, y: int | None = None):
        self.rng = rng or random.Random(seed)
        self.y = school_year_start(timezone.localdate()) if y is None else y
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
        roster_rules.validate_mobile(mobile)
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
        # A grade-1 pupil turns 6 by 1 September of y (born 2 September y-7 to 1 September y-6); one in ten
        # started a year late. (365 days from 2 September, one day short of 1 September when February has 29.)
        late = rng.random() < 0.1
        first = cohort_start(self.y, grade)
        birth = first.replace(year=first.year - late) + datetime.timedelta(days=rng.randrange(365))
        while True:  # GB 11643: region, birth date, sequence (odd for boys, even for girls), check character
            body = f"{REGION}{birth:%Y%m%d}{rng.randrange(1 if male else 2, 1000, 2):03d}"
            if body not in self.id_bodies:
                break
        self.id_bodies.add(body)
        id_number = body + roster_rules.id_number_check_char(body)
        roster_rules.validate_id_number(id_number)
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
        birth = datetime.date(cohort_start(self.y, LATE_JOINER_CLASS[1]).year + 1, *LATE_JOINER_BIRTHDAY)
        body = next(
            b for n in range(86, 1000, 2) if (b := f"{REGION}{birth:%Y%m%d}{n:03d}") not in self.id_bodies
        )  # an even sequence number: a girl
        self.id_bodies.add(body)
        mobile, name, relation = LATE_JOINER_GUARDIAN
        assert mobile not in self.mobiles and LATE_JOINER["link_code"] not in self.link_codes
        roster_rules.validate_mobile(mobile)
        self.mobiles.add(mobile)
        self.link_codes.add(LATE_JOINER["link_code"])
        fields = {
            **LATE_JOINER,
            "birth_date": birth,
            "id_number": body + roster_rules.id_number_check_char(body),
            "is_boarder": False,
        }
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

    def keep(self, n: int | None) -> "DrawnCounty":
        """Only KEPT_SCHOOLS and the first schools in drawing order, up to n (None: all), with their classes,
        pupils and staff, and the coordinators of their townships. The draws are not repeated: every kept row is
        the row of the full county."""
        if n is None:
            return self
        names = list(KEPT_SCHOOLS)
        names += [s.name for s in self.schools if s.name not in names][: max(n - len(names), 0)]
        self.schools = [s for s in self.schools if s.name in names]  # central schools come first: always kept
        codes = {s.code for s in self.schools}
        townships = {s.township for s in self.schools} | {COORDINATED}
        self.classes = [c for c in self.classes if c[0] in codes]
        self.students = [row for row in self.students if row[0][0] in codes]
        self.staff = [x for x in self.staff if x.school in names or (x.township and x.township in townships)]
        return self


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


def save_roster(county: DrawnCounty) -> int:
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
            phone=f"0954-70{int(s.code[-4:]):05d}",  # Xiji's area code; the office number parents call
        ).pk  # fmt: skip
    code_of = {s.name: s.code for s in county.schools}
    rows = [AdminClass(school_id=schools[code], grade=g, number=n) for code, g, n in county.classes]
    classes, n = insert_missing(
        AdminClass, rows, ("school_id", "grade", "number"), school_id__in=list(schools.values())
    )
    written += n

    users = {}
    for login in (*LOGINS, *county.staff):
        # A parent's login is their mobile; the account's user name is derived from its digest (issue 14 item 6).
        mobile = login.username if login.role == Role.PARENT else None
        username = crypto.parent_username(mobile) if mobile else login.username
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=login.full_name, mobile=mobile, date_joined=timezone.now())
            if login.label:
                user.set_password(PASSWORD)
            else:
                user.set_unusable_password()
            user.save()
            written += 1
        users[login.username] = user.pk
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", password=PASSWORD, full_name="系统管理员", date_joined=timezone.now())
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
            # The digest set here: insert_missing compares it before bulk_create computes it.
            guardians.setdefault(mobile, Guardian(name=name, mobile=mobile, mobile_digest=crypto.mobile_digest(mobile)))
    guardians[PARENT_MOBILE].user_id = users[PARENT_MOBILE]
    digests = [g.mobile_digest for g in guardians.values()]
    guardian_pks, n = insert_missing(Guardian, list(guardians.values()), ("mobile_digest",), mobile_digest__in=digests)
    written += n
    rows = [
        Student(school_id=schools[c[0]], admin_class_id=classes[(schools[c[0]], c[1], c[2])], **fields)
        for c, fields, _ in county.students
    ]
    # Keyed by the link code, not the ID number: the birth dates (so the ID numbers) follow the school year, and a
    # county seeded in an earlier year is completed, not drawn twice.
    student_pks, n = insert_missing(Student, rows, ("link_code",), school_id__in=list(schools.values()))
    written += n
    rows = [
        StudentGuardian(
            student_id=student_pks[(fields["link_code"],)], guardian_id=guardian_pks[(crypto.mobile_digest(mobile),)],
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


def save_calendar(county: DemoCounty, y: int) -> SchoolYear:
    """The school year beginning in y with its semesters (published by the bureau on 1 July) and its calendar days;
    only what is missing is written."""
    fields, semesters, days = plan_calendar(y)
    bureau = county.user("jiaotiju")
    with county.clock.at(at(datetime.date(y, 7, 1), 10)):
        school_year = SchoolYear.objects.filter(name=year_name(y)).first()
        if school_year is None:
            school_year = school_year_save(
                actor=bureau, name=year_name(y), **fields,
                semesters=[{"start_date": start, "end_date": end} for start, end in semesters],
            )  # fmt: skip
        have = set(school_year.calendar_days.values_list("date", flat=True))
        for day, (kind, note) in sorted(days.items()):
            if day not in have:
                calendar_day_set(actor=bureau, school_year=school_year, date=day, kind=kind, note=note)
    return school_year


def slot_rows(stage: str) -> list[SlotRow]:
    """Two hours on each day of the stage's mode, the same in both seasons for the senior evening service,
    16:00-18:00 in summer and 15:40-17:40 in winter for day service."""
    mode = ServiceMode.for_stage(stage)
    rows = []
    for season in (Season.SUMMER, Season.WINTER):
        if stage == Stage.SENIOR:
            kind, times = TimetableSlot.Kind.EVENING, EVENING_TIMES
        else:
            kind, times = TimetableSlot.Kind.REGULAR, SUMMER_TIMES if season == Season.SUMMER else WINTER_TIMES
        start, end = (datetime.time(*t) for t in times)
        rows.append(SlotRow(season, kind, list(mode.weekdays), start, end))
    return rows


def actors(county: DemoCounty, schools: list[School]) -> dict[int, User]:
    """school pk -> the user who writes its plan: its administrator, or for a village school or teaching point
    the coordinator of its township (R16). One User object per person, so the permission cache is reused."""
    one = county.user_object

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


def save_timetables(county: DemoCounty, school_year: SchoolYear, schools: list[School], actor_of: dict) -> None:
    """Version 1 of every stage's timetable for both semesters, made in late August (so in force from the first day
    of the semester) by whoever writes the school's plan; only the missing ones, and slots where there are none."""
    semesters = list(school_year.semesters.order_by("number"))
    have = {
        (t.school_id, t.semester_id, t.stage): t
        for t in Timetable.objects.filter(semester__in=semesters, school__in=schools, version=1).annotate(
            n=Count("slots")
        )
    }
    with county.clock.at(at(datetime.date(school_year.start_date.year, 8, 25), 10)):
        for school in schools:
            for stage in school.stages:
                for semester in semesters:
                    timetable = have.get((school.pk, semester.pk, stage))
                    if timetable is not None and timetable.n:
                        continue
                    actor = actor_of[school.pk]
                    timetable = timetable or timetable_create(
                        actor=actor, school=school, semester=semester, stage=stage
                    )
                    rows = slot_rows(stage)
                    timetable_save(
                        actor=actor, timetable=timetable, opening_season=timetable.opening_season,
                        switch_date=timetable.switch_date, rows=rows,
                    )  # fmt: skip


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

    def __init__(self, school_year: SchoolYear, schools: list[School], actor_of: dict, bureau: User, clock):
        self.year, self.actor_of, self.bureau, self.clock = school_year, actor_of, bureau, clock
        self.moments = iter(())
        self.y = school_year.start_date.year
        by_pk = {s.pk: s for s in schools}
        self.coordinator = {s.township_id: actor_of[s.pk] for s in schools if s.is_dependent}
        self.classes = defaultdict(lambda: defaultdict(int))  # school pk -> stage -> administrative classes
        for school, grade in AdminClass.objects.filter(school__in=schools).values_list("school_id", "grade"):
            self.classes[school][Grade.stage_of(grade)] += 1
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

    def story_moments(self, school: School, story: str):
        """The story's clock for one plan, a few hours a step: a plan filed this year was written, sent up and filed
        in August, before the 31 August deadline; one still on its way was sent up in the last days."""
        offset = int(school.code[-3:]) % 12 if school.code[-3:].isdigit() else 0
        if story in ("filed", "refiled", "revised"):
            start = at(datetime.date(self.y, 8, 6 + offset), 9)
        else:
            start = self.clock.now - datetime.timedelta(days=8 - offset % 5, hours=offset)
        return (start + datetime.timedelta(hours=5 * i) for i in itertools.count())

    def step(self):
        """The next moment of the plan's story (`with self.step(): service(...)`)."""
        return self.clock.at(next(self.moments))

    def save_section(self, plan: SchoolPlan, key: str, data: dict) -> None:
        form = build_form(key, school=plan.school, data=data)
        if not form.is_valid():
            raise CommandError(f"{plan.school.name} {key}: {form.errors.as_text()}")
        with self.step():
            plan_section_save(actor=self.actor_of[plan.school_id], plan=plan, key=key, cleaned_data=form.cleaned_data)

    # -- the stories

    def submit(self, plan: SchoolPlan) -> SchoolPlan:
        with self.step():
            return plan_submit(actor=self.actor_of[plan.school_id], plan=plan)

    def to_bureau(self, plan: SchoolPlan) -> SchoolPlan:
        plan = self.submit(plan)
        if plan.status == PS.AT_TOWNSHIP:
            coordinator = self.coordinator[plan.school.township_id]
            with self.step():
                plan = plan_forward(actor=coordinator, plan=plan, note="已审核，同意报送县教体局。")
        return plan

    def file(self, plan: SchoolPlan) -> SchoolPlan:
        with self.step():
            return plan_file(actor=self.bureau, plan=plan, note="同意备案。")

    def send_back(self, actor, plan: SchoolPlan, note: str) -> SchoolPlan:
        with self.step():
            return plan_return(actor=actor, plan=plan, note=note)

    def write(self, school: School, story: str) -> None:
        data = self.sections(school)
        actor = self.actor_of[school.pk]
        self.moments = self.story_moments(school, story)
        with self.step():
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
            self.send_back(self.coordinator[school.township_id], plan, TOWNSHIP_RETURN)
        elif story == "at_bureau":
            self.to_bureau(plan)
        elif story == "returned":
            self.send_back(self.bureau, self.to_bureau(plan), BUREAU_RETURN)
        elif story == "refiled":
            plan = self.send_back(self.bureau, self.to_bureau(plan), INSURANCE_RETURN)
            self.save_section(plan, "safety", {**data["safety"], "insured": True})
            self.file(self.to_bureau(plan))
        elif story in ("filed", "revised"):
            plan = self.file(self.to_bureau(plan))
            if story == "revised":  # the October refinement (R17): a second parent survey after a month of service
                self.moments = (
                    at(datetime.date(self.y, 10, 16), 9) + datetime.timedelta(hours=3 * i) for i in itertools.count()
                )
                with self.step():
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


def save_plans(county: DemoCounty, school_year: SchoolYear, schools: list[School], actor_of: dict) -> None:
    """The current year's plans in every state (the schools of PLAN_STORIES in the county). The transitions are not
    idempotent: once any plan of the year exists, nothing is written."""
    if SchoolPlan.objects.filter(school_year=school_year, school__in=schools).exists():
        return
    writer = PlanWriter(school_year, schools, actor_of, county.user("jiaotiju"), county.clock)
    by_name = {s.name: s for s in schools}
    for name, story in PLAN_STORIES:  # each step at its moment of the story (PlanWriter.story_moments)
        if name in by_name:
            writer.write(by_name[name], story)


# ---------------------------------------------------------------- the catalogue, the service classes, the delivery

AC = ActivityCategory

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


# The service classes of the year's story schools (enrollment.demo fills them): (school, ClassPlan), in this order.
SERVICE_CLASSES = (
    (FIRST, ClassPlan("一二年级作业辅导班", AC.HOMEWORK, "t0017", 40, (1, 2))),
    (FIRST, ClassPlan("三四年级作业辅导班", AC.HOMEWORK, "jiaoshi", 40, (3, 4))),
    (FIRST, ClassPlan("五六年级数学答疑小组", AC.TUTORING, "zhiyuanzhe", 30, (5, 6))),
    (FIRST, ClassPlan("低年级经典诵读班", AC.READING, "t0033", 40, (1, 2, 3))),
    (FIRST, ClassPlan("篮球社", AC.SPORTS, "t0041", 30, (4, 5, 6))),
    (FIRST, ClassPlan("延时托管班", AC.CUSTODY, "t0011", 20, (), SCK.EXTENDED)),
    ("西吉县第二小学", ClassPlan("一至三年级作业辅导班", AC.HOMEWORK, "t0012", 30, (1, 2, 3))),
    ("西吉县第二小学", ClassPlan("四至六年级阅读班", AC.READING, "t0018", 30, (4, 5, 6))),
    ("兴隆镇中心小学", ClassPlan("课后服务班", AC.HOMEWORK, "t0014", 30)),
)
# The service classes whose sessions are logged (the others' teachers have logged nothing yet).
LOGGED_CLASSES = (
    (FIRST, "三四年级作业辅导班"),
    (FIRST, "五六年级数学答疑小组"),
    (FIRST, "一二年级作业辅导班"),
    ("西吉县第二小学", "一至三年级作业辅导班"),
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


def form_classes(county: DemoCounty, school_year: SchoolYear) -> None:
    """On 26 August the story schools form their service classes (only while the year has none there)."""
    schools = {name: county.school(name) for name in dict(SERVICE_CLASSES)}
    if ServiceClass.objects.filter(school_year=school_year, school__in=schools.values()).exists():
        return
    admins = county.admins(schools.values())
    with county.clock.at(at(datetime.date(county.y, 8, 26), 15, 10)):
        for name, plan in SERVICE_CLASSES:
            school = schools[name]
            admin_classes = list(AdminClass.objects.filter(school=school).order_by("grade", "number"))
            service_class_save(
                actor=admins[school.pk], school=school, school_year=school_year, name=plan.name,
                kind=plan.kind, activity=plan.activity, teacher=county.user(plan.teacher), capacity=plan.capacity,
                admin_classes=[c for c in admin_classes if c.grade in plan.grades],
            )  # fmt: skip


class Delivery:
    """A semester of sessions up to yesterday for the LOGGED_CLASSES, following the timetables and the calendar,
    logged the evening they ran by the teacher (or the recorded substitute), with the roll; a few logged late or
    flagged for the administrator; at 西吉县第一小学 the semester's first month closed and one adjustment.

    The service teacher's session on the last service day before today is left unlogged: it waits on their
    "today" page (the browser test logs it), as does today's session on a service day."""

    def __init__(self, county: DemoCounty, year: SchoolYear):
        self.county, self.clock, self.year, self.today, self.y = county, county.clock, year, county.today, county.y
        started = [s for s in self.year.semesters.all() if s.start_date < self.today]
        self.semester = max(started, key=lambda s: s.start_date) if started else None
        self.settings = CountySettings.current()

    def play(self) -> None:
        if self.semester is None:
            return
        county = self.county
        first = county.school(FIRST)
        admin = county.admins([first])[first.pk]
        classes = {
            key: ServiceClass.objects.select_related("school", "school_year")
            .prefetch_related("admin_classes")
            .get(school__name=key[0], school__code__startswith=REGION, school_year=self.year, name=key[1])
            for key in LOGGED_CLASSES
        }
        if Session.objects.filter(service_class__in=classes.values()).exists():
            return  # played already: sessions cannot be logged twice
        exceptions = calendar_rules.calendar_exceptions(self.year)
        timetables = sessions_selectors.timetables_for(
            school_ids=sorted({c.school_id for c in classes.values()}), first=self.semester.start_date, last=self.today
        )
        activities = {a.name: a for a in Activity.objects.filter(school=first)}
        month = self.semester.start_date.replace(day=1)
        month_end = hours_rules.month_end(month)
        plans = {}  # class key -> {day: (actor, logged at, note, category, activity, assistants)}
        for key, service_class in classes.items():
            stage = sessions_selectors.class_stage(service_class)
            mode = ServiceMode.for_stage(stage)
            days = [
                d
                for d in calendar_rules.service_days(semesters=[self.semester], mode=mode, exceptions=exceptions)
                if d < self.today
            ]
            plans[key] = self.plan_days(key, service_class, days, activities, month_end)
        # The school records its substitutes the afternoon before.
        for key, days in plans.items():
            for day, plan in days.items():
                if plan["substitute"]:
                    with self.clock.at(at(day - DAY, 16, 10)):
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
                with self.clock.at(plan["at"]):
                    session = session_log(
                        actor=plan["actor"], service_class=service_class, date=day, start_time=slot.start_time,
                        end_time=slot.end_time, class_hours=sessions_selectors.prefill_class_hours(slot, self.settings),
                        activity_category=plan["category"], activity=plan["activity"], content_note=plan["note"],
                        assistants=plan["assistants"], marks=roll(rng, sorted(present)),
                    )  # fmt: skip
                if plan["confirm"]:
                    to_confirm.append((plan["confirm"], session))
        for moment, session in to_confirm:
            with self.clock.at(moment):
                session_confirm(actor=admin, session=session)
        if month_end < self.today:
            with self.clock.at(at(month_end + DAY * 9, 10, 30)):
                hours_month_close(actor=admin, school=first, month=month)
            days = [d for d in plans[FIRST, "三四年级作业辅导班"] if d.month == month.month]
            thursday = next((d for d in days if d.isoweekday() == 4), days[0])
            with self.clock.at(at(month_end + DAY * 12, 11, 0)):
                hours_adjust(
                    actor=admin, school=first, person=county.user("zhiyuanzhe"), month=month, role="assistant",
                    class_hours=Decimal("2.0"), sessions=1,
                    reason=f"{thursday.month}月{thursday.day}日也协助了三四年级作业辅导班，登记时漏选助教，经核实补记。",
                )  # fmt: skip

    def plan_days(self, key, service_class, days, activities, month_end) -> dict:
        """Who logs each day's session, when, and what was done."""
        county = self.county
        teacher = county.user(service_class.teacher.username)
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
            actor, substitute, moment = teacher, "", at(day, 18, rng.randrange(5, 50))
            confirm = None
            if kind.startswith("substitute"):
                _s, username, reason = kind.split(":")
                actor, substitute = county.user(username), SUBSTITUTE_REASONS[int(reason)]
            elif kind == "flagged":
                note = FLAGGED_NOTE
            elif kind in ("late", "late_confirmed"):
                moment = at(day + DAY * 5, 20, rng.randrange(60))
                if kind == "late_confirmed":
                    confirm = working_moment(day + DAY * 6, rng)
            assistants = [county.user("zhiyuanzhe")] if name == "三四年级作业辅导班" and day.isoweekday() == 3 else []
            plans[day] = {"actor": actor, "substitute": substitute, "at": moment, "note": note, "category": category,
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


# ---------------------------------------------------------------- the contract


def play(county: DemoCounty, phase: str) -> list[str]:
    """SETUP: the roster, both years' calendars, this year's timetables, plans, catalogue and service classes.
    DELIVERY: this semester's sessions, substitutes, the first month closed. Returns the summary lines."""
    if phase == SETUP:
        drawn = DrawnCounty(rng=county.rng, y=county.y).keep(county.schools_wanted)
        with county.clock.at(county.clock.now):
            save_roster(drawn)
            CountySettings.current()  # the county's defaults: 2 class-hours a day, pick-up from 17:30
            retention_services.settings_defaults()  # issue #14: how long each class of data is kept
        if not SubsidyRate.objects.filter(effective_from=RATE_FROM).exists():
            with county.clock.at(at(RATE_FROM - DAY * 12, 10)):  # a rate starts on a future day (the bureau)
                rate_set(actor=county.user("jiaotiju"), amount=RATE, effective_from=RATE_FROM, note=RATE_NOTE)
        save_calendar(county, county.y - 1)  # last year, for history: calendar only
        year = save_calendar(county, county.y)
        schools = list(county.in_county())
        actor_of = actors(county, schools)
        save_timetables(county, year, schools, actor_of)
        save_plans(county, year, schools, actor_of)
        first = county.school(FIRST)
        with county.clock.at(at(year.start_date + DAY * 19, 9, 40)):
            save_catalogue(first, actor_of[first.pk])
        form_classes(county, year)
        save_password_reset(county, year)
        return setup_lines(county, year)
    if phase == DELIVERY:
        year = county.school_year()
        Delivery(county, year).play()
        return delivery_lines(year)
    return []


def save_password_reset(county: DemoCounty, year: SchoolYear) -> None:
    """A teacher who forgot their password: the school administrator resets it (issue 13 §2); it shows on the
    school's "Staff passwords" page. Never one of the README's demo logins (their password stays Xiji-2021)."""
    admin = county.user("xuexiao")
    if PasswordReset.objects.filter(reset_by=admin).exists():
        return
    candidates = passwords_selectors.resettable_staff(viewer=admin).filter(username__startswith="t0")
    teacher = candidates.order_by("-username").first()
    if teacher is not None:
        with county.clock.at(at(year.start_date + DAY * 23, 16, 20)):
            reset_password(actor=admin, user=teacher)


def setup_lines(county: DemoCounty, year: SchoolYear) -> list[str]:
    in_county = {"school__code__startswith": REGION}
    plans = SchoolPlan.objects.filter(school_year=year, **in_county)
    statuses = dict(plans.values_list("status").annotate(n=Count("id")).order_by())
    guardians = Guardian.objects.filter(student_links__student__school__code__startswith=REGION).distinct().count()
    slots = TimetableSlot.objects.filter(
        timetable__semester__school_year=year, timetable__school__code__startswith=REGION
    )
    return [
        f"乡镇 {Township.objects.filter(code__startswith=REGION).count()} · 学校 {county.in_county().count()} · "
        f"班级 {AdminClass.objects.filter(**in_county).count()} · 学生 {Student.objects.filter(**in_county).count()} · "
        f"监护人 {guardians}",
        f"学年 {year.name}（{year.start_date:%Y-%m-%d} 至 {year.end_date:%Y-%m-%d}）· "
        f"学期 {year.semesters.count()} · 校历例外日 {year.calendar_days.count()} · "
        f"作息时间表 {Timetable.objects.filter(semester__school_year=year, **in_county).count()} · "
        f"时段 {slots.count()} · 补助标准 ¥{SubsidyRate.in_force(year.start_date)}/班/课时",
        "计划服务天数：" + " · ".join(f"{STAGE_LABELS[st]} {calendar_rules.planned_days(year, st)}" for st in Stage),
        f"一校一案 {plans.count()} 份："
        + " · ".join(f"{STATUS_LABELS[st]} {statuses.get(st, 0)}" for st in PS)
        + f" · 尚无方案的学校 {county.in_county().exclude(plans__school_year=year).count()}",
    ]


def delivery_lines(year: SchoolYear) -> list[str]:
    in_county = {"school__code__startswith": REGION}
    classes = ServiceClass.objects.filter(school_year=year, **in_county)
    members = ServiceClassMember.objects.filter(service_class__in=classes, end_date__isnull=True)
    sessions = Session.objects.filter(service_class__in=classes)
    return [
        f"服务班 {classes.count()} 个 · 在班学生 {members.count()} · "
        f"活动 {Activity.objects.filter(**in_county).count()} · 合作单位 {Partner.objects.filter(**in_county).count()}",
        f"课后服务记录 {sessions.count()} 次 · 点名 {Attendance.objects.filter(session__in=sessions).count()} 人次 · "
        f"代课 {Substitution.objects.filter(service_class__in=classes).count()} · "
        f"待管理员确认 {sessions.filter(status=Session.Status.NEEDS_CONFIRMATION).count()} · "
        f"已结账月份 {HoursMonth.objects.filter(month__gte=year.start_date, **in_county).count()} · "
        f"课时调整 {HoursAdjustment.objects.filter(**in_county).count()}",
    ]
