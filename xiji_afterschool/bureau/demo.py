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

DELIVERY — special inspections (专项督导, R35), played by the inspector 何志刚 (duxue) through the services:
- 西吉县第一小学, a scheduled inspection on 15 October: a finding (a fee for materials asked of parents), the school's
  answer, accepted, re-inspected and closed on 1 November;
- 西吉县第二小学, an unannounced inspection on 12 November: two findings, one answered, the other past its deadline
  (26 November) without an answer — the inspection is being rectified, with an overdue rectification;
- a scheduled inspection of 吉强镇中心小学 three days after the day the year is played to (the inspector's home).
Each step is played only once its moment has come (the clock never runs ahead); the whole story is played only while
the year has no inspection, so a second run writes nothing.

DELIVERY, after the money: the school reports (直报) of the current year, played through the services.
- September's monthly report, opened on 8 October, due 15 October (late reports until 18 October): most schools
  submit on time (西吉县第一小学 corrects one figure with its reason), every seventh school late, every seventh
  other never (missing); the townships review their village schools and teaching points; the bureau returns one
  report with a note, the school resubmits, and the bureau files the rest; the window is closed on 31 October.
- October's, opened on 5 November, due 12 November (late until 15 November): most submitted, some filed, some waiting for the township or
  the bureau, a few missing.
- November's, opened on 2 December, due 9 December: still open; 西吉县第一小学 has submitted, the others are due.
A step after the day the year is played to is not played (the story stops there). Played only while the year has
no reporting window, so a second run writes nothing.

Last, the console's numbers are computed as the nightly job would (seed_demo pauses the on-change refreshes).
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from PIL import Image, ImageDraw

from schools.models import (
    CalendarDay,
    CountySettings,
    Membership,
    Role,
    SchoolYear,
    ServiceClass,
    ServiceClassMember,
    Session,
)
from schools.selectors import sessions as sessions_selectors
from schools.services.sessions import session_confirm, session_log
from xiji_afterschool.demo import (
    DAY,
    DELIVERY,
    FIRST,
    PARENT_MOBILE,
    SEAT,
    SECOND,
    DemoCounty,
    at,
    working_moment,
    year_name,
)

from .models import (
    CheckItem,
    ConsoleRefresh,
    Feedback,
    FlagReview,
    Inspection,
    InspectionCheck,
    ReportWindow,
    SchoolReport,
)
from .selectors import compliance as compliance_selectors
from .services import compliance as compliance_services
from .services import console as console_services
from .services import feedback as feedback_services
from .services import inspections as inspections_services
from .services import school_reports as school_reports_services

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
    return (
        play_feedback(county)
        + play_compliance(county)
        + play_inspections(county)
        + play_school_reports(county)
        + play_console(county)
    )


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


# ---------------------------------------------------------------- special inspections

INSPECTOR = "duxue"
CENTRAL = f"{SEAT}中心小学"


def _photo(name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    """A small generated picture standing in for a photo taken on site."""
    image = Image.new("RGB", (320, 240), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 280, 200), outline=(255, 255, 255), width=6)
    draw.line((40, 200, 280, 40), fill=(255, 255, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


class InspectionStory:
    def __init__(self, county: DemoCounty):
        self.county = county
        self.year = county.school_year()
        self.inspector = county.user(INSPECTOR)
        self.y = county.y

    def moment(self, month: int, day: int, hour: int = 9) -> datetime.datetime:
        year = self.y if month >= 8 else self.y + 1
        return self.county.clock.moment_of(datetime.date(year, month, day), hour)

    def due(self, moment: datetime.datetime) -> bool:
        return moment <= self.county.clock.now

    def step(self, moment: datetime.datetime, call):
        """Play `call` at `moment` if that moment has come; returns whether it was played."""
        if not self.due(moment):
            return False
        with self.county.clock.at(moment):
            call()
        return True

    def checks(self, inspection: Inspection, failed: set[str]) -> dict:
        return {
            item: (InspectionCheck.Result.FAIL if item in failed else InspectionCheck.Result.PASS, "")
            for item in CheckItem.values
        }

    def finding(self, inspection, item, description, severity, deadline, colour):
        return inspections_services.finding_add(
            actor=self.inspector,
            inspection=inspection,
            check=inspection.checks.get(item=item),
            description=description,
            severity=severity,
            deadline=deadline,
            photos=[_photo(f"{item}.png", colour)],
        )

    def schedule(self, school, kind, day: datetime.date, focus: str) -> Inspection:
        return inspections_services.inspection_schedule(
            actor=self.inspector,
            school=school,
            school_year=self.year,
            kind=kind,
            planned_date=day,
            inspectors=[self.inspector],
            focus=focus,
        )

    def closed_one(self):
        school = self.county.school(FIRST)
        if school is None:
            return
        admin = self.county.admins([school])[school.pk]
        s = {}
        if not self.step(
            self.moment(10, 8),
            lambda: s.update(
                i=self.schedule(
                    school, Inspection.Kind.SCHEDULED, self.moment(10, 15).date(), "秋季学期课后服务专项督导"
                )
            ),
        ):
            return
        inspection = s["i"]

        def visit():
            inspections_services.inspection_start(actor=self.inspector, inspection=inspection)
            inspections_services.inspection_record_checks(
                actor=self.inspector, inspection=inspection, results=self.checks(inspection, {CheckItem.NO_FEES})
            )
            s["f"] = self.finding(
                inspection, CheckItem.NO_FEES, "三年级服务班以“资料费”名义向家长收取每生20元。", "serious",
                self.moment(10, 29).date(), (180, 60, 60),
            )  # fmt: skip
            inspections_services.inspection_issue(actor=self.inspector, inspection=inspection, note="限期整改")

        if not self.step(self.moment(10, 15, 16), visit):
            return
        rectification = s["f"].rectification
        if not self.step(
            self.moment(10, 25, 15),
            lambda: inspections_services.rectification_respond(
                actor=admin,
                rectification=rectification,
                response="已全额退还资料费，并在家长群公示退费明细。",
                photo=_photo("refund.png", (60, 140, 90)),
            ),
        ):
            return

        def finish():
            inspections_services.rectification_accept(actor=self.inspector, rectification=rectification)
            inspections_services.inspection_reinspect(
                actor=self.inspector, inspection=inspection, note="复查：退费到位，未发现新的收费行为。"
            )
            inspections_services.inspection_close(actor=self.inspector, inspection=inspection)

        self.step(self.moment(11, 1, 10), finish)

    def rectifying_one(self):
        school = self.county.school(SECOND)
        if school is None:
            return
        admin = self.county.admins([school])[school.pk]
        s = {}

        def visit():
            s["i"] = inspection = self.schedule(
                school, Inspection.Kind.UNANNOUNCED, self.moment(11, 12).date(), "随机督导：课后服务内容与安全"
            )
            inspections_services.inspection_start(actor=self.inspector, inspection=inspection)
            failed = {CheckItem.NO_NEW_CONTENT, CheckItem.HANDOVER_RECORDS}
            inspections_services.inspection_record_checks(
                actor=self.inspector, inspection=inspection, results=self.checks(inspection, failed)
            )
            s["a"] = self.finding(
                inspection, CheckItem.NO_NEW_CONTENT, "五年级服务班讲授数学新课内容。", "major",
                self.moment(11, 26).date(), (70, 90, 170),
            )  # fmt: skip
            s["b"] = self.finding(
                inspection, CheckItem.HANDOVER_RECORDS, "11月上旬放学交接记录缺失三天。", "minor",
                self.moment(11, 26).date(), (200, 150, 40),
            )  # fmt: skip
            inspections_services.inspection_issue(actor=self.inspector, inspection=inspection)

        if not self.step(self.moment(11, 12, 15), visit):
            return
        self.step(
            self.moment(11, 20, 16),
            lambda: inspections_services.rectification_respond(
                actor=admin,
                rectification=s["b"].rectification,
                response="已补齐交接记录，并安排值班教师每日核对。",
            ),
        )
        # The other finding's answer never comes: its rectification is overdue after 26 November.

    def upcoming_one(self):
        school = self.county.school(CENTRAL)
        day = self.county.today + datetime.timedelta(days=3)
        if school is None or not self.year.start_date <= day <= self.year.end_date:
            return
        with self.county.clock.at(self.county.clock.now):
            self.schedule(school, Inspection.Kind.SCHEDULED, day, "课后服务计划督导")

    def play(self):
        self.closed_one()
        self.rectifying_one()
        self.upcoming_one()


def play_inspections(county: DemoCounty) -> list[str]:
    year = county.school_year()
    if not Inspection.objects.filter(school_year=year).exists():
        InspectionStory(county).play()
    rows = Inspection.objects.filter(school_year=year).values("status").annotate(n=Count("pk"))
    statuses = {row["status"]: row["n"] for row in rows}
    parts = " · ".join(
        f"{label} {statuses[value]}" for value, label in INSPECTION_LABELS.items() if statuses.get(value)
    )
    return [f"专项督导 {sum(statuses.values())} 次：{parts or '无'}"]


INSPECTION_LABELS = {
    Inspection.Status.SCHEDULED: "已安排",
    Inspection.Status.IN_PROGRESS: "督导中",
    Inspection.Status.FINDINGS_ISSUED: "已反馈",
    Inspection.Status.RECTIFYING: "整改中",
    Inspection.Status.REINSPECTED: "已复查",
    Inspection.Status.CLOSED: "已结案",
    Inspection.Status.CANCELLED: "已取消",
}


# ---------------------------------------------------------------- school reports (直报)

WINDOWS = (  # (month reported, opened, deadline, late until, closed, title)
    (9, (10, 8), (10, 15), (10, 18), (10, 31), "9月课后服务月报"),
    (10, (11, 5), (11, 12), (11, 15), None, "10月课后服务月报"),
    (11, (12, 2), (12, 9), (12, 12), None, "11月课后服务月报"),
)


class Reports:
    def __init__(self, county: DemoCounty):
        self.county = county
        self.year = county.school_year()
        self.bureau = county.user("jiaotiju")
        self.schools = list(county.in_county().select_related("township"))
        self.admins = county.admins(self.schools)
        self.coordinators = {}
        for m in (
            Membership.objects.filter(role=Role.TOWNSHIP_COORDINATOR).select_related("user").order_by("user__username")
        ):
            self.coordinators.setdefault(m.township_id, county.user_object(m.user))
        self.lines: list[str] = []

    def day(self, month: int, day: int) -> datetime.date:
        y = self.county.y
        return datetime.date(y if month >= 8 else y + 1, month, day)

    def step(self, day: datetime.date, hour: int = 10):
        """The clock at `day` (None when that day is after the day the year is played to: the step is skipped)."""
        return self.county.clock.at(at(day, hour)) if day <= self.county.today else None

    def play(self) -> None:
        for n, (month, opened, deadline, late_until, closed, title) in enumerate(WINDOWS):
            opened = self.day(*opened)
            clock = self.step(opened, 9)
            if clock is None:
                continue
            first = self.day(month, 1)
            last = self.day(month + 1, 1) - datetime.timedelta(days=1) if month < 12 else self.day(12, 31)
            with clock:
                window = school_reports_services.window_open(
                    actor=self.bureau, kind=ReportWindow.Kind.MONTHLY, school_year=self.year, title=title,
                    period_start=first, period_end=last, deadline=self.day(*deadline),
                    late_until=self.day(*late_until),
                )  # fmt: skip
            self.play_window(window, n, self.day(*deadline), closed and self.day(*closed))
            counts = {s: window.reports.filter(status=s).count() for s in SchoolReport.Status.values}
            self.lines.append(
                f"直报 {title}: 提交 {window.reports.exclude(first_submitted_at=None).count()}/{window.reports.count()}，"
                f"迟报 {window.reports.filter(is_late=True).count()}，备案 {counts['filed']}"
            )

    def report(self, window, school) -> SchoolReport:
        return SchoolReport.objects.select_related("school", "window").get(window=window, school=school)

    def play_window(self, window, n: int, deadline: datetime.date, closed: datetime.date | None) -> None:
        submitted = []
        for i, school in enumerate(self.schools):
            admin = self.admins.get(school.pk)
            if admin is None:
                continue
            if n == 2 and school.name != FIRST:
                continue  # November: only the first school has reported so far
            fate = (i + n + 1) % 7
            if fate == 6:
                continue  # missing
            day = deadline + datetime.timedelta(days=2) if fate == 5 else deadline - datetime.timedelta(days=5 - i % 4)
            if n == 2:
                day = deadline - datetime.timedelta(days=6)  # November: the first school reported early
            clock = self.step(day, 15)
            if clock is None:
                continue
            with clock:
                report = self.report(window, school)
                if school.name == FIRST:
                    figure = report.figures.get(name="volunteers")
                    school_reports_services.report_correct(
                        actor=admin, report=report,
                        values={"volunteers": {"reported": (figure.computed or 0) + 2,
                                               "reason": "两名大学生志愿者寒假前来校服务，尚未建立账号"}},
                    )  # fmt: skip
                school_reports_services.report_submit(actor=admin, report=report)
            submitted.append(school)
        review_day = deadline + datetime.timedelta(days=3)
        returned = None
        for i, school in enumerate(submitted):
            if n == 1 and i % 3 == 2:
                continue  # October: some still wait
            report = self.report(window, school)
            if school.is_dependent:
                clock = self.step(review_day)
                if clock is None:
                    continue
                with clock:
                    school_reports_services.report_township_review(
                        actor=self.coordinators[school.township_id], report=report
                    )
            if n == 1 and i % 3 == 1:
                continue  # October: reviewed by the township or submitted, not yet filed
            clock = self.step(review_day + datetime.timedelta(days=2))
            if clock is None:
                continue
            with clock:
                if returned is None and not school.is_dependent and school.name != FIRST:
                    returned = school
                    school_reports_services.report_return(
                        actor=self.bureau, report=report, note="在校生数与学籍系统不一致，请核对后重新报送。"
                    )
                    continue
                school_reports_services.report_file(actor=self.bureau, report=report)
        if returned is not None:
            report = self.report(window, returned)
            clock = self.step(review_day + datetime.timedelta(days=4), 15)
            if clock is not None:
                with clock:
                    school_reports_services.report_correct(
                        actor=self.admins[returned.pk], report=report,
                        values={"students": {"reported": (report.figures.get(name="students").computed or 0) + 3,
                                             "reason": "3名随迁子女已入学，学籍转入手续未完成"}},
                    )  # fmt: skip
                    school_reports_services.report_submit(actor=self.admins[returned.pk], report=report)
                clock = self.step(review_day + datetime.timedelta(days=6))
                if clock is not None:
                    with clock:
                        school_reports_services.report_file(actor=self.bureau, report=self.report(window, returned))
        if closed is not None:
            clock = self.step(closed, 17)
            if clock is not None:
                with clock:
                    school_reports_services.window_close(
                        actor=self.bureau, window=window, note="9月月报截止，未报学校另行督办。"
                    )


def play_school_reports(county: DemoCounty) -> list[str]:
    """The current year's school reports, only while the year has no reporting window."""
    if ReportWindow.objects.filter(school_year=county.school_year()).exists():
        return []
    reports = Reports(county)
    reports.play()
    return reports.lines
