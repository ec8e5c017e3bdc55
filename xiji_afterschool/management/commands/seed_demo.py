"""`python manage.py seed_demo`: a believable demo of Xiji County (西吉县, Ningxia, region code 640422).

Departments, 19 townships, 40 schools with their classes, ~3,300 students with guardians, and one login per
role (password Xiji-2021), printed at the end. The whole county is first drawn in memory from
random.Random(2021) in a fixed order; then, in one transaction, only rows whose natural key (code, username,
id_number, mobile, ...) is not stored yet are written. A second run writes nothing; a half-seeded county is
completed, not duplicated.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from django.core.management.base import BaseCommand
from django.db import transaction

from schools.models import (
    AdminClass,
    Department,
    Guardian,
    Membership,
    Role,
    School,
    Student,
    StudentGuardian,
    Township,
    User,
)
from schools.validators import id_number_check_char, validate_id_number, validate_mobile

T = School.Type
VK = Membership.VolunteerKind
REGION = "640422"
PASSWORD = "Xiji-2021"  # noqa: S105 — the published password of the demo logins
SEAT, FIRST = "吉强镇", "西吉县第一小学"  # the county seat, and the school of the school-level demo logins
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
    "新营乡", "红耀乡", "田坪乡", "马建乡", "震湖乡", "兴平乡", "西滩乡", "王民乡",
    "什字乡", "马莲乡", "硝河乡", "偏城乡", "沙沟乡", "白崖乡", "火石寨乡",
)  # fmt: skip
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
    ("吉强镇", "龙王坝小学"), ("兴隆镇", "单家集小学"), ("平峰镇", "杨河村小学"), ("将台堡镇", "明荣小学"),
    ("新营乡", "陈阳川小学"), ("红耀乡", "王河小学"), ("震湖乡", "苏堡小学"), ("火石寨乡", "石洼小学"),
)  # fmt: skip
TEACHING_POINTS = (
    ("兴隆镇", "玉桥教学点"), ("马建乡", "大坪教学点"), ("什字乡", "保林教学点"),
    ("偏城乡", "北庄教学点"), ("沙沟乡", "大寨教学点"), ("白崖乡", "旧堡教学点"),
)  # fmt: skip
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
    Login("xiangzhen", "苏宏伟", Role.TOWNSHIP_COORDINATOR, "乡镇统筹", township="兴隆镇"),
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
class SchoolPlan:
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


def plan_schools() -> list[SchoolPlan]:
    schools, central = [], {}

    def add(name, kind, township, per_grade=1, is_central=False):
        dependent = kind in School.DEPENDENT_TYPES
        code = f"{REGION}{len(schools) + 1:04d}"
        central_code = central[township] if dependent else ""
        schools.append(SchoolPlan(code, name, kind, township, per_grade, is_central, central_code))
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

    def student(self, school: SchoolPlan, grade: int, family: Family) -> dict:
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
        """About 60 more staff without printed logins, so lists and pickers look lived in."""
        by_name = {s.name: s for s in self.schools}
        plans = [(Role.SCHOOL_ADMIN, name, None, "") for name in ADMIN_SCHOOLS]
        plans += [(Role.SERVICE_TEACHER, SERVICE_SCHOOLS[i % 6], None, "") for i in range(12)]
        plans += [
            (Role.VOLUNTEER, SERVICE_SCHOOLS[i % 4], None, (VK.UNIVERSITY_STUDENT, VK.PARENT)[i % 2]) for i in range(8)
        ]
        plans += [
            (Role.CLASS_TEACHER, name, (g, n), "")
            for name in CLASS_TEACHER_SCHOOLS
            for code, g, n in self.classes
            if code == by_name[name].code and (name, g, n) != (FIRST, 3, 1)
        ]
        return [
            Login(
                f"t{i:04d}", self.name(self.rng.random() < 0.5), role, school=school, grade_class=gc, volunteer_kind=vk
            )
            for i, (role, school, gc, vk) in enumerate(plans, start=1)
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
                user_id=users[login.username], role=login.role, school_id=school,
                admin_class_id=classes.get((school, *login.grade_class)) if login.grade_class else None,
                township_id=townships.get(login.township), department_id=departments.get(login.department),
                volunteer_kind=login.volunteer_kind,
            )
        )  # fmt: skip
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


def width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK characters take two terminal columns


class Command(BaseCommand):
    help = "Seed a deterministic demo of Xiji County (townships, schools, ~3,000 students, one login per role)."

    def handle(self, *args, **options):
        county = DemoCounty(seed=2021)
        with transaction.atomic():
            written = save(county)
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
