"""The county console's part of the demo county (see xiji_afterschool/demo.py for the contract). The bureau's
calendar and plan reviews are played by schools.demo, as the bureau's login.

DELIVERY: feedback (意见建议与投诉, R33, R37) sent over the last weeks through the public form, each on its own
day: a parent's complaint about 西吉县第一小学's finishing time answered by its administrator and closed, a fee
complaint referred by the bureau to market supervision, an anonymous suggestion about no school (open), a people's
congress deputy's opinion past its answer day (overdue), and one from the demo parent's account (open). Played once.

DELIVERY — compliance flags (issue #12): at up to three schools other than 西吉县第一小学 (whose own flagged session
waits for its administrator, schools.demo), a class's teacher logs a session whose note reads like a make-up lesson;
the school's administrator confirms it the next morning; the bureau (jiaotiju) finds a violation in the first, leaves
the second waiting for the county and accepts the third. Played once: a replay finds the notes and writes nothing.

Last, the console's numbers are computed as the nightly job would (seed_demo pauses the on-change refreshes).
"""

import datetime

from schools.models import CalendarDay, CountySettings, SchoolYear, ServiceClass, ServiceClassMember, Session
from schools.selectors import sessions as sessions_selectors
from schools.services.sessions import session_confirm, session_log
from xiji_afterschool.demo import DAY, DELIVERY, FIRST, PARENT_MOBILE, DemoCounty, at, working_moment, year_name

from .models import ConsoleRefresh, Feedback, FlagReview
from .selectors import compliance as compliance_selectors
from .services import compliance as compliance_services
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


FLAGGED_NOTES = (
    ("给全班补课，讲授语文新课《秋天的雨》", FlagReview.Outcome.VIOLATION, "课后服务时间讲授新课，违反规定，请学校整改并在一周内书面说明。"),
    ("考前集中补课，讲解下一单元例题", "", ""),  # waits for the county
    ("作业答疑后赶进度讲练数学习题", FlagReview.Outcome.ACCEPTED, "经核实为作业答疑和错题订正，未讲授新课，予以认可。"),
)  # fmt: skip


def play(county: DemoCounty, phase: str) -> list[str]:
    if phase != DELIVERY:
        return []
    return play_feedback(county) + play_compliance(county) + play_console(county)


def play_compliance(county: DemoCounty) -> list[str]:
    year = county.school_year()
    if Session.objects.filter(content_note__in=[n for n, _o, _r in FLAGGED_NOTES]).exists():
        return []  # played already
    classes = _unlogged_classes(county, year)
    reviewer = county.user("jiaotiju")  # not duxue: the seed test deletes and restores that login
    settings = CountySettings.current()
    semesters = list(year.semesters.all())
    exceptions = dict(CalendarDay.objects.filter(school_year=year).values_list("date", "kind"))
    for service_class, (note, outcome, remark) in zip(classes, FLAGGED_NOTES, strict=False):
        stage = sessions_selectors.class_stage(service_class)
        timetables = sessions_selectors.timetables_for(
            school_ids=[service_class.school_id], first=year.start_date, last=county.today
        )
        day, slot = _last_service_day(service_class, stage, semesters, exceptions, timetables, county.today)
        if slot is None:
            continue
        members = ServiceClassMember.objects.filter(service_class=service_class, start_date__lte=day).exclude(
            end_date__lt=day
        )
        marks = {sid: ("present", "") for sid in members.values_list("student_id", flat=True)}
        if not marks:
            continue
        teacher = county.user_object(service_class.teacher)
        admin = county.admins([service_class.school])[service_class.school_id]
        with county.clock.at(at(day, 18, 20)):
            session = session_log(
                actor=teacher, service_class=service_class, date=day, start_time=slot.start_time,
                end_time=slot.end_time, class_hours=sessions_selectors.prefill_class_hours(slot, settings),
                activity_category=service_class.activity, activity=None, content_note=note, assistants=[],
                marks=marks,
            )  # fmt: skip
        with county.clock.at(at(day + DAY, 8, 40)):
            session_confirm(actor=admin, session=session)
        if outcome:
            with county.clock.at(at(day + DAY, 15, 10)):
                compliance_services.flag_review(actor=reviewer, session=session, outcome=outcome, note=remark)
    counts = compliance_selectors.flag_counts(reviewer, year)
    return [
        "合规提示 {flagged} 条：待学校确认 {waiting_school} · 待县级审核 {waiting_county} · 认可 {accepted} · "
        "违规 {violations}".format(**counts)
    ]


def _unlogged_classes(county: DemoCounty, year) -> list[ServiceClass]:
    """One class with children and no session yet at each school but 西吉县第一小学, up to three schools."""
    chosen, schools = [], set()
    candidates = (
        ServiceClass.objects.filter(school_year=year, school__in=county.in_county(), members__isnull=False)
        .exclude(school__name=FIRST)
        .exclude(sessions__isnull=False)
        .select_related("school", "school_year", "teacher")
        .prefetch_related("admin_classes")
        .distinct()
        .order_by("school__code", "name")
    )
    for service_class in candidates:
        if service_class.school_id not in schools:
            chosen.append(service_class)
            schools.add(service_class.school_id)
        if len(chosen) == len(FLAGGED_NOTES):
            break
    return chosen


def _last_service_day(service_class, stage, semesters, exceptions, timetables, today):
    """The latest service day before today (within four weeks) with a timetable slot for the class, and the slot."""
    day = today - DAY
    while day > today - datetime.timedelta(days=28):
        if (
            sessions_selectors.day_without_service(day=day, semesters=semesters, stage=stage, exceptions=exceptions)
            is None
        ):
            timetable = sessions_selectors.timetable_in_force(
                timetables, school_id=service_class.school_id, stage=stage, day=day
            )
            slot = sessions_selectors.slot_on(timetable, kind=service_class.kind, day=day)
            if slot is not None:
                return day, slot
        day -= DAY
    return None, None


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
