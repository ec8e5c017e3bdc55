"""Roster import (issue 4, item 8): a school's students and guardians from an Excel workbook.

Three steps, each its own entry point:
- `roster_import_template`: the workbook a school fills in (headers in the current language, a sheet of
  instructions with an example row).
- `roster_import_check`: the upload is stored (cheap checks only: size, type) and a job queued (issue #13, item
  8: a crafted workbook must not tie up a web worker); `roster_import_check_run`, in the worker under a time
  limit, refuses a zip whose unpacked size passes XIJI_IMPORT_MAX_UNPACKED_MB before opening it, parses it
  (openpyxl read-only) with progress and validates EVERY row; the problems are stored with their row numbers in
  the uploader's language, and the import is READY or HAS_ERRORS (FAILED for a file that cannot be read).
  Nothing of the roster is written.
- `roster_import_apply`: the stored file is read and validated again (the roster may have changed since the
  check), then every row is written in one transaction with bulk operations, or nothing is.

The parser accepts the Chinese and the English header names whatever the language of the template.
"""

import datetime
import io
import logging
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xiji_afterschool import exports, jobs, permissions
from xiji_afterschool.errors import DomainError
from xiji_afterschool.fields import derived_fields, refresh_derived

from ..models import AdminClass, Grade, Guardian, RosterImport, School, Student, StudentGuardian
from ..rules import roster as roster_rules
from . import audit as audit_services

log = logging.getLogger("xiji.schools")

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000  # the largest school of the county has about 3,000 students
PROGRESS_EVERY = 200  # sheet rows between two progress writes
# The unpacked-size cap is settings.XIJI_IMPORT_MAX_UNPACKED_MB (20 MB: a 5,000-row roster unpacks to about 2 MB).
OLDEST_AGE, YOUNGEST_AGE = 25, 2  # years: a birth date outside this range is a typing mistake


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazily translated header
    aliases: tuple[str, ...]  # other accepted header names (the Chinese ones first)
    required: bool = True
    width: int = 14


# The accepted headers in both languages do not depend on the catalog: a Chinese workbook reads the same
# whichever language the uploader's browser asks for.
COLUMNS = (
    Column("name", gettext_lazy("Student name"), ("学生姓名", "姓名", "Name", "Student")),
    Column("grade", gettext_lazy("Grade"), ("年级",)),
    Column("class_number", gettext_lazy("Class number"), ("班号", "班级", "班", "Class")),
    Column("gender", gettext_lazy("Gender"), ("性别", "Sex")),
    Column("birth_date", gettext_lazy("Birth date"), ("出生日期", "出生年月日", "Date of birth"), width=14),
    Column(
        "id_number",
        gettext_lazy("Resident ID number"),
        ("身份证号", "身份证号码", "居民身份证号码", "ID number"),
        required=False,
        width=22,
    ),
    Column("is_boarder", gettext_lazy("Boarder"), ("是否住校", "住校", "住校生", "寄宿"), required=False, width=10),
    Column("guardian_name", gettext_lazy("Guardian name"), ("监护人姓名", "家长姓名", "监护人")),
    Column("relation", gettext_lazy("Relation"), ("与学生关系", "关系", "Relation to student", "Relationship")),
    Column(
        "guardian_mobile",
        gettext_lazy("Guardian mobile"),
        ("监护人手机号", "监护人手机", "家长手机号", "手机号", "手机号码", "Mobile", "Mobile number"),
        width=16,
    ),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
YES_NO = {
    "是": True, "否": False, "住校": True, "走读": False, "y": True, "n": False, "yes": True, "no": False,
    "true": True, "false": False, "1": True, "0": False, "": False,
}  # fmt: skip
R = StudentGuardian.Relation
RELATIONS = {
    "父亲": R.FATHER, "母亲": R.MOTHER, "祖父": R.GRANDFATHER, "祖母": R.GRANDMOTHER, "外祖父": R.GRANDFATHER,
    "外祖母": R.GRANDMOTHER, "其他": R.OTHER, "其他监护人": R.OTHER,
    "爸爸": R.FATHER, "妈妈": R.MOTHER, "爷爷": R.GRANDFATHER, "奶奶": R.GRANDMOTHER, "外公": R.GRANDFATHER,
    "外婆": R.GRANDMOTHER, "姥爷": R.GRANDFATHER, "姥姥": R.GRANDMOTHER,
    "father": R.FATHER, "mother": R.MOTHER, "grandfather": R.GRANDFATHER, "grandmother": R.GRANDMOTHER,
    "other": R.OTHER, "other guardian": R.OTHER,
}  # fmt: skip
_CN_DIGITS = "一二三四五六七八九"
GRADES: dict[str, int] = {
    **{f"{d}年级": i for i, d in enumerate(_CN_DIGITS, start=1)},
    **{f"{i}年级": i for i in range(1, 10)},
    **{f"初{d}": i for i, d in enumerate("一二三", start=7)},
    **{f"高{d}": i for i, d in enumerate("一二三", start=10)},
    "小班": -2, "中班": -1, "大班": 0,
    **{f"grade{i}": i for i in range(1, 10)},
    **{f"seniorgrade{i}": i + 9 for i in range(1, 4)},
    "kindergartensmallclass": -2, "kindergartenmiddleclass": -1, "kindergartenlargeclass": 0,
}  # fmt: skip

# Shown in the template's dropdowns and instructions, in the language the template is made in.
CHOICE_WORDS = {
    "zh": {"gender": ["男", "女"], "is_boarder": ["是", "否"], "relation": ["父亲", "母亲", "祖父", "祖母", "外祖父", "外祖母", "其他"]},
    "en": {"gender": ["Male", "Female"], "is_boarder": ["Yes", "No"], "relation": ["Father", "Mother", "Grandfather", "Grandmother", "Other"]},
}  # fmt: skip


def _choice_words() -> dict:
    return CHOICE_WORDS["zh" if (translation.get_language() or "zh").startswith("zh") else "en"]


def _key(text) -> str:
    """A header or word as compared: no spaces, no required-marker, case-folded."""
    text = re.sub(r"[\s*＊]|（必填）|\(必填\)|\(required\)|\(optional\)|（选填）|\(选填\)", "", str(text or ""))
    return text.casefold()


def _header_map() -> dict[str, str]:
    names: dict[str, str] = {}
    for column in COLUMNS:
        spelled = [*column.aliases]
        for language in ("en", "zh-hans"):
            with translation.override(language):
                spelled.append(str(column.label))
        spelled.append(str(column.label))  # the current language, should it be neither
        for name in spelled:
            names.setdefault(_key(name), column.key)
    return names


@dataclass
class Row:
    number: int  # the Excel row number the school sees
    values: dict
    problems: list[str] = field(default_factory=list)
    # filled when valid
    name: str = ""
    admin_class: AdminClass | None = None
    gender: str = ""
    birth_date: datetime.date | None = None
    id_number: str = ""
    is_boarder: bool = False
    guardian_name: str = ""
    relation: str = ""
    mobile: str = ""

    def add(self, column: str, message) -> None:
        self.problems.append(_("%(column)s: %(problem)s") % {"column": COLUMN_BY_KEY[column].label, "problem": message})


def _check_upload(data: bytes) -> None:
    """The checks of an upload that unpack nothing (cheap enough for the request, repeated by the worker):
    DomainError with a message the school can act on.

    An .xlsx is a zip: the sizes its directory declares are added up BEFORE anything is unpacked, so a small file
    that unpacks into hundreds of megabytes (issue #13: 116 KB → 59 MB) is refused without being parsed. A member
    that unpacks past its declared size fails inside zipfile, which checks sizes and CRCs as it reads."""
    if not data:
        raise DomainError(_("The file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError(_("The file is larger than 5 MB. A roster of a few thousand students is far smaller."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DomainError(
            _("This is an old Excel 97-2003 (.xls) file. Open it in Excel or WPS and save it as .xlsx, then upload it.")
        )
    if not data.startswith(b"PK\x03\x04"):
        raise _not_xlsx()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception:  # BadZipFile, a truncated directory…
        raise _not_xlsx() from None
    if unpacked > max_unpacked_bytes():
        raise DomainError(_("The workbook is too large to read. Keep only the roster sheet and try again."))


def _not_xlsx() -> DomainError:
    return DomainError(
        _("This file is not an Excel workbook (.xlsx). Download the template, fill it in and upload it.")
    )


def max_unpacked_bytes() -> int:
    return settings.XIJI_IMPORT_MAX_UNPACKED_MB * 1024 * 1024


def _open_workbook(data: bytes):
    """The workbook of an uploaded file (read-only), or DomainError with a message the school can act on."""
    _check_upload(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (BadZipFile, KeyError, InvalidFileException, XML errors)
        raise _not_xlsx() from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_rows(data: bytes, progress=None) -> list[Row]:
    """The non-empty rows of the first sheet under its header row; raises DomainError on a file-level problem.

    `progress(done, total)` is called every PROGRESS_EVERY sheet rows (the worker's heartbeat and progress)."""
    workbook = _open_workbook(data)
    try:
        sheet = workbook.worksheets[0]
        total = min(sheet.max_row or 0, MAX_ROWS + 1)  # as the sheet declares it; read-only mode may not know
        headers = _header_map()
        columns: dict[int, str] | None = None
        rows: list[Row] = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if progress is not None and number % PROGRESS_EVERY == 0:
                progress(number, max(total, number))
            if not any(_text(c) for c in cells):
                continue
            if columns is None:  # the first non-empty row is the header
                columns = {i: headers[_key(c)] for i, c in enumerate(cells) if _key(c) in headers}
                missing = [c for c in COLUMNS if c.required and c.key not in columns.values()]
                if missing:
                    raise DomainError(
                        _("Row %(row)s is not the template's header: these columns are missing: %(columns)s.")
                        % {"row": number, "columns": "、".join(str(c.label) for c in missing)}
                    )
                continue
            if len(rows) >= MAX_ROWS:
                raise DomainError(
                    _("The file has more than %(max)s rows; split it into several files.") % {"max": MAX_ROWS}
                )
            values = {key: (cells[i] if i < len(cells) else None) for i, key in columns.items()}
            rows.append(Row(number=number, values=values))
    except DomainError:
        raise
    except Exception:
        raise DomainError(_("The workbook could not be read. Save it again in Excel or WPS and upload it.")) from None
    finally:
        workbook.close()
    if columns is None:
        raise DomainError(_("The workbook is empty: fill in the template's first sheet."))
    if not rows:
        raise DomainError(_("The workbook has a header but no students."))
    return rows


def _parse_date(value) -> datetime.date | None:
    """A cell typed as a date, or text like 2015-03-08, 2015/3/8, 2015.3.8, 2015年3月8日 or 20150308.

    Raises ValueError for a date that does not exist (2015-02-30); returns None if the shape is unknown."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if not match:
        return None
    return datetime.date(*(int(g) for g in match.groups()))


def _parse_grade(value) -> int | None:
    text = _key(_text(value))
    if re.fullmatch(r"-?\d{1,2}", text):
        grade = int(text)
        return grade if grade in Grade.values else None
    if text in GRADES:
        return GRADES[text]
    for language in ("zh-hans", "en"):  # the labels the site shows, in either language
        with translation.override(language):
            for grade, label in Grade.choices:
                if _key(label) == text:
                    return grade
    return None


def _parse_class_number(value) -> int | None:
    text = re.sub(r"[()（）班\s]", "", _text(value))
    return int(text) if text.isdigit() and 0 < int(text) < 100 else None


def _check_name(row: Row, key: str, name: str) -> None:
    if len(name) > 50:
        row.add(key, _("At most 50 characters."))
        return
    try:
        roster_rules.validate_name(name)
    except ValidationError as exc:
        row.add(key, exc.messages[0])


def _check_row(row: Row, *, classes: dict) -> None:
    """The checks of one row that need nothing but the row and the school's classes."""
    v = row.values
    for column in COLUMNS:
        if column.required and not _text(v.get(column.key)):
            row.add(column.key, _("This value is required."))
    row.name = roster_rules.normalize_name(_text(v.get("name")))
    _check_name(row, "name", row.name)

    grade_text, number_text = _text(v.get("grade")), _text(v.get("class_number"))
    grade = _parse_grade(grade_text) if grade_text else None
    number = _parse_class_number(number_text) if number_text else None
    if grade_text and grade is None:
        row.add("grade", _("“%(value)s” is not a grade: write it like 三年级 or 3.") % {"value": grade_text})
    if number_text and number is None:
        row.add("class_number", _("“%(value)s” is not a class number: write it like 2.") % {"value": number_text})
    if grade is not None and number is not None:
        row.admin_class = classes.get((grade, number))
        if row.admin_class is None:
            row.add(
                "class_number",
                _("The school has no class %(grade)s (%(number)s). Add the class first, or correct the row.")
                % {"grade": Grade(grade).label, "number": number},
            )

    gender_text = _text(v.get("gender"))
    row.gender = GENDERS.get(_key(gender_text), "")
    if gender_text and not row.gender:
        row.add("gender", _("Write 男 or 女."))

    raw_date = v.get("birth_date")
    if _text(raw_date):
        try:
            row.birth_date = _parse_date(raw_date)
        except ValueError:
            row.add("birth_date", _("This date does not exist."))
        else:
            today = timezone.localdate()
            earliest = datetime.date(today.year - OLDEST_AGE, 1, 1)
            latest = today.replace(day=1).replace(year=today.year - YOUNGEST_AGE)
            if row.birth_date is None:
                row.add("birth_date", _("Write the date like 2015-03-08."))
            elif not earliest <= row.birth_date <= latest:
                row.add("birth_date", _("This birth date is not possible for a student."))
                row.birth_date = None

    raw_id = v.get("id_number")
    if isinstance(raw_id, float) and abs(raw_id) >= 1e15:
        # Excel keeps 15 significant digits: an ID typed into a number cell has lost its last ones.
        row.add("id_number", _("Excel stored this ID number as a number and lost digits: format the column as text."))
    elif _text(raw_id):
        row.id_number = roster_rules.normalize_id_number(_text(raw_id))
        try:
            roster_rules.validate_id_number(row.id_number)
        except ValidationError as exc:
            row.add("id_number", exc.messages[0])
            row.id_number = ""
        else:
            id_birth = datetime.date(int(row.id_number[6:10]), int(row.id_number[10:12]), int(row.id_number[12:14]))
            if row.birth_date and row.birth_date != id_birth:
                row.add(
                    "birth_date",
                    _("It differs from the birth date inside the ID number (%(date)s).")
                    % {"date": id_birth.isoformat()},
                )
            id_gender = "M" if int(row.id_number[16]) % 2 else "F"
            if row.gender and row.gender != id_gender:
                row.add("gender", _("It differs from the gender inside the ID number."))

    boarder_text = _key(_text(v.get("is_boarder")))
    if boarder_text in YES_NO:
        row.is_boarder = YES_NO[boarder_text]
    else:
        row.add("is_boarder", _("Write 是 or 否."))

    row.guardian_name = roster_rules.normalize_name(_text(v.get("guardian_name")))
    _check_name(row, "guardian_name", row.guardian_name)
    relation_text = _text(v.get("relation"))
    row.relation = RELATIONS.get(_key(relation_text), "")
    if relation_text and not row.relation:
        row.add("relation", _("Write one of %(values)s.") % {"values": "、".join(CHOICE_WORDS["zh"]["relation"])})
    mobile_text = _text(v.get("guardian_mobile"))
    if mobile_text:
        row.mobile = roster_rules.normalize_mobile(mobile_text)
        try:
            roster_rules.validate_mobile(row.mobile)
        except ValidationError as exc:
            row.add("guardian_mobile", exc.messages[0])
            row.mobile = ""


def _validate(*, school: School, rows: list[Row]) -> None:
    """Every check of every row, against the file itself and the roster as stored now (a few queries)."""
    classes = {(c.grade, c.number): c for c in AdminClass.objects.filter(school=school)}
    for row in rows:
        _check_row(row, classes=classes)

    seen_rows: dict[tuple, int] = {}
    seen_ids: dict[str, int] = {}
    seen_students: dict[tuple, int] = {}
    for row in rows:
        signature = tuple(_key(_text(row.values.get(c.key))) for c in COLUMNS)
        if signature in seen_rows:
            row.problems.insert(0, _("The same as row %(row)s.") % {"row": seen_rows[signature]})
            continue
        seen_rows[signature] = row.number
        if row.id_number:
            if row.id_number in seen_ids:
                row.add(
                    "id_number",
                    _("The same ID number is in row %(row)s: one row per student.") % {"row": seen_ids[row.id_number]},
                )
            else:
                seen_ids[row.id_number] = row.number
        elif row.name and row.birth_date and row.admin_class:
            same = (row.name, row.birth_date, row.admin_class.pk)
            if same in seen_students:
                row.add(
                    "name",
                    _("The same student (name, birth date and class) is in row %(row)s: one row per student.")
                    % {"row": seen_students[same]},
                )
            else:
                seen_students[same] = row.number

    # An ID number is unique in the county: one already on another school's roster cannot be imported here
    # (the school it belongs to is not named: that is another school's pupil).
    elsewhere = set(
        Student.objects.by_id_numbers(list(seen_ids)).exclude(school=school).values_list("id_number", flat=True)
    )
    for row in rows:
        if row.id_number in elsewhere:
            row.add(
                "id_number",
                _("A student of another school has this ID number. If the student moved here, ask the bureau."),
            )
    # Students on file without an ID number are matched by name and birth date; two such matches are ambiguous.
    without_id = _students_without_id(school, rows)
    for row in rows:
        if not row.problems and not row.id_number and len(without_id.get((row.name, row.birth_date), [])) > 1:
            row.add("name", _("Several students of the school have this name and birth date: add the ID number."))


def _students_without_id(school: School, rows: list[Row]) -> dict[tuple, list[Student]]:
    names = {row.name for row in rows if row.name}
    found = defaultdict(list)
    for student in Student.objects.filter(school=school, id_number__isnull=True, name__in=names):
        found[(student.name, student.birth_date)].append(student)
    return found


def _problems(rows: list[Row]) -> list[dict]:
    return [{"row": r.number, "message": " ".join(str(p) for p in r.problems)} for r in rows if r.problems]


# ---------------------------------------------------------------- template


def roster_import_template(*, actor, school: School) -> bytes:
    """The workbook a school fills in: headers in the current language, instructions and an example on sheet 2.

    The example row sits on the instructions sheet, not under the headers, so it is never imported by mistake.
    Raises PermissionDenied unless actor may import the school's roster."""
    permissions.require(actor, "roster.import", school)
    words = _choice_words()
    bold = Font(bold=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")
    for index, column in enumerate(COLUMNS, start=1):
        cell = exports.safe_cell_value(
            sheet.cell(row=1, column=index, value=str(column.label) + (" *" if column.required else ""))
        )
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="E2EFDA")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.key in ("id_number", "guardian_mobile", "class_number"):
            sheet.column_dimensions[letter].number_format = "@"  # text: Excel would round an 18-digit ID
        if column.key == "birth_date":
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
        if column.key in words:
            rule = DataValidation(type="list", formula1='"' + ",".join(words[column.key]) + '"', allow_blank=True)
            rule.showErrorMessage = False  # the other language's words are accepted too
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("Instructions"))
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 80
    exports.safe_append(notes, [_("Roster import of %(school)s") % {"school": school.name}])
    notes["A1"].font = Font(bold=True, size=13)
    exports.safe_append(
        notes,
        [_("Fill in one row per student on the first sheet, under its header row. Columns marked * are required.")],
    )
    exports.safe_append(notes, [])
    exports.safe_append(notes, [_("Column"), _("What to write")])
    for cell in notes[4]:
        cell.font = bold
    explanations = {
        "name": _("The student's full name."),
        "grade": _(
            "The grade, as its Chinese label (一年级 … 九年级, 高一 … 高三, 小班, 中班, 大班) or its number (3)."
        ),
        "class_number": _("The class number within the grade: 2 for 三年级(2)班. The class must already exist."),
        "gender": _("%(values)s.") % {"values": " / ".join(words["gender"])},
        "birth_date": _("A date, or text like 2015-03-08."),
        "id_number": _(
            "Optional. 18 characters; the last one is a check digit (0-9 or X). Students are matched by it."
        ),
        "is_boarder": _("%(values)s. Empty means no.") % {"values": " / ".join(words["is_boarder"])},
        "guardian_name": _("A parent or other guardian."),
        "relation": _("One of %(values)s.") % {"values": "、".join(words["relation"])},
        "guardian_mobile": _("11 digits. A guardian already on file with this number is linked, not created again."),
    }
    for column in COLUMNS:
        exports.safe_append(notes, [str(column.label) + (" *" if column.required else ""), explanations[column.key]])
    exports.safe_append(notes, [])
    exports.safe_append(notes, [_("Example (do not copy it into the first sheet unless it is a real student):")])
    notes.cell(row=notes.max_row, column=1).font = bold
    exports.safe_append(notes, [str(c.label) for c in COLUMNS])
    for cell in notes[notes.max_row]:
        cell.font = bold
    birth = datetime.date(2015, 3, 8)
    body = f"640422{birth:%Y%m%d}013"
    exports.safe_append(
        notes,
        ["马小明", str(Grade(3).label), 2, words["gender"][0], birth, body + roster_rules.id_number_check_char(body),
         words["is_boarder"][1], "马文清", words["relation"][0], "13909540001"],
    )  # fmt: skip
    notes.cell(row=notes.max_row, column=5).number_format = "yyyy-mm-dd"
    exports.safe_append(notes, [])
    exports.safe_append(notes, [_("Every row is checked first, and each bad row is listed with its reason.")])
    exports.safe_append(notes, [_("Nothing is imported until every row is right; then all rows are imported at once.")])
    for row in notes.iter_rows(min_row=1, max_row=notes.max_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- check and apply


@transaction.atomic
def roster_import_check(*, actor, school: School, upload) -> RosterImport:
    """Store the uploaded workbook and queue its check (`roster_import_task`): the import is PENDING, then the
    worker makes it READY, or HAS_ERRORS with each bad row's reasons, or FAILED with why the file cannot be read.

    Only the checks that need no unpacking run here. Raises PermissionDenied; DomainError for a file that is
    empty, too large or not an .xlsx. With the queue unavailable the import is FAILED with words (`jobs.enqueue`).
    Writes no student or guardian."""
    permissions.require(actor, "roster.import", school)
    if upload.size > MAX_UPLOAD_BYTES:  # before reading it into memory
        raise DomainError(_("The file is larger than 5 MB. A roster of a few thousand students is far smaller."))
    data = upload.read()
    _check_upload(data)
    roster_import = RosterImport(
        school=school,
        uploaded_by=actor,
        original_name=(upload.name or "roster.xlsx")[-120:],
        status=RosterImport.Status.PENDING,
        language=translation.get_language() or "zh-hans",
    )
    roster_import.file.save(f"roster-{school.code}.xlsx", ContentFile(data), save=False)
    roster_import.save()
    jobs.enqueue(roster_import)
    return roster_import


@transaction.atomic
def roster_import_retry(*, actor, roster_import: RosterImport) -> RosterImport:
    """Check a FAILED import again (the retry button): the same right as uploading. Raises PermissionDenied,
    DomainError (not failed)."""
    permissions.require(actor, "roster.import", roster_import)
    return jobs.retry(roster_import)


def roster_import_check_run(*, import_id: int) -> RosterImport:
    """The worker's check of one uploaded roster (safe to run twice and after a crash: `jobs.claim`). The file is
    read, its unpacked size checked before it is opened, every row parsed (progress as it goes) and validated in
    the uploader's language. A file-level problem ends FAILED with its message."""
    roster_import = RosterImport.objects.select_related("school", "uploaded_by").get(pk=import_id)
    attempt = jobs.claim(roster_import)
    if attempt is None:
        return roster_import
    if not permissions.can(roster_import.uploaded_by, "roster.import", roster_import.school):
        jobs.fail(roster_import, attempt, _("You may no longer import this school's roster."))
        return roster_import

    def progress(done: int, total: int) -> None:
        jobs.beat(roster_import, attempt, progress_done=done, progress_total=total)

    with translation.override(roster_import.language):
        try:
            with roster_import.file.open("rb") as handle:
                data = handle.read(MAX_UPLOAD_BYTES + 1)
            rows = _read_rows(data, progress=progress)
            progress(len(rows), len(rows))
            _validate(school=roster_import.school, rows=rows)
            problems = _problems(rows)
        except DomainError as exc:
            jobs.fail(roster_import, attempt, exc.message)
            return roster_import
        except OSError:
            jobs.fail(roster_import, attempt, _("The uploaded file is no longer available; please upload it again."))
            return roster_import
        except Exception:  # the soft time limit, or a bug: the page says so, the log has the trace
            log.exception("roster import %s could not be checked", import_id)
            jobs.fail(
                roster_import,
                attempt,
                _("The workbook could not be read. Save it again in Excel or WPS and upload it."),
            )
            return roster_import
    jobs.finish(
        roster_import,
        attempt,
        status=RosterImport.Status.HAS_ERRORS if problems else RosterImport.Status.READY,
        row_count=len(rows),
        errors=problems,
    )
    return roster_import


@transaction.atomic
def roster_import_apply(*, actor, roster_import: RosterImport) -> RosterImport:
    """Import every row of a READY import in one transaction, or nothing.

    The stored file is validated again first: if the roster changed so that a row no longer fits, the import
    becomes HAS_ERRORS with the new problems and nothing else is written. Students are matched by ID number
    (else, for students on file without one, by name and birth date) and updated, or created; guardians are
    matched by mobile (an existing guardian keeps their name) or created; links are added, the first one of a
    student without a primary guardian being primary.
    Raises PermissionDenied; DomainError if already imported, not ready, or the file is gone."""
    permissions.require(actor, "roster.import", roster_import)
    locked = RosterImport.objects.select_for_update().select_related("school").get(pk=roster_import.pk)
    if locked.status == RosterImport.Status.IMPORTED:
        raise DomainError(_("This file has already been imported. Upload it again to import it once more."))
    if locked.status != RosterImport.Status.READY:
        raise DomainError(_("This file has problems: correct them and upload it again."))
    try:
        with locked.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        raise DomainError(_("The uploaded file is no longer available; please upload it again.")) from None
    rows = _read_rows(data)
    _validate(school=locked.school, rows=rows)
    problems = _problems(rows)
    if problems:  # committed: the import now shows why, and nothing of the roster was written
        _set_status(locked, RosterImport.Status.READY, status=RosterImport.Status.HAS_ERRORS, errors=problems)
    else:
        try:
            with transaction.atomic():  # a savepoint, so a database refusal can be reported, not a 500
                overwrites: list = []
                counts = _write(school=locked.school, rows=rows, overwrites=overwrites)
                _set_status(
                    locked, RosterImport.Status.READY, status=RosterImport.Status.IMPORTED, row_count=len(rows),
                    imported_at=timezone.now(), **counts,
                )  # fmt: skip
                _audit_import(actor=actor, roster_import=locked, counts=counts, overwrites=overwrites)
        except IntegrityError:
            # A concurrent change (another import, a guardian registering) took a number this file uses.
            raise DomainError(
                _("The roster changed while importing, so nothing was imported. Please try again.")
            ) from None
    roster_import.refresh_from_db()
    return roster_import


def _set_status(roster_import: RosterImport, expected: str, **fields) -> None:
    # Compare-and-set, like workflow.transition: two clicks on "import" cannot both import.
    updated = RosterImport.objects.filter(pk=roster_import.pk, status=expected).update(
        updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise DomainError(_("This file has already been imported. Upload it again to import it once more."))


OVERWRITTEN_FIELDS = ["name", "admin_class", "is_boarder", "id_number"]


def _audit_import(*, actor, roster_import: RosterImport, counts: dict, overwrites: list) -> None:
    """One record for the import (its counts) and one per student on file whose fields the file overwrote, with the
    fields before → after (masked), written in one insert."""
    audit_services.record(
        action="roster.import",
        obj=roster_import,
        actor=actor,
        school=roster_import.school_id,
        label=str(roster_import.school),
        changes={name: [None, value] for name, value in counts.items()},
    )
    audit_services.record_many(
        [
            dict(action="roster.student_overwrite", obj=student, actor=actor, school=roster_import.school_id,
                 changes=changes, note=f"import#{roster_import.pk}")
            for student, changes in overwrites
        ]
    )  # fmt: skip


def _write(*, school: School, rows: list[Row], overwrites: list | None = None) -> dict:
    """Write validated rows with bulk queries; returns the counts, and appends (student, {field: [before, after]})
    to `overwrites` for each student on file the rows changed. The caller holds the transaction."""
    now = timezone.now()
    by_id = {
        s.id_number: s
        for s in Student.objects.by_id_numbers([r.id_number for r in rows if r.id_number]).filter(school=school)
    }
    without_id = _students_without_id(school, rows)
    to_update: dict[int, Student] = {}
    to_create: list[Student] = []
    student_of_row: dict[int, Student] = {}
    for row in rows:
        student = by_id.get(row.id_number) if row.id_number else None
        if student is None:
            matches = without_id.get((row.name, row.birth_date), [])
            student = matches[0] if len(matches) == 1 and matches[0].pk not in to_update else None
        if student is None:
            student = Student(
                school=school, admin_class=row.admin_class, name=row.name, gender=row.gender,
                birth_date=row.birth_date, id_number=row.id_number or None, is_boarder=row.is_boarder,
            )  # fmt: skip
            to_create.append(student)
        else:
            before = audit_services.snapshot(student, OVERWRITTEN_FIELDS)
            student.name, student.admin_class, student.is_boarder = row.name, row.admin_class, row.is_boarder
            student.id_number = row.id_number or student.id_number
            student.updated_at = now
            to_update[student.pk] = student
            changes = audit_services.diff(before, audit_services.snapshot(student, OVERWRITTEN_FIELDS))
            if changes and overwrites is not None:
                overwrites.append((student, changes))
        student.full_clean(exclude=["school", "admin_class"], validate_unique=False, validate_constraints=False)
        student_of_row[row.number] = student
    refresh_derived(to_update.values())  # bulk_update skips pre_save: the ID's digest and last four kept in step
    Student.objects.bulk_update(
        list(to_update.values()),
        ["name", "admin_class", "is_boarder", "id_number", *derived_fields(Student), "updated_at"],
        batch_size=500,
    )
    Student.objects.bulk_create(to_create, batch_size=500)

    mobiles = {row.mobile for row in rows}
    guardians = {g.mobile: g for g in Guardian.objects.by_mobiles(mobiles)}
    new_guardians = []
    for row in rows:
        if row.mobile not in guardians:  # the first row naming a new mobile gives the guardian's name
            guardians[row.mobile] = Guardian(name=row.guardian_name, mobile=row.mobile)
            guardians[row.mobile].full_clean(validate_unique=False, validate_constraints=False)
            new_guardians.append(guardians[row.mobile])
    Guardian.objects.bulk_create(new_guardians, batch_size=500)

    student_ids = [s.pk for s in student_of_row.values()]
    links = {
        (link.student_id, link.guardian_id): link
        for link in StudentGuardian.objects.filter(
            student_id__in=student_ids, guardian__in=[g.pk for g in guardians.values() if g.pk]
        )
    }
    has_primary = set(
        StudentGuardian.objects.filter(student_id__in=student_ids, is_primary=True).values_list("student_id", flat=True)
    )
    new_links, changed_links = [], []
    for row in rows:
        student, guardian = student_of_row[row.number], guardians[row.mobile]
        link = links.get((student.pk, guardian.pk))
        if link is None:
            link = StudentGuardian(
                student=student, guardian=guardian, relation=row.relation, is_primary=student.pk not in has_primary
            )
            has_primary.add(student.pk)
            links[(student.pk, guardian.pk)] = link
            new_links.append(link)
        elif link.relation != row.relation:
            link.relation, link.updated_at = row.relation, now
            changed_links.append(link)
    StudentGuardian.objects.bulk_create(new_links, batch_size=500)
    StudentGuardian.objects.bulk_update(changed_links, ["relation", "updated_at"], batch_size=500)
    return {
        "students_created": len(to_create),
        "students_updated": len(to_update),
        "guardians_created": len(new_guardians),
    }
