"""Issue #13 item 4: no export carries a live formula (OWASP CSV/formula injection), read back with openpyxl."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from funding.reports import ledger
from schools.models import RosterExport
from xiji_afterschool import exports

HOSTILE = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _cells(content: bytes):
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("text", HOSTILE)
def test_the_one_writer_writes_formula_like_text_as_literal_text(text):
    content = exports.write_xlsx(title="t", header=[text], rows=[[text, Decimal("-12.50"), -3, "plain"]])
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    for cell in (sheet["A1"], sheet["A2"]):
        assert isinstance(cell.value, str)
        assert cell.value == text.replace("\r", "\n")  # XML itself reads a carriage return back as a newline
        assert cell.data_type == "s" and cell.quotePrefix  # text, and Excel keeps it text when edited
    assert sheet["B2"].value == Decimal("-12.50") or sheet["B2"].value == -12.5
    assert sheet["B2"].data_type == "n" and sheet["C2"].value == -3 and sheet["C2"].data_type == "n"
    assert sheet["D2"].data_type == "s" and not sheet["D2"].quotePrefix
    assert all(cell.data_type != "f" for cell in _cells(content))


def test_without_the_rule_openpyxl_would_have_written_a_formula():
    """The test above can fail: the raw library turns a leading = into a formula cell."""
    book = Workbook()
    book.active.append(["=1+1"])
    raw = io.BytesIO()
    book.save(raw)
    assert load_workbook(io.BytesIO(raw.getvalue())).active["A1"].data_type == "f"
    book = Workbook()
    exports.safe_append(book.active, ["=1+1", -5])
    safe = io.BytesIO()
    book.save(safe)
    sheet = load_workbook(io.BytesIO(safe.getvalue())).active
    assert sheet["A1"].data_type == "s" and sheet["A1"].value == "=1+1" and sheet["B1"].value == -5


def test_a_hostile_student_name_stays_text_in_the_roster_export(
    client, world, eager_celery, media, django_capture_on_commit_callbacks
):
    world.child.name = '=HYPERLINK("http://x","y")'
    world.child.save(update_fields=["name"])
    world.other_child.name = "=cmd|' /C calc'!A0"
    world.other_child.save(update_fields=["name"])
    client.force_login(world.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("schools:roster-export-create", args=[world.school_a.pk]))
    export = RosterExport.objects.exclude(pk=world.export_a.pk).get()
    assert export.status == RosterExport.Status.DONE
    with export.file.open("rb") as f:
        cells = _cells(f.read())
    names = {cell.value: cell for cell in cells if cell.value in (world.child.name, world.other_child.name)}
    assert set(names) == {world.child.name, world.other_child.name}
    assert all(cell.data_type == "s" for cell in names.values())
    assert all(cell.data_type != "f" for cell in cells)


def test_the_styled_workbooks_use_the_same_rule():
    report = {
        "claims": [],
        "settlement": None,
        "school": {"code": "=1+1", "name": "@evil"},
        "school_year": {"name": "-1"},
        "totals": {"requested": "-120.00"},
    }
    cells = _cells(ledger.subsidy_workbook(report))
    by_value = {cell.value: cell for cell in cells}
    assert by_value["=1+1"].data_type == "s" and by_value["@evil"].data_type == "s"
    assert by_value[Decimal("-120.00") if Decimal("-120.00") in by_value else -120].data_type == "n"
    assert all(cell.data_type != "f" for cell in cells)
