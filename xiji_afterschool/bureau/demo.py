"""The county console's part of the demo county (see xiji_afterschool/demo.py for the contract). The bureau's
calendar and plan reviews are played by schools.demo, as the bureau's login.

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
"""

import datetime

from schools.models import Membership, Role
from xiji_afterschool.demo import DELIVERY, FIRST, DemoCounty, at

from .models import ReportWindow, SchoolReport
from .services import school_reports as services

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
                window = services.window_open(
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
                    services.report_correct(
                        actor=admin, report=report,
                        values={"volunteers": {"reported": (figure.computed or 0) + 2,
                                               "reason": "两名大学生志愿者寒假前来校服务，尚未建立账号"}},
                    )  # fmt: skip
                services.report_submit(actor=admin, report=report)
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
                    services.report_township_review(actor=self.coordinators[school.township_id], report=report)
            if n == 1 and i % 3 == 1:
                continue  # October: reviewed by the township or submitted, not yet filed
            clock = self.step(review_day + datetime.timedelta(days=2))
            if clock is None:
                continue
            with clock:
                if returned is None and not school.is_dependent and school.name != FIRST:
                    returned = school
                    services.report_return(
                        actor=self.bureau, report=report, note="在校生数与学籍系统不一致，请核对后重新报送。"
                    )
                    continue
                services.report_file(actor=self.bureau, report=report)
        if returned is not None:
            report = self.report(window, returned)
            clock = self.step(review_day + datetime.timedelta(days=4), 15)
            if clock is not None:
                with clock:
                    services.report_correct(
                        actor=self.admins[returned.pk], report=report,
                        values={"students": {"reported": (report.figures.get(name="students").computed or 0) + 3,
                                             "reason": "3名随迁子女已入学，学籍转入手续未完成"}},
                    )  # fmt: skip
                    services.report_submit(actor=self.admins[returned.pk], report=report)
                clock = self.step(review_day + datetime.timedelta(days=6))
                if clock is not None:
                    with clock:
                        services.report_file(actor=self.bureau, report=self.report(window, returned))
        if closed is not None:
            clock = self.step(closed, 17)
            if clock is not None:
                with clock:
                    services.window_close(actor=self.bureau, window=window, note="9月月报截止，未报学校另行督办。")


def play(county: DemoCounty, phase: str) -> list[str]:
    """DELIVERY: the current year's school reports, only while the year has no reporting window."""
    if phase != DELIVERY:
        return []
    if ReportWindow.objects.filter(school_year=county.school_year()).exists():
        return []
    reports = Reports(county)
    reports.play()
    return reports.lines
