"""The enrollment part of the demo county (see xiji_afterschool/demo.py for the contract, the clock and the order).

SETUP, after the schools have formed their service classes: the year's story at the schools of STORIES
(西吉县第一小学 in full), played through the enrollment services as the people entitled to each step, each on its
own day: the agreement texts (a second version in October), applications online and on paper in every status with
their reviews, placements (the Friday placement runs of September, and by hand), the nightly activation, the
waiting list, withdrawals and re-signing. Applications come before the 30 September deadline; paper applications
of families who missed it are handed in over the last four weeks before `county.now`. Played only while no school of
the county has an agreement text for the year: a second run writes nothing.

马小燕 (LATE_JOINER, letter code MAXY2345) joined 三年级1班 in November and has no application: she can still apply
today whatever the date (before the deadline as usual, after it with a late application, #15 §2). The parent browser
test applies for her; her mother (13995406688, on the roster) registering by SMS lands straight on her page.

The families who apply online have accounts (no known password: not demo logins). They are written directly, not
through `parent_register`: that service sets a password, and hashing one per family (PBKDF2) would cost minutes.
Everything else goes through the services.
"""

import datetime
import random
from dataclasses import dataclass
from heapq import heappop, heappush

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone

from enrollment.models import Agreement, AgreementText, Application, Consent, ConsentText, DataRequest
from enrollment.rules.placement import is_suitable, placement_start_date
from enrollment.selectors.agreements import current_agreement_text, informed_items, needs_new_signature
from enrollment.selectors.data_requests import request_targets
from enrollment.selectors.placement import placement_board, placement_classes
from enrollment.services.agreements import (
    Signature,
    agreement_decline,
    agreement_resign,
    agreement_text_publish,
    default_agreement_text,
)
from enrollment.services.applications import (
    application_enter_on_behalf,
    application_resubmit,
    application_submit,
    application_withdraw,
)
from enrollment.services.consents import consent_record_paper, consent_withdraw, consents_give
from enrollment.services.data_requests import data_request_answer, data_request_submit
from enrollment.services.parents import child_link
from enrollment.services.placement import activate_due_placements, application_place, placement_apply
from enrollment.services.review import (
    application_class_approve,
    application_class_return,
    application_late_wait,
    application_school_approve,
    application_school_return,
)
from schools.demo import LATE_JOINER, LATE_JOINER_GUARDIAN
from schools.models import (
    ActivityCategory,
    Guardian,
    Membership,
    Role,
    School,
    SchoolYear,
    ServiceClass,
    Student,
    StudentGuardian,
    User,
)
from xiji_afterschool import crypto
from xiji_afterschool.demo import (
    DAY,
    FIRST,
    LOGINS,
    PARENT_MOBILE,
    REGION,
    SETUP,
    DemoClock,
    DemoCounty,
    at,
    working_moment,
)

AC = ActivityCategory

AS = Application.Status


@dataclass(frozen=True)
class SchoolStory:
    school: str
    shares: tuple[float, ...]  # of the pupils of grades 1-6 who apply (older children's families apply more)
    online: float  # of the applying families who apply online (the others on paper, entered by the school: 代录)
    waves: tuple[float, float]  # shares applying in late August and in September; the rest on paper in November
    withdrawals: int  # children withdrawn in October


# Where the demo year has applications and service classes; every other school has none (coverage shows the gap).
STORIES = (
    SchoolStory(FIRST, (0.55, 0.55, 0.55, 0.6, 0.7, 0.7), 0.65, (0.6, 0.3), 7),
    SchoolStory("西吉县第二小学", (0.15,) * 6, 0.0, (0.75, 0.2), 1),
    SchoolStory("兴隆镇中心小学", (0.5,) * 6, 0.0, (0.8, 0.1), 0),
)
PRIMARY_CATEGORIES = [AC.HOMEWORK, AC.TUTORING, AC.READING, AC.SPORTS, AC.ARTS, AC.INTEREST]

PICKUP_DIFFICULTIES = (
    "父母都在县城上班，下午六点才下班，放学时没人接。",
    "父亲在银川打工，母亲在工厂上班，奶奶年纪大腿脚不便。",
    "家住得远，爷爷奶奶不会骑电动车，四点多接不了。",
    "母亲在超市上班，五点半以后才能来接。",
    "父母在外地务工，孩子跟着奶奶，奶奶还要照看弟弟。",
    "做小生意，下午要看店，走不开。",
    "母亲在医院上班，经常倒班。",
    "父亲跑运输常不在家，母亲一个人顾不过来。",
)
EXTENDED_REASONS = (
    "父母都在工业园区上班，晚上七点才下班，需要延时托管。",
    "母亲值夜班，父亲在外地，六点以后也没人接。",
)
PRIORITY_NOTES = ("父亲在银川务工", "建档立卡户", "父母在福建务工，孩子随爷爷奶奶生活", "低保户", "母亲身体不好")
CLASS_RETURNS = (
    "接送人手机号和登记的监护人号码不一致，请核对后重新提交。",
    "请写清楚放学后为什么没人接，以便学校安排。",
    "申请表上接送人只写了“家人”，请写明接送人姓名和手机号。",
)
SCHOOL_RETURNS = (
    "延时托管班名额有限，请说明晚上几点能接孩子后重新提交。",
    "孩子已报名校合唱团下午训练，请家长确认参加哪一项后重新提交。",
)
RESUBMIT_NOTES = ("已改正，请老师审核。", "已补充接送人信息。", "")
WITHDRAW_NOTES = (
    "孩子转学到银川，不再参加课后服务。",
    "奶奶从老家来了，放学可以接孩子。",
    "母亲换了工作，下午能接孩子了。",
    "孩子身体原因，暂停参加。",
)
AGREEMENT_V2 = (  # what version 2 adds, after the October refinement of the plan
    "\n\n十一、补充说明（第2版）：10月1日起执行冬季作息，课后服务15:40开始、17:40结束；"
    "服务结束时由服务教师在班级门口逐一交接，接送人须当面签字。"
)
PHONES = (
    "Mozilla/5.0 (Linux; Android 10; V1936A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; PDAM10) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 15_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
)


class Timeline:
    """Steps played in the order of their moments; a step due after the real now has not happened yet."""

    def __init__(self, clock: DemoClock):
        self.clock, self.queue, self.seq = clock, [], 0

    def at(self, moment: datetime.datetime, step, *args, clamp: bool = False) -> None:
        """Play `step(*args)` at `moment`; a step due after `clock.now` is dropped, or played then if `clamp`."""
        if moment > self.clock.now:
            if not clamp:
                return
            moment = self.clock.now
        heappush(self.queue, (moment, self.seq, step, args))
        self.seq += 1

    def run(self) -> None:
        while self.queue:
            moment, _seq, step, args = heappop(self.queue)
            with self.clock.at(moment):
                step(*args)


@dataclass
class Case:
    """One child's application in the story: who applies, how, when, and what becomes of it."""

    student: Student
    guardian: tuple[str, str, str]  # (name, mobile, relation) of the primary guardian
    school: School
    wave: int  # 1: late August, 2: September (both online or on paper), 3: November (paper, after the deadline)
    fate: str  # a key of FLOWS
    online: bool
    clerk: User | None = None  # who enters it from paper (代录)
    data: dict | None = None
    steps: list = None
    application: Application | None = None


# What happens after submission. "withdrawn" is "through" plus a withdrawal in October; "placed" and "demo" are
# placed by hand after approval (November; the demo parent's child in August); the rest wait for the Friday
# placement runs of September (a place, or the waiting list).
FLOWS = {
    "through": ["class_approve", "school_approve"],
    "withdrawn": ["class_approve", "school_approve"],
    "returned": ["class_return"],
    "school_returned": ["class_approve", "school_return"],
    "resubmitted": ["class_return", "resubmit", "class_approve", "school_approve"],
    "withdrawn_early": ["withdraw"],
    "submitted": [],
    "class_approved": ["class_approve"],
    "approved": ["class_approve", "school_approve"],
    "placed": ["class_approve", "school_approve", "place"],
    "demo": ["class_approve", "school_approve", "place"],
    "late": [],  # applied online after the deadline: waits for the school's decision (#15 §2)
    "late_waiting": ["late_wait"],
}


class YearStory:
    """The current school year at the schools of STORIES, played through the services as the people entitled to
    each step: agreement texts, applications online and on paper with their reviews, placements, the waiting list,
    withdrawals, re-signing."""

    def __init__(self, county: DemoCounty, year: SchoolYear):
        self.county, self.year, self.clock = county, year, county.clock
        self.y, self.today = county.y, county.today
        self.timeline = Timeline(self.clock)
        self.user, self.user_object = county.user, county.user_object
        self.schools = {name: county.school(name) for name in (st.school for st in STORIES)}
        admins = county.admins(self.schools.values())
        self.admin = {name: admins[school.pk] for name, school in self.schools.items()}
        self.classes = {
            (c.school.name, c.name): c
            for c in ServiceClass.objects.filter(school__in=self.schools.values(), school_year=year).select_related(
                "school"
            )
        }
        self.parents = {}  # mobile -> User (the accounts of families applying online)
        self.class_teacher = {}  # AdminClass pk -> User
        self.activation_days = set()
        self.text_versions = {}  # school pk -> the version of its agreement text parents sign now
        for m in (
            Membership.objects.filter(role=Role.CLASS_TEACHER, school__in=self.schools.values())
            .select_related("user")
            .order_by("user__username")
        ):
            self.class_teacher.setdefault(m.admin_class_id, self.user_object(m.user))

    # -- the story, in order

    def play(self) -> None:
        first = self.schools[FIRST]
        rng = random.Random(f"story:{self.y}")
        with self.clock.at(at(datetime.date(self.y, 8, 18), 10, 20)):
            for story in STORIES:
                self.open_school(story)
        cases = []
        for story in STORIES:
            cases += self.plan_cases(story, random.Random(f"applications:{story.school}:{self.y}"))
        for case in cases:
            self.timeline.at(case.steps.pop(0), self.submit, case)
        self.plan_placements()
        self.plan_declines(first, cases, rng)
        self.plan_withdrawals(cases, rng)
        self.plan_new_agreement(first, cases, rng)
        self.timeline.run()

    def open_school(self, story: SchoolStory) -> None:
        school = self.schools[story.school]
        text = agreement_text_publish(
            actor=self.admin[story.school], school=school, school_year=self.year,
            body=default_agreement_text(school=school),
        )  # fmt: skip
        self.text_versions[school.pk] = text.version

    # -- who applies, how and when

    def plan_cases(self, story: SchoolStory, rng: random.Random) -> list[Case]:
        school = self.schools[story.school]
        students = sorted(  # by ID number: sorted here, the column is encrypted (issue 14 item 6)
            Student.objects.filter(school=school).select_related("admin_class"),
            key=lambda s: (s.admin_class.grade, s.admin_class.number, s.id_number or ""),
        )
        primary = {
            link.student_id: (link.guardian.name, link.guardian.mobile, link.relation)
            for link in StudentGuardian.objects.filter(student__school=school, is_primary=True).select_related(
                "guardian"
            )
        }
        categories = informed_items(school=school, school_year=self.year)["categories"] or PRIMARY_CATEGORIES
        # Extended care is offered only where a class gives it.
        extended = any(c.kind == ServiceClass.Kind.EXTENDED for (s, _n), c in self.classes.items() if s == story.school)
        online_family = {}
        cases = []
        for student in students:
            guardian = primary[student.pk]
            demo = guardian[1] == PARENT_MOBILE
            share = story.shares[student.admin_class.grade - 1]
            if student.link_code == LATE_JOINER["link_code"] or not (demo or rng.random() < share):
                continue
            online = online_family.setdefault(guardian[1], demo or rng.random() < story.online)
            r = rng.random()
            wave = 1 if demo or r < story.waves[0] else 2 if r < story.waves[0] + story.waves[1] else 3
            case = Case(student, guardian, school, wave, "through", online and wave < 3)
            case.data = application_data(rng, student, guardian, categories, extended=extended)
            r = rng.random()
            if demo:
                case.fate = "demo" if student.admin_class.grade == 3 else "returned"
                case.data.update(preferences=[AC.HOMEWORK, AC.READING, AC.SPORTS], dual_working=True)
                if case.fate == "returned":
                    case.data.update(pickup_person="家人", preferences=[AC.TUTORING, AC.SPORTS])
            elif wave == 1:
                case.fate = "returned" if r < 0.03 else "resubmitted" if r < 0.1 else "through"
            elif wave == 2:
                case.fate = (
                    "returned" if r < 0.03 else "school_returned" if r < 0.06 else "resubmitted" if r < 0.12
                    else "withdrawn_early" if r < 0.14 and case.online else "through"
                )  # fmt: skip
            if not case.online:
                teacher = self.class_teacher.get(student.admin_class_id)
                case.clerk = teacher if teacher and (wave < 3 or rng.random() < 0.4) else self.admin[story.school]
            cases.append(case)
        third = [c for c in cases if c.wave == 3]
        for i, case in enumerate(third):  # in four equal parts: from placed (entered first) to just submitted
            case.fate = ("placed", "approved", "class_approved", "submitted")[i * 4 // max(len(third), 1)]
        # From November, the class teacher login's class trades its approved ones for just submitted ones of other
        # classes, so her home has applications waiting for her review (#15 item 7: every role's home has something
        # due). Who is placed by hand does not change; a county played to October is the same as before.
        if self.today >= datetime.date(self.y, 11, 1):
            mine = [c for c in third if c.fate in ("approved", "class_approved") and self.is_login_class(c.student)]
            theirs = [c for c in third if c.fate == "submitted" and not self.is_login_class(c.student)]
            for a, b in zip(mine, theirs, strict=False):
                a.fate, b.fate = b.fate, a.fate
        # From November too, two families of the first school who apply online missed the deadline by weeks: their
        # applications are late ones (逾期申请), one waiting for the school, one on its waiting list (#15 §2).
        if self.today >= datetime.date(self.y, 11, 1) and story.school == FIRST:
            late = [
                c for c in third
                if c.fate == "submitted" and online_family[c.guardian[1]] and not self.is_login_class(c.student)
            ][:2]  # fmt: skip
            for case, fate in zip(late, ("late", "late_waiting"), strict=False):
                case.fate, case.online, case.clerk = fate, True, None
        for case in cases:
            case.steps = [self.submit_moment(case, rng), *FLOWS[case.fate]]
        return cases

    @staticmethod
    def is_login_class(student: Student) -> bool:
        """Whether the pupil is in the class of the printed class teacher login (banzhuren)."""
        login = next(x for x in LOGINS if x.role == Role.CLASS_TEACHER)
        grade_class = (student.admin_class.grade, student.admin_class.number)
        return student.school.name == login.school and grade_class == login.grade_class

    def submit_moment(self, case: Case, rng: random.Random) -> datetime.datetime:
        d = datetime.date
        if case.fate == "demo" or (case.wave == 1 and case.guardian[1] == PARENT_MOBILE):
            return at(d(self.y, 8, 24), 20, 15 + 40 * (case.fate != "demo"))
        if case.wave == 1:
            day = d(self.y, 8, 24) + DAY * rng.randrange(5)
        elif case.wave == 2:
            day = d(self.y, 9, 1) + DAY * rng.randrange(27)
        else:  # applications of families who missed the deadline, handed in over the last four weeks
            first = {"placed": 27, "approved": 20, "class_approved": 12, "submitted": 5, "late": 5, "late_waiting": 12}
            first = first[case.fate]
            day = max(self.today - DAY * (first - rng.randrange(5)), self.year.application_deadline + DAY)
            while day.isoweekday() > 5:  # handed in at the school office on the Friday before
                day -= DAY
        if case.online:
            return at(day, rng.randint(19, 22), rng.randrange(60))
        return working_moment(day, rng)

    # -- the steps

    def next_step(self, case: Case, rng: random.Random | None = None) -> None:
        if not case.steps:
            return
        rng = rng or random.Random(f"step:{case.student.id_number}:{len(case.steps)}")
        step = case.steps[0]
        if step == "resubmit" and case.online:
            moment = at(self.clock.moment.date() + DAY, rng.randint(19, 22), rng.randrange(60))
        elif step == "place" and case.fate == "placed":  # today, by hand, before the nightly activation
            moment = at(self.today, 9, rng.randrange(60))
        else:
            moment = working_moment(self.clock.moment.date() + DAY * rng.choice((1, 1, 2)), rng)
        self.timeline.at(moment, self.act, case, clamp=step == "place")

    def submit(self, case: Case) -> None:
        name, _mobile, relation = case.guardian
        version = self.text_versions[case.school.pk]
        rng = random.Random(f"submit:{case.student.id_number}")
        # The separate consents (issue #14 item 2), given on the same page: the sensitive one where the family
        # states disability or hardship.
        sensitive = bool(case.data.get("disability") or case.data.get("economic_hardship"))
        kinds = ["personal", "sensitive"] if sensitive else ["personal"]
        if case.online:
            parent = self.parent_account(case.student, case.guardian)
            signature = Signature(name, relation, f"223.104.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                                  rng.choice(PHONES))  # fmt: skip
            consents_give(actor=parent, student=case.student, versions={k: 1 for k in kinds}, relation=relation,
                          ip_address=signature.ip_address)  # fmt: skip
            case.application = application_submit(
                actor=parent, student=case.student, data=case.data, text_version=version, signature=signature
            )
        else:
            consent_record_paper(actor=case.clerk, student=case.student, kinds=kinds, signer_name=name,
                                 relation=relation, scan=paper_scan(case.student))  # fmt: skip
            case.application = application_enter_on_behalf(
                actor=case.clerk, student=case.student, data=case.data, text_version=version,
                signature=Signature(name, relation), paper_original_on_file=True,
            )  # fmt: skip
        self.next_step(case, rng)

    def act(self, case: Case) -> None:
        step = case.steps.pop(0)
        app = case.application
        rng = random.Random(f"{step}:{case.student.id_number}")
        teacher = self.class_teacher.get(case.student.admin_class_id)
        admin = self.admin[case.school.name]
        if step == "class_approve":
            application_class_approve(actor=teacher, application=app)
        elif step == "class_return":
            note = CLASS_RETURNS[2] if app.pickup_person == "家人" else rng.choice(CLASS_RETURNS[:2])
            application_class_return(actor=teacher, application=app, note=note)
        elif step == "school_approve":
            application_school_approve(actor=admin, application=app)
        elif step == "school_return":
            application_school_return(actor=admin, application=app, note=rng.choice(SCHOOL_RETURNS))
        elif step == "resubmit":
            actor = self.parents[case.guardian[1]] if case.online else teacher or admin
            application_resubmit(actor=actor, application=app, data=case.data, note=rng.choice(RESUBMIT_NOTES))
        elif step == "withdraw":
            application_withdraw(
                actor=self.parents[case.guardian[1]], application=app, effective=timezone.localdate(),
                note=rng.choice(WITHDRAW_NOTES[1:]),
            )  # fmt: skip
        elif step == "place":
            self.place_by_hand(case, admin)
        elif step == "late_wait":
            application_late_wait(actor=admin, application=app, note="各班课后服务名额已满，有空位时通知家长。")
        self.next_step(case, rng)

    def place_by_hand(self, case: Case, admin: User) -> None:
        """The demo parent's child goes to the service teacher's class; a late paper applicant to the first class
        that suits the child and has a free place (else the application stays approved)."""
        if case.fate == "demo":
            target = self.classes[FIRST, "三四年级作业辅导班"]
        else:
            day = placement_start_date(self.year)
            classes = placement_classes(viewer=admin, school=case.school, school_year=self.year, day=day)
            free = [c for c in classes if c.free > 0 and is_suitable(c, case.application)]
            wanted = case.application.preferences
            free.sort(key=lambda c: wanted.index(c.activity) if c.activity in wanted else len(wanted))
            if not free:
                return
            target = free[0]
        application_place(actor=admin, application=case.application, service_class=target)
        self.activate_after(placement_start_date(self.year))

    def parent_account(self, student: Student, guardian: tuple[str, str, str]) -> User:
        """The account a family registered (no known password: not a demo login), linked with the letter's code."""
        name, mobile, relation = guardian
        if mobile in self.parents:
            return self.parents[mobile]
        parent = User.objects.by_mobile(mobile).first()
        if parent is None:
            parent = User(
                username=crypto.parent_username(mobile), mobile=mobile, full_name=name, date_joined=timezone.now()
            )  # the step's day
            parent.set_unusable_password()
            parent.save()
            Membership.objects.create(user=parent, role=Role.PARENT)
            child_link(actor=parent, code=student.link_code, relation=relation)
            verify_roster_mobile(parent)
        self.parents[mobile] = parent
        return parent

    # -- what the schools do on given days

    def plan_placements(self) -> None:
        """Placement runs after the last August reviews and every Friday of September: the suggestion, confirmed
        whole (a place, or the waiting list)."""
        d = datetime.date
        days = [d(self.y, 8, 31)] + [d(self.y, 9, n) for n in range(1, 31) if d(self.y, 9, n).isoweekday() == 5]
        for day in days:
            for story in STORIES:
                self.timeline.at(at(day, 16, 30), self.placement_run, story.school)

    def placement_run(self, school_name: str) -> None:
        admin, school, day = self.admin[school_name], self.schools[school_name], timezone.localdate()
        if not Application.objects.filter(school=school, school_year=self.year, status=AS.APPROVED).exists():
            return
        board = placement_board(viewer=admin, school=school, school_year=self.year, today=day)
        placement_apply(
            actor=admin, school=school, school_year=self.year, signature=board.signature, today=day,
            confirmed_ids=[a.pk for a, c in board.suggestion if c is not None],
        )  # fmt: skip
        self.activate_after(board.start_date)

    def activate_after(self, start: datetime.date) -> None:
        """The nightly job (05:30) that makes placed children attending once their place has started: played on
        the mornings it has something to do."""
        day = max(start, timezone.localdate() + DAY)
        if day not in self.activation_days:
            self.activation_days.add(day)
            self.timeline.at(at(day, 5, 30), activate_due_placements)

    def plan_declines(self, school: School, cases: list[Case], rng: random.Random) -> None:
        """Two families say “I do not agree” online (R13): recorded, with no other consequence."""
        applying = {c.guardian[1] for c in cases} | {LATE_JOINER_GUARDIAN[0]}
        links = StudentGuardian.objects.filter(student__school=school, is_primary=True).select_related(
            "student", "guardian"
        )
        free = sorted(
            (link for link in links if link.guardian.mobile not in applying and link.guardian.user_id is None),
            key=lambda link: link.student.id_number,
        )
        for i, link in enumerate(rng.sample(free, 2)):
            moment = at(datetime.date(self.y, 9, 3 + 6 * i), 21, 5)
            self.timeline.at(moment, self.decline, link)

    def decline(self, link: StudentGuardian) -> None:
        guardian = (link.guardian.name, link.guardian.mobile, link.relation)
        parent = self.parent_account(link.student, guardian)
        version = current_agreement_text(school=link.student.school, school_year=self.year).version
        agreement_decline(
            actor=parent, student=link.student, school_year=self.year, text_version=version,
            signature=Signature(guardian[0], guardian[2], "223.104.3.18", PHONES[0]),
        )  # fmt: skip

    def plan_withdrawals(self, cases: list[Case], rng: random.Random) -> None:
        """In October some attending children leave (from a date); the administrator gives the place to the first
        child of the waiting list that it suits."""
        for story in STORIES:
            candidates = [c for c in cases if c.school.name == story.school and c.fate == "through" and c.wave < 3]
            for i, case in enumerate(rng.sample(candidates, story.withdrawals)):
                case.fate = "withdrawn"
                day = datetime.date(self.y, 10, 9) + DAY * (3 * i + rng.randrange(3))
                self.timeline.at(working_moment(day, rng), self.withdraw, case, rng.randrange(4))

    def withdraw(self, case: Case, days_later: int) -> None:
        app = case.application
        if app is None:  # not applied yet
            return
        app.refresh_from_db()
        if app.status == AS.WITHDRAWN:
            return
        actor = self.parents[case.guardian[1]] if case.online else self.admin[case.school.name]
        rng = random.Random(f"withdraw:{case.student.id_number}")
        freed = app.service_class_id
        application_withdraw(
            actor=actor, application=app, effective=timezone.localdate() + DAY * days_later,
            note=rng.choice(WITHDRAW_NOTES),
        )  # fmt: skip
        if freed:
            moment = working_moment(timezone.localdate() + DAY * (days_later + 1), rng)
            self.timeline.at(moment, self.fill_place, case.school.name)

    def fill_place(self, school_name: str) -> None:
        admin = self.admin[school_name]
        board = placement_board(
            viewer=admin, school=self.schools[school_name], school_year=self.year, today=timezone.localdate()
        )
        first = next(((a, c) for a, c in board.suggestion if c is not None), None)
        if first is not None:
            application_place(actor=admin, application=first[0], service_class=first[1])
            self.activate_after(board.start_date)

    def plan_new_agreement(self, school: School, cases: list[Case], rng: random.Random) -> None:
        """On 20 October the school publishes version 2 of its agreement; about half of the families who apply
        online sign it again within three weeks (the demo parent for the attending child only)."""
        self.timeline.at(at(datetime.date(self.y, 10, 20), 10, 5), self.publish_v2, school)
        for case in cases:
            if case.school != school or not case.online or case.fate == "returned":
                continue
            if case.fate == "demo":
                moment = at(datetime.date(self.y, 10, 21), 20, 30)
            elif rng.random() < 0.55:
                moment = at(datetime.date(self.y, 10, 20) + DAY * rng.randint(1, 20), rng.randint(19, 22),
                                       rng.randrange(60))  # fmt: skip
            else:
                continue
            self.timeline.at(moment, self.resign, case)

    def publish_v2(self, school: School) -> None:
        body = current_agreement_text(school=school, school_year=self.year).body + AGREEMENT_V2
        text = agreement_text_publish(actor=self.admin[school.name], school=school, school_year=self.year, body=body)
        self.text_versions[school.pk] = text.version

    def resign(self, case: Case) -> None:
        app = case.application
        if app is None:
            return
        app.refresh_from_db()
        current = current_agreement_text(school=case.school, school_year=self.year)
        if app.status in (AS.WITHDRAWN, AS.RETURNED) or not needs_new_signature(app, current.version):
            return
        name, _mobile, relation = case.guardian
        agreement_resign(
            actor=self.parents[case.guardian[1]], application=app, text_version=current.version,
            signature=Signature(name, relation, "223.104.17.86", PHONES[1]),
        )  # fmt: skip


def application_data(
    rng: random.Random, student: Student, guardian: tuple, categories: list[str], *, extended: bool
) -> dict:
    """《自愿参加课后服务工作申请表》 as a family fills it in (extended care where the school offers it)."""
    name, mobile, relation = guardian
    extended = rng.random() < 0.07 and extended
    preferences = rng.sample(list(categories), rng.choice((1, 2, 2, 3, 3)))
    if AC.HOMEWORK in categories and rng.random() < 0.5:  # what most families want first
        preferences = [AC.HOMEWORK, *(p for p in preferences if p != AC.HOMEWORK)][:3]
    groups = [rng.random() < p for p in (0.38, 0.12, 0.02, 0.1)]
    return {
        "service_kind": Application.ServiceKind.EXTENDED if extended else Application.ServiceKind.REGULAR,
        "extended_reason": rng.choice(EXTENDED_REASONS) if extended else "",
        "pickup_difficulty": rng.choice(PICKUP_DIFFICULTIES),
        "dual_working": groups[0],
        "migrant_child": groups[1],
        "disability": groups[2],
        "economic_hardship": groups[3],
        "priority_note": rng.choice(PRIORITY_NOTES) if any(groups[1:]) and rng.random() < 0.6 else "",
        "preferences": [str(p) for p in preferences],
        "pickup_person": name,
        "pickup_relation": relation,
        "pickup_mobile": mobile,
    }


# ---------------------------------------------------------------- the contract

APPLICATION_LABELS = {
    "late": "逾期待学校决定", "late_waiting": "逾期候补", "submitted": "待班级审核", "returned": "已退回", "class_approved": "待学校审批", "approved": "已批准待分班",
    "waiting": "候补", "placed": "已分班", "active": "参加中", "withdrawn": "已退出",
}  # fmt: skip


def verify_roster_mobile(user: User) -> bool:
    """The seeded accounts' stand-in for the one-time SMS code (issue 14, schools.services.verification, which a
    parent registering on the site goes through): a parent's mobile counts as verified when the school's roster Guardian holding the same number is linked to this account. Text messages go
    only to a verified mobile (schools.services.notifications); staff logins have no mobile and get the inbox only.
    Idempotent: an account already verified keeps its moment."""
    if (
        not user.mobile
        or user.mobile_verified_at
        or not Guardian.objects.by_mobile(user.mobile).filter(user=user).exists()
    ):
        return False
    user.mobile_verified_at = user.date_joined  # the account was opened with the number the school holds
    User.objects.filter(pk=user.pk).update(mobile_verified_at=user.mobile_verified_at)
    return True


def play(county: DemoCounty, phase: str) -> list[str]:
    """SETUP: the year's enrollment story (played only while the county has no agreement text for the year); the
    demo parent login's mobile is verified (see `verify_roster_mobile`)."""
    if phase != SETUP:
        return []
    date_consent_texts(county)
    demo_parent = User.objects.by_mobile(PARENT_MOBILE).first()
    if demo_parent is not None:
        verify_roster_mobile(demo_parent)
    year = county.school_year()
    if not AgreementText.objects.filter(school_year=year, school__code__startswith=REGION).exists():
        YearStory(county, year).play()
    if demo_parent is not None:
        data_requests_story(county, county.user_object(demo_parent))
    consents_story(county, demo_parent)
    return summary_lines(year)


def date_consent_texts(county: DemoCounty) -> None:
    """The consent texts are written by a migration (enrollment 0009), so on the day the database was made; in the
    demo county, played up to `clock.now`, they stand from the day they came into force, as in a county that has
    used them since."""
    for text in ConsentText.objects.filter(created_at__gt=county.clock.now):
        moment = min(at(text.effective_from), county.clock.now)
        ConsentText.objects.filter(pk=text.pk).update(created_at=moment, updated_at=moment)


# A one-page PDF standing for the scan of a signed paper consent form (the real one is photographed at school).
SCAN_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def paper_scan(student) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"consent-{student.pk}.pdf", SCAN_PDF, content_type="application/pdf")


def consents_story(county: DemoCounty, demo_parent: User | None) -> None:
    """One guardian withdraws the sensitive consent (issue #14 item 2) a week ago: the demo parent's, if their child
    has one, else the first online one; their child's disability and hardship leave the application. Written once."""
    if Consent.objects.filter(kind="sensitive", status=Consent.Status.WITHDRAWN).exists():
        return
    live = Consent.objects.filter(
        kind="sensitive", status=Consent.Status.GIVEN, channel=Consent.Channel.ONLINE,
        student__school__code__startswith=REGION,
    ).select_related("student", "given_by").order_by("pk")  # fmt: skip
    consent = (demo_parent and live.filter(given_by=demo_parent).first()) or live.first()
    if consent is None:
        return
    with county.clock.at(working_moment(timezone.localdate(county.clock.now) - 7 * DAY, county.rng)):
        consent_withdraw(
            actor=county.user_object(consent.given_by), consent=consent, note="不想再提供孩子的残疾和家庭经济情况"
        )


def data_requests_story(county: DemoCounty, parent: User) -> None:
    """The demo parent's requests about their data (issue #14, item 5): a correction of the child's birth date sent
    five weeks ago and answered “done” by the school; a request to delete an old pick-up adult's number sent four
    weeks ago, still open and so past its 15 working days (the bureau's overdue list shows it). Written once."""
    targets = [t for t in request_targets(parent=parent) if t[2] is not None]
    if not targets or DataRequest.objects.filter(requester=parent).exists():
        return
    _value, _label, child, school = targets[0]
    admin = county.admins([school]).get(school.pk)
    now = county.clock.now
    with county.clock.at(working_moment(timezone.localdate(now) - 35 * DAY, county.rng)):
        corrected = data_request_submit(
            actor=parent, kind=DataRequest.Kind.CORRECTION, student=child, school=school,
            what_is_wrong=f"出生日期登记为 {child.birth_date:%Y-%m-%d}", should_be="应以户口簿为准，已带户口簿到学校核对",
        )  # fmt: skip
    if admin is not None:
        with county.clock.at(working_moment(timezone.localdate(now) - 28 * DAY, county.rng)):
            data_request_answer(
                actor=admin, request=corrected, done=True, answer="已核对户口簿，花名册中的出生日期已通过导入更正。"
            )
    with county.clock.at(working_moment(timezone.localdate(now) - 28 * DAY, county.rng)):
        data_request_submit(
            actor=parent, kind=DataRequest.Kind.DELETION, student=child, school=school,
            details="去年登记的接送人（孩子舅舅）已不再接送，请删除他的姓名和手机号。",
        )  # fmt: skip


def summary_lines(year: SchoolYear) -> list[str]:
    in_county = {"school__code__startswith": REGION}
    apps = Application.objects.filter(school_year=year, **in_county)
    statuses = dict(apps.values_list("status").annotate(n=Count("id")).order_by())
    schools = apps.values("school").distinct().count()
    agreements = Agreement.objects.filter(text__school_year=year, student__school__code__startswith=REGION)
    requests = DataRequest.objects.filter(**in_county)
    consents = Consent.objects.filter(student__school__code__startswith=REGION)
    return [
        f"课后服务申请 {apps.count()} 份（{schools} 所学校，代录 {apps.filter(entered_by__isnull=False).count()} 份）："
        + " · ".join(f"{APPLICATION_LABELS[s]} {statuses.get(s, 0)}" for s in AS),
        f"自愿服务协议书文本 {AgreementText.objects.filter(school_year=year, **in_county).count()} 版 · "
        f"签署 {agreements.filter(decision=Agreement.Decision.SIGNED).count()} · "
        f"不同意 {agreements.filter(decision=Agreement.Decision.DECLINED).count()}",
        f"插班生 {LATE_JOINER['name']}（{FIRST} 三年级1班）家长信编码 {LATE_JOINER['link_code']}：尚未申请，今天仍可申请（逾期申请）",
        f"家长数据权利申请 {requests.count()} 件（待答复 {requests.filter(status__in=DataRequest.OPEN).count()}）",
        f"监护人单独同意 {consents.count()} 份（纸质 {consents.filter(channel=Consent.Channel.PAPER).count()} · "
        f"敏感信息 {consents.filter(kind='sensitive').count()} · 已撤回 {consents.filter(status='withdrawn').count()}）",
    ]
