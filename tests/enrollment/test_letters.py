"""The Letter to Parents (《致家长的一封信》, R15): made from the filed plan, online, as a PDF, and in class batches.

PDFs are read back with poppler (pdftotext, pdffonts): a PDF whose Chinese fell back to empty boxes still starts with
%PDF. The zh_Hans catalog may lag behind the English source strings, so text checks are on data (names, codes, dates,
times) or run in English.
"""

import datetime
import html
import time

import pytest
import segno
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import pgettext

from enrollment.models import LetterBatch
from enrollment.reports import letters as reports
from enrollment.selectors import letters as selectors
from enrollment.services import letters as services
from schools.models import PlanSection, Role, School, SchoolPlan, Student
from xiji_afterschool import jobs
from xiji_afterschool.errors import DomainError

from ..conftest import has_cjk_font, pages_in_english, pretend_today, read_pdf
from ..factories import AdminClassFactory, SchoolPlanFactory, StudentFactory, user_with_role

CONTENT = "第一课时作业辅导，第二课时开展阅读、篮球、剪纸活动。"
SAFETY = "服务期间校门值守，班主任点名，家长签字接送。"


def fill_plan(plan: SchoolPlan, *, description: str = CONTENT) -> SchoolPlan:
    """The sections the letter reads, stored as plan_section_save and plan_submit store them."""
    sections = {
        "content": {"categories": ["homework", "reading", "sports"], "description": description, "partners": ""},
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
                }
            ]
        },
        "safety": {
            "safety_officer": "杨志强",
            "measures": SAFETY,
            "emergency_plan": "立即报告，组织疏散。",
            "insured": True,
        },
    }
    for key, data in sections.items():
        PlanSection.objects.create(plan=plan, key=key, data=data)
    return plan


def pdf_pages(pdf: bytes, tmp_path, name="letter.pdf") -> tuple[list[str], str]:
    """The text of each page (whitespace removed: pdftotext breaks lines where the layout does) and pdffonts."""
    text, fonts = read_pdf(pdf, tmp_path, name)
    pages = ["".join(page.split()) for page in text.split("\f")]
    return [p for p in pages if p], fonts


def letter_starts(pages: list[str], batch: LetterBatch) -> list[str]:
    """The pages that begin a letter: they start with its title, in the batch's language."""
    with translation.override(batch.language):
        title = "".join(pgettext("document title", "Letter to Parents").split())
    return [p for p in pages if p.startswith(title)]


# ---------------------------------------------------------------- the letter, online and as a PDF


def test_letter_is_made_from_the_filed_plan(client, world):
    fill_plan(world.plan_filed)
    PlanSection.objects.create(plan=world.plan, key="content", data={"categories": [], "description": "草稿内容"})
    client.force_login(world.parent)
    page = client.get(reverse("enrollment:letter-detail", args=[world.school_a.pk])).content.decode()
    deadline = world.school_year.application_deadline
    assert deadline.month == 9 and deadline.day == 30
    assert "甲乡中心小学" in page and world.plan_filed.filing_number in page
    assert CONTENT in page and SAFETY in page and "杨志强" in page
    assert "16:30–18:30" in page and "16:00–18:00" in page
    assert "秋季学期 · 小学</th>" in page and " · v1" not in page  # no timetable version in a parent's words
    assert f"{deadline.year}年9月30日" in page  # Django's |date in Chinese
    assert "草稿内容" not in page  # the draft v2 is not what parents are told
    assert reverse("enrollment:letter-pdf", args=[world.school_a.pk]) in page
    assert "letter-batch-create" not in page and "/batch/" not in page  # a parent prints nothing

    pages_in_english(client)
    page = client.get(reverse("enrollment:letter-detail", args=[world.school_a.pk])).content.decode()
    assert "The service is free of charge" in page and "paid by county finance" in page
    # Today is past the deadline: the letter says what to do now (#15 §2), never only a date gone by.
    assert "Applications were due by 30 Sep " in page and "late application" in page
    assert "Please apply by" not in page
    assert "Homework guidance" in page and "Reading" in page  # the plan's categories, in the reader's language
    assert " · v1" not in page  # the timetable version means nothing to a parent


def test_before_the_deadline_the_letter_asks_to_apply_by_it_and_gives_the_schools_telephone(client, world, monkeypatch):
    fill_plan(world.plan_filed)
    world.school_a.phone = "0954-7012345"
    world.school_a.save()
    deadline = world.school_year.application_deadline
    pretend_today(monkeypatch, deadline - datetime.timedelta(days=3))
    client.force_login(world.parent)
    pages_in_english(client)
    page = client.get(reverse("enrollment:letter-detail", args=[world.school_a.pk])).content.decode()
    assert "Please apply by 30 Sep " in page and "late application" not in page
    assert "call the school at 0954-7012345" in page
    pretend_today(monkeypatch, deadline)  # the deadline itself is still in time
    page = client.get(reverse("enrollment:letter-detail", args=[world.school_a.pk])).content.decode()
    assert "Please apply by 30 Sep " in page


def test_letter_follows_the_newest_filed_version(client, world):
    fill_plan(world.plan_filed, description="第一版的内容")
    world.plan.status, world.plan.filed_at = SchoolPlan.Status.FILED, timezone.now()
    world.plan.filing_number = f"西教体备〔{world.school_year.start_date.year}〕9号"
    world.plan.save()
    fill_plan(world.plan, description="第二版的内容")
    client.force_login(world.class_teacher)
    page = client.get(reverse("enrollment:letter-detail", args=[world.school_a.pk])).content.decode()
    assert "第二版的内容" in page and "第一版的内容" not in page
    assert world.plan.filing_number in page


def test_letter_of_a_plan_without_sections_still_renders(client, world, tmp_path):
    client.force_login(world.school_admin)
    page = client.get(reverse("enrollment:letter-detail", args=[world.school_a.pk])).content.decode()
    assert "甲乡中心小学" in page and 'class="letter"' in page
    response = client.get(reverse("enrollment:letter-pdf", args=[world.school_a.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    pages, _fonts = pdf_pages(response.content, tmp_path)
    assert "甲乡中心小学" in "".join(pages)


def test_without_a_filed_plan_the_page_says_so_and_there_is_no_pdf(client, world):
    # school_b has no plan at all; a draft would not do either.
    SchoolPlan.objects.create(school=world.school_b, school_year=world.school_year, created_by=world.other_school_admin)
    client.force_login(world.other_school_admin)
    response = client.get(reverse("enrollment:letter-detail", args=[world.school_b.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and 'data-letter="not-filed"' in page
    assert 'class="letter"' not in page and reverse("enrollment:letter-pdf", args=[world.school_b.pk]) not in page
    assert client.get(reverse("enrollment:letter-pdf", args=[world.school_b.pk])).status_code == 404


def test_a_plan_filed_for_another_year_does_not_make_a_letter(client, world):
    last_year = type(world.school_year).objects.create(
        name="上一学年",
        start_date=world.school_year.start_date.replace(year=world.school_year.start_date.year - 1),
        end_date=world.school_year.end_date.replace(year=world.school_year.end_date.year - 1),
        plan_deadline=world.school_year.plan_deadline.replace(year=world.school_year.plan_deadline.year - 1),
        application_deadline=world.school_year.application_deadline.replace(
            year=world.school_year.application_deadline.year - 1
        ),
        refinement_deadline=world.school_year.refinement_deadline.replace(
            year=world.school_year.refinement_deadline.year - 1
        ),
    )
    SchoolPlan.objects.create(
        school=world.school_b, school_year=last_year, status=SchoolPlan.Status.FILED, filed_at=timezone.now(),
        filing_number="西教体备〔2000〕1号", created_by=world.other_school_admin,
    )  # fmt: skip
    assert selectors.filed_plan(school=world.school_b, school_year=world.school_year) is None
    client.force_login(world.other_school_admin)
    assert client.get(reverse("enrollment:letter-pdf", args=[world.school_b.pk])).status_code == 404


def test_letter_pdf_is_chinese_with_the_school_times_and_deadline(client, world, tmp_path):
    fill_plan(world.plan_filed)
    client.force_login(world.parent)
    response = client.get(reverse("enrollment:letter-pdf", args=[world.school_a.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert len(response.content) < 150 * 1024  # issue 15 §6: one small font program, about 3 s at 400 kbps
    pages, fonts = pdf_pages(response.content, tmp_path)
    text = "".join(pages)
    assert "甲乡中心小学" in text and world.plan_filed.filing_number in text
    assert "16:30–18:30" in text and "".join(SAFETY.split()) in text
    assert f"{world.school_year.application_deadline.year}年9月30日" in text
    assert has_cjk_font(fonts)


def test_letter_names_the_service_mode_of_each_stage(db):
    with translation.override("en"):
        nine_year = SchoolPlanFactory(school__school_type=School.Type.NINE_YEAR, filed=True)
        primary = SchoolPlanFactory(school__school_type=School.Type.PRIMARY, filed=True)
        both = reports.letter_context(school=nine_year.school, school_year=nine_year.school_year, plan=nine_year)
        one = reports.letter_context(school=primary.school, school_year=primary.school_year, plan=primary)
    five_two = "5+2: five days a week, two hours a day"
    assert both["modes"] == f"Primary: {five_two}; Junior middle: {five_two}" and both["evening"]  # boarders (R7)
    assert one["modes"] == five_two and not one["evening"]
    assert one["content_rows"] == one["time_rows"] == one["safety_rows"] == []  # a plan without those sections


def test_letter_page_takes_few_queries(client, world, django_assert_max_num_queries):
    fill_plan(world.plan_filed)
    client.force_login(world.parent)
    url = reverse("enrollment:letter-detail", args=[world.school_a.pk])
    client.get(url)
    # session, user, roles, school, policy, school year (+ semesters), the filed plan, its sections
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


# ---------------------------------------------------------------- the QR code


def test_child_link_url_and_its_qr_code():
    url = reports.child_link_url(base_url="https://kehou.example.cn/", code="ABCD2345")
    assert url == "https://kehou.example.cn/enrollment/children/link/?code=ABCD2345"
    qr = reports.qr_data_uri(url)
    assert qr.startswith("data:image/svg+xml")
    assert qr == segno.make(url, error="m").svg_data_uri(scale=4)  # exactly this address, error level M
    assert qr != reports.qr_data_uri(url.replace("ABCD2345", "ABCD2346"))


def test_each_batch_letter_carries_the_qr_code_of_its_childs_link(world):
    fill_plan(world.plan_filed)
    letter = reports.letter_context(school=world.school_a, school_year=world.school_year, plan=world.plan_filed)
    students = list(reports.letter_students(admin_class=world.class_a1, base_url="http://testserver"))
    assert [s["name"] for s in students] == sorted(["马小明", "李小红"])
    rendered = render_to_string("enrollment/letters/letter_batch_pdf.html", {"letter": letter, "students": students})
    for student in (world.child, world.other_child):
        url = f"http://testserver/enrollment/children/link/?code={student.link_code}"
        assert html.escape(reports.qr_data_uri(url)) in rendered


# ---------------------------------------------------------------- class batches


def test_class_teacher_prints_the_class_letters_through_the_worker(
    client, world, eager_celery, media, django_capture_on_commit_callbacks, tmp_path
):
    client.force_login(world.class_teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrollment:letter-batch-create", args=[world.class_a1.pk]))
    batch = LetterBatch.objects.get()
    assert response["Location"] == reverse("enrollment:letter-batch-detail", args=[batch.pk])
    assert batch.status == LetterBatch.Status.DONE, batch.error
    assert batch.total == batch.done == 2 and batch.admin_class == world.class_a1
    assert batch.requested_by == world.class_teacher and batch.school_year == world.school_year
    assert batch.finished_at is not None

    page = client.get(reverse("enrollment:letter-batch-detail", args=[batch.pk])).content.decode()
    assert 'data-status="done"' in page and 'data-progress="2/2"' in page and "data-job-poll" not in page
    download = client.get(reverse("enrollment:letter-batch-download", args=[batch.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    pdf = b"".join(download.streaming_content)
    pages, fonts = pdf_pages(pdf, tmp_path)
    assert has_cjk_font(fonts)
    starts = letter_starts(pages, batch)
    assert len(starts) == 2  # one letter per child, each on a new page
    for student in (world.child, world.other_child):
        # The first page of the child's letter carries the name, the code and the link it encodes.
        (first,) = [p for p in starts if student.link_code in p]
        assert student.name in first
        assert f"http://testserver/enrollment/children/link/?code={student.link_code}" in first
    assert "王小军" not in "".join(pages)  # class_a2's pupil is not in class_a1's batch


def test_detail_page_shows_progress_and_refreshes_while_running(client, world):
    batch = LetterBatch.objects.create(
        school=world.school_a, school_year=world.school_year, admin_class=world.class_a1,
        requested_by=world.class_teacher, total=45, done=15, status=LetterBatch.Status.RUNNING,
    )  # fmt: skip
    client.force_login(world.school_admin)
    page = client.get(reverse("enrollment:letter-batch-detail", args=[batch.pk])).content.decode()
    assert 'data-status="running"' in page and 'data-progress="15/45"' in page
    # It polls (static/js/job-poll.js, every 3 s, at most 200 times): no inline script, no meta refresh.
    assert 'data-job-poll data-interval="3000" data-max-polls="200"' in page and "bar-w-33" in page
    assert 'http-equiv="refresh"' not in page
    assert reverse("enrollment:letter-batch-download", args=[batch.pk]) not in page
    assert client.get(reverse("enrollment:letter-batch-download", args=[batch.pk])).status_code == 404


def test_progress_is_written_as_letters_are_prepared(world, media, monkeypatch):
    fill_plan(world.plan_filed)
    for i in range(10):
        StudentFactory(admin_class=world.class_a1, name=f"学生甲{i:02d}")
    batch = services.letter_batch_request(actor=world.school_admin, admin_class=world.class_a1, base_url="http://x")
    assert batch.total == 12 and batch.done == 0
    seen = []
    original = jobs.beat

    def spy(b, attempt, **progress):
        alive = original(b, attempt, **progress)
        seen.append(LetterBatch.objects.get(pk=b.pk).done)  # what the requester's page reads meanwhile
        return alive

    monkeypatch.setattr(jobs, "beat", spy)
    batch = services.letter_batch_run(batch_id=batch.pk, base_url="http://x")
    assert seen == [5, 10, 12]
    assert batch.status == LetterBatch.Status.DONE and batch.done == batch.total == 12


def test_running_a_batch_twice_builds_it_once(world, media):
    batch = services.letter_batch_request(actor=world.class_teacher, admin_class=world.class_a1, base_url="http://x")
    first = services.letter_batch_run(batch_id=batch.pk, base_url="http://x")
    assert first.status == LetterBatch.Status.DONE
    name = first.file.name
    second = services.letter_batch_run(batch_id=batch.pk, base_url="http://x")
    assert second.status == LetterBatch.Status.DONE and second.file.name == name
    assert len(list(media.rglob("*.pdf"))) == 1


def test_batch_fails_cleanly_when_the_requester_lost_the_role(world, media):
    batch = services.letter_batch_request(actor=world.class_teacher, admin_class=world.class_a1, base_url="http://x")
    world.class_teacher.memberships.all().delete()
    batch = services.letter_batch_run(batch_id=batch.pk, base_url="http://x")
    assert batch.status == LetterBatch.Status.FAILED and batch.error and not batch.file


def test_batch_of_a_class_emptied_meanwhile_fails_without_a_file(world, media):
    batch = services.letter_batch_request(actor=world.class_teacher, admin_class=world.class_a1, base_url="http://x")
    Student.objects.filter(admin_class=world.class_a1).update(admin_class=world.class_a2)
    batch = services.letter_batch_run(batch_id=batch.pk, base_url="http://x")
    assert batch.status == LetterBatch.Status.FAILED and batch.error and not batch.file


def test_batch_fails_with_a_short_message_when_rendering_breaks(world, media, monkeypatch, caplog):
    batch = services.letter_batch_request(actor=world.class_teacher, admin_class=world.class_a1, base_url="http://x")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "render_pdf", broken)
    batch = services.letter_batch_run(batch_id=batch.pk, base_url="http://x")
    assert batch.status == LetterBatch.Status.FAILED and not batch.file
    assert "disk full" not in batch.error and len(batch.error) <= 200
    assert f"letter batch {batch.pk} failed" in caplog.text


def test_who_may_print_a_class(client, world):
    """A class teacher prints only their own class, a school admin any class of the school, nobody else."""
    url = reverse("enrollment:letter-batch-create", args=[world.class_a2.pk])
    client.force_login(world.class_teacher)  # class_a1's teacher: class_a2 is outside what they see
    assert client.post(url).status_code == 404
    with pytest.raises(PermissionDenied):  # and the service refuses too, whatever the caller fetched
        services.letter_batch_request(actor=world.class_teacher, admin_class=world.class_a2, base_url="http://x")
    client.force_login(world.other_school_admin)
    assert client.post(url).status_code == 404
    for refused in (world.township, world.bureau, world.inspector):  # they see the class, may not print
        client.force_login(refused)
        assert client.post(url).status_code == 403
    assert LetterBatch.objects.count() == 0
    client.force_login(world.school_admin)
    assert client.post(url).status_code == 302
    assert LetterBatch.objects.get().admin_class == world.class_a2


def test_a_class_teacher_of_another_class_of_the_school_is_refused(client, world):
    other_teacher = user_with_role(Role.CLASS_TEACHER, admin_class=world.class_a2)
    client.force_login(other_teacher)
    assert client.post(reverse("enrollment:letter-batch-create", args=[world.class_a1.pk])).status_code == 404
    batch = LetterBatch.objects.create(
        school=world.school_a, school_year=world.school_year, admin_class=world.class_a1,
        requested_by=world.class_teacher, total=2,
    )  # fmt: skip
    assert client.get(reverse("enrollment:letter-batch-detail", args=[batch.pk])).status_code == 404
    assert LetterBatch.objects.count() == 1


def test_no_batch_without_a_filed_plan_or_without_students(client, world):
    client.force_login(world.other_school_admin)
    response = client.post(reverse("enrollment:letter-batch-create", args=[world.class_b1.pk]), follow=True)
    assert response.redirect_chain[0][0] == reverse("enrollment:letter-detail", args=[world.school_b.pk])
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    empty = AdminClassFactory(school=world.school_a, grade=5, number=2)
    with pytest.raises(DomainError):
        services.letter_batch_request(actor=world.school_admin, admin_class=empty, base_url="http://x")
    with translation.override("en"), pytest.raises(DomainError, match="not filed yet"):
        services.letter_batch_request(actor=world.other_school_admin, admin_class=world.class_b1, base_url="http://x")
    assert LetterBatch.objects.count() == 0


def test_unknown_ids_are_404_not_500(client, world):
    client.force_login(world.school_admin)
    assert client.post(reverse("enrollment:letter-batch-create", args=[999999])).status_code == 404
    assert client.get(reverse("enrollment:letter-batch-detail", args=[999999])).status_code == 404
    assert client.get(reverse("enrollment:letter-pdf", args=[999999])).status_code == 404
    assert client.get(reverse("enrollment:letter-batch-create", args=[world.class_a1.pk])).status_code == 405


def test_letter_page_offers_printing_to_those_who_may(client, world):
    client.force_login(world.class_teacher)
    page = client.get(reverse("enrollment:letter-detail", args=[world.school_a.pk])).content.decode()
    assert reverse("enrollment:letter-batch-create", args=[world.class_a1.pk]) in page
    assert reverse("enrollment:letter-batch-create", args=[world.class_a2.pk]) not in page
    client.force_login(world.school_admin)
    page = client.get(reverse("enrollment:letter-detail", args=[world.school_a.pk])).content.decode()
    assert reverse("enrollment:letter-batch-create", args=[world.class_a1.pk]) in page
    assert reverse("enrollment:letter-batch-create", args=[world.class_a2.pk]) in page
    client.force_login(world.bureau)
    page = client.get(reverse("enrollment:letter-detail", args=[world.school_a.pk])).content.decode()
    assert "/batch/" not in page


def test_download_names_the_class(client, world, media):
    batch = LetterBatch.objects.create(
        school=world.school_a, school_year=world.school_year, admin_class=world.class_a1,
        requested_by=world.class_teacher, total=2, done=2, status=LetterBatch.Status.DONE,
    )  # fmt: skip
    batch.file.save("letters-test.pdf", ContentFile(b"%PDF-1.4\n"))
    client.force_login(world.class_teacher)
    response = client.get(reverse("enrollment:letter-batch-download", args=[batch.pk]))
    assert response.status_code == 200 and response.filename.startswith("甲乡中心小学-")


# ---------------------------------------------------------------- what it costs


def test_time_to_render_a_45_letter_class(world, media, tmp_path, capsys):
    """A number for the project note (not a limit): how long the worker takes for a full class of 45."""
    fill_plan(world.plan_filed)
    big = AdminClassFactory(school=world.school_a, grade=6, number=3)
    Student.objects.bulk_create(
        [
            Student(
                school=world.school_a,
                admin_class=big,
                name=f"学生{i:02d}",
                gender="M",
                birth_date=datetime.date(2015, 3, 1),
            )
            for i in range(45)
        ]
    )
    with translation.override("zh-hans"):
        batch = services.letter_batch_request(actor=world.school_admin, admin_class=big, base_url="http://x")
    started, cpu_started = time.perf_counter(), time.process_time()
    batch = services.letter_batch_run(batch_id=batch.pk, base_url="http://x")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    assert batch.status == LetterBatch.Status.DONE and batch.done == batch.total == 45
    with batch.file.open("rb") as f:
        pages, _fonts = pdf_pages(f.read(), tmp_path, "class.pdf")
    assert len(letter_starts(pages, batch)) == 45  # one letter per student, each on a new page
    with capsys.disabled():
        print(
            f"\n[letters] 45-letter class batch: {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU, "
            f"{len(pages)} pages, {batch.file.size // 1024} KiB"
        )


def test_the_letter_is_dated_when_its_plan_was_filed_not_when_it_is_printed(db):
    """Issue 15 §7: a letter printed in December that asks for applications by 30 September is dated in August."""
    plan = SchoolPlanFactory(filed=True, filed_at=timezone.make_aware(datetime.datetime(2026, 8, 27, 15, 0)))
    context = reports.letter_context(school=plan.school, school_year=plan.school_year, plan=plan)
    assert context["issued_on"] == datetime.date(2026, 8, 27)
