"""The funding part of the demo county: its money (issue #6), played through the funding services as the people
entitled to each step, each on its own day on the demo clock (see xiji_afterschool/demo.py for the contract).

DELIVERY, after the schools' sessions:

The previous school year, settled: at 西吉县第一小学 six service classes with their children and a year of sessions
logged the evening they ran through the schools' session service (a few missed, a few taken by a substitute the
school recorded the afternoon before, the volunteer assisting on Wednesdays), every month closed, the annual claim
and a spring supplementary claim allocated, the spending plan approved by the office meeting and the staff congress
(small generated PDF minutes), the pay scheme approved by HR, spending in the four earmarked categories with one
reversal, two approved pay runs, both semesters' disclosures published, and the settlement confirmed by finance (a
surplus). 西吉县第二小学 too, more briefly: two classes, a claim approved for less than claimed, and a confirmed
settlement showing a shortfall.

The current school year: annual claims in every state across the schools (FIRST's allocated, with a supplementary
claim awaiting first review), FIRST's spending plan and pay scheme approved, another school's scheme with HR and one
returned, FIRST's ledger with spending in each category and a reversal, and, once the schools have closed September,
an approved pay run for September. The autumn disclosure stays unpublished: the semester is running.
吉强镇中心小学 (admin login t0007) and most other schools have no claim: the browser test files one.

Each year is played only while it has no claim at all, so a second run writes nothing. Steps due after `county.now`
happen then (the clock never runs ahead), so every state exists whatever the day the year is played to. With
`--schools N` the schools of CURRENT_CLAIMS that are not in the county have no claim.
"""

import contextlib
import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Sum
from django.utils.html import escape

from schools.demo import ABSENT_REASONS, LEAVE_REASONS
from schools.models import (
    ActivityCategory,
    AdminClass,
    Attendance,
    HoursMonth,
    School,
    SchoolYear,
    ServiceClass,
    ServiceMode,
    Stage,
    Student,
    User,
)
from schools.rules import calendar as calendar_rules
from schools.services.classes import service_class_add_member, service_class_save
from schools.services.hours import hours_month_close
from schools.services.sessions import session_log, substitution_record
from xiji_afterschool.demo import DAY, DELIVERY, FIRST, SECOND, DemoCounty, at
from xiji_afterschool.exports import FONT_CONFIG
from xiji_afterschool.money import yuan

from .models import ZERO, Category, Claim, Disclosure, Fund, LedgerEntry, ModelClass, PayRun, PayScheme, Settlement
from .selectors.claims import claim_prefill
from .services import claims, disclosure, ledger, model_classes, pay, settlement, spending

AC = ActivityCategory
CLAIM_LABELS = {
    Claim.Status.DRAFT: "草稿", Claim.Status.SUBMITTED: "待初审", Claim.Status.RETURNED: "已退回",
    Claim.Status.PASSED: "初审通过", Claim.Status.APPROVED: "已核拨", Claim.Status.ALLOCATED: "已拨付",
}  # fmt: skip


@dataclass(frozen=True)
class PastClass:
    name: str
    activity: str
    teacher: str  # username
    grades: tuple[int, ...]
    from_month: int = 9  # 3: formed for the spring semester (the supplementary claim pays for it)


PAST_CLASSES = {
    FIRST: (
        PastClass("一二年级作业辅导班", AC.HOMEWORK, "t0017", (1, 2)),
        PastClass("三四年级作业辅导班", AC.HOMEWORK, "jiaoshi", (3, 4)),
        PastClass("五六年级作业辅导班", AC.HOMEWORK, "t0036", (5, 6)),
        PastClass("低年级经典诵读班", AC.READING, "t0033", (1, 2, 3)),
        PastClass("合唱团", AC.ARTS, "t0041", (4, 5, 6)),
        PastClass("篮球社", AC.SPORTS, "t0035", (4, 5, 6), from_month=3),
    ),
    SECOND: (
        PastClass("一至三年级作业辅导班", AC.HOMEWORK, "t0012", (1, 2, 3)),
        PastClass("四至六年级阅读班", AC.READING, "t0018", (4, 5, 6)),
    ),
}
NOTES = {
    AC.HOMEWORK: ("完成当天书面作业，教师巡视答疑", "订正数学练习册错题", "生字抄写和课文朗读，同桌互查"),
    AC.READING: ("诵读《三字经》选段", "绘本共读并分享", "古诗诵读《春晓》《静夜思》"),
    AC.ARTS: ("合唱练声与分声部排练", "学唱《歌唱祖国》"),
    AC.SPORTS: ("运球与传球练习", "分组对抗赛"),
}
SUBSTITUTE_REASONS = ("任课教师参加县教研室培训", "任课教师病假")
PAST_MEMBERS = 38  # children in each of last year's classes; 26 to all 38 of them came on a day
# Current-year annual claims: school -> what becomes of it. FIRST's is allocated; 吉强镇中心小学 has none.
CURRENT_CLAIMS = (
    (FIRST, "allocated"),
    ("田坪乡中心小学", "allocated"),
    (SECOND, "approved_less"),
    ("西吉县将台堡九年制学校", "approved"),
    ("兴隆镇中心小学", "passed"),
    ("西吉中学", "submitted"),
    ("平峰镇中心小学", "submitted"),
    ("西吉县回民中学", "returned"),
    ("将台堡镇中心小学", "draft"),
    ("西吉县第一幼儿园", "draft"),
)
MODEL_CLASS_LABELS = {
    ModelClass.Status.PROPOSED: "待认定", ModelClass.Status.RECOGNISED: "已认定", ModelClass.Status.REVOKED: "已撤销",
}  # fmt: skip
BUREAU_RETURN = "高中晚自习服务班数与一校一案备案数不一致，请按备案方案核对服务班数量后重新提交。"
REDUCTION = "县级财政资金分两批下达，本批按服务班实际组建情况核拨，其余待下学期核实后补充申请。"
PAST_REDUCTION = "按上学年实际开班情况核减，差额待决算时据实清算。"
HR_RETURN = "绩效系数上限1.50偏高，且考核办法未写明学生和家长评价所占比例，请修改后重新报送。"
ASSESSMENT = (
    "按课后服务课时量计发，责任教师与代课教师每课时权重1.00，助教0.50；"
    "绩效系数由学校考核小组每学期依据学生和家长评价（占40%）、服务记录完整性（占30%）、"
    "活动成效（占30%）确定，一般为1.00，最低0.80，最高1.20，调整须写明理由。"
)


def minutes_pdf(*, school: School, title: str, day: datetime.date, resolution: str, lines: list[str]) -> bytes:
    """A one-page minutes document (会议纪要) in Chinese, rendered with the app's PDF font (embedded, so any reader
    shows it)."""
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = (
        '<html><head><meta charset="utf-8"><style>@page{size:A4;margin:25mm}'
        'body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;font-size:11pt;line-height:1.7}'
        "h1{font-size:16pt;text-align:center}</style></head><body>"
        f"<h1>{escape(school.name)}{escape(title)}</h1>"
        f"<p>时间：{day.year}年{day.month}月{day.day}日　　文号：{escape(resolution)}</p>{body}</body></html>"
    )
    return weasyprint.HTML(string=html).write_pdf(font_config=FONT_CONFIG)


def past_roll(members: list[int], present: int, rng: random.Random) -> dict[int, tuple[str, str]]:
    """`present` of the members present; the others on leave (most) or absent, with the reason the teacher noted."""
    away = set(rng.sample(members, max(len(members) - present, 0)))
    marks = {}
    for student in members:
        if student not in away:
            marks[student] = (Attendance.Mark.PRESENT, "")
        elif rng.random() < 0.7:
            marks[student] = (Attendance.Mark.LEAVE, rng.choice(LEAVE_REASONS))
        else:
            marks[student] = (Attendance.Mark.ABSENT, rng.choice(ABSENT_REASONS))
    return marks


class Money:
    """The story of one school year's money, on the demo clock."""

    def __init__(self, county: DemoCounty, year: SchoolYear):
        self.county, self.year, self.clock, self.today = county, year, county.clock, county.today
        self.y = year.start_date.year
        self.semesters = list(year.semesters.order_by("number"))
        self.user = county.user
        names = [FIRST, SECOND, *dict(CURRENT_CLAIMS)]
        self.schools = {s.name: s for s in county.in_county().filter(name__in=names)}
        self.admins = county.admins(self.schools.values())
        self.vouchers = 0

    # -- helpers

    def admin(self, name: str) -> User:
        return self.admins[self.schools[name].pk]

    def day(self, month: int, day: int) -> datetime.date:
        """The day of the school year (August–December in its first calendar year), never after today."""
        return min(datetime.date(self.y if month >= 8 else self.y + 1, month, day), self.today)

    @contextlib.contextmanager
    def on(self, day: datetime.date, hour: int = 9, minute: int = 0):
        """A step at that moment (never after `county.now`); yields the story's day."""
        with self.clock.at(at(day, hour, minute)):
            yield min(day, self.today)

    def voucher(self) -> str:
        self.vouchers += 1
        return f"西财教拨〔{self.y}〕{self.vouchers + 100 * (self.y % 10):03d}号"

    # -- claims

    def claim_through(self, name: str, *, classes: dict, fate: str, dates: tuple, reason: str = "") -> Claim:
        """Start an annual claim and move it as far as `fate` says, each step on its own day. A fate ending in
        "_less" is approved for about 90% of the amount claimed (to the hundred yuan), with `reason`."""
        school, admin = self.schools[name], self.admin(name)
        bureau, finance = self.user("jiaotiju"), self.user("caizheng")
        start, reviewed, approved, allocated = dates
        with self.on(start, 9, 30):
            claim = claims.claim_create(actor=admin, school=school, school_year=self.year, classes=classes)
        if fate == "draft":
            return claim
        with self.on(start, 10, 40):
            claims.claim_submit(actor=admin, claim=claim, note="请教体局审核。")
        if fate == "submitted":
            return claim
        with self.on(reviewed, 15, 20):
            if fate == "returned":
                return claims.claim_return(actor=bureau, claim=claim, note=BUREAU_RETURN)
            claims.claim_pass(actor=bureau, claim=claim, note="服务班数与备案方案一致，同意报财政局核拨。")
        if fate == "passed":
            return claim
        with self.on(approved, 11, 0):
            if fate.endswith("_less"):
                amount = yuan(int(claim.requested_amount * Decimal("0.9") / 100) * 100)
                claims.claim_approve(actor=finance, claim=claim, amount=amount, reason=reason)
            else:
                claims.claim_approve(actor=finance, claim=claim, amount=claim.requested_amount)
        if fate.startswith("approved"):
            return claim
        with self.on(allocated, 16, 0) as day:
            return claims.claim_allocate(actor=finance, claim=claim, allocated_on=day, voucher_no=self.voucher())

    def supplementary(self, annual: Claim, *, classes: dict, from_date, reason: str, dates: tuple, fate: str) -> Claim:
        admin = self.admin(annual.school.name)
        start, reviewed, approved, allocated = dates
        with self.on(start, 10, 0):
            claim = claims.claim_supplementary_create(
                actor=admin, annual=annual, classes=classes, from_date=from_date, reason=reason
            )
            claims.claim_submit(actor=admin, claim=claim)
        if fate == "submitted":
            return claim
        with self.on(reviewed, 14, 30):
            claims.claim_pass(actor=self.user("jiaotiju"), claim=claim, note="新开服务班已核实。")
        with self.on(approved, 10, 30):
            claims.claim_approve(actor=self.user("caizheng"), claim=claim, amount=claim.requested_amount)
        with self.on(allocated, 15, 0) as day:
            return claims.claim_allocate(
                actor=self.user("caizheng"), claim=claim, allocated_on=day, voucher_no=self.voucher()
            )

    # -- the rest of the year's money

    def spending_plan(self, name: str, *, total: Decimal, office: datetime.date, congress: datetime.date) -> None:
        """The year's plan for `total` yuan (the annual claim): about 65% teacher pay, 12% staff, 12% running
        costs, the rest consumables; approved by the office meeting, then the staff congress two days later."""
        school, admin = self.schools[name], self.admin(name)
        office, congress = min(office, self.today), min(congress, self.today)
        teacher, staff, running = (yuan(int(total * Decimal(share) / 100) * 100) for share in ("0.65", "0.12", "0.12"))
        consumables = total - teacher - staff - running
        lines = [
            f"会议审议{self.year.name}学年课后服务专项经费使用方案，预算合计{total}元：",
            f"教师补助{teacher}元，人员及管理补助{staff}元，日常运转{running}元，耗材{consumables}元。",
            "经费专款专用，不向学生家长收取任何费用。",
        ]
        resolutions = (f"校办〔{office.year}〕{office.month}号", f"教代会〔{congress.year}〕{congress.month}号")
        files = {}
        for key, title, day, resolution in (
            ("office_meeting_minutes", "校长办公会会议纪要", office, resolutions[0]),
            ("staff_congress_minutes", "教职工代表大会决议", congress, resolutions[1]),
        ):
            pdf = minutes_pdf(school=school, title=title, day=day, resolution=resolution, lines=lines)
            files[key] = SimpleUploadedFile(f"{key}.pdf", pdf, content_type="application/pdf")
        data = {
            "budget_teacher": teacher,
            "budget_staff": staff,
            "budget_running": running,
            "budget_consumables": consumables,
            "summary": "教师补助按课时量和绩效分配；管理补助用于课后服务统筹和安全值守人员；"
            "日常运转用于服务时段的水电取暖；耗材用于作业本、文具和活动器材。",
            "office_meeting_date": office,
            "office_meeting_resolution": resolutions[0],
            "staff_congress_date": congress,
            "staff_congress_resolution": resolutions[1],
            **files,
        }
        with self.on(congress, 16, 30):
            plan = spending.spending_plan_save(actor=admin, school=school, school_year=self.year, cleaned_data=data)
        with self.on(congress, 17, 10):
            spending.spending_plan_record_approval(actor=admin, plan=plan)

    def scheme(self, name: str, *, fate: str, saved: datetime.date, reviewed: datetime.date, high="1.20") -> PayScheme:
        school, admin = self.schools[name], self.admin(name)
        values = {
            "weight_responsible": "1.00",
            "weight_substitute": "1.00",
            "weight_assistant": "0.50",
            "performance_min": "0.80",
            "performance_max": high,
            "assessment": ASSESSMENT,
        }
        with self.on(saved, 10, 0):
            scheme = pay.pay_scheme_save(actor=admin, school=school, school_year=self.year, cleaned_data=values)
        with self.on(saved, 10, 20):
            pay.pay_scheme_submit(actor=admin, scheme=scheme)
        if fate == "submitted":
            return scheme
        hr = self.user("renshe")
        with self.on(reviewed, 15, 0):
            if fate == "returned":
                return pay.pay_scheme_return(actor=hr, scheme=scheme, note=HR_RETURN)
            return pay.pay_scheme_approve(actor=hr, scheme=scheme, note="方案符合县人社局绩效分配有关规定，同意执行。")

    def spend(self, name: str, category: str, amount: str, day: datetime.date, what: str, voucher="") -> LedgerEntry:
        school = self.schools[name]
        with self.on(day, 14, 0) as day:
            return ledger.ledger_spend(
                actor=self.admin(name),
                fund=ledger.fund_for(school=school, school_year=self.year),
                category=category,
                amount=Decimal(amount),
                date=day,
                description=what,
                voucher_no=voucher,
            )

    def reverse(self, name: str, entry: LedgerEntry, day: datetime.date, reason: str) -> None:
        with self.on(day, 9, 40):
            ledger.ledger_reverse(actor=self.admin(name), entry=entry, reason=reason)

    def pay_run(self, name: str, *, first: datetime.date, last: datetime.date, pool: str, created, paid, factor=None):
        school, admin = self.schools[name], self.admin(name)
        with self.on(created, 10, 0):
            run = pay.pay_run_create(
                actor=admin,
                school=school,
                school_year=self.year,
                first_month=first,
                last_month=last,
                pool=Decimal(pool),
            )
        if factor:
            username, value, reason = factor
            with self.on(created, 10, 30):
                pay.pay_run_set_factor(
                    actor=admin, run=run, person=self.user(username), factor=Decimal(value), reason=reason
                )
        with self.on(paid, 11, 0) as day:
            return pay.pay_run_approve(actor=admin, run=run, paid_on=day, note="已通过银行代发。")


class PastYear(Money):
    """The previous school year, from the first service classes to the confirmed settlement."""

    def play(self) -> None:
        self.classes: dict[tuple[str, str], ServiceClass] = {}
        for name in (FIRST, SECOND):
            self.form_classes(name)
            self.record_sessions(name)
        self.close_months(FIRST)
        self.first_school()
        self.second_school()

    def form_classes(self, name: str) -> None:
        """Each class is formed six days before it starts, and given PAST_MEMBERS children of its grades."""
        school, admin = self.schools[name], self.admin(name)
        admin_classes = list(AdminClass.objects.filter(school=school).order_by("grade", "number"))
        placed = set()
        for plan in PAST_CLASSES[name]:
            start = datetime.date(self.y if plan.from_month >= 8 else self.y + 1, plan.from_month, 1)
            drawn = [c for c in admin_classes if c.grade in plan.grades]
            pool = [
                s
                for s in sorted(Student.objects.filter(admin_class__in=drawn), key=lambda s: s.id_number or "")
                if s.pk not in placed
            ]
            children = random.Random(f"past-members:{name}:{plan.name}:{self.y}").sample(pool, PAST_MEMBERS)
            placed.update(s.pk for s in children)
            with self.on(start - 6 * DAY, 15):
                service_class = service_class_save(
                    actor=admin, school=school, school_year=self.year, name=plan.name, kind=ServiceClass.Kind.REGULAR,
                    activity=plan.activity, teacher=self.user(plan.teacher), capacity=40, admin_classes=drawn,
                )  # fmt: skip
                for student in children:
                    service_class_add_member(
                        actor=admin, service_class=service_class, student=student, start_date=start
                    )
            self.classes[name, plan.name] = service_class

    def times(self, day: datetime.date) -> tuple[datetime.time, datetime.time]:
        """The county's timetable: 16:00–18:00 in summer time, 15:40–17:40 in winter time (October to April)."""
        winter = day.month >= 10 or day.month <= 4
        return (datetime.time(15, 40), datetime.time(17, 40)) if winter else (datetime.time(16), datetime.time(18))

    def record_sessions(self, name: str) -> None:
        """A year of sessions logged the evening they ran, with the roll, through the schools' session service: a
        few missed, a few taken by a substitute the school recorded the afternoon before; the volunteer assists the
        third and fourth grades on Wednesdays."""
        days = calendar_rules.service_days(
            semesters=self.semesters,
            mode=ServiceMode.for_stage(Stage.PRIMARY),
            exceptions=calendar_rules.calendar_exceptions(self.year),
        )
        admin, volunteer = self.admin(name), self.user("zhiyuanzhe")
        substitute = self.user("banzhuren") if name == FIRST else None
        for plan in PAST_CLASSES[name]:
            service_class = (
                ServiceClass.objects.select_related("school_year")
                .prefetch_related("admin_classes", "school_year__semesters")
                .get(pk=self.classes[name, plan.name].pk)
            )
            members = sorted(service_class.members.values_list("student_id", flat=True))
            teacher = self.user(plan.teacher)
            rng = random.Random(f"past:{name}:{plan.name}:{self.y}")
            start = datetime.date(self.y if plan.from_month >= 8 else self.y + 1, plan.from_month, 1)
            for day in days:
                if day < start or rng.random() < 0.03:  # a missed session now and then (sports day, a power cut)
                    continue
                begin, end = self.times(day)
                sub = substitute is not None and rng.random() < 0.02
                note = rng.choice(NOTES[plan.activity])
                reason = rng.choice(SUBSTITUTE_REASONS) if sub else ""
                present = rng.randrange(26, PAST_MEMBERS + 1)  # how many of the class came that day
                if sub:
                    with self.on(day - DAY, 16, 10):
                        substitution_record(
                            actor=admin, service_class=service_class, date=day, substitute=substitute, reason=reason
                        )
                assisted = name == FIRST and plan.teacher == "jiaoshi" and day.isoweekday() == 3
                with self.on(day, 18, 30):
                    session_log(
                        actor=substitute if sub else teacher, service_class=service_class, date=day, start_time=begin,
                        end_time=end, class_hours=Decimal("2.0"), activity_category=plan.activity, activity=None,
                        content_note=note, assistants=[volunteer] if assisted else [],
                        marks=past_roll(members, present, random.Random(f"past-roll:{service_class.pk}:{day}")),
                    )  # fmt: skip

    def close_months(self, name: str) -> None:
        school, admin = self.schools[name], self.admin(name)
        month = self.semesters[0].start_date.replace(day=1)
        while month <= self.semesters[-1].end_date:
            following = (month + 32 * DAY).replace(day=1)
            with self.on(following + 4 * DAY, 10, 30):
                hours_month_close(actor=admin, school=school, month=month)
            month = following

    def first_school(self) -> None:
        y, d = self.y, datetime.date
        annual = self.claim_through(
            FIRST, classes={Stage.PRIMARY: 5}, fate="allocated",
            dates=(d(y, 9, 2), d(y, 9, 8), d(y, 9, 17), d(y, 9, 25)),
        )  # fmt: skip
        self.spending_plan(FIRST, total=annual.approved_amount, office=d(y, 9, 10), congress=d(y, 9, 12))
        self.scheme(FIRST, fate="approved", saved=d(y, 9, 15), reviewed=d(y, 9, 22))
        self.spend(FIRST, Category.CONSUMABLES, "1860.00", d(y, 9, 28), "作业本、铅笔、橡皮等学生耗材", "XJ1X-2025-031")
        duplicate = self.spend(
            FIRST, Category.CONSUMABLES, "1860.00", d(y, 9, 28), "作业本、铅笔、橡皮等学生耗材", "XJ1X-2025-031"
        )
        self.reverse(FIRST, duplicate, d(y, 9, 30), "同一张发票重复录入")
        self.spend(FIRST, Category.RUNNING, "2860.00", d(y, 12, 20), "取暖季课后服务时段教室电费分摊", "XJ1X-2025-077")
        self.pay_run(
            FIRST, first=d(y, 9, 1), last=d(y, 12, 1), pool="13650.00", created=d(y + 1, 1, 8), paid=d(y + 1, 1, 12),
            factor=("jiaoshi", "1.10", "承担县级课后服务公开课，家长评价优秀"),
        )  # fmt: skip
        self.spend(FIRST, Category.STAFF, "3300.00", d(y + 1, 1, 14), "秋季学期课后服务管理和安全值守人员补助")
        with self.on(d(y + 1, 1, 20), 16):
            disclosure.disclosure_publish(
                actor=self.admin(FIRST), school=self.schools[FIRST], semester=self.semesters[0]
            )
        self.supplementary(
            annual, classes={Stage.PRIMARY: 1}, from_date=d(y + 1, 3, 2),
            reason="春季学期四至六年级报名人数增加，新开篮球社一个服务班。",
            dates=(d(y + 1, 2, 24), d(y + 1, 2, 27), d(y + 1, 3, 6), d(y + 1, 3, 12)), fate="allocated",
        )  # fmt: skip
        self.spend(
            FIRST, Category.CONSUMABLES, "2240.00", d(y + 1, 3, 16), "篮球12个、合唱团演出服租借", "XJ1X-2026-019"
        )
        self.spend(
            FIRST, Category.RUNNING, "3150.00", d(y + 1, 6, 18), "春季学期课后服务时段水电费分摊", "XJ1X-2026-052"
        )
        self.pay_run(
            FIRST, first=d(y + 1, 1, 1), last=d(y + 1, 6, 1), pool="22400.00", created=d(y + 1, 7, 6),
            paid=d(y + 1, 7, 8),
        )  # fmt: skip
        self.spend(FIRST, Category.STAFF, "3300.00", d(y + 1, 7, 8), "春季学期课后服务管理和安全值守人员补助")
        with self.on(d(y + 1, 7, 9), 17):
            disclosure.disclosure_publish(
                actor=self.admin(FIRST), school=self.schools[FIRST], semester=self.semesters[1]
            )
        self.settle(FIRST, filed=d(y + 1, 7, 20), confirmed=d(y + 1, 7, 28))

    def second_school(self) -> None:
        y, d = self.y, datetime.date
        self.claim_through(
            SECOND, classes={Stage.PRIMARY: 2}, fate="allocated_less", reason=PAST_REDUCTION,
            dates=(d(y, 9, 4), d(y, 9, 9), d(y, 9, 18), d(y, 9, 26)),
        )  # fmt: skip
        self.settle(SECOND, filed=d(y + 1, 7, 22), confirmed=d(y + 1, 7, 28))

    def settle(self, name: str, *, filed: datetime.date, confirmed: datetime.date) -> None:
        with self.on(filed, 10):
            filed_settlement = settlement.settlement_file(
                actor=self.admin(name), school=self.schools[name], school_year=self.year
            )
        with self.on(confirmed, 15, 30):
            settlement.settlement_confirm(
                actor=self.user("caizheng"), settlement=filed_settlement, note="经核对服务记录和拨款凭证，同意决算。"
            )


class CurrentYear(Money):
    """The current school year: claims in every state, FIRST's money on the move."""

    def play(self) -> None:
        d = self.day
        annual = None
        for i, (name, fate) in enumerate(CURRENT_CLAIMS):
            if name not in self.schools:  # not in a `--schools N` county
                continue
            claim = self.claim_through(
                name, classes=self.classes_of(name), fate=fate,
                dates=(d(9, 2 + i % 4), d(9, 7 + i % 5), d(9, 16 + i % 4), d(9, 24 + i % 3)), reason=REDUCTION,
            )  # fmt: skip
            if name == FIRST:
                annual = claim
        self.spending_plan(FIRST, total=annual.approved_amount, office=d(9, 8), congress=d(9, 10))
        self.scheme(FIRST, fate="approved", saved=d(9, 14), reviewed=d(9, 21))
        self.scheme("兴隆镇中心小学", fate="returned", saved=d(10, 28), reviewed=d(11, 3), high="1.50")
        self.scheme(SECOND, fate="submitted", saved=d(11, 18), reviewed=d(11, 18))
        self.spend(FIRST, Category.CONSUMABLES, "960.00", d(9, 25), "作业本、铅笔等学生耗材", "XJ1X-2026-088")
        duplicate = self.spend(
            FIRST, Category.CONSUMABLES, "960.00", d(9, 25), "作业本、铅笔等学生耗材", "XJ1X-2026-088"
        )
        self.reverse(FIRST, duplicate, d(9, 27), "同一张发票重复录入")
        september = datetime.date(self.y, 9, 1)
        if HoursMonth.objects.filter(school=self.schools[FIRST], month=september).exists():
            self.pay_run(FIRST, first=september, last=september, pool="3000.00", created=d(10, 14), paid=d(10, 15))
        self.spend(FIRST, Category.RUNNING, "1280.00", d(10, 28), "10月课后服务时段教室照明电费分摊", "XJ1X-2026-097")
        self.spend(FIRST, Category.STAFF, "2400.00", d(10, 30), "9月、10月课后服务管理和安全值守人员补助")
        self.supplementary(
            annual, classes={Stage.PRIMARY: 1}, from_date=datetime.date(self.y, 12, 1),
            reason="十一月起三年级插班生增加，新开一个作业辅导服务班。",
            dates=(d(11, 20), d(11, 20), d(11, 20), d(11, 20)), fate="submitted",
        )  # fmt: skip
        self.model_classes()

    def model_classes(self) -> None:
        """R36: the bureau, with the county trade union, recognises FIRST's reading class as a model custody class (the
        grant booked into the school's fund) and proposes SECOND's reading class, awaiting recognition."""
        d, bureau = self.day, self.user("jiaotiju")
        picks = (
            (FIRST, "低年级经典诵读班", "3000.00", ["safety", "content", "satisfaction"], True),
            (SECOND, "四至六年级阅读班", "2000.00", ["content", "records"], False),
        )
        for name, class_name, grant, criteria, recognise in picks:
            service_class = ServiceClass.objects.filter(
                school=self.schools[name], school_year=self.year, name=class_name
            ).first()
            if service_class is None:  # not formed by the demo's day
                continue
            with self.on(d(11, 24), 10):
                proposed = model_classes.model_class_propose(
                    actor=bureau, service_class=service_class, school_year=self.year, criteria=criteria,
                    grant_amount=grant, with_trade_union=True,
                    citation="经县总工会、教育体育局联合评选：活动内容丰富，交接记录完整，家长满意度高。",
                )  # fmt: skip
            if recognise:
                with self.on(d(12, 1), 15) as day:
                    model_classes.model_class_recognise(
                        actor=bureau, model_class=proposed, recognised_on=day, note="县总工会联合认定，下拨示范班补助。"
                    )

    def classes_of(self, name: str) -> dict:
        """The school's filed plan's estimate (or its service classes), else about one class in three."""
        school = self.schools[name]
        classes = claim_prefill(school=school, school_year=self.year)["classes"]
        if sum(classes.values()) >= 1:
            return classes
        counts = dict(AdminClass.objects.filter(school=school).values_list("grade").annotate(n=Count("pk")).order_by())
        out = dict.fromkeys(school.stages, 0)
        for grade, n in counts.items():
            stage = Stage.PRIMARY if 1 <= grade <= 6 else Stage.JUNIOR if 7 <= grade <= 9 else Stage.SENIOR
            if grade <= 0:
                stage = Stage.KINDERGARTEN
            if stage in out:
                out[stage] += n
        return {stage: max(1, n // 3) if n else 0 for stage, n in out.items()}


def play(county: DemoCounty, phase: str) -> list[str]:
    """DELIVERY: the previous and the current year's money, each only while it has no claim."""
    if phase != DELIVERY:
        return []
    current = county.school_year()
    previous = SchoolYear.objects.filter(end_date__lt=current.start_date).order_by("-start_date").first()
    if previous is not None and previous.semesters.exists() and not Claim.objects.filter(school_year=previous).exists():
        PastYear(county, previous).play()
    if not Claim.objects.filter(school_year=current).exists():
        CurrentYear(county, current).play()
    return summary_lines(current)


def summary_lines(current: SchoolYear) -> list[str]:
    """The seed's printed summary of the money: claims per status, the funds, the previous year's settlements."""
    claims_now = Claim.objects.filter(school_year=current)
    statuses = dict(claims_now.values_list("status").annotate(n=Count("id")).order_by())
    supplementary = claims_now.filter(kind=Claim.Kind.SUPPLEMENTARY).count()
    funds = Fund.objects.filter(school_year=current).aggregate(a=Sum("allocated"), s=Sum("spent"))
    allocated, spent = yuan(funds["a"] or ZERO), yuan(funds["s"] or ZERO)
    settled = Settlement.objects.filter(status=Settlement.Status.CONFIRMED).select_related("school", "school_year")
    outcome = {
        Settlement.Outcome.SURPLUS: "结余",
        Settlement.Outcome.SHORTFALL: "缺口",
        Settlement.Outcome.BALANCED: "持平",
    }
    runs = PayRun.objects.filter(status=PayRun.Status.APPROVED)
    return [
        f"经费申请 {claims_now.count()} 份（补充申请 {supplementary} 份）："
        + " · ".join(f"{CLAIM_LABELS[s]} {statuses.get(s, 0)}" for s in Claim.Status)
        + f" · 专项资金已拨付 ¥{allocated:,} · 已支出 ¥{spent:,} · 结余 ¥{allocated - spent:,}",
        "决算（财政局已确认）："
        + (
            " · ".join(
                f"{s.school.name} {s.school_year.name} {outcome[s.outcome]} ¥{abs(s.difference):,}" for s in settled
            )
            or "无"
        )
        + f" · 已发放课时绩效 {runs.count()} 次 · 已公示 {Disclosure.objects.count()} 份",
        "示范性课后托管班："
        + (
            " · ".join(
                f"{m.service_class.school.name} {m.service_class.name} {MODEL_CLASS_LABELS[m.status]} ¥{m.grant_amount:,}"
                for m in ModelClass.objects.filter(school_year=current).select_related("service_class__school")
            )
            or "无"
        ),
    ]
