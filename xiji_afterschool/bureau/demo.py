"""The county console's part of the demo county (see xiji_afterschool/demo.py for the contract).

DELIVERY — compliance flags (issue #12): at up to three schools other than 西吉县第一小学 (whose own flagged session
waits for its administrator, schools.demo), a class's teacher logs a session whose note reads like a make-up lesson;
the school's administrator confirms it the next morning; the bureau (jiaotiju) finds a violation in the first, leaves
the second waiting for the county and accepts the third. Played once: a replay finds the notes and writes nothing.
"""

import datetime

from schools.models import CalendarDay, CountySettings, ServiceClass, ServiceClassMember, Session
from schools.selectors import sessions as sessions_selectors
from schools.services.sessions import session_confirm, session_log
from xiji_afterschool.demo import DAY, DELIVERY, FIRST, DemoCounty, at

from .models import FlagReview
from .selectors import compliance as compliance_selectors
from .services import compliance as compliance_services

FLAGGED_NOTES = (
    ("给全班补课，讲授语文新课《秋天的雨》", FlagReview.Outcome.VIOLATION, "课后服务时间讲授新课，违反规定，请学校整改并在一周内书面说明。"),
    ("考前集中补课，讲解下一单元例题", "", ""),  # waits for the county
    ("作业答疑后赶进度讲练数学习题", FlagReview.Outcome.ACCEPTED, "经核实为作业答疑和错题订正，未讲授新课，予以认可。"),
)  # fmt: skip


def play(county: DemoCounty, phase: str) -> list[str]:
    if phase != DELIVERY:
        return []
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
