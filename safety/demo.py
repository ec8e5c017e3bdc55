"""The safety part of the demo county (see xiji_afterschool/demo.py for the contract). One section per concern, each
a `play_<concern>(county) -> list[str]` called from `play` in the DELIVERY phase."""

import datetime
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count

from schools.models import Membership, Partner, Role
from xiji_afterschool.demo import DAY, DELIVERY, FIRST, SECOND, DemoCounty, at, working_moment

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
    return [*play_venues(county)]
