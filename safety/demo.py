"""The safety part of the demo county (see xiji_afterschool/demo.py for the contract): one section per concern,
each played through its services at its own moments on the demo clock, and called from `play` in DELIVERY."""

import datetime
import random

from django.utils import timezone

from schools.models import ServiceMode, Student
from schools.rules import calendar as calendar_rules
from xiji_afterschool.demo import DELIVERY, FIRST, DemoCounty, at

from .models import EarlyLeave, Visit
from .services import gate as gate_services

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


def play(county: DemoCounty, phase: str) -> list[str]:
    if phase != DELIVERY:
        return []
    return [*play_gate(county)]
