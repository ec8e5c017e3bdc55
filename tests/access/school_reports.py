"""Access rows of the school reports (直报): a window opened by the bureau for the world's autumn semester and
school_a's report in it (school_a is a township central school: the township reads it but does not review it)."""

import datetime

from xiji_afterschool.bureau.models import ReportWindow, SchoolReport
from xiji_afterschool.bureau.services import school_reports as school_reports_services

from .cases import Case, only

COUNTY = ("bureau", "inspector", "leadership")
WINDOW_READERS = {a: 200 for a in (*COUNTY, "township")}
REPORT_READERS = {a: 200 for a in (*COUNTY, "township", "school_admin")}
REPORT_REFUSED = {a: 403 for a in REPORT_READERS}


def _window(world, tmp_path):
    if ReportWindow.objects.exists():
        world.report_window = ReportWindow.objects.get()
    else:
        autumn = world.autumn
        world.report_window = school_reports_services.window_open(
            actor=world.bureau, kind=ReportWindow.Kind.SEMESTER, school_year=world.school_year, title="秋季学期报表",
            period_start=autumn.start_date, period_end=autumn.end_date,
            deadline=autumn.end_date + datetime.timedelta(days=10),
        )  # fmt: skip
    world.school_report = SchoolReport.objects.get(window=world.report_window, school=world.school_a)


def window(w):
    return [w.report_window.pk]


def report(w):
    return [w.school_report.pk]


MATRIX = {
    "bureau:report-window-list": only(*COUNTY, "township"),
    "bureau:report-window-open": only("bureau"),
    "bureau:report-window-detail": Case(args=window, ok=WINDOW_READERS, default=404, setup=_window),
    "bureau:report-window-export": Case(args=window, ok=WINDOW_READERS, default=404, setup=_window),
    "bureau:report-window-city-summary": Case(args=window, ok=WINDOW_READERS, default=404, setup=_window),
    "bureau:report-window-close": Case(
        method="post", args=window, ok={**{a: 403 for a in WINDOW_READERS}, "bureau": 302}, default=404, setup=_window
    ),
    "bureau:school-report-list": only(*COUNTY, "township", "school_admin", "other_school_admin"),
    "bureau:school-report-detail": Case(args=report, ok=REPORT_READERS, default=404, setup=_window),
    "bureau:school-report-edit": Case(
        method="post", args=report, ok={**REPORT_REFUSED, "school_admin": 302}, default=404, setup=_window
    ),
    "bureau:school-report-submit": Case(
        method="post", args=report, ok={**REPORT_REFUSED, "school_admin": 302}, default=404, setup=_window
    ),
    # school_a is a central school: no township review for it (403 for the township, which sees it).
    "bureau:school-report-review": Case(method="post", args=report, ok=REPORT_REFUSED, default=404, setup=_window),
    "bureau:school-report-file": Case(
        method="post", args=report, ok={**REPORT_REFUSED, "bureau": 302}, default=404, setup=_window
    ),
    "bureau:school-report-return": Case(
        method="post", args=report, ok={**REPORT_REFUSED, "bureau": 302}, default=404, setup=_window
    ),
}
