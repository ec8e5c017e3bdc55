"""The safety part of the demo county (see xiji_afterschool/demo.py for the contract): one section per concern,
each played through its services at its own moments on the demo clock, and called from `play` in DELIVERY."""

import contextlib
import datetime
import random
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from schools.models import (
    Attendance,
    CountySettings,
    Guardian,
    Membership,
    Partner,
    Role,
    School,
    Semester,
    ServiceClass,
    ServiceClassMember,
    ServiceMode,
    Session,
    Student,
    StudentGuardian,
    User,
)
from schools.rules import calendar as calendar_rules
from schools.rules import roster as roster_rules
from xiji_afterschool.demo import DAY, DELIVERY, FIRST, PARENT_MOBILE, SECOND, DemoCounty, at, working_moment

from .models import (
    BusRoute,
    Collector,
    Delegation,
    Dormitory,
    Drill,
    DutyRoster,
    EarlyLeave,
    EmergencyPlan,
    GuardianContact,
    Handover,
    Incident,
    InsuranceClaim,
    LateAlert,
    SafetyEducation,
    Scenario,
    TravelArrangement,
    Visit,
    WalkHomePermission,
)
from .models.emergency import PlanDuty
from .rules import duty as duty_rules
from .rules import handovers as handovers_rules
from .rules import pickups as pickups_rules
from .selectors import duty as duty_selectors
from .selectors import pickups as pickups_selectors
from .services import alerts as alerts_services
from .services import duty as duty_services
from .services import emergency as emergency_services
from .services import gate as gate_services
from .services import handovers as handovers_services
from .services import incidents as incidents_services
from .services import pickups as pickups_services
from .services.handovers import Entry

# ---------------------------------------------------------------- gate (issue 11 §5): 门卫登记 at 西吉县第一小学

GATE_VISITORS = (  # (name, purpose, details, whom visiting)
    ("马秀兰", "parent", "送药", "3年级1班 班主任"),
    ("王建军", "meals", "午餐配送", "食堂"),
    ("李师傅", "repairs", "教室电路检修", "总务处"),
    ("杨主任", "inspection", "县教体局课后服务检查", "校长办公室"),
    ("张小虎", "parcel", "快递", "门卫室"),
    ("苏海燕", "parent", "与班主任沟通", "4年级2班 班主任"),
    ("马志强", "meals", "牛奶配送", "食堂"),
    ("冯师傅", "repairs", "暖气检修", "总务处"),
)
EARLY_LEAVE_REASONS = (("sick", "发烧"), ("doctor", "复诊"), ("family", "家中有事"), ("sick", "肚子疼"))


def _school_days(county: DemoCounty, school_year) -> list[datetime.date]:
    """The first semester's weekdays up to today, without the days without service."""
    semester = school_year.semesters.order_by("number").first()
    if semester is None:
        return []
    days = calendar_rules.service_days(
        semesters=[semester], mode=ServiceMode.FIVE_PLUS_TWO, exceptions=calendar_rules.calendar_exceptions(school_year)
    )
    return [day for day in days if day <= county.today]


def _visit_day(county, school, gate, day, visitors, rng) -> tuple[int, int]:
    """The visitors of one day, each entered live and tapped out when they leave (if that is already past)."""
    entered = corrected = 0
    for name, purpose, note, host in visitors:
        moment = at(day, rng.choice((8, 9, 10, 11, 14, 15)), rng.randrange(0, 60, 5))
        if moment > county.clock.now:
            continue
        with county.clock.at(moment):
            visit = gate_services.visit_record(
                actor=gate, school=school, name=name, id_checked=True, id_last4=f"{rng.randrange(10000):04d}",
                purpose=purpose, purpose_note=note, host_name=host, mobile=f"139{rng.randrange(10**8):08d}",
            )  # fmt: skip
        entered += 1
        leaves = moment + datetime.timedelta(minutes=rng.choice((10, 15, 25, 40, 60)))
        if leaves > county.clock.now:
            continue  # still inside now
        with county.clock.at(leaves):
            gate_services.visit_sign_out(actor=gate, visit=visit)
        if rng.random() < 0.06:  # a slip of the pen, corrected at once by a new entry
            with county.clock.at(leaves + datetime.timedelta(minutes=2)):
                gate_services.visit_correct(
                    actor=gate, visit=visit, reason="事由填错", name=name, id_checked=True, id_last4=visit.id_last4,
                    purpose=purpose, purpose_note=f"{note}（更正）", host_name=host, mobile=visit.mobile,
                    time_in=timezone.localtime(visit.time_in).time(), time_out=timezone.localtime(visit.time_out).time(),
                )  # fmt: skip
            corrected += 1
    return entered, corrected


def play_gate(county: DemoCounty) -> list[str]:
    """A semester of gate entries at FIRST: a few visitors a week (parents, meals, repairs, inspections, parcels),
    one day typed in from the paper sheet (the phone was flat), early leaves permitted by 3年级1班's teacher
    (sick and the like) with the child's guardian, recorded at the gate (one cancelled). Played once per school."""
    school = county.school(FIRST)
    if school is None:
        return []
    if not Visit.objects.filter(school=school).exists():
        gate, teacher = county.user("menwei"), county.user("banzhuren")
        rng = random.Random(f"{county.seed}-gate")  # its own draws: the other stories keep theirs
        days = _school_days(county, county.school_year())
        by_week: dict[tuple, list] = {}
        for day in days:
            by_week.setdefault(day.isocalendar()[:2], []).append(day)
        children = list(
            Student.objects.filter(admin_class__in=teacher.memberships.values("admin_class"))
            .filter(guardian_links__isnull=False)
            .distinct()
            .order_by("pk")
        )
        for week_number, week in enumerate(by_week.values()):
            for day in rng.sample(week, min(len(week), rng.choice((2, 3, 3, 4)))):
                _visit_day(county, school, gate, day, rng.sample(GATE_VISITORS, rng.choice((1, 1, 2))), rng)
            if week_number == 3 and len(week) > 1:  # the phone was flat: the day's sheet typed in the day after
                paper_day, next_day = week[0], week[1]
                with county.clock.at(at(next_day, 8, 10)):
                    for name, purpose, note, host in GATE_VISITORS[:3]:
                        gate_services.visit_enter_paper(
                            actor=gate, school=school, day=paper_day, name=name, id_checked=True,
                            id_last4=f"{rng.randrange(10000):04d}", purpose=purpose, purpose_note=note,
                            host_name=host, time_in=datetime.time(9, 30), time_out=datetime.time(10, 5),
                        )  # fmt: skip
            if children and week_number % 2 == 1:
                _early_leave(county, gate, teacher, rng.choice(children), rng.choice(week), week_number, rng)
    visits = Visit.objects.filter(school=school)
    leaves = EarlyLeave.objects.filter(school=school)
    return [
        f"门卫登记（{school.name}）：来访 {visits.count()} 人次（纸质补录 {visits.filter(on_paper=True).count()}，"
        f"更正 {visits.filter(corrects__isnull=False).count()}，现仍在校 "
        f"{visits.filter(time_out__isnull=True, corrections__isnull=True, date=county.today).count()}）· "
        f"提前离校 {leaves.count()}（已离校 {leaves.filter(status='left').count()}，"
        f"已取消 {leaves.filter(status='cancelled').count()}）"
    ]


def _early_leave(county, gate, teacher, child, day, week_number, rng) -> None:
    reason, note = rng.choice(EARLY_LEAVE_REASONS)
    with county.clock.at(at(day, 10, 20)):
        if county.clock.moment < at(day, 10, 20):
            return  # the morning has not come yet
        adults = gate_services.adult_choices(student=child, date=day)
        leave = gate_services.early_leave_permit(
            actor=teacher, student=child, date=day, leave_at=datetime.time(14, 30), reason=reason, note=note,
            adult=adults[0][0],
        )  # fmt: skip
    if week_number % 7 == 5:
        with county.clock.at(at(day, 11, 0)):
            gate_services.early_leave_cancel(actor=teacher, early_leave=leave, note="家长改为放学后接")
        return
    departs = at(day, 14, rng.choice((25, 30, 35, 40)))
    if departs <= county.clock.now:
        with county.clock.at(departs):
            gate_services.early_leave_depart(actor=gate, early_leave=leave, confirmed=True)


# ---------------------------------------------------------------- the phases

# ---------------------------------------------------------------- venues and hazards (§6)
# FIRST, SECOND and 兴隆镇中心小学 keep their venues and walk the checklists through the autumn semester (mostly
# passing; a failure is rectified and closed within days), and FIRST has hazards in every state: open, assigned,
# rectified (to verify), closed, referred to 消防 (awaiting the reply), referred to the township (replied, back with
# the school and assigned again), and one overdue, escalated to the bureau by the daily job. Played only while a
# school has no venue, so a second run writes nothing.

VENUE_SCHOOLS = (FIRST, SECOND, "兴隆镇中心小学")
VENUES = (  # kind, name; the outside venue is the school's first partner's place, when it has one
    ("classroom", "三年级一班教室"),
    ("classroom", "多功能活动室"),
    ("playground", "操场"),
    ("gym", "风雨操场"),
    ("canteen", "学生食堂"),
    ("dormitory", "学生宿舍"),
    ("bus", "1号校车"),
)
LATE_AT_FIRST = ("food", "traffic")  # FIRST's weekly canteen and bus checks are a day late on the day played to
FAILURES = {  # category -> (item position, what the checker noted), drawn for the few failed routine checks
    "food": ((2, "一名帮厨健康证过期"), (4, "周三午餐未留样")),
    "fire": ((1, "二楼两具灭火器压力不足"), (2, "楼梯口堆放体育器材")),
    "building": ((3, "一扇窗户玻璃破裂"), (4, "后墙插座面板松动")),
    "traffic": ((3, "随车照管员请假未安排替岗"),),
    "security": ((2, "东门监控画面模糊"),),
    "outside": ((3, "往返途中带队教师只有一人"),),
}
STORY = (  # FIRST's hazards: (days ago reported, category, venue name or None, place, description, reporter)
    (2, "fire", "多功能活动室", "", "多功能活动室应急照明灯不亮，停电时无法疏散照明", "banzhuren"),
    (6, "building", "操场", "", "操场北侧篮球架底座螺丝松动，有倾倒风险", "jiaoshi"),
    (9, "building", None, "教学楼东侧楼梯", "东侧楼梯扶手有一段松动", "zhiyuanzhe"),
    (20, "food", "学生食堂", "", "食堂冷藏柜温度显示8℃，超过规定", "jiaoshi"),
    (12, "fire", None, "校园西侧", "校园西侧室外消防栓无水压，需消防部门检测维修", "xuexiao"),
    (25, "traffic", None, "校门外路口", "校门外路口无减速带和人行横道，放学时车辆车速快", "menwei"),
    (16, "security", "学生宿舍", "", "宿舍一楼窗户防护栏锈蚀断裂一根", "shengguan"),
)


HAZARD_LABELS = {
    "open": "待处理",
    "assigned": "整改中",
    "rectified": "待验收",
    "referred": "已移交",
    "closed": "已销号",
}


def _png(width: int = 64, height: int = 48, rgb=(90, 140, 90)) -> bytes:
    """A small solid-colour PNG (the demo's "photo" of a rectification), written without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def _photo(name: str, rgb) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _png(rgb=rgb), content_type="image/png")


def _staff(county: DemoCounty, school, role: str):
    m = Membership.objects.filter(role=role, school=school).select_related("user").order_by("user__username").first()
    return county.user_object(m.user) if m else None


def play_venues(county: DemoCounty) -> list[str]:
    from .models import Hazard, VenueCheck
    from .rules import venues as venue_rules
    from .services import hazards as hazards_services
    from .services import venues as venues_services

    semester = county.school_year().semesters.order_by("number").first()
    if semester is None:
        return []
    rng, today = county.rng, county.today
    last_day = min(today - DAY, semester.end_date)
    for name in VENUE_SCHOOLS:
        school = county.school(name)
        if school is None or school.venues.exists():
            continue
        admin = county.admins([school])[school.pk]
        checker = _staff(county, school, Role.SERVICE_TEACHER) or admin
        venues = []
        with county.clock.at(at(semester.start_date - DAY * 3, 10)):
            for kind, venue_name in VENUES:
                if kind == "dormitory" and name == SECOND:
                    continue  # a day school in the county seat: no boarders
                venues.append(venues_services.venue_create(actor=admin, school=school, kind=kind, name=venue_name))
            partner = Partner.objects.filter(school=school).order_by("name").first()
            if partner is not None:
                venues.append(
                    venues_services.venue_create(
                        actor=admin, school=school, kind="outside", name=f"{partner.name}活动场地", partner=partner
                    )
                )
        for venue in venues:
            for schedule in venue.schedules.all():
                day, until = semester.start_date, last_day
                if name == FIRST and schedule.category in LATE_AT_FIRST:
                    until = min(until, today - DAY * (schedule.every_days + 1))  # 本周待检 shows them overdue
                while day <= until:
                    items = venue_rules.checklist(schedule.category)
                    results = [(True, "")] * len(items)
                    failed = rng.random() < 0.04
                    if failed:
                        position, note = rng.choice(FAILURES[schedule.category])
                        results[position - 1] = (False, note)
                    moment = working_moment(day, rng)
                    with county.clock.at(moment):
                        check = venues_services.check_record(
                            actor=checker, venue=venue, category=schedule.category, results=results
                        )
                    if failed:
                        _fix(county, check, admin, checker, moment, hazards_services)
                    day += DAY * schedule.every_days
        if name == FIRST:
            _story(county, school, admin, hazards_services)
    schools = [s for s in (county.school(n) for n in VENUE_SCHOOLS) if s is not None and s.venues.exists()]
    if not schools:
        return []
    checks = VenueCheck.objects.filter(venue__school__in=schools)
    counts = dict(
        Hazard.objects.filter(school__in=schools).values_list("status").annotate(n=Count("pk")).order_by("status")
    )
    escalated = Hazard.objects.filter(school__in=schools, escalated_at__isnull=False).count()
    return [
        f"场所安全检查：{len(schools)}所学校，{checks.count()}次检查（{checks.filter(failed_count__gt=0).count()}次发现问题）",
        "安全隐患：" + "，".join(f"{HAZARD_LABELS[s]} {n}" for s, n in sorted(counts.items()))
        + f"；逾期上报教体局 {escalated}",
    ]  # fmt: skip


def _fix(county, check, admin, checker, moment, services) -> None:
    """A routine failure: assigned the same afternoon, rectified within days, verified by the admin (the steps due
    after the day the year is played to wait for it)."""
    for item in check.items.filter(passed=False):
        hazard = item.hazard
        if moment + datetime.timedelta(hours=2) > county.clock.now:
            continue
        with county.clock.at(moment + datetime.timedelta(hours=2)):
            services.hazard_assign(actor=admin, hazard=hazard, responsible=checker, deadline=moment.date() + DAY * 7)
        if moment + DAY * 2 > county.clock.now:
            continue
        with county.clock.at(moment + DAY * 2):
            photo = _photo("fix.png", (80, 150, 200))
            services.hazard_rectify(actor=checker, hazard=hazard, note="已按要求整改到位", photos=[photo])
        if moment + DAY * 3 > county.clock.now:
            continue
        with county.clock.at(moment + DAY * 3):
            services.hazard_close(actor=admin, hazard=hazard, note="复查合格")


def _story(county, school, admin, services) -> None:
    """FIRST's hazards in every state, each reported some days before the day the year is played to."""
    today = county.today
    now = county.clock.now
    venues = {v.name: v for v in school.venues.all()}
    hazards = []
    for days_ago, category, venue_name, place, text, reporter in STORY:
        with county.clock.at(at(today - DAY * days_ago, 16, 20)):
            hazards.append(
                services.hazard_report(
                    actor=county.user(reporter),
                    school=school,
                    category=category,
                    description=text,
                    venue=venues.get(venue_name),
                    place=place,
                )
            )
    _open, assigned, rectified, closed, fire, township, overdue = hazards
    teacher, gate = county.user("jiaoshi"), county.user("menwei")

    def on(days_ago: int, hour: int = 10):
        return county.clock.at(at(today - DAY * days_ago, hour))

    with on(5):
        services.hazard_assign(actor=admin, hazard=assigned, responsible=teacher, deadline=today + DAY * 4)
    with on(8):
        services.hazard_assign(actor=admin, hazard=rectified, responsible=teacher, deadline=today + DAY * 2)
    with on(1, 15):
        services.hazard_rectify(
            actor=teacher,
            hazard=rectified,
            note="已更换扶手固定螺栓并加焊加固",
            photos=[_photo("r.png", (160, 120, 80))],
        )
    with on(19):
        services.hazard_assign(actor=admin, hazard=closed, responsible=admin, deadline=today - DAY * 15)
    with on(18):
        services.hazard_rectify(
            actor=admin,
            hazard=closed,
            note="已请维修人员更换温控器，温度恢复至4℃",
            photos=[_photo("c.png", (70, 110, 170))],
        )
    with on(17):
        services.hazard_close(actor=admin, hazard=closed, note="复查冷藏温度正常")
    with on(11):
        services.hazard_refer(
            actor=admin, hazard=fire, to="fire", reference=f"西一小安函〔{today.year}〕7号",
            note="室外消防栓属市政消防供水设施，学校无法自行维修，移交县消防救援大队",
        )  # fmt: skip
    with on(24):
        services.hazard_refer(
            actor=admin, hazard=township, to="township", reference=f"西一小安函〔{today.year}〕5号",
            note="校门外道路属乡镇管理，需协调设置减速带和人行横道",
        )  # fmt: skip
    coordinator = (
        Membership.objects.filter(role=Role.TOWNSHIP_COORDINATOR, township=school.township)
        .select_related("user").order_by("user__username").first()
    )  # fmt: skip
    with on(14, 11):
        services.hazard_record_reply(
            actor=county.user_object(coordinator.user), hazard=township, close=False,
            reply="镇政府已协调县交通运输局，减速带和人行横道已施划完毕，请学校安排门卫放学时段值守疏导",
        )  # fmt: skip
    with on(13):
        services.hazard_assign(actor=admin, hazard=township, responsible=gate, deadline=today + DAY * 10)
    with on(15):
        services.hazard_assign(actor=admin, hazard=overdue, responsible=teacher, deadline=today - DAY * 3)
    with county.clock.at(min(now, at(today, 7))):
        services.hazard_escalate_overdue()  # the daily 07:00 job


def play(county: DemoCounty, phase: str) -> list[str]:
    if phase != DELIVERY:
        return []
    return [
        *play_pickups(county),
        *play_handovers(county),
        *play_gate(county),
        *play_venues(county),
        *play_incidents(county),
        *play_emergency(county),
    ]


# ---------------------------------------------------------------- pickups: who may take a child (§1)
# Most children of the service classes at FIRST and SECOND have one or two other adults listed — grandparents, an
# uncle or aunt — as is typical in Xiji, where many parents work away. Families with an account list them on the
# phone; the others brought a paper request the school recorded (原件存档编号). Some grade 4–6 children have a signed
# permission to go home alone; FIRST runs two bus routes escorted by 杨桂兰 (shengguan) with riders (one changed its
# stop in October: a mid-year change); boarders get a dormitory place where the school has boarders; a couple of
# one-day delegations on recent days. Played only while FIRST and SECOND have no listed adult.

PICKUP_GIVEN = "桂兰秀英玉梅建国志强德福春花海军文明学军永红金花"
ROUTES = (
    ("1号线（北线）", "县医院,夏大路口,夏寨村,芦子沟村", datetime.time(17, 40)),
    ("2号线（南线）", "南关,杨河村,吉强堡子,龙王坝村", datetime.time(17, 45)),
)
WALK_ROUTES = ("出校门沿西兰路向东，过红绿灯到家", "出南门沿滨河路步行回家属院", "出校门沿县道到村口商店，左转回家")


def _mobile(rng) -> str:
    """An allocated mobile: 13x and 18x are allocated whole; 154 and 194 are not, and become 158 and 198 (the
    same draws of `rng`, so the rest of the demo story is unchanged)."""
    value = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    return value if roster_rules.is_mobile(value) else value[:2] + "8" + value[3:]


def _name(surname: str, rng) -> str:
    i = rng.randrange(len(PICKUP_GIVEN) - 1)
    return surname + PICKUP_GIVEN[i : i + 2 if rng.random() < 0.7 else i + 1]


def _schooldays(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        if day.isoweekday() <= 5:
            yield day
        day += DAY


def play_pickups(county: DemoCounty) -> list[str]:
    schools = [s for s in (county.school(FIRST), county.school(SECOND)) if s is not None]
    if not schools:
        return []
    if not Collector.objects.filter(student__school__in=schools).exists():
        with county.without_savepoints():
            for school in schools:
                _play_school(county, school)
    return _pickup_summary(schools)


def _play_school(county: DemoCounty, school) -> None:
    rng = county.rng
    year = county.school_year()
    semesters = sorted(year.semesters.values_list("start_date", "end_date"))
    start = semesters[0][0] if semesters else year.start_date
    admin = county.admins([school]).get(school.pk)
    if admin is None:
        return
    children = list(
        Student.objects.filter(
            pk__in=ServiceClassMember.objects.filter(service_class__school=school, service_class__school_year=year)
            .values("student_id")
        ).select_related("admin_class").order_by("pk")
    )  # fmt: skip
    users = {
        link.student_id: county.user_object(link.guardian.user)
        for link in StudentGuardian.objects.filter(student__in=children, guardian__user__isnull=False)
        .select_related("guardian__user").order_by("-is_primary", "pk")
    }  # fmt: skip
    paper_no = 0
    with county.clock.at(at(start - 3 * DAY, 16)):  # the week before term: the lists come in with the applications
        for child in children:
            if rng.random() > 0.8:
                continue  # a few families list nobody: only the guardians collect
            guardian_user = users.get(child.pk)
            for relation in rng.sample(["grandfather", "grandmother", "uncle_aunt"], rng.choice((1, 1, 2))):
                surname = child.name[0] if relation == "grandfather" or rng.random() < 0.5 else rng.choice("马李王杨")
                paper = guardian_user is None
                paper_no += paper
                pickups_services.collector_add(
                    actor=admin if paper else guardian_user, student=child, name=_name(surname, rng),
                    relation=relation, mobile=_mobile(rng), valid_from=start, paper=paper,
                    paper_reference=f"{school.code[-4:]}-JS-{paper_no:03d}" if paper else "",
                )  # fmt: skip
    _play_walk_home(county, school, children, users, admin, semesters)
    if school.name == FIRST:
        _play_buses(county, school, children, admin, start)
    _play_dormitories(county, school, admin, start)
    _play_delegations(county, children, users)


def _play_walk_home(county, school, children, users, admin, semesters) -> None:
    rng, today = county.rng, county.today
    current = next(((s, e) for s, e in semesters if e >= today), None)
    if current is None:
        return
    begin = current[0]  # signed in the semester's first days (the clock never runs past today)
    older = [c for c in children if 4 <= c.admin_class.grade <= 6 and pickups_rules.may_go_home_alone(c.grade)]
    for n, child in enumerate(older):
        if rng.random() > 0.15:
            continue
        user = users.get(child.pk)
        until = pickups_rules.walk_home_latest_until(begin, semesters)
        with county.clock.at(at(begin, 7, 30)):
            pickups_services.walk_home_sign(
                actor=user or admin, student=child, route=rng.choice(WALK_ROUTES), valid_from=begin, valid_until=until,
                leave_by=datetime.time(17, 50), paper=user is None,
                paper_reference="" if user else f"{school.code[-4:]}-ZX-{n + 1:03d}",
                signature=pickups_services.WalkHomeSignature(
                    signer_name=user.full_name if user else child.name[0] + "家长", accepted=True,
                    ip_address="10.64.22.17" if user else None,
                ),
            )  # fmt: skip


def _play_buses(county, school, children, admin, start) -> None:
    rng = county.rng
    escort = county.user("shengguan")
    with county.clock.at(at(start - 5 * DAY, 10)):
        routes = [
            pickups_services.bus_route_save(
                actor=admin, school=school, name=name, stops=stops, departs_at=departs, escort=escort
            )
            for name, stops, departs in ROUTES
        ]
    riders = rng.sample(children, min(24, len(children)))
    with county.clock.at(at(start - DAY, 10)):
        for n, child in enumerate(riders):
            bus = routes[n % 2]
            pickups_services.travel_set(
                actor=admin, student=child, kind="bus", valid_from=start, bus_route=bus,
                bus_stop=rng.choice(bus.stop_list),
            )  # fmt: skip
    change = start.replace(month=10, day=15)
    if riders and change <= county.today:  # a family moved: a mid-year change of stop ends the old seat
        bus = routes[0]
        with county.clock.at(at(change - DAY, 15)):
            pickups_services.travel_set(
                actor=admin, student=riders[0], kind="bus", valid_from=change, bus_route=bus, bus_stop=bus.stop_list[-1]
            )


def _play_dormitories(county, school, admin, start) -> None:
    # A boarder the bus story already seated keeps the bus (one arrangement at a time): the others get a bed.
    boarders = Student.objects.filter(school=school, is_boarder=True).exclude(travel__isnull=False)
    boarders = list(boarders.order_by("gender", "pk")[:40])
    if not boarders:
        return  # a day school: no dormitory
    teacher = (
        Membership.objects.filter(school=school, role=Role.CARE_STAFF).select_related("user").order_by("pk").first()
    )
    teacher = county.user_object(teacher.user) if teacher else None
    with county.clock.at(at(start - 5 * DAY, 11)):
        dorms = {
            gender: pickups_services.dormitory_save(actor=admin, school=school, name=name, teacher=teacher)
            for gender, name in (("M", "男生宿舍"), ("F", "女生宿舍"))
        }
    with county.clock.at(at(start - DAY, 11)):
        for child in boarders:
            pickups_services.travel_set(
                actor=admin, student=child, kind="dormitory", valid_from=start, dormitory=dorms[child.gender]
            )


def _play_delegations(county, children, users) -> None:
    rng, today = county.rng, county.today
    families = [c for c in children if c.pk in users]
    demo_parent = Guardian.objects.by_mobile(PARENT_MOBILE).filter(user__isnull=False).first()
    if demo_parent is not None:  # the printed parent login sees one on their own child
        own = [link.student for link in demo_parent.student_links.select_related("student").order_by("pk")]
        families = [c for c in own if c in children][:1] + families
        users = {**users, **{c.pk: county.user_object(demo_parent.user) for c in own}}
    days = list(_schooldays(today - 6 * DAY, today))[-3:]
    for day, child in zip(
        reversed(days), families[:1] + rng.sample(families[1:], min(2, len(families[1:]))), strict=False
    ):
        with county.clock.at(at(day, 7, 20)):
            pickups_services.delegation_add(
                actor=users[child.pk], student=child, date=day, name=_name(child.name[0], rng),
                relation="uncle_aunt", mobile=_mobile(rng), note="今天孩子舅舅来接",
            )  # fmt: skip


def _pickup_summary(schools) -> list[str]:
    today_lines = []
    for school in schools:
        collectors = Collector.objects.filter(student__school=school)
        today_lines.append(
            f"{school.name}：接送人 {collectors.count()} 名（纸质申请 {collectors.filter(source='paper').count()}），"
            f"自行离校 {WalkHomePermission.objects.filter(student__school=school).count()} 份，"
            f"校车线路 {BusRoute.objects.filter(school=school).count()} 条 / 乘车安排 "
            f"{TravelArrangement.objects.filter(student__school=school, kind='bus').count()}，"
            f"宿舍 {Dormitory.objects.filter(school=school).count()} 间 / 住宿安排 "
            f"{TravelArrangement.objects.filter(student__school=school, kind='dormitory').count()}，"
            f"临时委托 {Delegation.objects.filter(student__school=school).count()} 次"
        )
    return ["接送安排（safety pickups）", *today_lines]


# ---------------------------------------------------------------- hand-overs, duty roster, late pick-ups (§2, §3)
# At 西吉县第一小学 the school admin ("xuexiao") sets the duty roster (值班表) a few days ahead for every school day of
# the semester up to today and the next five: the duty teachers rotate among the school's teachers (a new rota every
# four weeks, copied from the week before in between, now and then a swap), 马德福 ("menwei") keeps the gate.
# After every logged session of the semester (only those dated up to today: today's is not logged) the session's
# teacher hands each present child over 0–12 minutes after the end, one batch per session: bus riders to the bus
# (杨桂兰 "shengguan" confirms 已上车 a minute later), boarders to the dormitory (she confirms 已到宿舍), a child with a
# valid permission home alone, a child with an adult announced for the day to that adult, the others to a roster
# guardian or a listed adult drawn by child and day. Twice a week (Tuesday, Thursday) a few children whose parents
# work late are handed to the 延时托管班 teacher and collected from her later. About once a week (on a Monday,
# Wednesday or Friday) one child is not collected in time: the scheduled job raises the alert 15 minutes after the
# end and repeats it 10 minutes later; the grandmother arrives, the teacher hands the child over, and the job resolves
# the alert at its next run — or, on a few days, the duty teacher resolves it by hand with what happened. Two hand-overs
# are corrected a few minutes later (the wrong adult tapped). Every alert is resolved: today looks calm.
# 西吉县第二小学's logged sessions are handed over the same way (no bus, no extended care, no late child there): the
# alert job is county-wide, and a child of another school left in a teacher's hands would be "late" at each run.
# Guardians hear of each hand-over when it happens (the service tells them when its transaction commits; the seed's
# one transaction commits at the end, so the demo runs those callbacks at the step, on the step's clock).
# Played per school only while it has no hand-over this year (the roster: only while it has no roster this year).

HANDOVER_SCHOOLS = (FIRST, SECOND)
EXTENDED_DAYS = (2, 4)  # Tuesday, Thursday: a few children stay for 延时托管
LATE_DAYS = (1, 3, 5)  # the late child's weekday (never an extended-care day: those children are still held then)
# week number -> how the late child's alert ends: by the hand-over itself when the adult comes (default), or first
# by the duty teacher who phoned the family ("reached": the child waits with staff until collected)
BY_HAND = {1: "reached", 3: "reached", 8: "reached", 12: "reached"}
REACHED_NOTES = (
    "奶奶在地里干活没看手机，已电话联系，约{time}到校接",
    "爸爸在工地加班，已电话联系，约{time}到校接",
)
ROTA_WEEKS = 4  # a new duty rota every four weeks; the weeks between are copied
SWAP_NOTE = "{away}老师外出培训，与{other}老师调班"
RELATION_WORDS = {"grandfather": "爷爷", "grandmother": "奶奶"}
SIGNED = "M10 20L30 22L50 18"  # what the adult draws when the school asks for a signature


def _minutes(moment: datetime.datetime, n: int) -> datetime.datetime:
    return moment + datetime.timedelta(minutes=n)


@contextlib.contextmanager
def _told_at_once():
    """Run the callbacks the step leaves for its commit (the hand-over service tells the guardians on commit) at the
    end of the step, on the step's clock: in the seed's one transaction they would otherwise all run at its end,
    dated then. Those the callbacks add in turn (the text messages' sending) still wait for the commit."""
    connection = transaction.get_connection()
    start = len(connection.run_on_commit)
    yield
    callbacks = connection.run_on_commit[start:]
    del connection.run_on_commit[start:]
    for _savepoints, callback, _robust in callbacks:
        callback()


def play_handovers(county: DemoCounty) -> list[str]:
    """The duty roster at FIRST, then the semester's hand-overs and late pick-ups at FIRST and SECOND."""
    year = county.school_year()
    semester = Semester.objects.filter(school_year=year, start_date__lte=county.today).order_by("-start_date").first()
    schools = [s for s in (county.school(name) for name in HANDOVER_SCHOOLS) if s is not None]
    if semester is None or not schools:
        return []
    in_year = Q(date__gte=year.start_date, date__lte=year.end_date)
    with county.without_savepoints():
        first = schools[0] if schools[0].name == FIRST else None
        if first is not None and not DutyRoster.objects.filter(in_year, school=first).exists():
            _play_roster(county, first, semester)
        todo = [s for s in schools if not Handover.objects.filter(in_year, student__school=s).exists()]
        if todo:
            Dismissal(county, semester, todo).play()
    return _handover_lines(county, schools, year)


def _play_roster(county: DemoCounty, school: School, semester: Semester) -> None:
    """Each week's roster set by the school admin on the Thursday before: a new rota every ROTA_WEEKS weeks (and
    whatever day last week cannot give), the other weeks copied from the week before, now and then a swap."""
    admin = county.user_object(county.admins([school])[school.pk])
    pool = [
        county.user_object(u)
        for u in duty_selectors.duty_teacher_choices(school=school)
        .exclude(memberships__role=Role.CARE_STAFF)  # the bus escort is on the bus at dismissal
        .order_by("username")
    ][:6]
    gate = duty_selectors.gate_keeper_choices(school=school).order_by("username").first()
    gate = county.user_object(gate) if gate else None
    if not pool:
        return
    every = duty_selectors.school_days(first=semester.start_date, last=semester.end_date)
    days = [d for d in every if d <= county.today] + [d for d in every if d > county.today][:5]
    weeks: dict[datetime.date, list[datetime.date]] = {}
    for day in days:
        weeks.setdefault(duty_rules.week_start(day), []).append(day)
    whole = {monday: [d for d in every if duty_rules.week_start(d) == monday] for monday in weeks}
    rng = random.Random(f"{county.seed}-duty")
    set_days: dict[datetime.date, User] = {}
    for n, (monday, week) in enumerate(weeks.items()):
        rota = n // ROTA_WEEKS
        with county.clock.at(at(monday - DAY * 4, 16, 30)):
            copied = [d for d in week if d - DAY * 7 in set_days]
            if n % ROTA_WEEKS == 0 or week != whole[monday]:  # a new rota; the last week is set only up to its end
                copied = []
            if copied:
                duty_services.duty_roster_copy_week(actor=admin, school=school, week=monday)
                for day in copied:
                    set_days[day] = set_days[day - DAY * 7]
            for day in week:
                if day not in set_days:
                    teacher = pool[(rota + day.isoweekday()) % len(pool)]
                    duty_services.duty_roster_set(
                        actor=admin, school=school, date=day, duty_teacher=teacher, gate_keeper=gate
                    )
                    set_days[day] = teacher
            if copied and len(pool) > 1 and rng.random() < 0.3:
                day = rng.choice(week)
                away = set_days[day]
                other = pool[(pool.index(away) + 1) % len(pool)] if away in pool else pool[0]
                duty_services.duty_roster_set(
                    actor=admin, school=school, date=day, duty_teacher=other, gate_keeper=gate,
                    note=SWAP_NOTE.format(away=away.full_name or away.username, other=other.full_name or other.username),
                )  # fmt: skip
                set_days[day] = other


class Dismissal:
    """The semester's dismissals at the schools to play: every day's steps (batches, receipts, staff hand-overs, the
    alert job's runs, the late arrivals) in the order of their moments, so the county-wide alert job sees each day
    as it was at each run."""

    def __init__(self, county: DemoCounty, semester: Semester, schools: list[School]):
        self.county, self.clock, self.semester = county, county.clock, semester
        self.schools = schools
        settings = CountySettings.current()
        self.late_minutes, self.repeat_minutes = settings.late_pickup_minutes, settings.late_pickup_repeat_minutes
        self.first = next((s for s in schools if s.name == FIRST), None)
        extended = None
        if self.first is not None:
            extended = (
                ServiceClass.objects.filter(
                    school=self.first, school_year=semester.school_year, kind=ServiceClass.Kind.EXTENDED
                )
                .select_related("teacher")
                .order_by("pk")
                .first()
            )
        self.extended_teacher = county.user_object(extended.teacher) if extended and extended.teacher else None
        self.corrected: set[datetime.date] = set()
        self.late_count = 0

    def play(self) -> None:
        sessions = list(
            Session.objects.filter(
                service_class__school__in=self.schools,
                date__gte=self.semester.start_date,
                date__lte=min(self.semester.end_date, self.county.today),
            )
            .select_related("service_class", "teacher")
            .order_by("date", "end_time", "pk")
        )
        if not sessions:
            return
        present: dict[int, list[int]] = {}
        for session_id, student_id in (
            Attendance.objects.filter(session__in=sessions, mark=Attendance.Mark.PRESENT)
            .order_by("student_id")
            .values_list("session_id", "student_id")
        ):
            present.setdefault(session_id, []).append(student_id)
        students = Student.objects.select_related("admin_class").in_bulk(
            {sid for ids in present.values() for sid in ids}
        )
        self.students = students
        # Children whose parents work late: a handful of FIRST's day children, the same all semester.
        regulars = sorted({sid for s in sessions if s.service_class.school_id == getattr(self.first, "pk", None)
                           for sid in present.get(s.pk, [])})  # fmt: skip
        self.late_families = set(random.Random(f"{self.county.seed}-extended").sample(regulars, min(8, len(regulars))))
        first_days = sorted({s.date for s in sessions if s.service_class.school_id == getattr(self.first, "pk", None)})
        weeks: dict[tuple, list[datetime.date]] = {}
        for day in first_days:
            weeks.setdefault(day.isocalendar()[:2], []).append(day)
        rng = random.Random(f"{self.county.seed}-late")
        self.late_days = set()
        for week in weeks.values():
            candidates = [d for d in week if d.isoweekday() in LATE_DAYS]
            if candidates:
                self.late_days.add(rng.choice(candidates))
        self.correction_days = (
            {first_days[len(first_days) // 3], first_days[2 * len(first_days) // 3]} if len(first_days) >= 6 else set()
        )
        by_day: dict[datetime.date, list[Session]] = {}
        for session in sessions:
            by_day.setdefault(session.date, []).append(session)
        for day, day_sessions in by_day.items():
            self.play_day(day, day_sessions, present)

    def play_day(self, day: datetime.date, sessions: list[Session], present: dict) -> None:
        ids = [sid for s in sessions for sid in present.get(s.pk, [])]
        if not ids:
            return
        allowed = pickups_selectors.allowed_today(student_ids=ids, date=day)
        # A child present twice the same day is handed over after their last session (as the alert job counts).
        last: dict[int, Session] = {}
        for session in sessions:
            for sid in present.get(session.pk, []):
                last[sid] = session
        rng = random.Random(f"{self.county.seed}-dismissal-{day}")
        first_id = getattr(self.first, "pk", None)
        collected = [
            sid
            for sid, s in last.items()
            if s.service_class.school_id == first_id
            and not (allowed[sid].bus or allowed[sid].dormitory or allowed[sid].delegations or allowed[sid].walk_home)
        ]
        late = None  # (session, child): FIRST's child not collected in time this week
        if collected and day in self.late_days:
            child = rng.choice(sorted(collected))
            late = (last[child], child)
        extended: list[tuple[Session, int]] = []
        if collected and self.extended_teacher is not None and day.isoweekday() in EXTENDED_DAYS:
            stay = sorted(sid for sid in collected if sid in self.late_families)
            for sid in rng.sample(stay, min(len(stay), rng.choice((2, 3, 4)))):
                extended.append((last[sid], sid))
        held_back = {late[1]} if late else set()
        held_back |= {sid for _s, sid in extended}

        steps = []  # (moment, order, callable)
        for session in sessions:
            children = [sid for sid in present.get(session.pk, []) if last[sid] is session]
            if not children:
                continue
            end = at(day, session.end_time.hour, session.end_time.minute)
            batch_at = _minutes(end, rng.randint(3, 12))
            batch = [sid for sid in children if sid not in held_back]
            staying = [sid for s, sid in extended if s is session]
            steps.append(
                (batch_at, 0, lambda s=session, b=batch, t=batch_at, st=staying: self.batch(s, b, t, st, allowed))
            )
            for sid in staying:
                collected = _minutes(end, rng.randint(50, 85))
                steps.append(
                    (collected, 2, lambda s=session, c=sid, t=collected: self.collect_from_care(s, c, t, allowed))
                )
            if late and late[0] is session:
                steps += self.late_steps(session, late[1], end, allowed, rng)
        for _moment, _order, step in sorted(steps, key=lambda x: (x[0], x[1])):
            step()

    # -- the steps

    def choice(self, child: int, day: datetime.date, allowed, *, adults_only: bool = False) -> tuple[str, str]:
        """What the dismissal page would offer first for this child, and the code the adult would say."""
        a = allowed[child]
        if not adults_only:
            if a.bus is not None and a.bus.bus_route.active and a.bus.bus_route.escort_id:
                return "bus", ""
            if a.dormitory is not None and a.dormitory.dormitory.teacher_id:
                return "dormitory", ""
            if a.delegations:
                d = a.delegations[0]
                return f"delegate:{d.pk}", handovers_rules.guardian_code(d.mobile)
        adults = [(f"guardian:{g.pk}", handovers_rules.guardian_code(g.mobile)) for g, _label in a.guardians]
        adults += [(f"collector:{c.pk}", c.pickup_code) for c in a.collectors]
        return random.Random(f"{self.county.seed}-{child}-{day}").choice(adults)

    def entry(self, session: Session, child: int, moment, allowed, *, adults_only: bool = False) -> Entry:
        choice, code = self.choice(child, session.date, allowed, adults_only=adults_only)
        a = allowed[child]
        student = self.students[child]
        if choice.startswith(("guardian", "collector")) and not adults_only and a.walk_home is not None:
            local = timezone.localtime(moment).time()
            if handovers_rules.may_walk_home(grade=student.admin_class.grade, leave_by=a.walk_home.leave_by, at=local):
                choice, code = "alone", ""
        return Entry(session=session, student=student, choice=choice, at=moment, code=code, signature=SIGNED)

    def batch(self, session: Session, children: list[int], moment, staying: list[int], allowed) -> None:
        teacher = self.county.user_object(session.teacher)
        end = at(session.date, session.end_time.hour, session.end_time.minute)
        span = max(int((moment - end).total_seconds() // 60), 0)
        rng = random.Random(f"{self.county.seed}-batch-{session.pk}")
        offsets = sorted(rng.randint(0, span) for _ in children)
        entries = [
            self.entry(session, sid, _minutes(end, m), allowed) for sid, m in zip(children, offsets, strict=True)
        ]
        with self.clock.at(moment), _told_at_once():
            created = handovers_services.handover_record(actor=teacher, entries=entries) if entries else []
            if staying:
                handovers_services.handover_to_staff(
                    actor=teacher,
                    pairs=[(session, self.students[sid]) for sid in staying],
                    to_staff=self.extended_teacher,
                )
        received = [h for h in created if h.to in (Handover.To.BUS, Handover.To.DORMITORY)]
        if received:
            with self.clock.at(_minutes(moment, 1)):
                for handover in received:
                    handovers_services.handover_receive(
                        actor=self.county.user_object(handover.to_staff), handover=handover
                    )
        at_first = session.service_class.school_id == getattr(self.first, "pk", None)
        if at_first and session.date in self.correction_days and session.date not in self.corrected:
            self.correct(teacher, created, _minutes(moment, 4), allowed)

    def correct(self, teacher: User, created: list, moment, allowed) -> None:
        """The wrong adult tapped: corrected a few minutes later with the adult who really came."""
        for handover in created:
            if handover.to != Handover.To.COLLECTOR or handover.collector_id is None:
                continue
            a = allowed[handover.student_id]
            others = [c for c in a.collectors if c.pk != handover.collector_id and c.relation in RELATION_WORDS]
            if not others or handover.recipient_relation not in RELATION_WORDS:
                continue
            right = others[0]
            wrong_word, right_word = RELATION_WORDS[handover.recipient_relation], RELATION_WORDS[right.relation]
            if wrong_word == right_word:
                continue
            with self.clock.at(moment), _told_at_once():
                handovers_services.handover_correct(
                    actor=teacher, handover=handover, choice=f"collector:{right.pk}", code=right.pickup_code,
                    signature=SIGNED, reason=f"误点成{wrong_word}，实际为{right_word}接走",
                )  # fmt: skip
            self.corrected.add(handover.date)
            return

    def collect_from_care(self, session: Session, child: int, moment, allowed) -> None:
        entry = self.entry(session, child, moment, allowed, adults_only=True)
        with self.clock.at(moment), _told_at_once():
            handovers_services.handover_record(actor=self.extended_teacher, entries=[entry])

    def late_steps(self, session: Session, child: int, end, allowed, rng) -> list:
        """The alert job's runs at the due moment and the reminder, the arrival and hand-over, and how it ends."""
        n = self.late_count
        self.late_count += 1
        how = BY_HAND.get(n, "job")
        due = _minutes(end, self.late_minutes)
        reminder = _minutes(due, self.repeat_minutes)
        arrives = _minutes(reminder, rng.randint(5, 25))
        teacher = self.county.user_object(session.teacher)

        def run_job(moment):
            with self.clock.at(moment):
                alerts_services.late_alerts_raise(now=moment)

        def hand_over():
            entry = self.entry(session, child, arrives, allowed, adults_only=True)
            with self.clock.at(arrives), _told_at_once():
                handovers_services.handover_record(actor=teacher, entries=[entry])

        def resolve(resolution: str, moment, notes):
            note = rng.choice(notes).format(time=timezone.localtime(arrives).strftime("%H:%M"))
            with self.clock.at(moment):
                alert = LateAlert.objects.get(student_id=child, session=session)
                roster = DutyRoster.objects.filter(school_id=session.service_class.school_id, date=session.date).first()
                actor = self.county.user_object(roster.duty_teacher) if roster else teacher
                alerts_services.late_alert_resolve(actor=actor, alert=alert, resolution=resolution, note=note)

        steps = [(due, 1, lambda: run_job(due)), (reminder, 1, lambda: run_job(reminder)), (arrives, 3, hand_over)]
        if how == "reached":
            called = _minutes(reminder, 2)
            steps.append((called, 1, lambda: resolve(LateAlert.Resolution.GUARDIAN_REACHED, called, REACHED_NOTES)))
        else:
            after = _minutes(arrives, 1)
            steps.append((after, 4, lambda: run_job(after)))
        return steps


def _handover_lines(county: DemoCounty, schools: list[School], year) -> list[str]:
    lines = []
    to = Handover.To
    for school in schools:
        rows = Handover.objects.filter(student__school=school, date__gte=year.start_date, date__lte=year.end_date)
        if not rows.exists():
            continue
        counts = dict(rows.filter(corrects__isnull=True).values_list("to").annotate(n=Count("pk")).order_by())
        total = sum(counts.values())
        adults = counts.get(to.COLLECTOR, 0) + counts.get(to.DELEGATE, 0) + counts.get(to.CONSENT, 0)
        line = (
            f"放学交接（{school.name}）{total:,} 人次（接送人 {adults:,} · 校车 {counts.get(to.BUS, 0):,} · "
            f"宿舍 {counts.get(to.DORMITORY, 0):,} · 自行离校 {counts.get(to.ALONE, 0):,} · "
            f"交给教师 {counts.get(to.STAFF, 0):,}）· 更正 {rows.filter(corrects__isnull=False).count()}"
        )
        roster = DutyRoster.objects.filter(school=school, date__gte=year.start_date, date__lte=year.end_date)
        if roster.exists():
            line += f" · 值班表 {roster.count()} 天"
        alerts = LateAlert.objects.filter(school=school, date__gte=year.start_date, date__lte=year.end_date)
        if alerts.exists():
            by_job = alerts.filter(status=LateAlert.Status.RESOLVED, resolved_by__isnull=True).count()
            by_hand = alerts.filter(status=LateAlert.Status.RESOLVED, resolved_by__isnull=False).count()
            line += f" · 晚接提醒 {alerts.count()} 次（系统自动销 {by_job} · 值班教师处理 {by_hand}）"
        lines.append(line)
    return lines


# ---------------------------------------------------------------- incidents (§7), emergency plans, drills and safety education (§8)
# The safety part of the demo county (see xiji_afterschool/demo.py for the contract: services, the clock, played
# once, summary lines).
#
# DELIVERY, after the schools' sessions:
#
# Incidents (issue 11 §7). At 西吉县第一小学 one incident in the current semester: a third-grader of the 三四年级作业
# 辅导班 falls on the playground during the after-school service (a grazed knee and a sprained ankle). The service
# teacher 王海燕 ("jiaoshi"), who was there, records it with the first aid (the school doctor's ice pack and dressing)
# and phones the mother seven minutes later; two days later she adds a follow-up (the hospital's X-ray showed no
# fracture). The school admin ("xuexiao") records the school liability insurance (中国人寿, 校方责任险), files the
# claim, which the insurer accepts and pays; the compensation is shared insurer / school to the fen, and the incident
# is closed. At 西吉县第二小学 one minor incident, a nosebleed, told in person at pick-up and closed the next day, with
# no insurance. Each school's story is played only while that school has no incident in the semester.
#
# Emergency plans, drills and safety education (issue 11 §8). At both schools the school admin writes the plans of the
# five scenarios (火灾, 伤害, 走失, 恶劣天气, 交通) with named responsibilities from the school's staff (总指挥 = the
# school admin), in the semester's first week; at 西吉县第一小学 the fire plan is revised once after the fire drill
# (version 2 supersedes version 1), only while the school has no plan. In every semester of the year begun so far, at
# both schools, a fire drill and an earthquake evacuation drill, four safety-education sessions for the pupils (交通
# 安全, 防溺水, 冬季防滑防冻, 防欺凌) and one for the teachers, each only while the school has none of them that
# semester.
#
# Every step runs inside `county.clock.at(moment)` on its own day; a day after `county.now` is played then (the clock
# never runs ahead), so the story exists whatever the day the year is played to. No semester begun yet: nothing.

D = PlanDuty.Duty
PLAN_SCENARIOS = (Scenario.FIRE, Scenario.INJURY, Scenario.MISSING, Scenario.WEATHER, Scenario.TRAFFIC)
STAFF_ROLES = (Role.SERVICE_TEACHER, Role.CLASS_TEACHER, Role.CARE_STAFF, Role.GATE, Role.VOLUNTEER)


def weekday(day: datetime.date) -> datetime.date:
    """`day`, or the Monday after when it falls on a weekend."""
    while day.isoweekday() > 5:
        day += DAY
    return day


class Story:
    """The common ground of the safety stories: the county, its two story schools, the semesters begun so far."""

    def __init__(self, county: DemoCounty):
        self.county, self.clock, self.today = county, county.clock, county.today
        year = county.school_year()
        self.semesters = [s for s in Semester.objects.filter(school_year=year).order_by("number")]
        self.semesters = [s for s in self.semesters if s.start_date <= self.today]
        self.semester = self.semesters[-1] if self.semesters else None
        self.schools = {name: school for name in (FIRST, SECOND) if (school := county.school(name)) is not None}
        self.admins = county.admins(self.schools.values())

    def admin(self, name: str) -> User:
        return self.admins[self.schools[name].pk]

    def day(self, semester: Semester, offset: int) -> datetime.date:
        """A weekday `offset` days into the semester, never after today."""
        return min(weekday(semester.start_date + offset * DAY), self.today)

    def moment(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        """A moment of `day`, never after `county.now` (for the times a service is given, not only the clock's)."""
        return min(at(day, hour, minute), self.clock.now)

    def staff(self, name: str) -> list[User]:
        """The school's staff other than its admins (the people plans name), by username."""
        rows = Membership.objects.filter(school=self.schools[name], role__in=STAFF_ROLES).select_related("user")
        people = {}
        for m in rows.order_by("user__username"):
            people.setdefault(m.user.username, self.county.user_object(m.user))
        return list(people.values())

    def in_semester(self, semester: Semester) -> Q:
        return Q(date__gte=semester.start_date, date__lte=semester.end_date)


# ---------------------------------------------------------------- incidents and insurance (§7)


def the_pupil(school: School, year, teacher: User | None, grade: int) -> Student:
    """A pupil of `grade` in the teacher's service class (else of the grade), not one of the demo parent's children
    (whose pages other stories show)."""
    pupils = Student.objects.filter(school=school, admin_class__grade=grade).exclude(
        guardian_links__guardian__in=Guardian.objects.by_mobile(PARENT_MOBILE)
    )
    if teacher is not None:
        members = pupils.filter(
            service_class_memberships__service_class__school_year=year,
            service_class_memberships__service_class__teacher=teacher,
            service_class_memberships__end_date__isnull=True,
        )
        if members.exists():
            pupils = members
    # By ID number, sorted here: the column is encrypted (issue 14 item 6).
    return min(
        pupils.select_related("admin_class"), key=lambda s: (s.admin_class.number, s.id_number or ""), default=None
    )


def guardian_name(student: Student) -> str:
    link = student.guardian_links.select_related("guardian").order_by("-is_primary", "pk").first()
    return link.guardian.name if link else "家长"


class Incidents(Story):
    def play(self) -> None:
        if self.semester is None:
            return
        semester = self.semester
        for name, story in ((FIRST, self.playground_fall), (SECOND, self.nosebleed)):
            if name not in self.schools:
                continue
            school = self.schools[name]
            happened = Incident.objects.filter(
                school=school,
                occurred_at__date__gte=semester.start_date,
                occurred_at__date__lte=semester.end_date,
            )
            if not happened.exists():
                story(school)

    def teacher_of(self, school: School, class_name: str) -> User | None:
        service_class = ServiceClass.objects.filter(
            school=school, school_year=self.semester.school_year, name=class_name
        ).first()
        return self.county.user_object(service_class.teacher) if service_class and service_class.teacher else None

    def playground_fall(self, school: School) -> None:
        """A third-grader falls on the playground; insured, paid, shared, closed."""
        teacher = self.teacher_of(school, "三四年级作业辅导班") or self.county.user("jiaoshi")
        admin = self.admin(FIRST)
        pupil = the_pupil(school, self.semester.school_year, teacher, 3)
        day = self.day(self.semester, 44)
        with self.clock.at(at(day, 17, 5)):
            incident = incidents_services.incident_record(
                actor=teacher, school=school, occurred_at=self.moment(day, 16, 50), place="学校操场（篮球架旁）",
                description=(
                    "课后服务课间活动时，该生在操场追跑，被篮球架底座绊倒，右膝着地、右脚踝扭伤。"
                    "王海燕老师当即停止活动，送校医室处理，并电话通知家长。"
                ),
                children=[{
                    "student": pupil, "injury": "右膝擦伤，右脚踝扭伤（肿胀）",
                    "first_aid": "校医冰敷右踝、消毒包扎右膝", "first_aid_by": "校医",
                }],
                severity=Incident.Severity.MEDICAL, during_service=True, staff_present="王海燕（课后服务教师）",
            )  # fmt: skip
        child = incident.children.get()
        with self.clock.at(at(day, 17, 8)):
            incidents_services.incident_tell_guardian(
                actor=teacher, child=child, told_at=self.moment(day, 16, 57), how=GuardianContact.How.PHONE,
                guardian_name=guardian_name(pupil), note="家长17:30到校接孩子去县人民医院拍片检查",
            )  # fmt: skip
        later = min(day + 2 * DAY, self.today)
        with self.clock.at(at(later, 17, 50)):
            incidents_services.incident_follow_up(
                actor=teacher, incident=incident, child=child, date=later,
                note="电话回访家长：县人民医院拍片未见骨折，右踝软组织挫伤，医嘱休息三天后正常上学；右膝擦伤已结痂。",
            )  # fmt: skip
        claim_day = min(day + 3 * DAY, self.today)
        with self.clock.at(at(claim_day, 10)):
            claim = incidents_services.insurance_open(
                actor=admin, incident=incident, policy=InsuranceClaim.Policy.SCHOOL_LIABILITY,
                insurer="中国人寿保险股份有限公司西吉县支公司", policy_no=f"XFZR{self.county.y}640422-0017",
            )  # fmt: skip
        filed = min(day + 6 * DAY, self.today)
        with self.clock.at(at(filed, 10, 30)):
            incidents_services.insurance_file(actor=admin, claim=claim, filed_on=filed, amount_claimed="860.00")
        accepted = min(day + 13 * DAY, self.today)
        with self.clock.at(at(accepted, 15)):
            incidents_services.insurance_accept(actor=admin, claim=claim, decided_on=accepted)
        paid = min(day + 20 * DAY, self.today)
        with self.clock.at(at(paid, 11)):
            incidents_services.insurance_pay(actor=admin, claim=claim, paid_on=paid, amount_paid="688.00")
        with self.clock.at(at(paid, 11, 20)):
            incidents_services.insurance_compensation(
                actor=admin, claim=claim, total="860.00",
                shares={"share_insurer": "688.00", "share_school": "172.00"},
            )  # fmt: skip
        closed = min(day + 21 * DAY, self.today)
        with self.clock.at(at(closed, 16)):
            incidents_services.incident_close(
                actor=admin, incident=incident,
                summary=(
                    "学生已康复正常上学。医疗费用¥860.00，中国人寿校方责任险赔付¥688.00，学校承担¥172.00，"
                    "家长无异议。已在篮球架底座加装防护垫，课间活动增派一名教师看护。"
                ),
            )  # fmt: skip

    def nosebleed(self, school: School) -> None:
        """A nosebleed in the reading class: first aid, the grandmother told at pick-up, closed the next day."""
        teacher = self.teacher_of(school, "一至三年级作业辅导班") or self.admin(SECOND)
        admin = self.admin(SECOND)
        pupil = the_pupil(school, self.semester.school_year, teacher, 2)
        day = self.day(self.semester, 51)
        with self.clock.at(at(day, 17, 0)):
            incident = incidents_services.incident_record(
                actor=teacher, school=school, occurred_at=self.moment(day, 16, 35), place="二楼作业辅导教室",
                description="写作业时该生突然流鼻血，无碰撞，教师立即处理，约十分钟后止血，继续参加课后服务。",
                children=[{
                    "student": pupil, "injury": "鼻出血（无外伤）",
                    "first_aid": "身体前倾、捏住鼻翼止血，额头冷敷", "first_aid_by": teacher.full_name or "带班教师",
                }],
                severity=Incident.Severity.MINOR, during_service=True, staff_present=teacher.full_name,
            )  # fmt: skip
        with self.clock.at(at(day, 17, 50)):
            incidents_services.incident_tell_guardian(
                actor=teacher, child=incident.children.get(), told_at=self.moment(day, 17, 42),
                how=GuardianContact.How.IN_PERSON, guardian_name=guardian_name(pupil),
                note="放学接孩子时当面告知，提醒家长天气干燥多给孩子喝水",
            )  # fmt: skip
        closed = min(weekday(day + DAY), self.today)
        with self.clock.at(at(closed, 9, 30)):
            incidents_services.incident_close(
                actor=admin, incident=incident, summary="轻微鼻出血，已当场处理，家长已知晓，无需就医，不涉及保险。"
            )


def play_incidents(county: DemoCounty) -> list[str]:
    """The semester's incidents at the two story schools (each only while that school has none this semester)."""
    Incidents(county).play()
    return incident_lines(county)


POLICY_LABELS = {InsuranceClaim.Policy.SCHOOL_LIABILITY: "校方责任险", InsuranceClaim.Policy.STUDENT_ACCIDENT: "学平险"}
CLAIM_LABELS = {
    InsuranceClaim.Status.NOT_FILED: "未报案",
    InsuranceClaim.Status.FILED: "已报案",
    InsuranceClaim.Status.ACCEPTED: "已受理",
    InsuranceClaim.Status.PAID: "已赔付",
    InsuranceClaim.Status.REFUSED: "已拒赔",
}


def incident_lines(county: DemoCounty) -> list[str]:
    year = county.school_year()
    rows = Incident.objects.filter(
        school__in=county.in_county(),
        occurred_at__date__gte=year.start_date,
        occurred_at__date__lte=year.end_date,
    )
    closed = rows.filter(status=Incident.Status.CLOSED).count()
    claims = InsuranceClaim.objects.filter(incident__in=rows).select_related("incident__school")
    parts = []
    for claim in claims.order_by("incident__occurred_at"):
        line = (
            f"{claim.incident.school.name} {POLICY_LABELS[claim.policy]}（{claim.insurer}）{CLAIM_LABELS[claim.status]}"
        )
        if claim.compensation_total is not None:
            line += f"，赔偿合计 ¥{claim.compensation_total:,}：保险 ¥{claim.share_insurer:,} · 学校 ¥{claim.share_school:,}"
        parts.append(line)
    return [
        f"安全事件 {rows.count()} 起（已结案 {closed}，课后服务期间 {rows.filter(during_service=True).count()}）"
        + " · 保险理赔："
        + ("；".join(parts) or "无")
    ]


# ---------------------------------------------------------------- emergency plans, drills, education (§8)

PLAN_TEXT = {
    Scenario.FIRE: (
        "课后服务时段火灾应急预案",
        "1. 发现火情立即呼喊报警，总指挥拉响警报并拨打119。\n2. 各班教师按疏散路线带学生弯腰、捂口鼻沿楼梯"
        "有序撤离到操场，不乘电梯、不返回取物。\n3. 到达集合点后清点人数，逐级上报。\n4. 门卫打开校门、疏导消防"
        "车辆。\n5. 联络组通知家长；报告组向县教体局报告。",
    ),
    Scenario.INJURY: (
        "课后服务时段学生伤害应急预案",
        "1. 带班教师立即停止活动，查看伤情，不随意搬动重伤学生。\n2. 送校医室或拨打120，急救组先行处置。\n"
        "3. 10分钟内电话告知家长。\n4. 当日如实登记安全事件，需理赔的按校方责任险流程报案。\n5. 重伤2小时内"
        "报告县教体局。",
    ),
    Scenario.MISSING: (
        "学生走失应急预案",
        "1. 点名发现学生未到或接送时找不到学生，带班教师立即报告总指挥。\n2. 门卫封闭校门、调看监控；分组查找"
        "教室、厕所、操场及学校周边。\n3. 同时联系家长核实是否已被接走。\n4. 30分钟内未找到，立即报警（110）"
        "并报告县教体局。",
    ),
    Scenario.WEATHER: (
        "恶劣天气（暴雨、大风、暴雪）应急预案",
        "1. 接到气象预警后，总指挥决定调整或暂停课后服务，通过家长群和短信通知家长。\n2. 学生留在教室，不在"
        "室外活动；放学时由教师护送至接送点，当面交给家长。\n3. 雪天清扫校门、楼梯积雪，撒防滑材料。\n"
        "4. 家长未到的学生留校看护，直至交接完毕。",
    ),
    Scenario.TRAFFIC: (
        "上下学交通安全应急预案",
        "1. 放学时段教师护送学生到校门口，门卫维持秩序，疏导接送车辆。\n2. 乘坐校车的学生由随车照管人员清点"
        "上下车人数。\n3. 发生交通事故：保护现场、拨打120和122，急救组处置伤员，立即通知家长。\n"
        "4. 报告组向县教体局报告。",
    ),
}
FIRE_REVISED = (
    "1. 发现火情立即呼喊报警，总指挥拉响警报并拨打119。\n2. 疏散路线调整：三、四年级走西侧楼梯，五、六年级"
    "走东侧楼梯；每个楼梯口安排一名引导教师。\n3. 各班教师带学生弯腰、捂口鼻有序撤离到操场，不乘电梯、"
    "不返回取物。\n4. 到达集合点后3分钟内清点人数上报。\n5. 门卫打开校门、疏导消防车辆。\n6. 联络组通知家长；"
    "报告组向县教体局报告。"
)
DRILLS = {  # scenario -> (offset into the semester, minutes, what went wrong, what will change) by semester number
    1: (
        (
            Scenario.FIRE,
            16,
            12,
            "三楼东侧楼梯口拥堵，疏散用时超过目标2分钟。",
            "调整疏散路线，三、四年级改走西侧楼梯，楼梯口增设引导教师。",
        ),
        (
            Scenario.EARTHQUAKE,
            65,
            10,
            "个别学生躲避时未护住头部。",
            "各班利用课后服务时间再练习一次“伏地、遮挡、手抓牢”。",
        ),
    ),
    2: (
        (Scenario.FIRE, 17, 9, "", ""),
        (Scenario.EARTHQUAKE, 58, 9, "集合点清点人数上报较慢。", "各班班长协助教师清点人数。"),
    ),
}
EDUCATION = {  # by semester number: (offset, topic, audience)
    1: (
        (3, "交通安全：上下学路上不追跑、走斑马线", SafetyEducation.Audience.PUPILS),
        (8, "课后服务安全管理与急救知识培训", SafetyEducation.Audience.TEACHERS),
        (10, "防溺水：不私自下河塘、水窖游泳", SafetyEducation.Audience.PUPILS),
        (45, "防欺凌：认识校园欺凌，学会求助", SafetyEducation.Audience.PUPILS),
        (80, "冬季防滑防冻：雪天上下学安全", SafetyEducation.Audience.PUPILS),
    ),
    2: (
        (1, "冬季防滑防冻：开学初雨雪天气出行安全", SafetyEducation.Audience.PUPILS),
        (8, "交通安全：春季上下学乘车安全", SafetyEducation.Audience.PUPILS),
        (9, "课后服务应急预案与疏散引导培训", SafetyEducation.Audience.TEACHERS),
        (45, "防欺凌：友善相处，拒绝欺凌", SafetyEducation.Audience.PUPILS),
        (80, "防溺水：暑期来临前的防溺水教育", SafetyEducation.Audience.PUPILS),
    ),
}


class Emergency(Story):
    def play(self) -> None:
        if self.semester is None:
            return
        for name in (FIRST, SECOND):
            if name not in self.schools:
                continue
            if not EmergencyPlan.objects.filter(school=self.schools[name]).exists():
                self.write_plans(name)
            for semester in self.semesters:
                self.drills(name, semester)
                self.education(name, semester)

    def duties(self, name: str, scenario: str) -> dict:
        """总指挥 and 上报 the school admin; the other responsibilities to the school's staff."""
        admin = self.admin(name)
        if name == FIRST:
            u = self.county.user
            teacher, class_teacher, care, gate = u("jiaoshi"), u("banzhuren"), u("shengguan"), u("menwei")
        else:
            staff = self.staff(name) or [admin]
            teacher, class_teacher, care, gate = (staff[i % len(staff)] for i in range(4))
        duties = {D.COMMANDER: admin, D.EVACUATION: teacher, D.FIRST_AID: care, D.PARENTS: class_teacher}
        if scenario in (Scenario.FIRE, Scenario.MISSING, Scenario.TRAFFIC):
            duties[D.SECURITY] = gate
        duties[D.REPORTING] = admin
        return duties

    def write_plans(self, name: str) -> None:
        """The five plans in the first week of the year's first semester; FIRST's fire plan revised after the drill."""
        school, admin, first = self.schools[name], self.admin(name), self.semesters[0]
        plans = {}
        for i, scenario in enumerate(PLAN_SCENARIOS):
            day = self.day(first, 1 + i)
            title, procedure = PLAN_TEXT[scenario]
            with self.clock.at(at(day, 15, 30)):
                plans[scenario] = emergency_services.plan_create(
                    actor=admin, school=school, scenario=scenario, title=title, procedure=procedure,
                    effective_from=day, duties=self.duties(name, scenario),
                )  # fmt: skip
        if name == FIRST:
            day = self.day(first, 23)  # a week after the fire drill
            with self.clock.at(at(day, 16)):
                emergency_services.plan_revise(
                    actor=admin, plan=plans[Scenario.FIRE], title=PLAN_TEXT[Scenario.FIRE][0] + "（修订）",
                    procedure=FIRE_REVISED, effective_from=day, duties=self.duties(name, Scenario.FIRE),
                )  # fmt: skip

    def counts(self, name: str) -> tuple[int, int]:
        school = self.schools[name]
        pupils = Student.objects.filter(school=school).count()
        staff = Membership.objects.filter(school=school).values("user").distinct().count()
        return pupils, max(staff, 1)

    def drills(self, name: str, semester: Semester) -> None:
        school = self.schools[name]
        if Drill.objects.filter(self.in_semester(semester), school=school).exists():
            return
        pupils, staff = self.counts(name)
        for scenario, offset, minutes, went_wrong, changes in DRILLS[semester.number]:
            if name != FIRST:  # the other school's drills went smoothly
                went_wrong, changes, offset = "", "", offset + 2
            day = self.day(semester, offset)
            with self.clock.at(at(day, 16, 20)):
                emergency_services.drill_record(
                    actor=self.admin(name), school=school, date=day, scenario=scenario, pupils=max(pupils, 0),
                    staff=staff, duration_minutes=minutes, went_wrong=went_wrong, changes=changes,
                )  # fmt: skip

    def education(self, name: str, semester: Semester) -> None:
        school = self.schools[name]
        if SafetyEducation.objects.filter(self.in_semester(semester), school=school).exists():
            return
        pupils, staff = self.counts(name)
        for offset, topic, audience in EDUCATION[semester.number]:
            day = self.day(semester, offset)
            attendees = staff if audience == SafetyEducation.Audience.TEACHERS else max(pupils, 1)
            with self.clock.at(at(day, 16, 40)):
                emergency_services.education_record(
                    actor=self.admin(name), school=school, date=day, topic=topic, audience=audience, class_hours=1,
                    attendees=attendees,
                )  # fmt: skip


def play_emergency(county: DemoCounty) -> list[str]:
    """The plans, the semesters' drills and safety education at the two story schools (each only while missing)."""
    Emergency(county).play()
    return emergency_lines(county)


def emergency_lines(county: DemoCounty) -> list[str]:
    year = county.school_year()
    schools = county.in_county()
    plans = EmergencyPlan.objects.filter(school__in=schools)
    current = plans.filter(next_version__isnull=True)
    per_school = current.values("school").annotate(n=Count("pk")).order_by()
    in_year = Q(date__gte=year.start_date, date__lte=year.end_date)
    drills = Drill.objects.filter(in_year, school__in=schools)
    sessions = SafetyEducation.objects.filter(in_year, school__in=schools)
    teachers = sessions.filter(audience=SafetyEducation.Audience.TEACHERS).count()
    return [
        f"应急预案 {current.count()} 份现行（{len(per_school)} 所学校，修订 {plans.filter(version__gt=1).count()} 次）"
        f" · 应急演练 {drills.count()} 次（消防 {drills.filter(scenario=Scenario.FIRE).count()}，"
        f"地震疏散 {drills.filter(scenario=Scenario.EARTHQUAKE).count()}）"
        f" · 安全教育 {sessions.count()} 次（学生 {sessions.count() - teachers}，教师 {teachers}）"
    ]
