"""The plan, timetable and calendar pages through the client: what people see and what their clicks do."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from schools.forms.plans import SECTION_BY_KEY
from schools.models import (
    CalendarDay,
    PlanSection,
    Role,
    School,
    SchoolPlan,
    SchoolPlanEvent,
    Semester,
    Stage,
    SubsidyRate,
    Timetable,
    TimetableSlot,
)

from ..factories import SchoolFactory, user_with_role

SECTION_POSTS = {
    "leadership": {
        "leader_name": "马校长",
        "leader_title": "校长",
        "members": "李老师，副校长\n王老师，教务主任",
        "duties": "统筹课后服务",
    },
    "survey": {
        "survey_date": "2026-08-20",
        "families_asked": "120",
        "families_wanting": "96",
        "main_needs": "作业辅导、托管",
    },
    "content": {"categories": ["homework", "sports", "reading"], "description": "每天作业辅导一小时，体育阅读轮换。"},
    "staffing": {"teachers_planned": "12", "volunteers_planned": "3", "volunteer_sources": ["retired_teacher"]},
    "safety": {
        "safety_officer": "马校长",
        "measures": "逐一清点，交接签字",
        "emergency_plan": "突发事件应急预案",
        "insured": "on",
    },
    "publicity": {"channels": ["letter", "meeting"], "informed": "on"},
}


def _fill_timetables(school, school_year, actor):
    """Valid 5+2 slots for every stage and semester of the school."""
    for semester in school_year.semesters.all():
        for stage in school.stages:
            t = Timetable.objects.create(
                school=school, semester=semester, stage=stage, effective_from=semester.start_date,
                opening_season=Timetable.Season.SUMMER, created_by=actor,
            )  # fmt: skip
            TimetableSlot.objects.bulk_create(
                TimetableSlot(
                    timetable=t, season="summer", weekday=d, start_time=datetime.time(16), end_time=datetime.time(18)
                )
                for d in range(1, 6)
            )


@pytest.fixture
def rate(db):
    return SubsidyRate.objects.create(amount=Decimal("30.00"), effective_from=datetime.date(2021, 9, 1))


@pytest.fixture
def teaching_point(world):
    """A teaching point of township_a, planned through its central school (school_a)."""
    return SchoolFactory(
        name="甲乡玉桥教学点",
        township=world.township_a,
        school_type=School.Type.TEACHING_POINT,
        central_school=world.school_a,
    )


def _fill_all_sections(client, plan):
    for key, data in SECTION_POSTS.items():
        response = client.post(reverse("schools:plan-section-edit", args=[plan.pk, key]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
    stages = plan.school.stages
    response = client.post(
        reverse("schools:plan-section-edit", args=[plan.pk, "funding"]), {f"classes_{s}": "2" for s in stages}
    )
    assert response.status_code == 302


def test_teaching_point_plan_goes_through_the_township_to_the_bureau(client, world, rate, teaching_point):
    township, bureau = world.township, world.bureau
    _fill_timetables(teaching_point, world.school_year, township)
    client.force_login(township)
    response = client.post(reverse("schools:plan-start", args=[teaching_point.pk]))
    plan = SchoolPlan.objects.get(school=teaching_point)
    assert response["Location"] == reverse("schools:plan-detail", args=[plan.pk])
    _fill_all_sections(client, plan)
    client.post(reverse("schools:plan-submit", args=[plan.pk]), {"note": "请审核"})
    plan.refresh_from_db()
    assert plan.status == SchoolPlan.Status.AT_TOWNSHIP
    client.post(reverse("schools:plan-forward", args=[plan.pk]), {"note": "已汇总"})
    plan.refresh_from_db()
    assert plan.status == SchoolPlan.Status.AT_BUREAU

    client.force_login(bureau)
    queue = client.get(reverse("schools:plan-list")).content.decode()
    assert "甲乡玉桥教学点" in queue  # the bureau's default queue: plans under review
    client.post(reverse("schools:plan-file", args=[plan.pk]), {"note": ""})
    plan.refresh_from_db()
    assert plan.status == SchoolPlan.Status.FILED and plan.filing_number.endswith("号")
    page = client.get(reverse("schools:plan-detail", args=[plan.pk])).content.decode()
    assert plan.filing_number in page and "请审核" in page and "已汇总" in page  # the history shows every comment
    assert list(plan.events.values_list("action", flat=True)) == ["submit_to_township", "forward", "file"]
    pdf = client.get(reverse("schools:plan-filing-pdf", args=[plan.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"


def test_an_incomplete_plan_cannot_be_submitted_and_says_what_is_missing(client, world, rate):
    client.force_login(world.school_admin)
    response = client.post(reverse("schools:plan-submit", args=[world.plan.pk]), follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1
    for key in ("leadership", "survey", "funding"):
        assert str(SECTION_BY_KEY[key].title) in shown[0]
    world.plan.refresh_from_db()
    assert world.plan.status == SchoolPlan.Status.DRAFT and not world.plan.events.exists()


def test_bad_section_input_shows_the_form_again_and_saves_nothing(client, world):
    client.force_login(world.school_admin)
    url = reverse("schools:plan-section-edit", args=[world.plan.pk, "survey"])
    response = client.post(url, {**SECTION_POSTS["survey"], "families_wanting": "500"})
    assert response.status_code == 200
    assert not PlanSection.objects.filter(plan=world.plan, key="survey").exists()
    crafted = client.post(
        reverse("schools:plan-section-edit", args=[world.plan.pk, "content"]),
        {**SECTION_POSTS["content"], "categories": ["homework", "补课"]},  # R12: make-up lessons are not a category
    )
    assert crafted.status_code == 200 and not PlanSection.objects.filter(plan=world.plan, key="content").exists()


def test_a_filed_plan_cannot_be_edited_through_a_crafted_request(client, world):
    client.force_login(world.school_admin)
    PlanSection.objects.create(plan=world.plan_filed, key="survey", data={"families_asked": 10})
    url = reverse("schools:plan-section-edit", args=[world.plan_filed.pk, "survey"])
    response = client.post(url, SECTION_POSTS["survey"])
    assert response.status_code == 302
    assert PlanSection.objects.get(plan=world.plan_filed, key="survey").data == {"families_asked": 10}


def test_returning_needs_a_comment_and_the_school_sees_it(client, world, rate):
    SchoolPlan.objects.filter(pk=world.plan.pk).update(status=SchoolPlan.Status.AT_BUREAU)
    client.force_login(world.bureau)
    client.post(reverse("schools:plan-return", args=[world.plan.pk]), {"note": "  "})
    world.plan.refresh_from_db()
    assert world.plan.status == SchoolPlan.Status.AT_BUREAU
    client.post(reverse("schools:plan-return", args=[world.plan.pk]), {"note": "家长调查人数与学生数不符"})
    world.plan.refresh_from_db()
    assert world.plan.status == SchoolPlan.Status.RETURNED
    client.force_login(world.school_admin)
    page = client.get(reverse("schools:plan-detail", args=[world.plan.pk])).content.decode()
    assert "家长调查人数与学生数不符" in page


def test_the_difference_view_lists_changed_rows_by_section(client, world):
    PlanSection.objects.create(
        plan=world.plan_filed, key="survey", data={"families_asked": 100, "families_wanting": 80}
    )
    PlanSection.objects.create(plan=world.plan, key="survey", data={"families_asked": 100, "families_wanting": 90})
    client.force_login(world.bureau)
    page = client.get(reverse("schools:plan-diff", args=[world.plan.pk])).content.decode()
    assert "<del>80</del>" in page and ">90<" in page


def test_attachments_are_checked_by_content_not_name(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.school_admin)
    url = reverse("schools:plan-attachment-add", args=[world.plan.pk])
    fake = SimpleUploadedFile("方案.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    client.post(url, {"title": "假文件", "file": fake})
    assert not world.plan.attachments.filter(title="假文件").exists()
    real = SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    client.post(url, {"title": "会议纪要", "file": real})
    assert world.plan.attachments.filter(title="会议纪要", content_type="application/pdf").exists()


def test_timetable_edit_saves_rows_and_refuses_rule_breaks(client, world):
    start = timezone.localdate() + datetime.timedelta(days=30)  # a semester that has not started: still editable
    future = world.spring
    Semester.objects.filter(pk=future.pk).update(start_date=start, end_date=start + datetime.timedelta(days=120))
    future.refresh_from_db()
    timetable = Timetable.objects.create(
        school=world.school_a, semester=future, stage=Stage.PRIMARY, effective_from=future.start_date,
        opening_season=Timetable.Season.WINTER, created_by=world.school_admin,
    )  # fmt: skip
    client.force_login(world.school_admin)
    url = reverse("schools:timetable-edit", args=[timetable.pk])
    form = {
        "opening_season": "winter", "switch_date": "",
        "rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0", "rows-MIN_NUM_FORMS": "0", "rows-MAX_NUM_FORMS": "20",
        "rows-0-season": "winter", "rows-0-kind": "regular", "rows-0-weekdays": ["1", "2", "3", "4", "5"],
        "rows-0-start_time": "15:30", "rows-0-end_time": "17:00",
    }  # fmt: skip
    page = client.post(url, form).content.decode()
    assert timetable.slots.count() == 0 and "90" in page  # 1.5 hours a day is refused, with the minutes shown
    form["rows-0-end_time"] = "17:30"
    assert client.post(url, form).status_code == 302
    assert timetable.slots.count() == 5


def test_school_home_shows_what_is_due(client, world):
    client.force_login(world.school_admin)
    page = client.get(reverse("schools:school-home")).content.decode()
    assert world.school_year.name in page
    assert reverse("schools:plan-detail", args=[world.plan.pk]) in page


def test_plan_status_table_and_export_show_schools_without_a_filed_plan(client, world):
    client.force_login(world.bureau)
    page = client.get(reverse("bureau:plan-status"), {"only_missing": "on"}).content.decode()
    assert "乙乡中心小学" in page and "甲乡中心小学" not in page  # school_a has a filed plan
    response = client.get(reverse("bureau:plan-status-export"))
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["甲乡中心小学"][7] == world.plan_filed.filing_number
    assert rows["乙乡中心小学"][7] in ("", None)


def test_bureau_sets_calendar_days_with_clear_refusals(client, world):
    client.force_login(world.bureau)
    url = reverse("bureau:calendar-day-add", args=[world.school_year.pk])
    outside = world.school_year.end_date + datetime.timedelta(days=3)
    client.post(url, {"date": outside.isoformat(), "kind": "holiday"})
    assert not CalendarDay.objects.filter(date=outside).exists()
    inside = world.school_year.start_date + datetime.timedelta(days=60)
    client.post(url, {"date": inside.isoformat(), "kind": "exam", "note": "期中考试"})
    assert CalendarDay.objects.filter(date=inside, kind="exam").exists()
    page = client.get(reverse("bureau:calendar-year", args=[world.school_year.pk])).content.decode()
    assert "期中考试" in page


def test_township_coordinator_writes_only_dependent_schools_plans(client, world, teaching_point):
    client.force_login(world.township)
    assert client.post(reverse("schools:plan-start", args=[teaching_point.pk])).status_code == 302
    assert client.post(reverse("schools:plan-start", args=[world.school_a.pk])).status_code == 403
    other_township_point = SchoolFactory(
        township=world.township_b, school_type=School.Type.TEACHING_POINT, central_school=world.school_b
    )
    assert client.post(reverse("schools:plan-start", args=[other_township_point.pk])).status_code == 404


def test_plan_pages_run_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.bureau)
    for _ in range(5):
        school = SchoolFactory(township=world.township_a)
        user = user_with_role(Role.SCHOOL_ADMIN, school=school)
        SchoolPlan.objects.create(school=school, school_year=world.school_year, created_by=user)
    with django_assert_max_num_queries(12):
        client.get(reverse("schools:plan-list"), {"status": ""})
    with django_assert_max_num_queries(12):
        client.get(reverse("bureau:plan-status"))
    assert SchoolPlanEvent.objects.count() == 0


# ---------------------------------------------------------------- the bureau's filing journey (issue #15 item 1)


def test_the_bureau_decides_at_the_top_files_and_lands_back_on_the_queue_with_the_next_plan(client, world, rate):
    SchoolPlan.objects.filter(pk=world.plan.pk).update(
        status=SchoolPlan.Status.AT_BUREAU, submitted_at=timezone.now() - datetime.timedelta(days=2)
    )
    waiting = SchoolPlan.objects.create(
        school=world.school_b, school_year=world.school_year, version=1, status=SchoolPlan.Status.AT_BUREAU,
        submitted_at=timezone.now() - datetime.timedelta(days=1), created_by=world.other_school_admin,
    )  # fmt: skip
    client.force_login(world.bureau)
    # The bureau's home: the plan waiting longest, one tap away.
    home = client.get(reverse("bureau:home")).content.decode()
    assert f'data-next-plan="{world.plan.pk}"' in home
    # The plan: the decision above the plan's sections, the way back to the queue and on to the next plan.
    page = client.get(reverse("schools:plan-detail", args=[world.plan.pk])).content.decode()
    assert page.index('id="decision"') < page.index('id="section-leadership"')
    assert reverse("schools:plan-file", args=[world.plan.pk]) in page
    assert "2 waiting" in page or "2 份待审" in page
    assert f'data-next="{waiting.pk}"' in page
    # Filing lands on the queue: the plan just filed on top with its record, the next plan ready.
    response = client.post(reverse("schools:plan-file", args=[world.plan.pk]), {"note": ""}, follow=True)
    world.plan.refresh_from_db()
    assert world.plan.status == SchoolPlan.Status.FILED
    assert response.redirect_chain == [(reverse("schools:plan-list") + f"?filed={world.plan.pk}", 302)]
    queue = response.content.decode()
    assert f'data-filed="{world.plan.pk}"' in queue and world.plan.filing_number in queue
    assert reverse("schools:plan-filing-pdf", args=[world.plan.pk]) in queue
    assert f'data-next="{waiting.pk}"' in queue
    assert reverse("schools:plan-detail", args=[waiting.pk]) in queue


def test_a_refused_filing_stays_on_the_plan_and_a_school_decides_at_the_bottom(client, world, rate):
    client.force_login(world.bureau)
    # Not at the bureau (a draft): refused, back on the plan with no filing.
    response = client.post(reverse("schools:plan-file", args=[world.plan.pk]), {"note": ""})
    assert response.status_code in (302, 403)
    world.plan.refresh_from_db()
    assert world.plan.status != SchoolPlan.Status.FILED
    if response.status_code == 302:
        assert response["Location"] == reverse("schools:plan-detail", args=[world.plan.pk])
    # The school submitting its own plan reads it first: the decision stays below the sections, a way home above.
    client.force_login(world.school_admin)
    page = client.get(reverse("schools:plan-detail", args=[world.plan.pk])).content.decode()
    assert page.index('id="section-leadership"') < page.index('id="decision"')
    assert 'data-part="queue"' not in page and f'href="{reverse("home")}"' in page


def test_a_filed_query_parameter_shows_only_a_filed_plan_the_viewer_may_see(client, world):
    client.force_login(world.bureau)
    page = client.get(reverse("schools:plan-list") + f"?filed={world.plan.pk}").content.decode()
    assert "data-filed" not in page  # a draft is not "just filed"
    page = client.get(reverse("schools:plan-list") + "?filed=abc").content.decode()
    assert "data-filed" not in page
    client.force_login(world.other_school_admin)
    page = client.get(reverse("schools:plan-list") + f"?filed={world.plan_filed.pk}").content.decode()
    assert "data-filed" not in page  # another school's plan
