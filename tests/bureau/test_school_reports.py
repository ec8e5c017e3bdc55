"""School reports filed in windows (直报, issue 12 item 3): the pre-filled figures equal the selectors' numbers, a
changed figure needs its reason, late and closed submissions are refused, two submissions at once count once, the
township reviews only its village schools, a filed report is locked (service and PostgreSQL trigger), the workbooks'
totals equal the sums of their rows, and the reminders fire once per report and stage."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enrollment.selectors import coverage as coverage_selectors
from funding.models import Fund
from schools.models import Attendance, Notification, Role, School, Session
from schools.selectors import delivery as delivery_selectors
from xiji_afterschool.bureau import tasks
from xiji_afterschool.bureau.models import ReportFigure, ReportWindow, SchoolReport, SchoolReportEvent
from xiji_afterschool.bureau.models.school_reports import FIGURES
from xiji_afterschool.bureau.reports import school_reports as reports
from xiji_afterschool.bureau.rules import school_reports as rules
from xiji_afterschool.bureau.selectors import school_reports as selectors
from xiji_afterschool.bureau.services import school_reports as services
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..access.hours import make_service_class, make_session
from ..concurrency import at_once
from ..conftest import messages_of, pretend_today
from ..factories import SchoolFactory, user_with_role
from ..factories_enrollment import application
from ..factories_funding import claim

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date


def _september(w):
    year = w.autumn.start_date.year
    return D(year, 9, 1), D(year, 9, 30)


def _open(w, *, deadline=None, late_until=None, kind=ReportWindow.Kind.MONTHLY, period=None):
    start, end = period or _september(w)
    return services.window_open(
        actor=w.bureau, kind=kind, school_year=w.school_year, title="九月课后服务月报", period_start=start,
        period_end=end, deadline=deadline or _future(w), late_until=late_until,
    )  # fmt: skip


def _future(w) -> datetime.date:
    """A deadline ten days ahead (the world's year is the current one, so September may be past)."""
    return max(timezone.localdate(), _september(w)[0]) + datetime.timedelta(days=10)


def _report(window, school) -> SchoolReport:
    return SchoolReport.objects.get(window=window, school=school)


def _figures(report) -> dict:
    return {f.name: f for f in ReportFigure.objects.filter(report=report)}


@pytest.fixture
def village(world):
    """A village school of township_a (planned by school_a) with its administrator."""
    school = SchoolFactory(
        name="甲乡上庄村小学", township=world.township_a, school_type=School.Type.VILLAGE, central_school=world.school_a
    )
    world.village = school
    world.village_admin = user_with_role(Role.SCHOOL_ADMIN, school=school)
    return school


# ---------------------------------------------------------------- opening a window: the pre-filled figures


@pytest.fixture
def served(world, rate):
    """school_a in September: one placed child, a service class with two counted sessions (one in October, outside
    the period), three marks on the roll (two present), a session waiting for confirmation (not counted), and an
    allocated claim."""
    w = world
    start, _end = _september(w)
    application(w.child, status="placed")
    service_class = make_service_class(w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="A班",
                                       admin_classes=[w.class_a1])  # fmt: skip
    first = make_session(service_class, start, status=Session.Status.CONFIRMED)
    make_session(service_class, start + datetime.timedelta(days=1))
    make_session(service_class, start + datetime.timedelta(days=2), status=Session.Status.NEEDS_CONFIRMATION)
    make_session(service_class, start + datetime.timedelta(days=41))  # October
    Attendance.objects.bulk_create(
        [
            Attendance(session=first, student=w.child, mark=Attendance.Mark.PRESENT),
            Attendance(session=first, student=w.other_child, mark=Attendance.Mark.PRESENT),
            Attendance(session=first, student=w.child_a2, mark=Attendance.Mark.ABSENT),
        ]
    )
    w.claim = claim(w.school_a, w.school_year)
    return service_class


def test_opening_a_window_prefills_every_school_from_the_selectors(world, served):
    w = world
    start, end = _september(w)
    window = _open(w)
    assert set(window.reports.values_list("school", flat=True)) == {w.school_a.pk, w.school_b.pk}
    figures = {name: f.computed for name, f in _figures(_report(window, w.school_a)).items()}
    assert list(figures) == list(FIGURES)

    coverage = next(
        r
        for r in coverage_selectors.county_coverage(viewer=w.bureau, school_year=w.school_year)["schools"]
        if r["school"] == w.school_a
    )
    to_end = delivery_selectors.delivery_school(school=w.school_a, school_year=w.school_year, today=end)
    before = delivery_selectors.delivery_school(
        school=w.school_a, school_year=w.school_year, today=start - datetime.timedelta(days=1)
    )
    fund = Fund.objects.get(school=w.school_a, school_year=w.school_year)
    teachers = w.school_a.memberships.filter(role=Role.SERVICE_TEACHER).values("user").distinct().count()
    assert figures == {
        "students": coverage["students"],
        "applicants": coverage["applicants"],
        "served": coverage["placed"],
        "service_classes": len(to_end.classes),
        "teachers": teachers,
        "volunteers": 1,
        "planned_hours": Decimal(to_end.planned - before.planned),
        "delivered_hours": to_end.delivered - before.delivered,
        "attendance_rate": Decimal("66.7"),
        "subsidy_claimed": w.claim.requested_amount,
        "subsidy_approved": w.claim.approved_amount,
        "subsidy_spent": fund.spent,
    }
    # By hand: 3 children on the roll, one applied and placed; 2 sessions of 2 class-hours counted in September
    # (the one waiting for confirmation and the October one are not); 2 of 3 marks present.
    assert (figures["students"], figures["applicants"], figures["served"]) == (3, 1, 1)
    assert figures["delivered_hours"] == Decimal("4.0") and figures["planned_hours"] > 0
    assert figures["subsidy_claimed"] > 0
    # Reported starts as computed; school_b has nothing yet (no attendance: no rate).
    assert all(f.reported == f.computed and f.reason == "" for f in _figures(_report(window, w.school_a)).values())
    b = {name: f.computed for name, f in _figures(_report(window, w.school_b)).items()}
    assert b["attendance_rate"] is None and b["delivered_hours"] == 0 and b["subsidy_claimed"] == 0
    assert SchoolReportEvent.objects.filter(action="create").count() == 2


def test_opening_refuses_bad_periods_duplicates_and_other_roles(world):
    w = world
    start, end = _september(w)
    with pytest.raises(DomainError, match="must start before it ends"):
        _open(w, period=(end, start))
    with pytest.raises(DomainError, match="must fall in the school year"):
        _open(w, period=(start, w.school_year.end_date + datetime.timedelta(days=1)))
    with pytest.raises(DomainError, match="only be accepted after the deadline"):
        _open(w, deadline=end, late_until=end - datetime.timedelta(days=1))
    _open(w)
    with pytest.raises(DomainError, match="already open"):
        _open(w)
    with pytest.raises(PermissionDenied):
        services.window_open(
            actor=w.inspector, kind="monthly", school_year=w.school_year, title="x", period_start=start,
            period_end=end, deadline=end,
        )  # fmt: skip
    assert ReportWindow.objects.count() == 1


# ---------------------------------------------------------------- correcting and submitting


def test_a_changed_figure_needs_its_reason(world):
    w = world
    report = _report(_open(w), w.school_a)
    computed = _figures(report)["students"].computed
    with pytest.raises(DomainError, match=r"Give the reason.*Students enrolled"):
        services.report_correct(actor=w.school_admin, report=report, values={"students": {"reported": computed + 2}})
    assert _figures(report)["students"].reported == computed  # nothing half-written
    services.report_correct(
        actor=w.school_admin, report=report,
        values={"students": {"reported": computed + 2, "reason": "两名转入学生尚未录入学籍"}},
    )  # fmt: skip
    figure = _figures(report)["students"]
    assert (figure.reported, figure.reason, figure.changed) == (computed + 2, "两名转入学生尚未录入学籍", True)
    assert report.events.filter(action="correct").count() == 1
    # Back to the records' value: the reason goes.
    services.report_correct(actor=w.school_admin, report=report, values={"students": {"reported": computed}})
    figure = _figures(report)["students"]
    assert (figure.reported, figure.reason) == (computed, "")
    with pytest.raises(DomainError, match="cannot be negative"):
        services.report_correct(
            actor=w.school_admin, report=report, values={"teachers": {"reported": -1, "reason": "x"}}
        )
    # The database repeats the rule.
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportFigure.objects.filter(pk=figure.pk).update(reported=computed + 5, reason="")


def test_submission_on_time_late_within_grace_and_refused_after(world, monkeypatch):
    w = world
    _start, end = _september(w)
    deadline = end + datetime.timedelta(days=5)
    window = _open(w, deadline=deadline, late_until=deadline + datetime.timedelta(days=3))
    on_time, late = _report(window, w.school_a), _report(window, w.school_b)

    pretend_today(monkeypatch, deadline)
    services.report_submit(actor=w.school_admin, report=on_time)
    pretend_today(monkeypatch, deadline + datetime.timedelta(days=1))
    services.report_submit(actor=w.other_school_admin, report=late)
    on_time.refresh_from_db(), late.refresh_from_db()
    assert (on_time.status, on_time.is_late, late.status, late.is_late) == ("submitted", False, "submitted", True)
    overview = selectors.window_overview(viewer=w.bureau, window=window)
    assert overview["late"] == [late] and overview["missing"] == []

    strict = _open(w, kind=ReportWindow.Kind.SEMESTER, deadline=deadline)
    report = _report(strict, w.school_a)
    pretend_today(monkeypatch, deadline + datetime.timedelta(days=1))
    assert selectors.window_overview(viewer=w.bureau, window=strict)["missing"] == [report, _report(strict, w.school_b)]
    with pytest.raises(DomainError, match="can no longer be submitted"):
        services.report_submit(actor=w.school_admin, report=report)
    report.refresh_from_db()
    assert report.status == "draft" and report.first_submitted_at is None
    assert list(selectors.overdue_reports(viewer=w.bureau)) == [report, _report(strict, w.school_b)]
    assert list(selectors.overdue_reports(viewer=w.school_admin)) == [report]


def test_nothing_is_submitted_or_changed_once_the_window_is_closed(world):
    w = world
    window = _open(w)
    report = _report(window, w.school_a)
    services.window_close(actor=w.bureau, window=window)
    with pytest.raises(DomainError, match="is closed"):
        services.report_submit(actor=w.school_admin, report=report)
    with pytest.raises(DomainError, match="is closed"):
        services.report_correct(actor=w.school_admin, report=report, values={})
    with pytest.raises(TransitionNotAllowed):
        services.window_close(actor=w.bureau, window=window)


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_count_once(world):
    w = world
    report = _report(_open(w), w.school_a)
    second_admin = user_with_role(Role.SCHOOL_ADMIN, school=w.school_a)

    def submit(user):
        return lambda: services.report_submit(actor=user, report=SchoolReport.objects.get(pk=report.pk))

    results = at_once(submit(w.school_admin), submit(second_admin))
    assert results.count("ok") == 1, results
    assert isinstance(next(r for r in results if r != "ok"), TransitionNotAllowed)
    assert SchoolReportEvent.objects.filter(report=report, action="submit").count() == 1


# ---------------------------------------------------------------- township review, filing, returning, the lock


def test_village_reports_go_through_the_township_central_ones_straight_to_the_bureau(world, village):
    w = world
    window = _open(w)
    central, village_report = _report(window, w.school_a), _report(window, village)
    services.report_submit(actor=w.village_admin, report=village_report)
    services.report_submit(actor=w.school_admin, report=central)
    assert list(selectors.township_queue(viewer=w.township)) == [village_report]
    assert set(selectors.bureau_queue(viewer=w.bureau)) == {central}

    with pytest.raises(DomainError, match="township must review"):
        services.report_file(actor=w.bureau, report=village_report)
    with pytest.raises(PermissionDenied):  # the township reviews village schools and teaching points only
        services.report_township_review(actor=w.township, report=central)
    with pytest.raises(DomainError, match="Say what the school must correct"):
        services.report_return(actor=w.township, report=village_report, note=" ")
    services.report_return(actor=w.township, report=village_report, note="在校生人数与学籍不符")
    village_report.refresh_from_db()
    assert village_report.status == "draft"
    services.report_submit(actor=w.village_admin, report=village_report)  # a returned report comes back
    services.report_township_review(actor=w.township, report=village_report)
    with pytest.raises(DomainError, match="only the bureau can return"):
        services.report_return(actor=w.township, report=village_report, note="再看看")
    services.report_file(actor=w.bureau, report=village_report)
    services.report_file(actor=w.bureau, report=central)
    for report in (village_report, central):
        report.refresh_from_db()
        assert report.status == "filed" and report.filed_by == w.bureau
    assert [e.action for e in village_report.events.all()] == [
        "create", "submit", "return", "submit", "township_review", "file",
    ]  # fmt: skip


def test_a_filed_report_is_never_changed_by_the_service(world):
    w = world
    report = _report(_open(w), w.school_a)
    services.report_submit(actor=w.school_admin, report=report)
    services.report_file(actor=w.bureau, report=report)
    with pytest.raises(DomainError, match="A filed report is never changed"):
        services.report_correct(
            actor=w.school_admin, report=report, values={"students": {"reported": 1, "reason": "x"}}
        )
    with pytest.raises(TransitionNotAllowed):
        services.report_return(actor=w.bureau, report=report, note="改一下")
    with pytest.raises(TransitionNotAllowed):
        services.report_submit(actor=w.school_admin, report=report)


@pytest.mark.needs_postgres  # the trigger is PostgreSQL's (bureau migration 0002_school_reports)
def test_postgresql_refuses_to_change_a_filed_report_or_its_figures(world):
    w = world
    report = _report(_open(w), w.school_a)
    ReportFigure.objects.filter(report=report, name="students").update(reported=99, reason="改正")  # a draft: fine
    services.report_submit(actor=w.school_admin, report=report)
    services.report_file(actor=w.bureau, report=report)
    for statement in (
        lambda: ReportFigure.objects.filter(report=report).update(reported=1, reason="改"),
        lambda: ReportFigure.objects.filter(report=report).delete(),
        lambda: ReportFigure.objects.create(report=report, name="x", computed=1, reported=1),
        lambda: SchoolReport.objects.filter(pk=report.pk).update(status="draft"),
        lambda: SchoolReport.objects.filter(pk=report.pk).delete(),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            statement()
    assert _figures(report)["students"].reported == 99


# ---------------------------------------------------------------- pages and scope


def test_the_school_corrects_and_submits_on_its_page(client, world):
    w = world
    report = _report(_open(w), w.school_a)
    computed = _figures(report)["students"].computed
    client.force_login(w.school_admin)
    page = client.get(reverse("bureau:school-report-detail", args=[report.pk]))
    assert page.status_code == 200 and "From the records" in page.content.decode()
    url = reverse("bureau:school-report-edit", args=[report.pk])
    data = {name: str(f.reported) if f.reported is not None else "" for name, f in _figures(report).items()}
    response = client.post(url, {**data, "students": str(computed + 1), "submit": "1"})
    assert messages_of(response) == [
        "Give the reason for each figure changed from the school's records: Students enrolled."
    ]
    report.refresh_from_db()
    assert report.status == "draft"
    response = client.post(url, {**data, "students": str(computed + 1), "students__reason": "新转入1人", "submit": "1"})
    assert messages_of(response)[-1] == "The report has been submitted."
    report.refresh_from_db()
    assert report.status == "submitted" and _figures(report)["students"].reason == "新转入1人"


def test_the_township_sees_only_its_own_schools(client, world, village):
    w = world
    window = _open(w)
    client.force_login(w.township)
    for school, status in ((w.school_a, 200), (village, 200), (w.school_b, 404)):
        response = client.get(reverse("bureau:school-report-detail", args=[_report(window, school).pk]))
        assert response.status_code == status, school
    page = client.get(reverse("bureau:report-window-detail", args=[window.pk]))
    assert [r.school for r in page.context["reports"]] == [w.school_a, village]
    assert list(selectors.report_list(viewer=w.township)) == [_report(window, w.school_a), _report(window, village)]
    bureau_page = client.get(reverse("bureau:report-window-detail", args=[window.pk]), {"township": w.township_b.pk})
    assert [r.school for r in bureau_page.context["reports"]] == []  # a township filtering another township: nothing
    client.force_login(w.bureau)
    page = client.get(reverse("bureau:report-window-detail", args=[window.pk]), {"township": w.township_b.pk})
    assert [r.school for r in page.context["reports"]] == [w.school_b]


def test_the_bureau_opens_a_window_on_its_page(client, world):
    w = world
    start, end = _september(w)
    client.force_login(w.bureau)
    assert client.get(reverse("bureau:report-window-open")).status_code == 200
    response = client.post(
        reverse("bureau:report-window-open"),
        {"kind": "monthly", "school_year": w.school_year.pk, "title": "九月月报", "period_start": start,
         "period_end": end, "deadline": end + datetime.timedelta(days=5)},
    )  # fmt: skip
    window = ReportWindow.objects.get()
    assert response.status_code == 302 and response.url == reverse("bureau:report-window-detail", args=[window.pk])
    assert window.late_until == window.deadline and window.reports.count() == 2
    assert "九月月报" in client.get(reverse("bureau:report-window-list")).content.decode()


# ---------------------------------------------------------------- the workbooks


def _sheet_rows(content: bytes, sheet=None) -> list[tuple]:
    book = load_workbook(io.BytesIO(content))
    return list((book[sheet] if sheet else book.active).iter_rows(values_only=True)), book.sheetnames


def test_statistics_table_totals_equal_the_sum_of_rows(client, world, village, served):
    w = world
    window = _open(w)
    report = _report(window, village)
    services.report_correct(actor=w.village_admin, report=report,
                            values={"students": {"reported": 17, "reason": "教学点学生未录入"}})  # fmt: skip
    client.force_login(w.bureau)
    response = client.get(reverse("bureau:report-window-export", args=[window.pk]))
    assert response.status_code == 200
    rows, _names = _sheet_rows(response.content)
    header = rows[1]
    body = rows[2:]
    first = header.index("Students enrolled")
    schools = [r for r in body if r[1]]
    subtotals = [r for r in body if r[0] and r[0].endswith("subtotal")]
    total = body[-1]
    assert total[0] == "County total" and len(schools) == 3 and len(subtotals) == 2
    money = header.index("Subsidy claimed (yuan)")
    for column in range(first, len(header)):
        if header[column] == "Attendance rate (%)":
            continue
        assert total[column] == sum(r[column] or 0 for r in schools), header[column]
        assert total[column] == sum(s[column] or 0 for s in subtotals), header[column]
    assert [r[first] for r in schools if r[2] == village.name] == [17]  # the reported, not the computed value
    assert Decimal(str(total[money])) == w.claim.requested_amount  # the workbook's number, to the fen
    rate_col = header.index("Attendance rate (%)")
    assert total[rate_col] == 66.7  # only school_a has a roll: the weighted mean is its own rate


def test_city_summary_has_three_sheets_whose_totals_agree(client, world, village, served):
    w = world
    window = _open(w)
    client.force_login(w.bureau)
    response = client.get(reverse("bureau:report-window-city-summary", args=[window.pk]))
    assert response.status_code == 200
    by_township, names = _sheet_rows(response.content, "By township")
    assert names == ["By township", "By school type", "Schools", "Notes"]
    by_type, _n = _sheet_rows(response.content, "By school type")
    schools, _n = _sheet_rows(response.content, "Schools")
    assert len(schools) == 1 + 3
    township_total, type_total = by_township[-1], by_type[-1]
    assert township_total == type_total and township_total[1] == 3
    for column in range(2, len(by_township[0])):
        if by_township[0][column] == "Attendance rate (%)":
            continue
        assert township_total[column] == sum(r[column] or 0 for r in by_township[1:-1])
        assert type_total[column] == sum(r[column] or 0 for r in by_type[1:-1])
    assert [r[0] for r in by_type[1:-1]] == ["Primary school", "Village school"]


def test_rules_total_weighted_rate():
    rows = [
        {**dict.fromkeys(FIGURES), "served": Decimal(10), "attendance_rate": Decimal("90.0")},
        {**dict.fromkeys(FIGURES), "served": Decimal(30), "attendance_rate": Decimal("70.0")},
        {**dict.fromkeys(FIGURES), "served": Decimal(0), "attendance_rate": None},
    ]
    total = rules.total_row(rows)
    assert total["served"] == 40 and total["attendance_rate"] == Decimal("75.0") and total["teachers"] is None


def test_reports_module_lines_match_the_reports(world):
    w = world
    window = _open(w)
    table = selectors.figure_table(reports=list(selectors.report_list(viewer=w.bureau, window=window)))
    _header, lines = reports.statistics_rows(table=table)
    assert [line["kind"] for line in lines] == ["school", "subtotal", "school", "subtotal", "total"]


# ---------------------------------------------------------------- reminders


def test_reminders_fire_once_per_report_and_stage(world):
    w = world
    deadline = _future(w)
    window = _open(w, deadline=deadline)
    services.report_submit(actor=w.other_school_admin, report=_report(window, w.school_b))  # school_b is done

    assert services.remind_overdue_reports(today=deadline - datetime.timedelta(days=4)) == 0
    assert services.remind_overdue_reports(today=deadline - datetime.timedelta(days=3)) == 1
    assert services.remind_overdue_reports(today=deadline - datetime.timedelta(days=1)) == 0  # once per stage
    notice = Notification.objects.get(user=w.school_admin)
    assert notice.title.startswith("Report due") and notice.url.endswith(f"/{_report(window, w.school_a).pk}/")
    assert services.remind_overdue_reports(today=deadline + datetime.timedelta(days=1)) == 1
    assert services.remind_overdue_reports(today=deadline + datetime.timedelta(days=2)) == 0
    assert Notification.objects.filter(user=w.school_admin).count() == 2
    assert not Notification.objects.filter(user=w.other_school_admin).exists()
    services.window_close(actor=w.bureau, window=window)
    assert services.remind_overdue_reports(today=deadline + datetime.timedelta(days=9)) == 0


def test_pages_cost_the_same_whatever_the_number_of_schools(client, world):
    w = world
    client.force_login(w.bureau)

    def cost(window) -> list[int]:
        counts = []
        for name in ("bureau:report-window-detail", "bureau:report-window-export", "bureau:report-window-city-summary"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name, args=[window.pk])).status_code == 200
            counts.append(len(queries))
        return counts

    small = cost(_open(w))
    for i in range(4):
        SchoolFactory(name=f"丙乡{i}小学", township=w.township_b)
    large = cost(_open(w, kind=ReportWindow.Kind.SEMESTER))
    assert small == large, (small, large)


def test_the_reminder_job_runs_the_service(world, eager_celery):
    w = world
    _open(w, deadline=timezone.localdate() + datetime.timedelta(days=2))
    assert tasks.send_deadline_reminders_task.delay().get()["school_report"] == 2  # both schools' admins, due soon
    assert tasks.send_deadline_reminders_task.delay().get()["school_report"] == 0
