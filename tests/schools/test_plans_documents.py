"""Plan documents: the filing record (备案表) as a Chinese PDF, and the county plan status table (R3).

A PDF whose Chinese fell back to empty boxes still starts with %PDF, so these tests read the text back with
poppler (pdftotext) and check the embedded fonts (pdffonts). Headers and labels are translatable and the zh_Hans
catalog may lag behind, so the assertions are on data values and on labels taken from the code itself.
"""

import datetime
import zoneinfo
from unittest import mock

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from schools.forms.plans import SECTIONS
from schools.models import PlanSection, Role, School, SchoolPlan, SchoolPlanEvent
from schools.reports.plans import plan_filing_context, plan_status_rows
from schools.selectors import plans as selectors
from xiji_afterschool.exports import render_pdf

from ..conftest import has_cjk_font, pdf_text_and_fonts
from ..factories import SchoolFactory, SchoolPlanFactory, SchoolYearFactory, TownshipFactory, user_with_role

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FILING_NUMBER = "西教体备〔2026〕3号"


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def school_year_2026():
    return SchoolYearFactory(
        name="2026–2027",
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2027, 7, 10),
        plan_deadline=datetime.date(2026, 9, 20),
        application_deadline=datetime.date(2026, 9, 15),
        refinement_deadline=datetime.date(2026, 11, 30),
    )


def plan_sections_data() -> dict:
    """Section data as plan_section_save stores it: cleaned form data as JSON, plus the computed parts."""
    return {
        "leadership": {
            "leader_name": "马建军",
            "leader_title": "校长",
            "members": "李文华，副校长\n王小燕，教导主任\n杨志强，总务主任\n马秀兰，少先队辅导员",
            "duties": "领导小组统筹课后服务的方案制定、师资安排、安全管理和经费使用；"
            "教导处负责活动课程与作业辅导安排；总务处负责场地、设施和经费台账。",
        },
        "survey": {
            "survey_date": "2026-08-28",
            "families_asked": 412,
            "families_wanting": 368,
            "main_needs": "家长务工较多，放学后无人接送和看护；希望孩子在校完成作业，并参加体育、阅读和兴趣活动。",
        },
        "content": {
            "categories": ["homework", "tutoring", "reading", "sports", "arts", "labour"],
            "description": "第一课时为作业辅导和答疑，教师在班内指导学生完成书面作业；\n"
            "第二课时开展阅读、篮球、剪纸、合唱和劳动实践等活动，学生按兴趣走班参加。",
            "partners": "西吉县青少年活动中心、兴隆镇乡村少年宫",
        },
        "staffing": {
            "teachers_planned": 28,
            "volunteers_planned": 6,
            "volunteer_sources": ["parent", "retired_teacher"],
            "notes": "教师按年级轮值，每天安排一名行政人员值班。",
        },
        "timetable": {
            "timetables": [
                {
                    "semester": 1,
                    "stage": "primary",
                    "version": 1,
                    "seasons": [
                        {"season": "summer", "times": ["16:30–18:30"], "days": 5},
                        {"season": "winter", "times": ["16:00–18:00"], "days": 5},
                    ],
                },
                {
                    "semester": 2,
                    "stage": "primary",
                    "version": 1,
                    "seasons": [
                        {"season": "winter", "times": ["16:00–18:00"], "days": 5},
                        {"season": "summer", "times": ["16:30–18:30"], "days": 5},
                    ],
                },
            ],
        },
        "funding": {
            "classes_primary": 12,
            "rate": "3.00",
            "rate_date": "2026-09-01",
            "lines": [{"stage": "primary", "classes": 12, "class_hours_per_class": 320, "amount": "11520.00"}],
            "total": "11520.00",
        },
        "safety": {
            "safety_officer": "杨志强",
            "measures": "服务期间校门值守，班主任点名；学生离校实行家长签字接送，未接学生由值班教师看护至家长到校。",
            "emergency_plan": "发生意外伤害、突发疾病或自然灾害时，值班教师立即报告领导小组，"
            "按学校安全应急预案组织疏散并通知家长。",
            "insured": True,
        },
        "publicity": {"channels": ["letter", "meeting", "group"], "informed": True, "notes": ""},
    }


def make_plan(*, status=SchoolPlan.Status.FILED) -> SchoolPlan:
    """A village school's plan that went through the township central school to the bureau and was filed."""
    township = TownshipFactory(name="兴隆镇")
    central = SchoolFactory(name="兴隆镇中心小学", township=township, is_township_central=True)
    school = SchoolFactory(
        name="兴隆镇单北村小学", township=township, school_type=School.Type.VILLAGE, central_school=central
    )
    admin = user_with_role(Role.SCHOOL_ADMIN, school=school, full_name="马建军")
    coordinator = user_with_role(Role.TOWNSHIP_COORDINATOR, township=township, full_name="王海燕")
    bureau = user_with_role(Role.BUREAU, full_name="李振华")
    filed = status == SchoolPlan.Status.FILED
    plan = SchoolPlan.objects.create(
        school=school,
        school_year=school_year_2026(),
        version=1,
        status=status,
        created_by=admin,
        submitted_at=at(2026, 9, 5, 10, 30),
        filed_at=at(2026, 9, 9, 15, 0) if filed else None,
        filing_number=FILING_NUMBER if filed else "",
    )
    for key, data in plan_sections_data().items():
        PlanSection.objects.create(plan=plan, key=key, data=data, updated_by=admin)
    steps = [
        ("submit_to_township", "draft", "at_township", admin, "", at(2026, 9, 5, 10, 30)),
        ("forward", "at_township", "at_bureau", coordinator, "已审核，同意上报。", at(2026, 9, 6, 9, 15)),
    ]
    if filed:
        steps.append(("file", "at_bureau", "filed", bureau, "同意备案。", at(2026, 9, 9, 15, 0)))
    for action, old, new, actor, note, when in steps:
        # created_at is auto_now_add and the row append-only (a trigger on PostgreSQL): written at `when`
        with mock.patch.object(timezone, "now", lambda when=when: when):
            SchoolPlanEvent.objects.create(
                plan=plan, action=action, from_status=old, to_status=new, actor=actor, note=note
            )
    return plan


def test_filing_record_is_a_chinese_pdf_with_the_plan_and_its_filing(db, tmp_path):
    plan = make_plan()
    with translation.override("zh-hans"):
        pdf = render_pdf("schools/plans/plan_filing_pdf.html", plan_filing_context(plan))
        section_titles = [str(s.title) for s in SECTIONS]
    assert pdf.startswith(b"%PDF")
    text, fonts = pdf_text_and_fonts(pdf, tmp_path, "plan.pdf")

    assert "西吉县教育体育局" in text
    assert FILING_NUMBER in text
    assert "兴隆镇单北村小学" in text and "兴隆镇中心小学" in text
    assert "2026年9月9日" in text and "2026年8月28日" in text  # filing and survey dates, the Chinese way
    assert all("".join(title.split()) in text for title in section_titles)
    # Section values, a line break kept, the funding estimate and the review history.
    assert "马建军" in text and "王小燕，教导主任" in text
    assert "¥11,520.00" in text
    assert "同意备案。" in text and "李振华" in text
    assert has_cjk_font(fonts)  # e.g. ABCDEF+Noto-Sans-CJK-SC, embedded


def test_filing_record_of_a_plan_not_yet_filed_says_so(db, tmp_path):
    plan = make_plan(status=SchoolPlan.Status.AT_BUREAU)
    with translation.override("zh-hans"):
        pdf = render_pdf("schools/plans/plan_filing_pdf.html", plan_filing_context(plan))
        not_filed = "".join(_("Not filed").split())
    text, _fonts = pdf_text_and_fonts(pdf, tmp_path, "plan.pdf")

    assert "兴隆镇单北村小学" in text and "西吉县教育体育局" in text
    assert not_filed in text
    assert "西教体备" not in text


def test_filing_context_takes_a_constant_number_of_queries(db, django_assert_num_queries):
    plan = make_plan()
    with django_assert_num_queries(4):  # the plan with school and year, its sections, attachments, events
        context = plan_filing_context(plan)
    assert context["filing_number"] == FILING_NUMBER and context["is_filed"]
    assert [s["key"] for s in context["sections"]] == [s.key for s in SECTIONS]
    assert [e["actor"] for e in context["events"]] == ["马建军", "王海燕", "李振华"]


def test_plan_status_shows_missing_plans_as_not_submitted_and_overdue_after_the_deadline(db):
    today = timezone.localdate()
    days = datetime.timedelta
    past_deadline = SchoolYearFactory(
        start_date=today - days(60),
        end_date=today + days(250),
        plan_deadline=today - days(1),
        application_deadline=today - days(1),
        refinement_deadline=today + days(30),
    )
    deadline_ahead = SchoolYearFactory(
        start_date=today - days(10),
        end_date=today + days(300),
        plan_deadline=today + days(5),
        application_deadline=today + days(5),
        refinement_deadline=today + days(60),
    )
    SchoolFactory(name="甲村小学")  # no plan at all
    filed = SchoolFactory(name="乙镇中心小学")
    draft = SchoolFactory(name="丙乡中学")
    SchoolPlanFactory(school=filed, school_year=past_deadline, filed=True, filing_number="西教体备〔2026〕12号")
    SchoolPlanFactory(school=draft, school_year=past_deadline)

    bureau = user_with_role(Role.BUREAU)
    with translation.override("zh-hans"):
        # The export writes the rows of the bureau's page, so the page and its file always agree.
        page_rows = selectors.plan_status(viewer=bureau, school_year=past_deadline)
        _header, rows = plan_status_rows(rows=page_rows)
        by_school = {row[1]: row for row in rows}
        yes, no, not_submitted = _("Yes"), _("No"), _("Not submitted")
        ahead_rows = selectors.plan_status(viewer=bureau, school_year=deadline_ahead)
        _header, rows_ahead = plan_status_rows(rows=ahead_rows)
        ahead = {row[1]: row for row in rows_ahead}

    # columns: township, school, type, central school, latest version, status, filed version, number, filed on,
    # submitted on, overdue
    assert by_school["甲村小学"][4:] == [None, not_submitted, None, "", None, None, yes]
    assert by_school["乙镇中心小学"][6:8] == [1, "西教体备〔2026〕12号"]
    assert isinstance(by_school["乙镇中心小学"][8], datetime.date) and by_school["乙镇中心小学"][10] == no
    assert by_school["丙乡中学"][4] == 1 and by_school["丙乡中学"][7] == "" and by_school["丙乡中学"][10] == yes
    assert ahead["甲村小学"][5] == not_submitted and ahead["甲村小学"][10] == no


@pytest.mark.parametrize("count", [3, 10])
def test_plan_status_takes_a_constant_number_of_queries(db, django_assert_max_num_queries, count):
    year = SchoolYearFactory()
    township = TownshipFactory()
    central = SchoolFactory(township=township, is_township_central=True)
    for i in range(count):
        school = SchoolFactory(township=township, school_type=School.Type.VILLAGE, central_school=central)
        if i % 2:
            first = SchoolPlanFactory(school=school, school_year=year, filed=True)
            SchoolPlanFactory(school=school, school_year=year, version=2, previous=first)

    bureau = user_with_role(Role.BUREAU)
    bureau.memberships.first()  # load the roles before counting
    with django_assert_max_num_queries(3):  # roles, the schools with township and central school, their plans
        _header, rows = plan_status_rows(rows=selectors.plan_status(viewer=bureau, school_year=year))
        rows = list(rows)
    assert len(rows) == count + 1
    assert sum(1 for row in rows if row[7]) == count // 2
