"""The county at scale (`seed_demo --scale county|N`, issue #16): the bulk part added around the demo county.

The demo county (xiji_afterschool/demo.py) is played first, through the services, as always: its logins and stories
are untouched. This module then adds, in bulk, the rest of a county of the wanted size:

    --scale county   ~250 schools and teaching points, ~55,000 pupils, ~1,600 service classes (Xiji's size)
    --scale N        N times the demo county (schools, pupils), the same shape

What it adds, reproducibly from the demo's seed (its own `random.Random`, so the same arguments give the same rows):
schools of every type across the 19 townships (village schools and teaching points under their township's central
school), their administrative classes, pupils with valid resident ID numbers (640422, a birth date fitting their
grade in the current school year, an odd or even sequence number for boys and girls, the GB 11643 check character),
believable names, one or two guardians each, an administrator and service teachers per school (no usable password),
a daily service class per administrative class with ~90 % of its pupils, and this school year's sessions up to
yesterday on the calendar's service days, each with its whole roll (a few absent or on leave). Last school year too,
whole: a service class per administrative class but a school's lowest grade (the same pupils a grade lower, their
memberships ended with that year), its sessions on that year's service days with their rolls, and its months closed
by each school's administrator (HoursMonth) after them; so a county seeded on any day has a full year of rolls.

How: PostgreSQL's COPY (psycopg2's copy_expert) for the big tables, `bulk_create` elsewhere; on SQLite (the tests'
small runs) bulk_create throughout. Nothing is disabled: the append-only and closed-month triggers fire on every row,
and the rows are inserted in an order they accept (sessions before their roll, a month's rows before it is closed).
Idempotent: a school year that already has bulk sessions is not replayed; the roster adds only what is missing.

Then, for both years, the families' paperwork (xiji_afterschool/scale_families.py: a parent account for the primary
guardian of every pupil in service, linked as the roster guardian; the school's agreement text; the consents, to
personal information and, for most families, to sensitive information; the signed agreement; the application,
attending the pupil's class, with its history) and the schools' plans and money (xiji_afterschool/scale_money.py:
the filed school plan, the annual claim computed by the funding rules and allocated into the school's fund, the
approved spending plan and pay scheme, and last year's two pay runs over its closed months, each booked in the
ledger), in the order the triggers accept. Not generated for the bulk schools: safety hand-overs (one record per
present child per session: ~9.5 M more rows, as many as the roll), timetables, supplementary claims, other spending,
settlements and disclosures; the demo county's own are there. The console's summaries of both years are refreshed
after all the bulk rows.
"""

import datetime
import io
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from schools.demo import BOYS, ELDERS, GIRLS, LINK_ALPHABET, MOBILE_PREFIXES, SURNAMES, TOWNSHIPS
from schools.models import (
    AdminClass,
    Attendance,
    Grade,
    Guardian,
    HoursMonth,
    Membership,
    Role,
    School,
    SchoolYear,
    ServiceClass,
    ServiceClassMember,
    ServiceMode,
    Session,
    Student,
    StudentGuardian,
    Township,
    User,
)
from schools.models.activities import ActivityCategory
from schools.rules import calendar as calendar_rules
from schools.rules import roster as roster_rules
from schools.selectors import sessions as sessions_selectors
from xiji_afterschool.bureau.services import console as console_services
from xiji_afterschool.demo import FIRST_BULK_CODE, REGION, DemoCounty
from xiji_afterschool.fields import sealed_for_copy

from . import scale_families, scale_money

T = School.Type
COUNTY = {"schools": 250, "students": 55_000}  # Xiji County: ~250 schools and teaching points, 55,000 pupils
FIRST_CODE = FIRST_BULK_CODE  # bulk school codes 6404220101…: clear of the demo's 640422000x
USER_PREFIX = "x"  # bulk staff usernames x00001…: clear of the demo's t0001…
# The mix of the bulk schools: mostly village schools and teaching points, as in a rural county.
MIX = (
    (T.VILLAGE, 0.44),
    (T.TEACHING_POINT, 0.22),
    (T.PRIMARY, 0.12),
    (T.KINDERGARTEN, 0.10),
    (T.NINE_YEAR, 0.05),
    (T.JUNIOR, 0.04),
    (T.COMPLETE, 0.02),
    (T.SENIOR, 0.01),
)
GRADES = {
    T.KINDERGARTEN: range(-2, 1), T.PRIMARY: range(1, 7), T.VILLAGE: range(1, 7), T.TEACHING_POINT: range(1, 4),
    T.JUNIOR: range(7, 10), T.SENIOR: range(10, 13), T.COMPLETE: range(7, 13), T.NINE_YEAR: range(1, 10),
}  # fmt: skip
PER_GRADE = {T.PRIMARY: (2, 4), T.JUNIOR: (4, 8), T.SENIOR: (6, 10), T.COMPLETE: (3, 6), T.KINDERGARTEN: (2, 3)}
SUFFIX = {
    T.VILLAGE: "小学", T.TEACHING_POINT: "教学点", T.PRIMARY: "小学", T.KINDERGARTEN: "幼儿园",
    T.NINE_YEAR: "九年制学校", T.JUNIOR: "中学", T.COMPLETE: "中学", T.SENIOR: "高级中学",
}  # fmt: skip
PLACE_1 = "大小新上下前后东西南北老高红马王李杨张田苏何白金丁黄柳杏沙石"
PLACE_2 = "庄湾沟川岔塬堡坪洼河台岘梁峁滩寨湖岭山"
ACTIVITIES = (ActivityCategory.HOMEWORK, ActivityCategory.READING, ActivityCategory.HOMEWORK, ActivityCategory.SPORTS)
ACTIVITY_NAMES = {
    ActivityCategory.HOMEWORK: "作业辅导",
    ActivityCategory.READING: "经典诵读",
    ActivityCategory.SPORTS: "体育活动",
}
PARTICIPATION = 0.9
START, END, HOURS = datetime.time(16), datetime.time(18), Decimal("2.0")  # one two-hour session a day


def target(scale: str) -> dict:
    """The wanted totals: the county's, or N times the demo county's as stored now (its own schools, not the bulk
    ones a first run added: a second run wants the same totals, so it adds nothing)."""
    if scale == "county":
        return dict(COUNTY)
    n = int(scale)
    demo = {"code__startswith": REGION, "code__lt": f"{REGION}{FIRST_CODE:04d}"}
    return {
        "schools": n * School.objects.filter(**demo).count(),
        "students": n * Student.objects.filter(**{f"school__{k}": v for k, v in demo.items()}).count(),
    }


@dataclass
class Plan:
    code: str
    name: str
    type: str
    township: str
    per_grade: int


def birth_date(rng: random.Random, y: int, grade: int) -> datetime.date:
    """A pupil of `grade` in the school year beginning in August of y: grade 1 turns 6 by 1 September of y (born
    September y-7 to August y-6); one in ten started a year late. Kindergarten grades are -2..0."""
    late = rng.random() < 0.1
    return datetime.date(y - 6 - grade - late, 9, 2) + datetime.timedelta(days=rng.randrange(365))


class Bulk:
    """Draws and writes the bulk part. Every draw comes from one seeded generator, in a fixed order."""

    def __init__(self, county: DemoCounty, scale: str, out=None):
        self.county, self.y, self.out = county, county.y, out or (lambda line: None)
        self.rng = random.Random(f"scale:{county.seed}:{scale}")
        self.want = target(scale)
        self.pg = connection.vendor == "postgresql"
        self.counts = defaultdict(int)

    # ------------------------------------------------------------ writing

    def copy(self, model, fields: list[str], rows: list[tuple]) -> None:
        """COPY on PostgreSQL (triggers and constraints fire as for INSERT), bulk_create elsewhere."""
        if not rows:
            return
        self.counts[model._meta.model_name] += len(rows)
        if not self.pg:
            model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000)
            return
        fields, rows = sealed_for_copy(model, fields, rows)  # COPY skips the fields' own encryption
        columns = [model._meta.get_field(f).column for f in fields]
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(copy_text(v) for v in row) + "\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
            cursor.cursor.copy_expert(sql, buffer)

    @staticmethod
    def reset_sequences(*models) -> None:
        reset_sequences(*models)

    # ------------------------------------------------------------ the roster

    def plan_schools(self) -> list[Plan]:
        have = School.objects.filter(code__startswith=REGION).count()
        missing = max(self.want["schools"] - have, 0)
        rng, names, plans = self.rng, set(School.objects.values_list("name", flat=True)), []
        kinds, weights = zip(*MIX, strict=True)
        for i in range(missing):
            kind = rng.choices(kinds, weights)[0]
            township = TOWNSHIPS[i % len(TOWNSHIPS)]
            while (name := township + rng.choice(PLACE_1) + rng.choice(PLACE_2) + SUFFIX[kind]) in names:
                pass
            names.add(name)
            per_grade = rng.randint(*PER_GRADE.get(kind, (1, 1)))
            plans.append(Plan(f"{REGION}{FIRST_CODE + i:04d}", name, kind, township, per_grade))
        return plans

    def save_schools(self, plans: list[Plan]) -> list[School]:
        townships = dict(Township.objects.filter(code__startswith=REGION).values_list("name", "pk"))
        centrals = dict(
            School.objects.filter(code__startswith=REGION, is_township_central=True).values_list("township_id", "pk")
        )
        any_central = next(iter(centrals.values()))
        have = set(School.objects.filter(code__in=[p.code for p in plans]).values_list("code", flat=True))
        now = timezone.now()
        rows = []
        for p in plans:
            if p.code in have:
                continue
            township = townships[p.township]
            dependent = p.type in School.DEPENDENT_TYPES
            # A township the seed (`--schools N`) left without its central school: the county seat's plans for it.
            central = centrals.get(township, any_central) if dependent else None
            rows.append(
                School(
                    code=p.code, name=p.name, school_type=p.type, township_id=township, central_school_id=central,
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
        School.objects.bulk_create(rows)
        self.counts["school"] += len(rows)
        return list(School.objects.filter(code__in=[p.code for p in plans]).order_by("code"))

    def save_classes(self, plans: list[Plan], schools: list[School]) -> list[AdminClass]:
        by_code = {s.code: s for s in schools}
        have = set(AdminClass.objects.filter(school__in=schools).values_list("school_id", "grade", "number"))
        rows = [
            AdminClass(school=by_code[p.code], grade=g, number=n)
            for p in plans
            for g in GRADES[p.type]
            for n in range(1, p.per_grade + 1)
            if (by_code[p.code].pk, g, n) not in have
        ]
        AdminClass.objects.bulk_create(rows, batch_size=2000)
        self.counts["adminclass"] += len(rows)
        return list(AdminClass.objects.filter(school__in=schools).order_by("school__code", "grade", "number"))

    def save_pupils(self, classes: list[AdminClass]) -> None:
        """Pupils (with one or two guardians each) spread over the classes up to the wanted number in the county."""
        if not classes or Student.objects.filter(admin_class__in=classes[:1]).exists():
            return  # drawn already
        rng, y = self.rng, self.y
        have = Student.objects.filter(school__code__startswith=REGION).count()
        missing = max(self.want["students"] - have, 0)
        mean = missing / len(classes)
        id_bodies = {i[:17] for i in Student.objects.exclude(id_number=None).values_list("id_number", flat=True)}
        link_codes = set(Student.objects.values_list("link_code", flat=True))
        mobiles = set(Guardian.objects.values_list("mobile", flat=True))
        now = timezone.now()
        students, guardians, links = [], [], []  # tuples for COPY
        first_guardian = (Guardian.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        first_student = (Student.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        left = missing
        for index, admin_class in enumerate(classes):
            size = round(mean * rng.uniform(0.7, 1.3)) if index < len(classes) - 1 else left
            size = max(min(size, left, 56), 0)
            left -= size
            for _ in range(size):
                male = rng.random() < 0.52
                surname = rng.choice(SURNAMES)
                birth = birth_date(rng, y, admin_class.grade)
                while True:
                    body = f"{REGION}{birth:%Y%m%d}{rng.randrange(1 if male else 2, 1000, 2):03d}"
                    if body not in id_bodies:
                        break  # else another sequence number: the birth date stays within the grade's year
                id_bodies.add(body)
                id_number = body + roster_rules.id_number_check_char(body)
                while (link := "".join(rng.choice(LINK_ALPHABET) for _ in range(8))) in link_codes:
                    pass
                link_codes.add(link)
                student_pk = first_student + len(students)
                name = surname + rng.choice(BOYS if male else GIRLS)
                students.append(
                    (student_pk, now, now, admin_class.school_id, admin_class.pk, name, "M" if male else "F", birth,
                     id_number, rng.random() < 0.05, link)
                )  # fmt: skip
                r = rng.random()
                family = [("father", True), ("mother", False)] if r < 0.55 else [("mother", False)]
                if r >= 0.8:
                    family = [(rng.choice(("grandfather", "grandmother")), None), ("father", True)]
                for i, (relation, male_guardian) in enumerate(family):
                    while (mobile := rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}") in mobiles:
                        pass
                    mobiles.add(mobile)
                    if male_guardian is None:  # a grandparent
                        male_guardian = relation == "grandfather"
                        given = rng.choice(ELDERS[male_guardian])
                    else:
                        given = rng.choice(BOYS if male_guardian else GIRLS)
                    own = surname if relation in ("father", "grandfather") else rng.choice(SURNAMES)
                    guardian_pk = first_guardian + len(guardians)
                    guardians.append((guardian_pk, now, now, own + given, mobile))
                    links.append((now, now, student_pk, guardian_pk, relation, i == 0))
        for row in students[::500]:  # a sample through the model's own validation; the constraints guard the rest
            roster_rules.validate_id_number(row[8])
            roster_rules.validate_name(row[5])
        fields = ["id", "created_at", "updated_at", "school_id", "admin_class_id", "name", "gender", "birth_date"]
        self.copy(Student, [*fields, "id_number", "is_boarder", "link_code"], students)
        self.copy(Guardian, ["id", "created_at", "updated_at", "name", "mobile"], guardians)
        fields = ["created_at", "updated_at", "student_id", "guardian_id", "relation", "is_primary"]
        self.copy(StudentGuardian, fields, links)
        reset_sequences(Student, Guardian)  # explicit ids: move the sequences past them

    def save_staff(self, schools: list[School]) -> dict[int, list[int]]:
        """An administrator and a service teacher per service class of each bulk school; school pk -> user pks."""
        rows = AdminClass.objects.filter(school__in=schools).values_list("school_id").annotate(n=Count("id"))
        classes_per_school = dict(rows.order_by())
        rng, now = self.rng, timezone.now()
        wanted = []  # (username, full name, school pk, role)
        n = 0
        for school in schools:
            for k in range(classes_per_school.get(school.pk, 0) + 1):
                n += 1
                role = Role.SCHOOL_ADMIN if k == 0 else Role.SERVICE_TEACHER
                male = rng.random() < 0.5
                name = rng.choice(SURNAMES) + rng.choice(BOYS if male else GIRLS)
                wanted.append((f"{USER_PREFIX}{n:05d}", name, school.pk, role))
        have = set(User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", flat=True))
        unusable = make_password(None)
        users = [
            User(username=u, full_name=name, password=unusable, date_joined=now)
            for u, name, _, _ in wanted
            if u not in have
        ]
        User.objects.bulk_create(users, batch_size=2000)
        self.counts["user"] += len(users)
        pks = dict(User.objects.filter(username__startswith=USER_PREFIX).values_list("username", "pk"))
        members = [
            Membership(user_id=pks[u], role=role, school_id=school) for u, _, school, role in wanted if u not in have
        ]
        Membership.objects.bulk_create(members, batch_size=2000)
        self.counts["membership"] += len(members)
        staff = defaultdict(list)
        for u, _, school, _ in wanted:
            staff[school].append(pks[u])
        return staff

    # ------------------------------------------------------------ the year's service

    def save_service(self, schools: list[School], staff: dict, year: SchoolYear) -> list[ServiceClass]:
        """A service class per administrative class in `year`. Last year's (`year` before the current one) has the
        same pupils a grade lower, so a school's lowest grade (then not yet at school) has none, and its memberships
        ended with that year."""
        if ServiceClass.objects.filter(school_year=year, school__in=schools).exists():
            return []
        rng, now = self.rng, timezone.now()
        back = self.y - year.start_date.year  # 0 this year, 1 last year
        lowest = {s.pk: GRADES[s.school_type].start for s in schools}
        classes = AdminClass.objects.filter(school__in=schools).order_by("school__code", "grade", "number")
        classes = [c for c in classes if c.grade - back >= lowest[c.school_id]]
        rows, draws = [], []
        seen = defaultdict(int)
        for admin_class in classes:
            school_staff = staff[admin_class.school_id]
            seen[admin_class.school_id] += 1
            teacher = school_staff[seen[admin_class.school_id]]
            activity = ACTIVITIES[(admin_class.grade + admin_class.number) % len(ACTIVITIES)]
            grade = Grade(admin_class.grade - back).label
            rows.append(
                ServiceClass(
                    school_id=admin_class.school_id, school_year=year, activity=activity, teacher_id=teacher,
                    name=f"{grade}({admin_class.number})班{ACTIVITY_NAMES[activity]}", capacity=60,
                    created_by_id=school_staff[0], created_at=now, updated_at=now,
                )
            )  # fmt: skip
            draws.append(admin_class)
        created = ServiceClass.objects.bulk_create(rows, batch_size=2000)
        self.counts["serviceclass"] += len(created)
        through = ServiceClass.admin_classes.through
        through.objects.bulk_create(
            [through(serviceclass_id=c.pk, adminclass_id=a.pk) for c, a in zip(created, draws, strict=True)],
            batch_size=5000,
        )
        pupils = defaultdict(list)
        in_order = Student.objects.filter(admin_class__in=draws).order_by("pk")  # the draws' order, on any database
        for pk, class_pk in in_order.values_list("pk", "admin_class_id"):
            pupils[class_pk].append(pk)
        members = []
        first_day = min(s.start_date for s in year.semesters.all())
        until = year.end_date if back else None
        for service_class, admin_class in zip(created, draws, strict=True):
            for pk in pupils[admin_class.pk]:
                if rng.random() < PARTICIPATION:
                    members.append((now, now, service_class.pk, pk, first_day, until, service_class.created_by_id))
        fields = ["created_at", "updated_at", "service_class_id", "student_id", "start_date", "end_date", "added_by_id"]
        self.copy(ServiceClassMember, fields, members)
        return created

    def save_sessions(self, service_classes: list[ServiceClass], year: SchoolYear) -> None:
        """Each class served on its stage's service days of `year` up to yesterday, one two-hour session a day with
        the whole roll. Sessions first (COPY, explicit ids), then their rolls."""
        if not service_classes:
            return
        today = self.county.today
        semesters = [s for s in year.semesters.all() if s.start_date < today]
        exceptions = calendar_rules.calendar_exceptions(year)
        members = defaultdict(list)
        for class_pk, pk in (
            ServiceClassMember.objects.filter(service_class__in=service_classes)
            .order_by("pk")
            .values_list("service_class_id", "student_id")
        ):
            members[class_pk].append(pk)
        days_of = {}
        rng = self.rng
        next_pk = (Session.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        sessions, roll = [], []
        service_classes = (
            ServiceClass.objects.filter(pk__in=[c.pk for c in service_classes])
            .select_related("school")
            .prefetch_related("admin_classes")
        )
        for service_class in service_classes.order_by("pk"):
            stage = sessions_selectors.class_stage(service_class)
            if stage not in days_of:
                mode = ServiceMode.for_stage(stage)
                days_of[stage] = [
                    d
                    for d in calendar_rules.service_days(semesters=semesters, mode=mode, exceptions=exceptions)
                    if d < today
                ]
            pupils = members[service_class.pk]
            if not pupils:
                continue
            for day in days_of[stage]:
                marks = rng.choices(("present", "absent", "leave"), (0.95, 0.02, 0.03), k=len(pupils))
                present, absent = marks.count("present"), marks.count("absent")
                logged = timezone.make_aware(datetime.datetime.combine(day, datetime.time(18, 20)))
                sessions.append(
                    (next_pk, logged, logged, service_class.pk, day, START, END, HOURS,
                     service_class.activity, ACTIVITY_NAMES[service_class.activity], service_class.teacher_id,
                     "responsible", "", "recorded", False, "", service_class.teacher_id, None, present, absent,
                     len(pupils) - present - absent)
                )  # fmt: skip
                roll += [
                    (next_pk, pk, mark, "" if mark == "present" else "家长请假" if mark == "leave" else "未到")
                    for pk, mark in zip(pupils, marks, strict=True)
                ]
                next_pk += 1
            if len(roll) > 200_000:
                self.flush(sessions, roll)
                sessions, roll = [], []
        self.flush(sessions, roll)
        reset_sequences(Session)

    def flush(self, sessions: list, roll: list) -> None:
        fields = ["id", "created_at", "updated_at", "service_class_id", "date", "start_time", "end_time",
                  "class_hours", "activity_category", "content_note", "teacher_id", "teacher_role",
                  "substitute_reason", "status", "late", "flag", "logged_by_id", "confirmed_by_id", "present",
                  "absent", "on_leave"]  # fmt: skip
        self.copy(Session, fields, sessions)
        self.copy(Attendance, ["session_id", "student_id", "mark", "reason"], roll)
        self.out(f"  … {self.counts['session']} sessions, {self.counts['attendance']} roll marks")

    def close_months(self, schools: list[School], staff: dict, year: SchoolYear) -> None:
        """Last year's months closed by each school's administrator (R21), after their sessions and rolls: the
        closed-month triggers refuse any later row in them, as for the demo's closed months."""
        months, day = [], year.start_date.replace(day=1)
        while day <= year.end_date and day < self.county.today.replace(day=1):
            months.append(day)
            day = (day + datetime.timedelta(days=32)).replace(day=1)
        have = set(HoursMonth.objects.filter(school__in=schools).values_list("school_id", "month"))
        rows = [
            HoursMonth(school_id=s.pk, month=m, closed_by_id=staff[s.pk][0])
            for s in schools
            for m in months
            if (s.pk, m) not in have
        ]
        HoursMonth.objects.bulk_create(rows, batch_size=5000)
        self.counts["hoursmonth"] += len(rows)

    # ------------------------------------------------------------ all of it

    def run(self) -> list[str]:
        plans = self.plan_schools()
        schools = self.save_schools(plans)
        classes = self.save_classes(plans, schools)
        self.save_pupils(classes)
        staff = self.save_staff(schools)
        # Last year first, whole and closed (so a county seeded any day has a year of rolls), then this year's.
        last_year = self.county.school_year(self.y - 1)
        last_classes = self.save_service(schools, staff, last_year)
        self.save_sessions(last_classes, last_year)
        self.close_months(schools, staff, last_year)
        year = self.county.school_year()
        service_classes = self.save_service(schools, staff, year)
        self.save_sessions(service_classes, year)
        # The families' paperwork and the schools' plans and money, both years, oldest first.
        families, money = scale_families.Families(self, schools, staff), scale_money.Money(self, schools, staff)
        for each in (last_year, year):
            families.year(each)
            money.year(each)
        lines = []
        # The console's numbers again, now with the bulk schools: both years, as the nightly job would; whenever this
        # run wrote bulk rows (a county seeded before the families and money were generated gets them, and its
        # console with them), never on a run that wrote nothing.
        if sum(self.counts.values()):
            for refreshed in (last_year, year):
                run = console_services.refresh(school_year=refreshed, trigger="scale", today=self.county.today)
                lines.append(f"县级监测平台：{refreshed.name} 学年 {run.schools} 所学校的数据已重新汇总。")
        in_county = {"school__code__startswith": REGION}
        return [
            *lines,
            f"规模数据（批量）：学校 {School.objects.filter(code__startswith=REGION).count()} · "
            f"学生 {Student.objects.filter(**in_county).count()} · "
            f"课后服务班 {ServiceClass.objects.filter(**in_county).count()} · "
            f"课次 {Session.objects.filter(service_class__school__code__startswith=REGION).count()} · "
            f"考勤记录 {Attendance.objects.count()}",
        ]


def copy_text(value) -> str:
    """One value in COPY's text format: NULL as \\N, JSON for lists and dicts, the format's escapes."""
    if value is None:
        return r"\N"
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def reset_sequences(*models) -> None:
    """After rows inserted with explicit ids (PostgreSQL): the id sequence continues past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = connection.ops.quote_name(model._meta.db_table)
            sql = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), MAX(id)) FROM {table}"  # noqa: S608 — a model's table
            cursor.execute(sql, [model._meta.db_table])
