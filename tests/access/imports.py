"""Access rows for the roster import (issue 4, item 8): only the school's own administrator."""

import io

from openpyxl import Workbook

from schools.models import RosterImport

from .cases import Case, only

# Who sees school_a but may not import its roster (403); everyone else is outside the scope (404).
SCHOOL_A_WITHOUT_RIGHT = {
    a: 403
    for a in (
        "parent", "other_parent", "class_teacher", "service_teacher", "volunteer", "township", "bureau", "finance",
        "inspector", "hr", "auditor",
    )
}  # fmt: skip
FILE_NAME = "imports/roster/access.xlsx"


def _roster_import(w) -> RosterImport:
    """A checked, importable upload of school_a, made on first use."""
    if getattr(w, "_roster_import", None) is None:
        w._roster_import = RosterImport.objects.create(
            school=w.school_a, uploaded_by=w.school_admin, file=FILE_NAME, original_name="花名册.xlsx",
            status=RosterImport.Status.READY, row_count=1,
        )  # fmt: skip
    return w._roster_import


def _write_file(w, tmp_path):
    """The stored workbook: one new pupil of class_a1 (三年级1班), so the administrator's import succeeds."""
    book = Workbook()
    book.active.append(
        [
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
    )
    book.active.append(["马小军", "三年级", 1, "男", "2015-03-08", "", "否", "马文军", "父亲", "13709540001"])
    buffer = io.BytesIO()
    book.save(buffer)
    (tmp_path / FILE_NAME).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / FILE_NAME).write_bytes(buffer.getvalue())


def _failed(w, tmp_path):
    RosterImport.objects.filter(pk=_roster_import(w).pk).update(status=RosterImport.Status.FAILED, error="queue down")


MATRIX = {
    "schools:roster-import-template": Case(
        args=lambda w: [w.school_a.pk], ok={"school_admin": 200, **SCHOOL_A_WITHOUT_RIGHT}, default=404
    ),
    "schools:roster-import-upload": Case(
        args=lambda w: [w.school_a.pk], ok={"school_admin": 200, **SCHOOL_A_WITHOUT_RIGHT}, default=404
    ),
    "schools:roster-import-detail": only("school_admin", default=404, args=lambda w: [_roster_import(w).pk]),
    "schools:roster-import-confirm": only(
        "school_admin",
        status=302,
        default=404,
        method="post",
        args=lambda w: [_roster_import(w).pk],
        setup=_write_file,
    ),
    "schools:roster-import-retry": only(
        "school_admin", status=302, default=404, method="post", args=lambda w: [_roster_import(w).pk], setup=_failed
    ),
}
