"""The demo county (西吉县, Ningxia, region code 640422): the context every app's `demo.py` plays its part in.

The contract. Each app has `<app>/demo.py` with one entry point,

    def play(county: DemoCounty, phase: str) -> list[str]

which plays the app's part of the school year through the app's services, as the people entitled to each step, up
to `county.now`, and returns its printed summary lines. `seed_demo` calls every app once per phase, in this order:

    SETUP     schools     the roster (townships, schools, classes, students, guardians, staff and logins), the
                          calendar, timetables, plans (一校一案), the activity catalogue, the service classes
              enrollment  agreement texts, applications in every state, reviews, placement, withdrawals, re-signing
    DELIVERY  schools     the semester's sessions with their rolls, substitutes, the first month closed
              funding     the money: last year settled, this year's claims, funds, spending, pay
    (safety and the county console, xiji_afterschool/bureau, have nothing to play yet: they return [])

Two phases because the schools' delivery needs the children enrollment placed, and the money needs the delivery.
An app returns [] in a phase it has nothing to do in.

The clock (`DemoClock`). The story happens on its own days: the agreement is published in August, parents apply
before the 30 September deadline, a session is logged the evening it ran. Django's services take "now" from
`timezone.now()` (and their models' `auto_now` fields too), and only a few accept a `today=` argument, so the clock
sets "now" around each step only: `with county.clock.at(moment): service(...)` swaps `django.utils.timezone.now`
for the step and restores it after, so nothing outside a step sees a fake time. A moment later than `county.now`
is played at `county.now`: the clock never runs ahead of the day the year is played to. (A default bound at import,
like `User.date_joined`'s `default=timezone.now`, does not see the clock: the demo passes such values itself.)

`county.now` is the real now, or with `seed_demo --as-of YYYY-MM-DD` the end of that day (23:59:59, local time; the
real now if that is earlier). `--schools N` keeps the schools the logins and stories are anchored to (KEPT_SCHOOLS)
and the first schools of the drawn county, in order, up to N; the whole county is still drawn, so every kept
school, pupil and login is the same as in the full county.

Idempotent: the roster writes only what is missing by natural key; a story that cannot be replayed (plans,
applications, sessions, claims) is played only while its year has none of it. A second run with the same
arguments writes nothing. Everything runs in one transaction without savepoints (`without_savepoints`): a refusal
aborts the seed and rolls everything back, so no step needs to carry on after one. A run with other arguments
completes the roster but does not replay a story its year already has.

Every write goes through the apps' services, except two, each explained where it is made: the roster (schools.demo:
no bulk roster service; bulk-inserted like an import, validated on a sample) and the accounts of the families who
apply online (enrollment.demo: `parent_register` would hash a password per family, and they have none).
"""

import contextlib
import datetime
import random
from dataclasses import dataclass, field
from unittest import mock

from django.db import transaction
from django.utils import timezone

from schools.models import Department, Membership, Role, School, SchoolYear, User
from schools.rules.roster import is_mobile

SETUP, DELIVERY = "setup", "delivery"
PHASES = (SETUP, DELIVERY)
REGION = "640422"
# `--scale` adds its bulk schools (xiji_afterschool/scale.py) from this code on; the demo's stories play on its own.
FIRST_BULK_CODE = 101
PASSWORD = "Xiji-2021"  # noqa: S105 — the published password of the demo logins
SEAT, FIRST, SECOND = "吉强镇", "西吉县第一小学", "西吉县第二小学"  # the county seat; the logins' school
COORDINATED = "兴隆镇"  # the township of the printed coordinator login
PARENT_MOBILE = "13909540001"
DAY = datetime.timedelta(days=1)
# Kept by `--schools N` whatever N: the school of the school-level logins (and the parent's children), the other two
# schools of the year's story (西吉县第二小学 is also settled last year), in the printed coordinator's township.
KEPT_SCHOOLS = (FIRST, SECOND, "兴隆镇中心小学")

DEPARTMENTS = (
    (Department.Kind.EDUCATION, "西吉县教育体育局"),
    (Department.Kind.FINANCE, "西吉县财政局"),
    (Department.Kind.INSPECTION, "西吉县人民政府教育督导室"),
    (Department.Kind.HR, "西吉县人力资源和社会保障局"),
    (Department.Kind.AUDIT, "西吉县审计局"),
    (Department.Kind.GOVERNMENT, "西吉县人民政府"),
)
VK = Membership.VolunteerKind


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
    Login("menwei", "马德福", Role.GATE, "门卫", FIRST),
    Login("shengguan", "杨桂兰", Role.CARE_STAFF, "生活老师（随车照管）", FIRST),
    Login("xiangzhen", "苏宏伟", Role.TOWNSHIP_COORDINATOR, "乡镇统筹", township=COORDINATED),
    Login("jiaotiju", "张永红", Role.BUREAU, "教体局", department=Department.Kind.EDUCATION),
    Login("caizheng", "刘晓军", Role.FINANCE, "财政局", department=Department.Kind.FINANCE),
    Login("duxue", "何志刚", Role.INSPECTOR, "督学", department=Department.Kind.INSPECTION),
    Login("renshe", "海丽娟", Role.HR, "人社局", department=Department.Kind.HR),
    Login("shenji", "田玉梅", Role.AUDITOR, "审计局", department=Department.Kind.AUDIT),
    Login("lingdao", "马永福", Role.LEADERSHIP, "县领导", department=Department.Kind.GOVERNMENT),
)


class DemoClock:
    """ "Now" for one demo step at a time, never later than `now` (the moment the year is played to)."""

    def __init__(self, now: datetime.datetime):
        self.now = now
        self.moment = now  # the moment of the step being played (or of the last one)

    @contextlib.contextmanager
    def at(self, moment: datetime.datetime):
        """Within the block, `timezone.now()` (so `localdate()`, `auto_now` fields, every service's "today") is
        `moment`, or `now` if that is earlier; the previous `timezone.now` is restored after."""
        moment = min(moment, self.now)
        saved, saved_moment = timezone.now, self.moment
        timezone.now, self.moment = (lambda: moment), moment
        try:
            yield moment
        finally:
            timezone.now, self.moment = saved, saved_moment

    def today(self) -> datetime.date:
        return timezone.localtime(self.now).date()

    @staticmethod
    def moment_of(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


at = DemoClock.moment_of


def working_moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A moment of school office hours on `day`, or on the next weekday when `day` falls on a weekend."""
    while day.isoweekday() > 5:
        day += DAY
    return at(day, rng.randint(8, 16), rng.randrange(60))


def school_year_start(today: datetime.date) -> int:
    """The calendar year in which the school year containing `today` began (years run 1 August - 31 July)."""
    return today.year if today.month >= 8 else today.year - 1


def year_name(y: int) -> str:
    return f"{y}–{y + 1}"


@dataclass
class DemoCounty:
    """The county being played: up to when, how many schools, the seed of its draws, its clock and lookups."""

    as_of: datetime.date | None = None  # None: today
    schools_wanted: int | None = None  # None: every school of the drawn county
    seed: int = 2021
    real_now: datetime.datetime = field(default_factory=timezone.now)
    users: dict = field(default_factory=dict)  # username -> User: one object per person (permission caches)

    def __post_init__(self):
        now = self.real_now
        if self.as_of is not None:
            now = min(now, timezone.make_aware(datetime.datetime.combine(self.as_of, datetime.time(23, 59, 59))))
        self.clock = DemoClock(now)
        self.today = self.clock.today()
        self.y = school_year_start(self.today)  # the current school year begins in August of y
        self.rng = random.Random(self.seed)

    # -- lookups by name

    def in_county(self):
        """The demo county's schools stored so far (only those of a `--schools N` seed), by code: never the bulk schools
        of `--scale`, so a second run of the demo's stories finds only what it wrote itself."""
        return School.objects.filter(code__startswith=REGION, code__lt=f"{REGION}{FIRST_BULK_CODE:04d}").order_by(
            "code"
        )

    def school(self, name: str) -> School | None:
        return self.in_county().filter(name=name).first()

    def school_year(self, y: int | None = None) -> SchoolYear:
        return SchoolYear.objects.get(name=year_name(self.y if y is None else y))

    def user(self, username: str) -> User:
        if username not in self.users:
            # A parent login is their mobile; the account's user name is derived from its digest.
            found = User.objects.by_mobile(username) if is_mobile(username) else User.objects.filter(username=username)
            self.users[username] = found.get()
        return self.users[username]

    def user_object(self, user: User) -> User:
        """The one object of this person (so the permission cache of each person is filled once)."""
        return self.users.setdefault(user.username, user)

    def admins(self, schools) -> dict[int, User]:
        """school pk -> its administrator (the first by username)."""
        out = {}
        rows = Membership.objects.filter(role=Role.SCHOOL_ADMIN, school__in=schools).select_related("user")
        for m in rows.order_by("user__username"):
            out.setdefault(m.school_id, self.user_object(m.user))
        return out

    @contextlib.contextmanager
    def without_savepoints(self):
        """Services open a savepoint inside the seed's one transaction, so that a caller could carry on after a
        refusal. The seed never does (a refusal aborts it and everything rolls back), so it plays without them:
        a third fewer queries, which keeps the seed within its time on PostgreSQL."""
        with mock.patch.object(transaction.get_connection().features, "uses_savepoints", False):
            yield


def width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK characters take two terminal columns


def table_lines(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as aligned text columns (CJK-aware)."""
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
