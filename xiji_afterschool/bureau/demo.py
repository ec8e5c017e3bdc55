"""The county console's part of the demo county (see xiji_afterschool/demo.py for the contract). The bureau's
calendar and plan reviews are played by schools.demo, as the bureau's login.

DELIVERY — special inspections (专项督导, R35), played by the inspector 何志刚 (duxue) through the services:
- 西吉县第一小学, a scheduled inspection on 15 October: a finding (a fee for materials asked of parents), the school's
  answer, accepted, re-inspected and closed on 1 November;
- 西吉县第二小学, an unannounced inspection on 12 November: two findings, one answered, the other past its deadline
  (26 November) without an answer — the inspection is being rectified, with an overdue rectification;
- a scheduled inspection of 吉强镇中心小学 three days after the day the year is played to (the inspector's home).
Each step is played only once its moment has come (the clock never runs ahead); the whole story is played only while
the year has no inspection, so a second run writes nothing.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from PIL import Image, ImageDraw

from xiji_afterschool.demo import DELIVERY, FIRST, SEAT, SECOND, DemoCounty

from .models import CheckItem, Inspection, InspectionCheck
from .services import inspections as inspections_services

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


def play(county: DemoCounty, phase: str) -> list[str]:
    if phase != DELIVERY:
        return []
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
