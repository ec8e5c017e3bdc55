"""The safety part of the demo county (see xiji_afterschool/demo.py for the contract: services, the clock, played
once, summary lines).

DELIVERY, after the schools' sessions:

Incidents (issue 11 §7). At 西吉县第一小学 one incident in the current semester: a third-grader of the 三四年级作业
辅导班 falls on the playground during the after-school service (a grazed knee and a sprained ankle). The service
teacher 王海燕 ("jiaoshi"), who was there, records it with the first aid (the school doctor's ice pack and dressing)
and phones the mother seven minutes later; two days later she adds a follow-up (the hospital's X-ray showed no
fracture). The school admin ("xuexiao") records the school liability insurance (中国人寿, 校方责任险), files the
claim, which the insurer accepts and pays; the compensation is shared insurer / school to the fen, and the incident
is closed. At 西吉县第二小学 one minor incident, a nosebleed, told in person at pick-up and closed the next day, with
no insurance. Each school's story is played only while that school has no incident in the semester.

Emergency plans, drills and safety education (issue 11 §8). At both schools the school admin writes the plans of the
five scenarios (火灾, 伤害, 走失, 恶劣天气, 交通) with named responsibilities from the school's staff (总指挥 = the
school admin), in the semester's first week; at 西吉县第一小学 the fire plan is revised once after the fire drill
(version 2 supersedes version 1), only while the school has no plan. In every semester of the year begun so far, at
both schools, a fire drill and an earthquake evacuation drill, four safety-education sessions for the pupils (交通
安全, 防溺水, 冬季防滑防冻, 防欺凌) and one for the teachers, each only while the school has none of them that
semester.

Every step runs inside `county.clock.at(moment)` on its own day; a day after `county.now` is played then (the clock
never runs ahead), so the story exists whatever the day the year is played to. No semester begun yet: nothing.
"""

import datetime

from django.db.models import Count, Q

from schools.models import Membership, Role, School, Semester, ServiceClass, Student, User
from xiji_afterschool.demo import DAY, DELIVERY, FIRST, PARENT_MOBILE, SECOND, DemoCounty, at

from .models import Drill, EmergencyPlan, GuardianContact, Incident, InsuranceClaim, SafetyEducation, Scenario
from .models.emergency import PlanDuty
from .services import emergency, incidents

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
        guardian_links__guardian__mobile=PARENT_MOBILE
    )
    if teacher is not None:
        members = pupils.filter(
            service_class_memberships__service_class__school_year=year,
            service_class_memberships__service_class__teacher=teacher,
            service_class_memberships__end_date__isnull=True,
        )
        if members.exists():
            pupils = members
    return pupils.order_by("admin_class__number", "id_number").first()


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
            incident = incidents.incident_record(
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
            incidents.incident_tell_guardian(
                actor=teacher, child=child, told_at=self.moment(day, 16, 57), how=GuardianContact.How.PHONE,
                guardian_name=guardian_name(pupil), note="家长17:30到校接孩子去县人民医院拍片检查",
            )  # fmt: skip
        later = min(day + 2 * DAY, self.today)
        with self.clock.at(at(later, 17, 50)):
            incidents.incident_follow_up(
                actor=teacher, incident=incident, child=child, date=later,
                note="电话回访家长：县人民医院拍片未见骨折，右踝软组织挫伤，医嘱休息三天后正常上学；右膝擦伤已结痂。",
            )  # fmt: skip
        claim_day = min(day + 3 * DAY, self.today)
        with self.clock.at(at(claim_day, 10)):
            claim = incidents.insurance_open(
                actor=admin, incident=incident, policy=InsuranceClaim.Policy.SCHOOL_LIABILITY,
                insurer="中国人寿保险股份有限公司西吉县支公司", policy_no=f"XFZR{self.county.y}640422-0017",
            )  # fmt: skip
        filed = min(day + 6 * DAY, self.today)
        with self.clock.at(at(filed, 10, 30)):
            incidents.insurance_file(actor=admin, claim=claim, filed_on=filed, amount_claimed="860.00")
        accepted = min(day + 13 * DAY, self.today)
        with self.clock.at(at(accepted, 15)):
            incidents.insurance_accept(actor=admin, claim=claim, decided_on=accepted)
        paid = min(day + 20 * DAY, self.today)
        with self.clock.at(at(paid, 11)):
            incidents.insurance_pay(actor=admin, claim=claim, paid_on=paid, amount_paid="688.00")
        with self.clock.at(at(paid, 11, 20)):
            incidents.insurance_compensation(
                actor=admin, claim=claim, total="860.00",
                shares={"share_insurer": "688.00", "share_school": "172.00"},
            )  # fmt: skip
        closed = min(day + 21 * DAY, self.today)
        with self.clock.at(at(closed, 16)):
            incidents.incident_close(
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
            incident = incidents.incident_record(
                actor=teacher, school=school, occurred_at=self.moment(day, 16, 35), place="二楼作业辅导教室",
                description="写作业时该生突然流鼻血，无碰撞，教师立即处理，约十分钟后止血，继续参加课后服务。",
                children=[{
                    "student": pupil, "injury": "鼻出血（无外伤）",
                    "first_aid": "身体前倾、捏住鼻翼止血，额头冷敷", "first_aid_by": teacher.full_name or "带班教师",
                }],
                severity=Incident.Severity.MINOR, during_service=True, staff_present=teacher.full_name,
            )  # fmt: skip
        with self.clock.at(at(day, 17, 50)):
            incidents.incident_tell_guardian(
                actor=teacher, child=incident.children.get(), told_at=self.moment(day, 17, 42),
                how=GuardianContact.How.IN_PERSON, guardian_name=guardian_name(pupil),
                note="放学接孩子时当面告知，提醒家长天气干燥多给孩子喝水",
            )  # fmt: skip
        closed = min(weekday(day + DAY), self.today)
        with self.clock.at(at(closed, 9, 30)):
            incidents.incident_close(
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
                plans[scenario] = emergency.plan_create(
                    actor=admin, school=school, scenario=scenario, title=title, procedure=procedure,
                    effective_from=day, duties=self.duties(name, scenario),
                )  # fmt: skip
        if name == FIRST:
            day = self.day(first, 23)  # a week after the fire drill
            with self.clock.at(at(day, 16)):
                emergency.plan_revise(
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
                emergency.drill_record(
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
                emergency.education_record(
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


def play(county: DemoCounty, phase: str) -> list[str]:
    """DELIVERY: the incidents, then the plans, drills and safety education."""
    if phase != DELIVERY:
        return []
    return [*play_incidents(county), *play_emergency(county)]
