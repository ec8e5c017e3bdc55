"""The county console's part of the demo county (see xiji_afterschool/demo.py for the contract). The bureau's
calendar and plan reviews are played by schools.demo, as the bureau's login.

DELIVERY: feedback (意见建议与投诉, R33, R37) sent over the last weeks through the public form, each on its own
day: a parent's complaint about 西吉县第一小学's finishing time answered by its administrator and closed, a fee
complaint referred by the bureau to market supervision, an anonymous suggestion about no school (open), a people's
congress deputy's opinion past its answer day (overdue), and one from the demo parent's account (open). Played once.
Last, the console's numbers are computed as the nightly job would (seed_demo pauses the on-change refreshes).
"""

import datetime

from schools.models import SchoolYear
from xiji_afterschool.demo import DAY, DELIVERY, FIRST, PARENT_MOBILE, DemoCounty, at, working_moment, year_name

from .models import ConsoleRefresh, Feedback
from .services import console as console_services
from .services import feedback as feedback_services

K, S, T = Feedback.Kind, Feedback.Sender, Feedback.Theme

# (days ago, kind, sender, theme, about FIRST?, text, name, the parent's account?, address)
FEEDBACK = (
    (30, K.COMPLAINT, S.PARENT, T.TIMETABLE, True, "课后服务结束时间是17:30，但冬天天黑得早，希望能提前到17:00。", "", False, "10.64.1.11"),
    (21, K.FEE_COMPLAINT, S.PARENT, T.FEES, True, "有人以课后服务的名义让家长交“资料费”每人50元，请核实。", "", False, "10.64.1.12"),
    (12, K.SUGGESTION, S.PUBLIC, T.CONTENT, False, "建议各校课后服务多开展一些体育和民族特色的活动，如踢毽子、剪纸。", "", False, "10.64.1.13"),
    (16, K.OPINION, S.DEPUTY, T.SAFETY, True, "放学时校门口接送车辆拥堵，建议错峰放学并安排人员疏导。", "马建忠", False, "10.64.1.14"),
    (3, K.SUGGESTION, S.PARENT, T.CARE, True, "孩子参加课后服务到较晚，希望学校能提供热水和简单的加餐。", "马文清", True, "10.64.1.15"),
)  # fmt: skip


def play(county: DemoCounty, phase: str) -> list[str]:
    if phase != DELIVERY:
        return []
    return play_feedback(county) + play_console(county)


def play_console(county: DemoCounty) -> list[str]:
    """Last year's and this year's console numbers, computed once (a second run finds them and writes nothing)."""
    lines = []
    for y in (county.y - 1, county.y):
        school_year = SchoolYear.objects.filter(name=year_name(y)).first()
        done = ConsoleRefresh.objects.filter(school_year=school_year, trigger="demo", status="done")
        if school_year is None or done.exists():
            continue
        with county.clock.at(county.clock.now):
            run = console_services.refresh(school_year=school_year, trigger="demo", today=county.clock.today())
        lines.append(f"县级监测平台：{school_year.name} 学年 {run.schools} 所学校的数据已汇总。")
    return lines


def play_feedback(county: DemoCounty) -> list[str]:
    school = county.school(FIRST)
    if school is None or Feedback.objects.exists():
        return []
    admin, bureau = county.user("xuexiao"), county.user("jiaotiju")
    parent = county.user(PARENT_MOBILE)
    rng = county.rng
    made = []
    for days_ago, kind, sender, theme, at_first, text, name, signed_in, address in FEEDBACK:
        day = county.today - datetime.timedelta(days=days_ago)
        with county.clock.at(working_moment(day, rng)):
            made.append(
                feedback_services.feedback_submit(
                    actor=parent if signed_in else None,
                    address=address,
                    kind=kind,
                    sender=sender,
                    theme=theme,
                    text=text,
                    school=school if at_first else None,
                    name=name,
                )
            )
    complaint, fee = made[0], made[1]
    with county.clock.at(at(complaint.created_at.date() + 2 * DAY, 16, 20)):
        feedback_services.feedback_answer(
            actor=admin, feedback=complaint,
            answer="感谢您的建议。自12月起，冬季课后服务结束时间调整为17:00，已通知各班家长。",
        )  # fmt: skip
    with county.clock.at(at(complaint.created_at.date() + 5 * DAY, 10, 0)):
        feedback_services.feedback_close(actor=admin, feedback=complaint, note="家长已知悉。")
    with county.clock.at(at(fee.created_at.date() + DAY, 11, 30)):
        feedback_services.feedback_refer(
            actor=bureau, feedback=fee, note="已函告县市场监督管理局（西教体函〔2025〕31号）"
        )
    overdue = sum(1 for f in Feedback.objects.all() if f.is_overdue)
    return [f"意见建议与投诉 {len(made)} 件：已答复办结 1 · 收费投诉移送市场监管 1 · 逾期未答复 {overdue}"]
