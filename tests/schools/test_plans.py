"""The school plan (一校一案, R16–R17, R22): sections, submission, township forwarding, bureau review and filing.

States are reached by calling the services. Planned class-hours of the 2021–2022 calendar (year_2021, see
test_calendar.py for the arithmetic): 5+2 stages 194 days × 2 = 388 class-hours, 6+2 stages 229 × 2 = 458.
"""

import base64
import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from schools.forms import plans as plan_sections
from schools.models import (
    PlanAttachment,
    PlanSection,
    Role,
    School,
    SchoolPlan,
    SchoolPlanEvent,
    Stage,
    SubsidyRate,
    Timetable,
)
from schools.rules import plans as plans_rules
from schools.services import plans as services
from xiji_afterschool.errors import DomainError
from xiji_afterschool.workflow import TransitionNotAllowed

from ..concurrency import at_once as _at_once
from ..concurrency import outcome as _outcome
from ..concurrency import someone_waits_on_a_lock
from ..conftest import events
from ..factories import SchoolFactory, TimetableFactory, user_with_role

pytestmark = pytest.mark.usefixtures("english")

Status = SchoolPlan.Status
D = datetime.date
RATE = Decimal("30.00")
CLASSES = {Stage.PRIMARY: 12, Stage.JUNIOR: 8, Stage.SENIOR: 6}
SECTION_DATA = {  # what a school types into each form
    "leadership": {
        "leader_name": "马建军",
        "leader_title": "校长",
        "members": "李明，副校长\n王芳，教务主任",
        "duties": "统筹课后服务的组织、实施和监督。",
    },
    "survey": {
        "survey_date": "2021-08-20",
        "families_asked": "420",
        "families_wanting": "380",
        "main_needs": "作业辅导",
    },
    "content": {
        "categories": ["homework", "sports", "reading"],
        "description": "第一课时作业辅导，第二课时兴趣活动。",
        "partners": "县青少年活动中心",
    },
    "staffing": {
        "teachers_planned": "30",
        "volunteers_planned": "6",
        "volunteer_sources": ["parent", "retired_teacher"],
        "notes": "",
    },
    "safety": {
        "safety_officer": "赵强",
        "measures": "校门值守，点名交接。",
        "emergency_plan": "突发事件预案。",
        "insured": "on",
    },
    "publicity": {"channels": ["letter", "meeting"], "informed": "on", "notes": ""},
}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = base64.b64decode(  # a real 1×1 PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def cleaned(key: str, school: School, **changes) -> dict:
    """The section's data as the view would pass it: through the section's form."""
    if key == "funding":
        data = {f"classes_{stage}": str(CLASSES[stage]) for stage in school.stages}
    else:
        data = SECTION_DATA[key]
    form = plan_sections.build_form(key, school=school, data={**data, **changes})
    assert form.is_valid(), form.errors
    return form.cleaned_data


def fill(plan: SchoolPlan, actor, *, skip=()) -> None:
    for section in plan_sections.SECTIONS:
        if section.form is not None and section.key not in skip:
            services.plan_section_save(
                actor=actor, plan=plan, key=section.key, cleaned_data=cleaned(section.key, plan.school)
            )


def sections(plan: SchoolPlan) -> dict:
    return {s.key: s.data for s in plan.sections.all()}


@pytest.fixture
def w(world, year_2021):
    """world plus: the 30-yuan rate, a teaching point of school_a's township, a complete middle school in
    township_b, their admins, township_b's coordinator, and timetables with slots for every school, stage
    and semester of 2021–2022."""
    SubsidyRate.objects.create(amount=RATE, effective_from=D(2021, 9, 1), note="每班每课时30元")
    world.year = year_2021
    world.point = SchoolFactory(
        name="甲乡某村教学点",
        school_type=School.Type.TEACHING_POINT,
        township=world.township_a,
        central_school=world.school_a,
    )
    world.point_admin = user_with_role(Role.SCHOOL_ADMIN, school=world.point)
    world.complete = SchoolFactory(name="乙乡中学", school_type=School.Type.COMPLETE, township=world.township_b)
    world.complete_admin = user_with_role(Role.SCHOOL_ADMIN, school=world.complete)
    world.township_b_coordinator = user_with_role(Role.TOWNSHIP_COORDINATOR, township=world.township_b)
    for school in (world.school_a, world.school_b, world.point, world.complete):
        for semester in year_2021.semesters.all():
            for stage in school.stages:
                TimetableFactory(school=school, semester=semester, stage=stage, slots=True)
    return world


def ready(w, school, actor) -> SchoolPlan:
    """A complete draft plan, written by actor."""
    plan = services.plan_start(actor=actor, school=school, school_year=w.year)
    fill(plan, actor)
    return plan


def at_bureau(w, school, actor) -> SchoolPlan:
    return services.plan_submit(actor=actor, plan=ready(w, school, actor))


# ---------------------------------------------------------------- the allowed paths


def test_ordinary_school_plan_goes_to_the_bureau_and_is_filed(w):
    plan = ready(w, w.school_a, w.school_admin)
    assert (plan.status, plan.version, plan.previous) == (Status.DRAFT, 1, None)

    plan = services.plan_submit(actor=w.school_admin, plan=plan, note="请审核")
    assert plan.status == Status.AT_BUREAU and plan.submitted_at is not None
    snapshot = plan.sections.get(key="timetable").data  # the times the plan is filed with
    assert snapshot == {
        "timetables": [
            {
                "semester": number,
                "stage": "primary",
                "version": 1,
                "seasons": [
                    {"season": "summer", "times": ["16:00–18:00"], "days": 5},
                    {"season": "winter", "times": ["15:30–17:30"], "days": 5},
                ],
            }
            for number in (1, 2)
        ]
    }
    shown = plans_rules.display_rows("timetable", snapshot, school=w.school_a)
    assert [title for title, _times in shown] == ["Autumn semester · Primary", "Spring semester · Primary"]

    services.plan_file(actor=w.bureau, plan=plan, note="同意备案")
    plan.refresh_from_db()
    assert plan.status == Status.FILED and plan.filed_at is not None
    assert plan.filing_number == "西教体备〔2021〕1号"
    assert events(plan) == [
        ("submit", Status.DRAFT, Status.AT_BUREAU, w.school_admin.pk, "请审核"),
        ("file", Status.AT_BUREAU, Status.FILED, w.bureau.pk, "同意备案"),
    ]


def test_bureau_returns_a_plan_with_a_comment_and_the_school_resubmits(w):
    plan = at_bureau(w, w.school_a, w.school_admin)
    for note in ("", "   "):
        with pytest.raises(DomainError) as exc:
            services.plan_return(actor=w.bureau, plan=plan, note=note)
        assert "a returned plan needs a comment" in exc.value.message
    plan.refresh_from_db()
    assert plan.status == Status.AT_BUREAU and len(events(plan)) == 1

    services.plan_return(actor=w.bureau, plan=plan, note="安全预案不具体")
    assert plan.status == Status.RETURNED
    services.plan_section_save(  # a returned plan can be changed again
        actor=w.school_admin, plan=plan, key="safety", cleaned_data=cleaned("safety", w.school_a, measures="具体措施")
    )
    plan = services.plan_submit(actor=w.school_admin, plan=plan)
    assert plan.status == Status.AT_BUREAU
    assert events(plan) == [
        ("submit", Status.DRAFT, Status.AT_BUREAU, w.school_admin.pk, ""),
        ("return", Status.AT_BUREAU, Status.RETURNED, w.bureau.pk, "安全预案不具体"),
        ("submit", Status.RETURNED, Status.AT_BUREAU, w.school_admin.pk, ""),
    ]
    assert sections(plan)["safety"]["measures"] == "具体措施"


def test_teaching_point_plan_goes_through_the_township_to_the_bureau(w):
    plan = ready(w, w.point, w.township)  # written by the township central school (R16)
    plan = services.plan_submit(actor=w.township, plan=plan)
    assert plan.status == Status.AT_TOWNSHIP
    services.plan_forward(actor=w.township, plan=plan, note="已汇总")
    assert plan.status == Status.AT_BUREAU
    services.plan_file(actor=w.bureau, plan=plan)
    assert plan.status == Status.FILED and plan.filing_number == "西教体备〔2021〕1号"
    assert events(plan) == [
        ("submit_to_township", Status.DRAFT, Status.AT_TOWNSHIP, w.township.pk, ""),
        ("forward", Status.AT_TOWNSHIP, Status.AT_BUREAU, w.township.pk, "已汇总"),
        ("file", Status.AT_BUREAU, Status.FILED, w.bureau.pk, ""),
    ]


def test_township_returns_a_teaching_point_plan_with_a_comment(w):
    plan = at_bureau(w, w.point, w.point_admin)  # a teaching point's own admin may write and submit it too
    assert plan.status == Status.AT_TOWNSHIP
    with pytest.raises(DomainError):
        services.plan_return(actor=w.township, plan=plan, note="")
    services.plan_return(actor=w.township, plan=plan, note="人员安排需调整")
    assert plan.status == Status.RETURNED
    plan = services.plan_submit(actor=w.point_admin, plan=plan)
    assert plan.status == Status.AT_TOWNSHIP
    assert events(plan) == [
        ("submit_to_township", Status.DRAFT, Status.AT_TOWNSHIP, w.point_admin.pk, ""),
        ("return_by_township", Status.AT_TOWNSHIP, Status.RETURNED, w.township.pk, "人员安排需调整"),
        ("submit_to_township", Status.RETURNED, Status.AT_TOWNSHIP, w.point_admin.pk, ""),
    ]


# ---------------------------------------------------------------- refusals


def test_transitions_from_the_wrong_state_are_refused_and_change_nothing(w):
    draft = ready(w, w.school_a, w.school_admin)
    with pytest.raises(TransitionNotAllowed):
        services.plan_file(actor=w.bureau, plan=draft)
    with pytest.raises(TransitionNotAllowed):
        services.plan_return(actor=w.bureau, plan=draft, note="?")
    with pytest.raises(TransitionNotAllowed):
        services.plan_forward(actor=w.township, plan=draft)
    assert draft.status == Status.DRAFT and events(draft) == []

    # An ordinary school's plan goes straight to the bureau: there is nothing for the township to forward.
    submitted = services.plan_submit(actor=w.school_admin, plan=draft)
    with pytest.raises(TransitionNotAllowed):
        services.plan_forward(actor=w.township, plan=submitted)
    with pytest.raises(DomainError):  # already submitted
        services.plan_submit(actor=w.school_admin, plan=submitted)

    at_township = at_bureau(w, w.point, w.township)
    with pytest.raises(TransitionNotAllowed):  # the bureau sees it only once forwarded
        services.plan_file(actor=w.bureau, plan=at_township)

    services.plan_file(actor=w.bureau, plan=submitted)
    for refused in (
        lambda: services.plan_file(actor=w.bureau, plan=submitted),
        lambda: services.plan_return(actor=w.bureau, plan=submitted, note="?"),
        lambda: services.plan_forward(actor=w.township, plan=submitted),
    ):
        with pytest.raises(TransitionNotAllowed):
            refused()
    with pytest.raises(DomainError) as exc:
        services.plan_submit(actor=w.school_admin, plan=submitted)
    assert "cannot be changed now" in exc.value.message

    submitted.refresh_from_db()
    at_township.refresh_from_db()
    assert (submitted.status, at_township.status) == (Status.FILED, Status.AT_TOWNSHIP)
    assert [e[0] for e in events(submitted)] == ["submit", "file"]
    assert [e[0] for e in events(at_township)] == ["submit_to_township"]


def test_wrong_roles_are_refused_and_change_nothing(w):
    plan = at_bureau(w, w.school_a, w.school_admin)
    point_plan = at_bureau(w, w.point, w.township)
    draft = services.plan_start(actor=w.other_school_admin, school=w.school_b, school_year=w.year)
    refused = [
        lambda: services.plan_file(actor=w.school_admin, plan=plan),
        lambda: services.plan_file(actor=w.inspector, plan=plan),
        lambda: services.plan_return(actor=w.school_admin, plan=plan, note="自己退回"),
        lambda: services.plan_return(actor=w.township, plan=plan, note="乡镇不能退回县局的"),
        lambda: services.plan_submit(actor=w.bureau, plan=draft),
        lambda: services.plan_submit(actor=w.school_admin, plan=draft),  # another school's plan
        lambda: services.plan_section_save(
            actor=w.bureau, plan=draft, key="survey", cleaned_data=cleaned("survey", w.school_b)
        ),
        # The township plans only for village schools and teaching points, not for an ordinary school.
        lambda: services.plan_start(actor=w.township, school=w.school_a, school_year=w.year),
        lambda: services.plan_forward(actor=w.township_b_coordinator, plan=point_plan),  # another township's
        lambda: services.plan_return(actor=w.township_b_coordinator, plan=point_plan, note="不是本乡的"),
        lambda: services.plan_forward(actor=w.point_admin, plan=point_plan),
        lambda: services.plan_return(actor=w.bureau, plan=point_plan, note="还在乡镇"),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    for p, status, n in ((plan, Status.AT_BUREAU, 1), (point_plan, Status.AT_TOWNSHIP, 1), (draft, Status.DRAFT, 0)):
        p.refresh_from_db()
        assert p.status == status and p.events.count() == n
    assert not draft.sections.exists()


def test_incomplete_plan_is_not_submitted_and_names_what_is_missing(w):
    Timetable.objects.filter(school=w.school_a, semester__number=2).delete()
    plan = services.plan_start(actor=w.school_admin, school=w.school_a, school_year=w.year)
    fill(plan, w.school_admin, skip={"safety", "publicity"})
    with pytest.raises(DomainError) as exc:
        services.plan_submit(actor=w.school_admin, plan=plan)
    message = exc.value.message
    assert "Safety and emergency plan" in message and "Publicity" in message
    assert "timetables for Spring semester Primary" in message
    assert "Leadership group" not in message and "Autumn semester" not in message
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT and plan.submitted_at is None and events(plan) == []
    assert not plan.sections.filter(key="timetable").exists()

    # A timetable without any times counts as missing too.
    fill(plan, w.school_admin)
    TimetableFactory(school=w.school_a, semester=w.year.semesters.get(number=2), stage=Stage.PRIMARY)
    with pytest.raises(DomainError) as exc:
        services.plan_submit(actor=w.school_admin, plan=plan)
    assert exc.value.message.endswith("Still missing: timetables for Spring semester Primary.")
    TimetableFactory(
        school=w.school_a, semester=w.year.semesters.get(number=2), stage=Stage.PRIMARY, version=2, slots=True
    )
    assert services.plan_submit(actor=w.school_admin, plan=plan).status == Status.AT_BUREAU


def test_filing_numbers_count_up_within_the_year(w):
    plans = [
        at_bureau(w, w.school_a, w.school_admin),
        at_bureau(w, w.school_b, w.other_school_admin),
        at_bureau(w, w.complete, w.complete_admin),
    ]
    for plan in plans:
        services.plan_file(actor=w.bureau, plan=plan)
    assert [p.filing_number for p in plans] == ["西教体备〔2021〕1号", "西教体备〔2021〕2号", "西教体备〔2021〕3号"]
    v2 = services.plan_revise(actor=w.school_admin, plan=plans[0])
    services.plan_submit(actor=w.school_admin, plan=v2)
    services.plan_file(actor=w.bureau, plan=v2)
    assert v2.filing_number == "西教体备〔2021〕4号"


def test_a_plan_under_review_or_filed_cannot_be_changed(w, media):
    plan = ready(w, w.school_a, w.school_admin)
    attachment = services.plan_attachment_add(
        actor=w.school_admin, plan=plan, upload=SimpleUploadedFile("领导小组.pdf", PDF), title="领导小组文件"
    )
    plan = services.plan_submit(actor=w.school_admin, plan=plan)
    before = sections(plan)
    for status in (Status.AT_BUREAU, Status.FILED):
        if status == Status.FILED:
            services.plan_file(actor=w.bureau, plan=plan)
        with pytest.raises(DomainError) as exc:
            services.plan_section_save(
                actor=w.school_admin,
                plan=plan,
                key="survey",
                cleaned_data=cleaned("survey", w.school_a, families_asked="999"),
            )
        assert "cannot be changed now" in exc.value.message
        with pytest.raises(DomainError):
            services.plan_attachment_add(
                actor=w.school_admin, plan=plan, upload=SimpleUploadedFile("补充.pdf", PDF), title="补充"
            )
        with pytest.raises(DomainError):
            services.plan_attachment_remove(actor=w.school_admin, attachment=attachment)
        assert sections(plan) == before
        assert list(plan.attachments.all()) == [attachment]


# ---------------------------------------------------------------- versions (R17)


def test_revising_a_filed_plan_starts_version_2_as_a_draft_copy(w, media):
    plan = ready(w, w.school_a, w.school_admin)
    services.plan_attachment_add(
        actor=w.school_admin, plan=plan, upload=SimpleUploadedFile("a.pdf", PDF), title="领导小组文件"
    )
    plan = services.plan_submit(actor=w.school_admin, plan=plan)
    services.plan_file(actor=w.bureau, plan=plan)
    v1_sections, v1_updated = sections(plan), SchoolPlan.objects.get(pk=plan.pk).updated_at
    with pytest.raises(DomainError) as exc:  # a filed year is refined, not started again
        services.plan_start(actor=w.school_admin, school=w.school_a, school_year=w.year)
    assert "start" in exc.value.message and "new version" in exc.value.message

    v2 = services.plan_revise(actor=w.school_admin, plan=plan)
    assert (v2.version, v2.status, v2.previous, v2.created_by) == (2, Status.DRAFT, plan, w.school_admin)
    assert sections(v2) == v1_sections and set(v1_sections) == {s.key for s in plan_sections.SECTIONS}
    assert list(v2.attachments.values_list("title", "file")) == list(plan.attachments.values_list("title", "file"))
    assert services.plan_start(actor=w.school_admin, school=w.school_a, school_year=w.year) == v2

    for again in (plan, v2):  # v1 has a newer version; v2 is still a draft
        with pytest.raises(DomainError):
            services.plan_revise(actor=w.school_admin, plan=again)
    with pytest.raises(PermissionDenied):
        services.plan_revise(actor=w.other_school_admin, plan=plan)
    assert SchoolPlan.objects.filter(school=w.school_a, school_year=w.year).count() == 2
    plan.refresh_from_db()
    assert (plan.status, plan.filing_number, plan.updated_at) == (Status.FILED, "西教体备〔2021〕1号", v1_updated)
    assert sections(plan) == v1_sections and events(plan)[-1][0] == "file"


def test_diff_between_versions_lists_exactly_the_changed_rows(w):
    plan = at_bureau(w, w.school_a, w.school_admin)
    services.plan_file(actor=w.bureau, plan=plan)
    v2 = services.plan_revise(actor=w.school_admin, plan=plan)
    services.plan_section_save(
        actor=w.school_admin,
        plan=v2,
        key="survey",
        cleaned_data=cleaned("survey", w.school_a, families_asked="450", families_wanting="400"),
    )
    diff = plans_rules.diff(sections(plan), sections(v2), school=w.school_a)
    assert [d["key"] for d in diff] == [s.key for s in plan_sections.SECTIONS]
    assert {d["key"]: d["changes"] for d in diff if d["changes"]} == {
        "survey": [
            {"label": "Families asked", "old": "420", "new": "450"},
            {"label": "Families wanting the service", "old": "380", "new": "400"},
        ]
    }


# ---------------------------------------------------------------- the funding estimate (R22)


def test_funding_estimate_is_classes_times_planned_class_hours_times_the_rate(w):
    plan = ready(w, w.school_a, w.school_admin)
    funding = plan.sections.get(key="funding").data
    assert (funding["rate"], funding["rate_date"]) == ("30.00", "2021-09-01")
    assert [(x["stage"], x["classes"], x["class_hours_per_class"]) for x in funding["lines"]] == [("primary", 12, 388)]
    assert Decimal(funding["lines"][0]["amount"]) == 12 * 388 * RATE == Decimal("139680.00")
    assert Decimal(funding["total"]) == Decimal("139680.00")
    shown = dict(plans_rules.display_rows("funding", funding, school=w.school_a))
    assert shown["Primary"] == "12 classes × 388 class-hours × ¥30.00 = ¥139,680.00"
    assert shown["Estimated subsidy for the year"] == "¥139,680.00"
    assert funding["classes_primary"] == 12  # the typed input is kept beside the estimate


def test_complete_middle_school_estimate_has_a_5_plus_2_and_a_6_plus_2_line(w):
    plan = ready(w, w.complete, w.complete_admin)
    funding = plan.sections.get(key="funding").data
    assert [(x["stage"], x["classes"], x["class_hours_per_class"], Decimal(x["amount"])) for x in funding["lines"]] == [
        ("junior", 8, 388, Decimal("93120.00")),  # 8 × 388 × 30.00
        ("senior", 6, 458, Decimal("82440.00")),  # 6 × 458 × 30.00
    ]
    assert Decimal(funding["total"]) == 8 * 388 * RATE + 6 * 458 * RATE == Decimal("175560.00")


def test_estimate_uses_the_rate_in_force_on_the_first_service_day(w):
    SubsidyRate.objects.create(amount=Decimal("35.00"), effective_from=D(2022, 2, 14))  # from the spring semester
    plan = ready(w, w.school_a, w.school_admin)
    assert Decimal(plan.sections.get(key="funding").data["total"]) == 12 * 388 * RATE

    SubsidyRate.objects.all().delete()
    SubsidyRate.objects.create(amount=RATE, effective_from=D(2021, 9, 2))  # one day too late
    before = plan.sections.get(key="funding").data
    with pytest.raises(DomainError) as exc:
        services.plan_section_save(
            actor=w.school_admin, plan=plan, key="funding", cleaned_data=cleaned("funding", w.school_a)
        )
    assert "No subsidy rate is in force on 2021-09-01" in exc.value.message
    assert plan.sections.get(key="funding").data == before


# ---------------------------------------------------------------- attachments


def test_pdf_and_png_attachments_are_accepted_by_their_content(w, media):
    plan = services.plan_start(actor=w.school_admin, school=w.school_a, school_year=w.year)
    pdf = services.plan_attachment_add(
        actor=w.school_admin, plan=plan, upload=SimpleUploadedFile("方案.pdf", PDF), title="方案盖章页"
    )
    png = services.plan_attachment_add(
        actor=w.school_admin, plan=plan, upload=SimpleUploadedFile("scan.png", PNG), title="扫描件"
    )
    assert (pdf.content_type, pdf.size, pdf.uploaded_by) == ("application/pdf", len(PDF), w.school_admin)
    assert (png.content_type, png.size) == ("image/png", len(PNG))
    with pdf.file.open("rb") as f:
        assert f.read() == PDF
    limit = SimpleUploadedFile("large.pdf", PDF.ljust(5 * 1024 * 1024, b"0"))  # exactly 5 MB is allowed
    assert services.plan_attachment_add(actor=w.school_admin, plan=plan, upload=limit, title="大").size == 5242880


@pytest.mark.parametrize(
    "name, content, fragment",
    [
        ("方案.pdf", b"MZ\x90\x00\x03 this is a program, not a PDF", "Only PDF, JPEG or PNG files"),
        ("方案.pdf", b"PDF-1.4 without the percent sign", "Only PDF, JPEG or PNG files"),
        ("方案.pdf", PDF.ljust(5 * 1024 * 1024 + 1, b"0"), "larger than 5 MB"),
        ("方案.pdf", b"", "empty"),
    ],
    ids=["exe-named-pdf", "no-magic", "over-5-mb", "empty"],
)
def test_other_files_are_refused(w, media, name, content, fragment):
    plan = services.plan_start(actor=w.school_admin, school=w.school_a, school_year=w.year)
    with pytest.raises(DomainError) as exc:
        services.plan_attachment_add(
            actor=w.school_admin, plan=plan, upload=SimpleUploadedFile(name, content, "application/pdf"), title="x"
        )
    assert fragment in exc.value.message
    assert not PlanAttachment.objects.filter(plan=plan).exists()
    assert not any(media.rglob("*.pdf"))


# ---------------------------------------------------------------- two people at the same moment


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_filing_the_same_plan_at_once_file_it_once(w):
    plan = at_bureau(w, w.school_a, w.school_admin)
    other_reviewer = user_with_role(Role.BUREAU)
    first, second = SchoolPlan.objects.get(pk=plan.pk), SchoolPlan.objects.get(pk=plan.pk)
    results = _at_once(
        lambda: services.plan_file(actor=w.bureau, plan=first),
        lambda: services.plan_file(actor=other_reviewer, plan=second),
    )
    assert results.count("ok") == 1, results
    assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 1, results
    plan.refresh_from_db()
    assert plan.status == Status.FILED and plan.filing_number == "西教体备〔2021〕1号"
    assert SchoolPlanEvent.objects.filter(plan=plan, action="file").count() == 1


@pytest.mark.django_db(transaction=True)
def test_filing_and_returning_at_once_only_one_wins(w):
    plan = at_bureau(w, w.school_a, w.school_admin)
    other_reviewer = user_with_role(Role.BUREAU)
    first, second = SchoolPlan.objects.get(pk=plan.pk), SchoolPlan.objects.get(pk=plan.pk)
    results = _at_once(
        lambda: services.plan_file(actor=w.bureau, plan=first),
        lambda: services.plan_return(actor=other_reviewer, plan=second, note="退回修改"),
    )
    assert results.count("ok") == 1, results
    assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 1, results
    plan.refresh_from_db()
    won = "file" if results[0] == "ok" else "return"
    assert plan.status == (Status.FILED if won == "file" else Status.RETURNED)
    assert [e[0] for e in events(plan)] == ["submit", won]
    assert bool(plan.filing_number) == (won == "file")


@pytest.mark.django_db(transaction=True)
def test_two_plans_filed_at_once_never_share_a_filing_number(w):
    plans = [at_bureau(w, w.school_a, w.school_admin), at_bureau(w, w.school_b, w.other_school_admin)]
    other_reviewer = user_with_role(Role.BUREAU)
    results = _at_once(
        lambda: services.plan_file(actor=w.bureau, plan=SchoolPlan.objects.get(pk=plans[0].pk)),
        lambda: services.plan_file(actor=other_reviewer, plan=SchoolPlan.objects.get(pk=plans[1].pk)),
    )
    # Both get a number, or the later one is refused whole (and the reviewer files it again): never a crash, and
    # never both refused.
    assert results.count("ok") >= 1, results
    assert all(r == "ok" or type(r) is DomainError for r in results), results
    for plan, result in zip(plans, results, strict=True):
        plan.refresh_from_db()
        if result == "ok":
            assert plan.status == Status.FILED and plan.filing_number
            assert plan.events.filter(action="file").count() == 1
        else:
            assert "filed at the same moment" in result.message
            assert (
                plan.status == Status.AT_BUREAU and plan.filing_number == "" and not plan.events.filter(action="file")
            )
    numbers = [p.filing_number for p in plans if p.filing_number]
    assert sorted(numbers) == ["西教体备〔2021〕1号", "西教体备〔2021〕2号"][: len(numbers)]
    for plan, result in zip(plans, results, strict=True):
        if result != "ok":  # the reviewer files it again and it gets the next number
            services.plan_file(actor=w.bureau, plan=SchoolPlan.objects.get(pk=plan.pk))
    assert sorted(SchoolPlan.objects.filter(pk__in=[p.pk for p in plans]).values_list("filing_number", flat=True)) == [
        "西教体备〔2021〕1号",
        "西教体备〔2021〕2号",
    ]
    assert SchoolPlanEvent.objects.filter(plan__in=plans, action="file").count() == 2


@pytest.mark.django_db(transaction=True)
def test_starting_a_plan_twice_at_once_opens_one_plan(w):
    """Two clicks on "start the plan": the second waits for the first's row, then gets the same plan."""
    if connection.vendor != "postgresql":
        first = services.plan_start(actor=w.school_admin, school=w.school_a, school_year=w.year)
        assert services.plan_start(actor=w.school_admin, school=w.school_a, school_year=w.year) == first
        return
    results = {}
    created = threading.Event()

    def click_one():  # starts the plan and keeps its transaction open until the other click waits on the row
        try:
            with transaction.atomic():
                results["one"] = services.plan_start(actor=w.school_admin, school=w.school_a, school_year=w.year)
                created.set()
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and not someone_waits_on_a_lock():
                    time.sleep(0.02)
        finally:
            connection.close()

    def click_two():
        try:
            created.wait(timeout=10)
            results["two"] = _outcome(
                lambda: results.setdefault(
                    "plan_two", services.plan_start(actor=w.school_admin, school=w.school_a, school_year=w.year)
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=click_one), threading.Thread(target=click_two)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results["two"] == "ok", results["two"]
    assert results["plan_two"] == results["one"]
    assert SchoolPlan.objects.filter(school=w.school_a, school_year=w.year).count() == 1


@pytest.mark.parametrize("key", ["timetable", "nonsense"])
def test_computed_or_unknown_sections_cannot_be_saved_by_hand(world, english, key):
    with pytest.raises(DomainError):
        services.plan_section_save(actor=world.school_admin, plan=world.plan, key=key, cleaned_data={"x": 1})
    assert not PlanSection.objects.filter(plan=world.plan, key=key).exists()
