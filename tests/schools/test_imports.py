"""Roster import (issue 4, item 8): template, check with every bad row listed, all-or-nothing import."""

import datetime
import io
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from schools.models import AdminClass, Guardian, RosterImport, Student, StudentGuardian
from schools.rules.roster import id_number_check_char
from schools.services import imports as services
from tests.factories import AdminClassFactory, GuardianFactory, StudentFactory
from xiji_afterschool.errors import DomainError

HEADER_ZH = [
    "学生姓名",
    "年级",
    "班号",
    "性别",
    "出生日期",
    "身份证号",
    "是否住校",
    "监护人姓名",
    "与学生关系",
    "监护人手机号",
]
HEADER_EN = [
    "Student name", "Grade", "Class number", "Gender", "Birth date", "Resident ID number", "Boarder", "Guardian name",
    "Relation", "Guardian mobile",
]  # fmt: skip
CN_GRADES = "一二三四五六"


def id_number(birth: datetime.date, k: int, male: bool, region="640402") -> str:
    """A valid ID outside the factories' region (640422), so it never collides with the `world` pupils."""
    body = f"{region}{birth:%Y%m%d}{(k % 450) * 2 + (1 if male else 0):03d}"
    return body + id_number_check_char(body)


def pupil(i: int) -> list:
    """Row i of a generated roster: grades 1–6, classes 1–4; every tenth pupil shares the previous one's guardian."""
    birth = datetime.date(2012 + i % 6, 1 + i % 12, 1 + i % 28)
    male = bool(i % 2)
    guardian = i - 1 if i % 10 == 9 else i
    return [
        f"学生{i:04d}", f"{CN_GRADES[i % 6]}年级", 1 + (i // 6) % 4, "男" if male else "女", birth.isoformat(),
        id_number(birth, i, male), "是" if i % 3 == 0 else "否", f"家长{guardian:04d}", "母亲", f"137{guardian:08d}",
    ]  # fmt: skip


def workbook(rows, header=HEADER_ZH) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx(rows, header=HEADER_ZH, name="花名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook(rows, header))


def counts():
    return Student.objects.count(), Guardian.objects.count(), StudentGuardian.objects.count()


@pytest.fixture
def en_client(client):
    """A browser asking for English: the pages and the stored problems are then in English."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def school(world, media):
    """school_a with classes 1–4 in grades 1–6 (class_a1 and class_a2 are among them)."""
    for grade in range(1, 7):
        for number in range(1, 5):
            AdminClass.objects.get_or_create(school=world.school_a, grade=grade, number=number)
    return world.school_a


def check(world, school, rows, **kw) -> RosterImport:
    """Upload (stored, queued) and run the worker's check here, as the task would."""
    roster_import = services.roster_import_check(actor=world.school_admin, school=school, upload=xlsx(rows, **kw))
    assert roster_import.status == RosterImport.Status.PENDING  # nothing parsed in the request
    services.roster_import_check_run(import_id=roster_import.pk)
    roster_import.refresh_from_db()
    return roster_import


def apply(world, roster_import) -> RosterImport:
    return services.roster_import_apply(actor=world.school_admin, roster_import=roster_import)


# ---------------------------------------------------------------- the 1,000-row roster


def test_thousand_rows_with_one_bad_one_lists_that_row_and_writes_nothing_then_the_fixed_file_imports(
    world, school, english
):
    rows = [pupil(i) for i in range(1000)]
    good_id = rows[500][5]
    rows[500][5] = good_id[:17] + ("0" if good_id[17] != "0" else "1")  # a wrong check digit
    before = counts()

    started = time.perf_counter()
    bad = check(world, school, rows)
    checked_bad = time.perf_counter() - started

    assert bad.status == RosterImport.Status.HAS_ERRORS and bad.row_count == 1000
    assert [e["row"] for e in bad.errors] == [502]  # Excel's row number: the header is row 1
    assert "Resident ID number" in bad.errors[0]["message"] and "check digit" in bad.errors[0]["message"]
    with pytest.raises(DomainError):
        apply(world, bad)
    assert counts() == before

    rows[500][5] = good_id
    started = time.perf_counter()
    ready = check(world, school, rows)
    checked = time.perf_counter() - started
    assert ready.status == RosterImport.Status.READY and ready.errors == []
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        done = apply(world, ready)
    imported = time.perf_counter() - started
    print(
        f"\n1,000 rows: check with one bad row {checked_bad:.2f} s, check {checked:.2f} s, "
        f"import {imported:.2f} s in {len(queries)} queries"
    )
    # Bulk operations: a few queries per hundred rows (SQLite allows 999 parameters a statement), not one per row.
    assert len(queries) < 60

    assert done.status == RosterImport.Status.IMPORTED and done.imported_at is not None
    assert (done.students_created, done.students_updated, done.guardians_created) == (1000, 0, 900)
    assert counts() == (before[0] + 1000, before[1] + 900, before[2] + 1000)
    assert imported < 10
    siblings = Student.objects.filter(name__in=["学生0008", "学生0009"]).order_by("name")
    assert {link.guardian.mobile for s in siblings for link in s.guardian_links.all()} == {"13700000008"}
    assert all(s.guardian_links.get().is_primary for s in siblings)
    boarder = Student.objects.get(name="学生0003")
    assert (boarder.admin_class.grade, boarder.admin_class.number, boarder.is_boarder) == (4, 1, True)
    assert (boarder.birth_date, boarder.gender) == (datetime.date(2015, 4, 4), "M")


# ---------------------------------------------------------------- each kind of bad row


def _change(column: int, value):
    def change(rows, world):
        rows[1][column] = value(world) if callable(value) else value

    return change


def _wrong_check_digit(rows, world):
    rows[1][5] = rows[1][5][:17] + ("0" if rows[1][5][17] != "0" else "1")


def _duplicate_id(rows, world):
    rows[2][5] = rows[1][5]
    rows[2][4], rows[2][3] = rows[1][4], rows[1][3]


def _duplicate_row(rows, world):
    rows[2] = list(rows[1])


BAD_ROWS = {
    "id_check_digit": (_wrong_check_digit, 3, "check digit"),
    "id_shape": (_change(5, "64040220150308"), 3, "18 characters"),
    "mobile": (_change(9, "1234567"), 3, "11-digit"),
    "unknown_class": (_change(2, 9), 3, "no class"),
    "unknown_grade_label": (_change(1, "十年级"), 3, "is not a grade"),
    "grade_without_classes": (_change(1, "高一"), 3, "no class"),
    "duplicate_id_in_file": (_duplicate_id, 4, "same ID number is in row 3"),
    "duplicate_row": (_duplicate_row, 4, "same as row 3"),
    "id_of_another_schools_student": (_change(5, lambda w: w.child_b.id_number), 3, "another school"),
    "impossible_date": (_change(4, "2015-02-30"), 3, "does not exist"),
    "future_date": (_change(4, "2099-01-01"), 3, "not possible"),
    "date_shape": (_change(4, "March 2015"), 3, "like 2015-03-08"),
    "birth_date_differs_from_id": (_change(4, "2012-01-02"), 3, "inside the ID number"),
    "missing_name": (_change(0, ""), 3, "required"),
    "missing_mobile": (_change(9, None), 3, "required"),
    "gender": (_change(3, "?"), 3, "男 or 女"),
    "relation": (_change(8, "邻居"), 3, "父亲"),
    "boarder": (_change(6, "maybe"), 3, "是 or 否"),
    "id_as_rounded_number": (_change(5, 640402201503080000.0), 3, "lost digits"),
    "id_region_000000": (_change(5, id_number(datetime.date(2013, 2, 2), 1, True, region="000000")), 3, "region code"),
    "mobile_unallocated": (_change(9, "14012345678"), 3, "No mainland mobile"),
    "name_with_bidi_override": (_change(0, "\u202e马明"), 3, "invisible or control character (U+202E)"),
    "guardian_name_with_zero_width_space": (_change(7, "马\u200b文"), 3, "invisible or control character (U+200B)"),
}


@pytest.mark.parametrize("kind", sorted(BAD_ROWS))
def test_each_kind_of_bad_row_is_listed_with_its_reason_and_nothing_is_written(world, school, english, kind):
    change, row, reason = BAD_ROWS[kind]
    rows = [pupil(i) for i in range(3)]
    change(rows, world)
    before = counts()
    result = check(world, school, rows)
    assert result.status == RosterImport.Status.HAS_ERRORS
    assert [e["row"] for e in result.errors] == [row], result.errors
    assert reason in result.errors[0]["message"]
    assert counts() == before


def test_problems_are_in_the_uploaders_language(world, school):
    rows = [pupil(0)]
    rows[0][9] = "12345"
    with translation.override("zh-hans"):
        result = check(world, school, rows)
    assert "11位" in result.errors[0]["message"] or "手机" in result.errors[0]["message"], result.errors


def test_a_student_of_the_school_without_id_twice_in_the_file_is_a_duplicate(world, school, english):
    rows = [pupil(1), pupil(1)]
    rows[0][5] = rows[1][5] = ""
    rows[1][7], rows[1][9] = "另一位家长", "13611112222"
    result = check(world, school, rows)
    assert [(e["row"], "row 2" in e["message"]) for e in result.errors] == [(3, True)]


# ---------------------------------------------------------------- accepted spellings


def test_english_headers_and_values_import(world, school):
    birth = datetime.date(2014, 9, 1)
    rows = [
        ["Ma Xiaoming", "Grade 3", 2, "Male", birth, id_number(birth, 7, True), "Yes", "Ma Wen", "Grandfather",
         "+86 137-0000-0001"],
        ["Li Hong", 4, "(1)班", "female", "2014/9/2", "", "no", "Li Jun", "Other", 13700000002],
    ]  # fmt: skip
    result = check(world, school, rows, header=HEADER_EN)
    assert result.status == RosterImport.Status.READY, result.errors
    apply(world, result)
    ma = Student.objects.get(name="Ma Xiaoming")
    assert (ma.admin_class.grade, ma.admin_class.number, ma.gender, ma.is_boarder) == (3, 2, "M", True)
    link = ma.guardian_links.get()
    assert (link.guardian.mobile, link.relation, link.is_primary) == ("13700000001", "grandfather", True)
    li = Student.objects.get(name="Li Hong")
    assert (li.grade, li.birth_date, li.id_number, li.gender) == (4, datetime.date(2014, 9, 2), None, "F")
    assert li.guardian_links.get().relation == "other"


def test_full_width_id_and_mobile_are_stored_in_ascii_and_names_intact(world, school):
    """Typed on a Chinese keyboard in full-width mode: the same ID and mobile as ASCII, stored as ASCII; a Hui name
    with a katakana middle dot gets U+00B7, a rare character (Extension B) stays."""
    birth = datetime.date(2014, 9, 1)
    ascii_id = id_number(birth, 7, True)
    wide = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    rows = [pupil(1)]
    rows[0][:6] = ["𠮷祥", "三年级", 2, "男", birth.isoformat(), ascii_id.translate(wide)]
    rows[0][7], rows[0][9] = "穆罕默德・伊斯哈格", "＋８６ １３７－００００－０００１"
    result = check(world, school, rows)
    assert result.status == RosterImport.Status.READY, result.errors
    apply(world, result)
    student = Student.objects.by_id_number(ascii_id).get()
    guardian = student.guardian_links.get().guardian
    assert (student.name, guardian.name, guardian.mobile) == ("𠮷祥", "穆罕默德·伊斯哈格", "13700000001")


def test_chinese_headers_with_required_marks_and_chinese_values_import(world, school):
    header = [h + " *" for h in HEADER_ZH]
    rows = [pupil(4)]
    rows[0][1], rows[0][8] = "五年级", "外祖母"
    result = check(world, school, rows, header=header)
    assert result.status == RosterImport.Status.READY
    apply(world, result)
    student = Student.objects.get(name="学生0004")
    assert student.grade == 5 and student.guardian_links.get().relation == "grandmother"


def test_a_file_that_is_not_the_template_is_refused_with_a_message(world, school, english):
    before = counts()
    not_template = check(world, school, [["a", "b"]], header=["姓名", "备注"])
    assert not_template.status == RosterImport.Status.FAILED and "columns are missing" in not_template.error
    empty = check(world, school, [])
    assert empty.status == RosterImport.Status.FAILED and "no students" in empty.error
    assert counts() == before


# ---------------------------------------------------------------- re-import, guardians, all-or-nothing


def test_reimport_updates_students_instead_of_duplicating_and_keeps_guardian_names(world, school):
    rows = [pupil(i) for i in range(3)]
    apply(world, check(world, school, rows))
    before = counts()
    rows[0][0], rows[0][1], rows[0][2], rows[0][6] = "学生零号", "六年级", 4, "否"  # renamed, moved, no longer boards
    rows[1][7] = "改了名字的家长"
    again = apply(world, check(world, school, rows))
    assert (again.students_created, again.students_updated, again.guardians_created) == (0, 3, 0)
    assert counts() == before
    moved = Student.objects.by_id_number(rows[0][5]).get()
    assert (moved.name, moved.grade, moved.admin_class.number, moved.is_boarder) == ("学生零号", 6, 4, False)
    assert Guardian.objects.by_mobile(rows[1][9]).get().name == "家长0001"


def test_students_without_id_are_matched_by_name_and_birth_date(world, school):
    rows = [pupil(2)]
    rows[0][5] = ""
    apply(world, check(world, school, rows))
    rows[0][2] = 3
    rows[0][5] = id_number(datetime.date.fromisoformat(rows[0][4]), 2, False)  # the ID is added on the second run
    again = apply(world, check(world, school, rows))
    assert (again.students_created, again.students_updated) == (0, 1)
    assert Student.objects.get(name="学生0002").id_number == rows[0][5]


def test_existing_guardian_is_linked_and_a_student_with_a_primary_guardian_keeps_it(world, school):
    known = GuardianFactory(name="马文清本人", mobile="13912345678")
    child = world.child  # of `parent`, whose link is primary
    row = [child.name, "四年级", 1, "男", child.birth_date.isoformat(), child.id_number, "是", "别的名字", "祖父",
           "139 1234 5678"]  # fmt: skip
    result = apply(world, check(world, school, [row]))
    assert (result.students_created, result.students_updated, result.guardians_created) == (0, 1, 0)
    child.refresh_from_db()
    assert (child.grade, child.is_boarder) == (4, True)
    links = {link.guardian_id: link for link in child.guardian_links.all()}
    assert len(links) == 2 and links[known.pk].is_primary is False and links[known.pk].relation == "grandfather"
    assert Guardian.objects.get(pk=known.pk).name == "马文清本人"


def test_import_is_all_or_nothing_when_the_database_fails_midway(world, school, monkeypatch, english):
    result = check(world, school, [pupil(i) for i in range(20)])
    before = counts()

    def boom(*args, **kwargs):
        assert Student.objects.count() == before[0] + 20  # the students were written when it fails
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(StudentGuardian.objects, "bulk_create", boom)
    with pytest.raises(DomainError, match="nothing was imported"):
        apply(world, result)
    assert counts() == before
    result.refresh_from_db()
    assert result.status == RosterImport.Status.READY and result.imported_at is None


def test_unexpected_database_error_rolls_everything_back(world, school, monkeypatch):
    result = check(world, school, [pupil(i) for i in range(5)])
    before = counts()
    monkeypatch.setattr(StudentGuardian.objects, "bulk_create", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        apply(world, result)
    assert counts() == before


def test_importing_twice_is_refused(world, school, english):
    result = apply(world, check(world, school, [pupil(1)]))
    before = counts()
    with pytest.raises(DomainError, match="already been imported"):
        apply(world, result)
    assert counts() == before


def test_stale_check_makes_the_import_fail_with_the_new_problems_and_write_nothing(world, school, english):
    rows = [pupil(i) for i in range(4)]
    result = check(world, school, rows)
    assert result.status == RosterImport.Status.READY
    # Meanwhile grade 3 class 1's pupils move on and the class is closed; another school enrols pupil 1.
    emptied = AdminClassFactory(school=school, grade=2, number=9)
    Student.objects.filter(admin_class=world.class_a1).update(admin_class=emptied)
    AdminClass.objects.filter(school=school, grade=3, number=1).delete()
    StudentFactory(admin_class=world.class_b1, id_number=rows[1][5])
    before = counts()
    result = apply(world, result)
    assert result.status == RosterImport.Status.HAS_ERRORS
    assert [e["row"] for e in result.errors] == [3, 4]  # pupil 1: another school's ID; pupil 2: 三年级1班 is gone
    assert counts() == before


# ---------------------------------------------------------------- the template


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_template_opens_has_headers_and_round_trips(
    client, world, school, language, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(world.school_admin)
    with translation.override(language):
        response = client.get(
            reverse("schools:roster-import-template", args=[school.pk]), HTTP_ACCEPT_LANGUAGE=language
        )
        labels = [str(c.label) for c in services.COLUMNS]
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet, notes = book.worksheets
    header = [c.value for c in sheet[1]]
    assert [h.rstrip(" *") for h in header] == labels
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.max_row == 1  # no example under the headers: it cannot be imported by mistake
    texts = " ".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
    assert "父亲" in texts or "Father" in texts
    example = [c.value for c in notes[notes.max_row - 3]]
    assert example[0] == "马小明"
    # Filled in and uploaded again, the template reads back.
    sheet.append(pupil(6))
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("filled.xlsx", buffer.getvalue())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("schools:roster-import-upload", args=[school.pk]), {"file": upload})
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302 and roster_import.status == RosterImport.Status.READY, roster_import.errors


# ---------------------------------------------------------------- views


def test_upload_check_preview_and_import_through_the_pages(
    en_client, world, school, eager_celery, django_capture_on_commit_callbacks
):
    client = en_client
    client.force_login(world.school_admin)
    upload_url = reverse("schools:roster-import-upload", args=[school.pk])
    assert client.get(upload_url).status_code == 200
    rows = [pupil(i) for i in range(3)]
    rows[2][9] = "10086"
    with django_capture_on_commit_callbacks(execute=True):  # the check runs in the (eager) worker
        response = client.post(upload_url, {"file": xlsx(rows)})
    bad = RosterImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "schools:roster-import-detail", args=[bad.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert 'data-row="4"' in page and "11-digit" in page
    assert reverse("schools:roster-import-confirm", args=[bad.pk]) not in page  # no import button
    assert client.post(reverse("schools:roster-import-confirm", args=[bad.pk])).status_code == 302
    assert Student.objects.filter(name__startswith="学生").count() == 0

    rows[2][9] = "13700000002"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(upload_url, {"file": xlsx(rows)})
    ready = RosterImport.objects.get(status=RosterImport.Status.READY)
    page = client.get(reverse("schools:roster-import-detail", args=[ready.pk])).content.decode()
    assert reverse("schools:roster-import-confirm", args=[ready.pk]) in page
    response = client.post(reverse("schools:roster-import-confirm", args=[ready.pk]), follow=True)
    assert "3 students added" in response.content.decode()
    assert Student.objects.filter(name__startswith="学生").count() == 3


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"name,grade\n", "roster.xlsx", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "roster.xls", "97-2003"),
        (b"PK\x03\x04broken zip", "roster.xlsx", "not an Excel workbook"),
        (b"", "empty.xlsx", "empty"),
    ],
)
def test_upload_of_a_wrong_file_shows_a_message_and_stores_nothing(en_client, world, school, content, name, message):
    client = en_client
    client.force_login(world.school_admin)
    response = client.post(
        reverse("schools:roster-import-upload", args=[school.pk]), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert RosterImport.objects.count() == 0


def test_upload_larger_than_5_mb_is_refused(world, school, english):
    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024))
    with pytest.raises(DomainError, match="5 MB"):
        services.roster_import_check(actor=world.school_admin, school=school, upload=big)


def test_bad_rows_are_paginated(client, world, school):
    rows = [pupil(i) for i in range(120)]
    for row in rows:
        row[9] = "123"
    result = check(world, school, rows)
    assert len(result.errors) == 120
    client.force_login(world.school_admin)
    url = reverse("schools:roster-import-detail", args=[result.pk])
    assert client.get(url).content.decode().count("data-row=") == 50
    assert client.get(url + "?page=3").content.decode().count("data-row=") == 20


def test_pages_use_few_queries(client, world, school, django_assert_max_num_queries):
    for i in range(5):
        check(world, school, [pupil(i)])
    client.force_login(world.school_admin)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("schools:roster-import-upload", args=[school.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        pk = RosterImport.objects.first().pk
        assert client.get(reverse("schools:roster-import-detail", args=[pk])).status_code == 200


# ---------------------------------------------------------------- access


def test_another_schools_admin_gets_404_and_the_class_teacher_403_and_nothing_is_written(client, world, school):
    result = check(world, school, [pupil(1)])
    before = counts()
    upload = reverse("schools:roster-import-upload", args=[school.pk])
    confirm = reverse("schools:roster-import-confirm", args=[result.pk])
    for actor, status in [("other_school_admin", 404), ("class_teacher", 403)]:
        client.force_login(getattr(world, actor))
        assert client.post(upload, {"file": xlsx([pupil(2)])}).status_code == status
        assert client.get(reverse("schools:roster-import-template", args=[school.pk])).status_code == status
        assert client.post(confirm).status_code == 404  # imports are seen by the school's administrators only
        assert client.get(reverse("schools:roster-import-detail", args=[result.pk])).status_code == 404
    assert counts() == before and RosterImport.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.roster_import_apply(actor=world.class_teacher, roster_import=result)
