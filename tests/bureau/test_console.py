"""The county console (issue #12, R3, R34): its numbers recomputed here from the raw rows by plain loops and
compared exactly; township and county totals; periods; the refresh's lock, failure and change triggers; scope."""

import datetime
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Application
from funding.models import Claim, Fund, LedgerEntry
from safety.models import Incident, LateAlert
from schools.models import (
    Attendance,
    CountySettings,
    Role,
    School,
    SchoolPlan,
    ServiceClassMember,
    Session,
    Student,
)
from schools.rules import hours as hours_rules
from xiji_afterschool.bureau.models import ClassFigures, ConsoleRefresh, SchoolFigures, WeekFigures
from xiji_afterschool.bureau.selectors import console as selectors
from xiji_afterschool.bureau.services import console as services

from ..access.hours import make_service_class, make_session
from ..factories import AdminClassFactory, SchoolFactory, StudentFactory, user_with_role
from ..factories_enrollment import application
from ..factories_funding import claim

D = datetime.date
A = Application.Status


def _service_days(first, n):
    """The first n weekdays from `first` (the world's calendar has a holiday on 1 October only)."""
    days, day = [], first
    while len(days) < n:
        if day.isoweekday() < 6 and day != D(first.year, 10, 1):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _roll(session, present=(), absent=(), leave=()):
    marks = [(s, Attendance.Mark.PRESENT) for s in present] + [(s, Attendance.Mark.ABSENT) for s in absent]
    marks += [(s, Attendance.Mark.LEAVE) for s in leave]
    Attendance.objects.bulk_create(Attendance(session=session, student=s, mark=m) for s, m in marks)
    Session.objects.filter(pk=session.pk).update(present=len(present), absent=len(absent), on_leave=len(leave))


@pytest.fixture
def county(world, rate):
    """The world plus: a class delivering and an idle one at school_a, a class at school_b, a third school of
    township_a with a filed plan and no service (吉强镇中心小学's case), a kindergarten offering none; applications,
    claims, flagged sessions, a late pick-up and an incident. Today is the 20th service day of the autumn."""
    w = world
    w.today = _service_days(w.autumn.start_date, 20)[-1]
    w.school_c = SchoolFactory(name="甲乡第二小学", township=w.township_a, school_type=School.Type.PRIMARY)
    class_c = AdminClassFactory(school=w.school_c, grade=2)
    for _ in range(5):
        StudentFactory(admin_class=class_c)
    SchoolPlan.objects.create(
        school=w.school_c, school_year=w.school_year, version=1, status=SchoolPlan.Status.FILED,
        created_by=w.school_admin, filed_at=timezone.now(), filing_number="西教体备〔2026〕9号",
    )  # fmt: skip
    w.kinder = SchoolFactory(name="乙乡幼儿园", township=w.township_b, school_type=School.Type.KINDERGARTEN)
    StudentFactory(admin_class=AdminClassFactory(school=w.kinder, grade=0))

    w.class_a = make_service_class(w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="甲班",
                                   admin_classes=[w.class_a1])  # fmt: skip
    w.idle = make_service_class(w.school_a, school_year=w.school_year, teacher=w.service_teacher, name="乙班",
                                admin_classes=[w.class_a2])  # fmt: skip
    teacher_b = user_with_role(Role.SERVICE_TEACHER, school=w.school_b)
    w.class_b = make_service_class(w.school_b, school_year=w.school_year, teacher=teacher_b, name="丙班",
                                   admin_classes=[w.class_b1])  # fmt: skip
    user_with_role(Role.VOLUNTEER, school=w.school_b)

    application(w.child, status=A.ACTIVE, service_class=w.class_a, dual_working=True)
    application(w.other_child, status=A.WAITING, disability=True)
    application(w.child_a2, status=A.SUBMITTED, economic_hardship=True)
    application(w.child_b, status=A.PLACED, service_class=w.class_b, migrant_child=True)

    days = _service_days(w.autumn.start_date, 20)
    for i, day in enumerate(days[:-1]):  # nothing yet today
        session = make_session(w.class_a, day, status=Session.Status.RECORDED)
        _roll(session, present=[w.child] if i % 3 else [], absent=[] if i % 3 else [w.child], leave=[w.other_child])
    # An evening session of 1.5 hours the first day, a flagged one waiting, a flagged one confirmed, and one in the
    # spring semester (after "today").
    make_session(w.class_a, days[0], start=datetime.time(19, 0), class_hours="1.5")
    waiting = make_session(w.class_a, days[2], start=datetime.time(19, 0), status=Session.Status.NEEDS_CONFIRMATION)
    Session.objects.filter(pk=waiting.pk).update(flag="R12:补课")
    confirmed = make_session(w.class_a, days[3], start=datetime.time(19, 0), status=Session.Status.CONFIRMED)
    Session.objects.filter(pk=confirmed.pk).update(flag="R12:新课")
    make_session(w.class_a, w.spring.start_date + datetime.timedelta(days=3))
    for day in days[5:8]:
        _roll(make_session(w.class_b, day), present=[w.child_b])

    claim(w.school_a, w.school_year, status=Claim.Status.ALLOCATED, amount=Decimal("1000.00"))
    claim(w.school_b, w.school_year, status=Claim.Status.SUBMITTED)
    fund = Fund.objects.get(school=w.school_a, school_year=w.school_year)
    LedgerEntry.objects.create(
        fund=fund, kind=LedgerEntry.Kind.SPENDING, category="running", amount=Decimal("123.45"),
        date=w.school_year.start_date, description="电费", recorded_by=w.school_admin,
    )  # fmt: skip
    Fund.objects.filter(pk=fund.pk).update(spent=Decimal("123.45"))  # with its entry: PostgreSQL checks (funding 0006)

    late_session = Session.objects.filter(service_class=w.class_a, date=days[4]).first()
    LateAlert.objects.create(school=w.school_a, student=w.child, date=days[4], session=late_session,
                             holder=w.service_teacher)  # fmt: skip
    Incident.objects.create(
        school=w.school_b, place="操场", description="摔倒擦伤", recorded_by=w.school_admin,
        occurred_at=timezone.make_aware(datetime.datetime.combine(days[6], datetime.time(17, 0))),
    )  # fmt: skip
    return w


def expected_for(school, w) -> dict:
    """One school's numbers by plain loops over the raw rows (no aggregate, no shared code with the service)."""
    year, today = w.school_year, w.today
    counted = set(hours_rules.COUNTED)
    sessions = [
        s for s in Session.objects.filter(service_class__school=school, service_class__school_year=year)
        if s.status in counted and year.start_date <= s.date <= today
    ]  # fmt: skip
    apps = [a for a in Application.objects.filter(school=school, school_year=year)]
    live = {a.student_id for a in apps if a.status != A.WITHDRAWN}
    members = ServiceClassMember.objects.filter(service_class__school=school, service_class__school_year=year)
    claims = list(Claim.objects.filter(school=school, school_year=year))
    fund = Fund.objects.filter(school=school, school_year=year).first()
    flagged = [s for s in Session.objects.filter(service_class__school=school, service_class__school_year=year)
               if s.flag]  # fmt: skip
    classes = list(school.service_classes.filter(school_year=year))
    return {
        "students": Student.objects.filter(school=school).count(),
        "applicants": len(live),
        "placed": len({a.student_id for a in apps if a.status in (A.PLACED, A.ACTIVE)}),
        "waiting": len({a.student_id for a in apps if a.status == A.WAITING}),
        "served": len({m.student_id for m in members if m.start_date <= today and (m.end_date is None or m.end_date > today)}),
        "service_classes": len(classes),
        "offers_service": bool(classes),
        "delivered_hours": sum((s.class_hours for s in sessions), Decimal("0.0")),
        "sessions": len(sessions),
        "present_marks": sum(s.present for s in sessions),
        "roll_marks": sum(s.present + s.absent + s.on_leave for s in sessions),
        "claimed": sum((c.requested_amount for c in claims if c.status != Claim.Status.DRAFT
                        and c.status != Claim.Status.RETURNED), Decimal("0.00")),
        "approved_amount": sum((c.approved_amount for c in claims if c.status in Claim.FIXED), Decimal("0.00")),
        "claims_first_review": sum(1 for c in claims if c.status == Claim.Status.SUBMITTED),
        "allocated": fund.allocated if fund else Decimal("0.00"),
        "spent": fund.spent if fund else Decimal("0.00"),
        "late_pickups": LateAlert.objects.filter(school=school).count(),
        "incidents": Incident.objects.filter(school=school).count(),
        "flags": len(flagged),
        "flags_confirmed": sum(1 for s in flagged if s.status == Session.Status.CONFIRMED),
        "flags_waiting": sum(1 for s in flagged if s.status == Session.Status.NEEDS_CONFIRMATION),
        "classes_without_sessions": sum(
            1 for c in classes if not any(s.service_class_id == c.pk for s in sessions)
        ),
    }  # fmt: skip


@pytest.fixture
def computed(county):
    run = services.refresh(school_year=county.school_year, trigger="test", today=county.today)
    assert run.status == ConsoleRefresh.Status.DONE and run.schools == School.objects.count()
    return county


def test_every_school_number_equals_the_raw_rows(computed):
    w = computed
    for school in School.objects.all():
        figures = SchoolFigures.objects.get(school=school, school_year=w.school_year)
        want = expected_for(school, w)
        got = {name: getattr(figures, name) for name in want}
        assert got == want, school.name
    a = SchoolFigures.objects.get(school=w.school_a, school_year=w.school_year)
    # The story, by hand: 19 sessions of 2 hours + an evening one of 1.5 + the confirmed flagged one of 2 = 41.5;
    # the waiting one and the spring one do not count. 20 service days planned so far (today's counts) × 2 × 2 classes.
    assert (a.delivered_hours, a.sessions, a.planned_hours) == (Decimal("41.5"), 21, 2 * 2 * 20)
    assert (a.classes_without_sessions, a.service_classes, a.flags, a.flags_waiting) == (1, 2, 2, 1)
    assert a.teachers == 1 and a.required and a.offers_service and a.has_filed_plan


def test_totals_and_attention(computed):
    w = computed
    data = selectors.county(viewer=w.bureau, school_year=w.school_year)
    rows = {r["school"].pk: r for r in data["schools"]}
    total = data["total"]
    for name in ("students", "applicants", "placed", "served", "delivered_hours", "claimed", "allocated", "spent",
                 "late_pickups", "incidents", "flags", "sessions", "present_marks", "roll_marks"):  # fmt: skip
        assert total[name] == sum((expected_for(s, w)[name] for s in School.objects.all()), 0), name
        for t in data["townships"]:
            assert t[name] == sum((r[name] for r in rows.values() if r["township"] == t["township"]), 0), name
    # Schools required to offer the service (compulsory) and those that do; the kindergarten is not required.
    assert (total["required"], total["required_offering"], total["offering"]) == (3, 2, 2)
    assert total["students_without_service"] == 5 + 1  # school_c and the kindergarten
    assert total["coverage"] == Decimal("50.0")  # 2 placed of 4 applicants
    assert total["groups"]["disability"] == {"applicants": 1, "placed": 0, "coverage": Decimal("0.0")}
    assert total["groups"]["migrant_child"]["coverage"] == Decimal("100.0")
    assert total["attendance"] == selectors.rules.percent(total["present_marks"], total["roll_marks"])
    reasons = {r["school"]: r["attention"] for r in data["attention"]}
    assert "no_service" in reasons[w.school_c] and "no_plan" not in reasons[w.school_c]
    assert {"waiting", "idle_classes", "flags"} <= set(reasons[w.school_a])


def test_weeks_add_up_to_the_year_and_periods_narrow_them(computed):
    w = computed
    a = SchoolFigures.objects.get(school=w.school_a, school_year=w.school_year)
    weeks = WeekFigures.objects.filter(school=w.school_a, school_year=w.school_year, service_class__isnull=True)
    assert sum(x.delivered_hours for x in weeks) == a.delivered_hours
    assert sum(x.planned_hours for x in weeks) == a.planned_hours
    assert sum(x.late_pickups for x in weeks) == a.late_pickups == 1
    class_weeks = WeekFigures.objects.filter(service_class=w.class_a)
    assert (
        sum(x.delivered_hours for x in class_weeks) == ClassFigures.objects.get(service_class=w.class_a).delivered_hours
    )
    autumn = selectors.school(viewer=w.bureau, school_year=w.school_year, school=w.school_a, period="1")
    spring = selectors.school(viewer=w.bureau, school_year=w.school_year, school=w.school_a, period="2")
    assert autumn["row"]["delivered_hours"] == a.delivered_hours and autumn["row"]["sessions"] == 21
    assert spring["row"]["delivered_hours"] == 0 and spring["row"]["sessions"] == 0
    assert spring["row"]["served"] == autumn["row"]["served"] == a.served  # a year number: not narrowed
    by_class = {c.service_class: c for c in autumn["classes"]}
    assert by_class[w.idle].idle and not by_class[w.class_a].idle


def test_the_calendar_weeks_against_the_plans_year(computed):
    a = SchoolFigures.objects.get(school=computed.school_a, school_year=computed.school_year)
    w = computed
    mondays = set()
    for semester in (w.autumn, w.spring):
        day = semester.start_date
        while day <= semester.end_date:
            if day.isoweekday() < 6:
                mondays.add(day - datetime.timedelta(days=day.isoweekday() - 1))
            day += datetime.timedelta(days=1)
    assert a.target_weeks == 40
    assert a.service_weeks == len(mondays)  # one holiday (1 October) takes no whole week away
    assert a.delivered_weeks == 4  # sessions in the first four weeks of the autumn (the spring one is not yet)


def test_a_refresh_that_fails_half_way_keeps_the_previous_numbers(computed, monkeypatch, client):
    w = computed
    before = SchoolFigures.objects.get(school=w.school_a, school_year=w.school_year)
    class_rows = set(ClassFigures.objects.values_list("pk", "delivered_hours"))
    make_session(w.class_a, w.today)  # a change the failed refresh would have counted

    def broken(objs, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(WeekFigures.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        services.refresh(school_year=w.school_year, trigger="test", today=w.today)
    after = SchoolFigures.objects.get(school=w.school_a, school_year=w.school_year)
    assert (after.pk, after.delivered_hours, after.computed_at) == (
        before.pk,
        before.delivered_hours,
        before.computed_at,
    )
    assert set(ClassFigures.objects.values_list("pk", "delivered_hours")) == class_rows  # the deletes rolled back
    failed = ConsoleRefresh.objects.filter(status=ConsoleRefresh.Status.FAILED).get()
    assert "disk full" in failed.error and failed.finished_at
    assert cache.get(services._lock_key(w.school_year)) is None  # the lock is given back
    client.force_login(w.bureau)
    page = client.get(reverse("bureau:console")).content.decode()
    assert "failed" in page or "失败" in page


def test_two_refreshes_at_once_one_waits(computed):
    w = computed
    assert cache.add(services._lock_key(w.school_year), "someone else", 60)
    runs = ConsoleRefresh.objects.count()
    with pytest.raises(services.RefreshRunning):
        services.refresh(school_year=w.school_year, trigger="test", today=w.today)
    assert ConsoleRefresh.objects.count() == runs  # nothing written, nothing counted twice
    assert SchoolFigures.objects.filter(school_year=w.school_year).count() == School.objects.count()


def test_a_change_refreshes_its_school(computed, eager_celery, django_capture_on_commit_callbacks, monkeypatch):
    w = computed
    monkeypatch.setattr(timezone, "localdate", lambda *a: w.today)
    before = SchoolFigures.objects.get(school=w.school_b, school_year=w.school_year).sessions
    with django_capture_on_commit_callbacks(execute=True):
        make_session(w.class_b, w.today - datetime.timedelta(days=1) if w.today.isoweekday() > 1 else w.today)
        make_session(w.class_b, w.today, start=datetime.time(19, 0))  # the second change rides along
    assert SchoolFigures.objects.get(school=w.school_b, school_year=w.school_year).sessions == before + 2
    assert ConsoleRefresh.objects.filter(trigger="change", school=w.school_b).exists()


def test_changes_within_the_delay_queue_one_refresh(computed, django_capture_on_commit_callbacks, monkeypatch):
    from xiji_afterschool.bureau import tasks

    w = computed
    queued = []
    monkeypatch.setattr(tasks.refresh_school_figures_task, "apply_async", lambda args, **kw: queued.append((args, kw)))
    with django_capture_on_commit_callbacks() as callbacks:
        make_session(w.class_b, w.today)
        make_session(w.class_b, w.today, start=datetime.time(19, 0))
    assert len(callbacks) >= 2  # each change asks …
    for callback in callbacks:
        callback()
    assert queued == [((w.school_year.pk, w.school_b.pk), {"countdown": services.CHANGE_DELAY_SECONDS})]  # … once
    services.clear_pending(w.school_year.pk, w.school_b.pk)  # the refresh starts: the next change queues again
    with django_capture_on_commit_callbacks(execute=True):
        make_session(w.class_b, w.today, start=datetime.time(20, 0))
    assert len(queued) == 2


def test_the_daily_cap_setting_changes_the_plan(computed):
    w = computed
    CountySettings.objects.update_or_create(pk=1, defaults={"class_hours_per_day": 3})
    services.refresh(school_year=w.school_year, trigger="test", today=w.today)
    assert SchoolFigures.objects.get(school=w.school_a, school_year=w.school_year).planned_hours == 3 * 2 * 20


# ---------------------------------------------------------------- pages


def test_console_pages_for_the_county(computed, client):
    w = computed
    client.force_login(w.bureau)
    response = client.get(reverse("bureau:console"))
    assert response.status_code == 200
    assert response.context["total"]["applicants"] == 4
    body = response.content.decode()
    assert "<svg" in body and "<script" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert reverse("bureau:console-township", args=[w.township_a.pk]) in body
    assert reverse("enrollment:coverage-county") in body  # the number links to the rows behind it
    school = client.get(reverse("bureau:console-school", args=[w.school_a.pk]) + "?period=1")
    assert school.status_code == 200 and school.context["total"]["sessions"] == 21
    assert reverse("schools:delivery-school", args=[w.school_a.pk]) in school.content.decode()
    klass = client.get(reverse("bureau:console-class", args=[w.class_a.pk]))
    assert klass.status_code == 200 and klass.context["data"]["figure"].sessions == 21


def test_scope_of_the_console(computed, client):
    w = computed
    client.force_login(w.township)
    county = client.get(reverse("bureau:console"))
    assert {t["township"] for t in county.context["data"]["townships"]} == {w.township_a}
    assert client.get(reverse("bureau:console-township", args=[w.township_b.pk])).status_code == 404
    assert client.get(reverse("bureau:console-school", args=[w.school_b.pk])).status_code == 404
    assert client.get(reverse("bureau:console-class", args=[w.class_b.pk])).status_code == 404
    client.force_login(w.school_admin)  # a school goes straight to its own page
    response = client.get(reverse("bureau:console"))
    assert response.status_code == 302 and reverse("bureau:console-school", args=[w.school_a.pk]) in response.url
    assert client.get(reverse("bureau:console-school", args=[w.school_b.pk])).status_code == 404
    client.force_login(w.leadership)
    page = client.get(reverse("bureau:console"))
    assert page.status_code == 200 and len(page.context["data"]["schools"]) == School.objects.count()
    assert reverse("enrollment:coverage-county") not in page.content.decode()  # no link to pages it may not open
    client.force_login(w.parent)
    assert client.get(reverse("bureau:console")).status_code == 403


def test_refresh_on_request(county, client, eager_celery):
    w = county
    client.force_login(w.leadership)
    assert client.post(reverse("bureau:console-refresh"), {"year": w.school_year.pk}).status_code == 403
    client.force_login(w.bureau)
    response = client.post(reverse("bureau:console-refresh"), {"year": w.school_year.pk})
    assert response.status_code == 302
    assert ConsoleRefresh.objects.get().requested_by == w.bureau
    assert SchoolFigures.objects.filter(school_year=w.school_year).count() == School.objects.count()


def test_the_bureau_home_counts_claims_waiting_for_first_review(county, client):
    client.force_login(county.bureau)
    response = client.get(reverse("bureau:home"))
    assert response.context["claims_first_review"] == 1  # school_b's submitted claim
    assert "appears here when it is switched on" not in response.content.decode()


def test_console_costs_the_same_at_more_schools(computed, client, django_assert_max_num_queries):
    w = computed
    client.force_login(w.bureau)
    url = reverse("bureau:console")
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    for i in range(8):
        school = SchoolFactory(township=w.township_b, name=f"加测小学{i}")
        service_class = make_service_class(school, school_year=w.school_year, teacher=w.service_teacher)
        for day in _service_days(w.autumn.start_date, 5):
            make_session(service_class, day)
    services.refresh(school_year=w.school_year, trigger="test", today=w.today)
    with django_assert_max_num_queries(30) as big:
        client.get(url)
    assert len(big.captured_queries) == len(small.captured_queries)


# ---------------------------------------------------------------- exports


def test_county_report_command_prints_the_console_numbers(computed, tmp_path, capsys):
    w = computed
    call_command("county_report", "--year", w.school_year.name[:4], "--format", "json", "--no-refresh")
    report = json.loads(capsys.readouterr().out)
    total = selectors.county(viewer=w.bureau, school_year=w.school_year)["total"]
    assert report["county"]["applicants"] == total["applicants"] == 4
    assert Decimal(report["county"]["delivered_hours"]) == total["delivered_hours"]
    assert {t["township"] for t in report["townships"]} == {"甲乡", "乙乡"}
    call_command("county_report", "--year", w.school_year.name[:4], "--township", "甲乡", "--format", "json",
                 "--no-refresh")  # fmt: skip
    only_a = json.loads(capsys.readouterr().out)
    assert {s["township"] for s in only_a["schools"]} == {"甲乡"}
    out = tmp_path / "county.xlsx"
    call_command("county_report", "--year", w.school_year.name[:4], "--format", "xlsx", "--output", str(out),
                 "--no-refresh")  # fmt: skip
    book = openpyxl.load_workbook(out)
    assert len(book.sheetnames) == 3
    schools = list(book.worksheets[2].values)
    assert len(schools) == 1 + School.objects.count()


def test_county_report_refuses_unknown_year_and_township(computed):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("county_report", "--year", "1999", "--format", "json")
    with pytest.raises(CommandError):
        call_command(
            "county_report", "--year", computed.school_year.name[:4], "--township", "无此乡", "--format", "json"
        )


def test_console_workbook_download(computed, client):
    client.force_login(computed.bureau)
    response = client.get(reverse("bureau:console-export"))
    assert response.status_code == 200
    import io

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    county_row = list(book.worksheets[0].values)[1]
    assert county_row[0] == computed.school_year.name


def test_inspections_and_flag_reviews_feed_the_console(county, media, monkeypatch):
    """Findings and rectifications (R35) and the county's review of flags reach the school's figures."""
    from xiji_afterschool.bureau.models import FlagReview, Rectification

    from ..factories_inspections import issued, scheduled

    w = county
    inspection = issued(w, deadline=timezone.localdate() + datetime.timedelta(days=3))
    scheduled(w, school=w.school_b)  # not yet issued: counted, no finding
    flagged = Session.objects.filter(service_class=w.class_a, status=Session.Status.CONFIRMED).exclude(flag="").get()
    FlagReview.objects.create(
        session=flagged, outcome=FlagReview.Outcome.VIOLATION, note="讲授新课", reviewed_by=w.bureau
    )
    later = timezone.localdate() + datetime.timedelta(days=10)  # the rectification is now past its deadline
    services.refresh(school_year=w.school_year, trigger="test", today=later)
    a = SchoolFigures.objects.get(school=w.school_a, school_year=w.school_year)
    b = SchoolFigures.objects.get(school=w.school_b, school_year=w.school_year)
    open_rectifications = Rectification.objects.filter(finding__inspection=inspection).exclude(status="accepted")
    assert (a.inspections, a.findings, a.rectifications_open) == (
        1,
        inspection.findings.count(),
        open_rectifications.count(),
    )
    assert a.rectifications_overdue == a.rectifications_open == 1
    assert (b.inspections, b.findings) == (1, 0)
    assert (a.flags_accepted, a.flags_violations) == (0, 1)
    row = selectors.school(viewer=w.bureau, school_year=w.school_year, school=w.school_a)["row"]
    assert "rectifications" in row["attention"]


def test_a_refresh_that_cannot_run_never_fails_the_change(computed, eager_celery, django_capture_on_commit_callbacks):
    """The teacher's session is saved even when the school's refresh, run eagerly, finds another one running."""
    w = computed
    assert cache.add(services._lock_key(w.school_year), "the nightly refresh", 60)
    with django_capture_on_commit_callbacks(execute=True):
        session = make_session(w.class_b, w.today, start=datetime.time(20, 0))
    assert Session.objects.filter(pk=session.pk).exists()
    assert not ConsoleRefresh.objects.filter(trigger="change").exists()
