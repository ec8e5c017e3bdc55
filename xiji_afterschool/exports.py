"""File writers for reports: XLSX with openpyxl (write-only, flat memory) and PDF with WeasyPrint."""

import datetime
import io
import threading
from collections.abc import Iterable, Sequence
from decimal import Decimal

import weasyprint
from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from weasyprint.text.fonts import FontConfiguration

# One font configuration for every PDF this process writes: a fresh one per document makes a long-lived
# process (a Celery worker) grow to gigabytes. It wraps one Pango font map, which is not safe to use from two
# threads at once, hence the lock (threaded servers and worker pools serialise PDF rendering, ~0.2 s a page).
FONT_CONFIG = FontConfiguration()
_PDF_LOCK = threading.Lock()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# OWASP's CSV/formula-injection rule: text starting with one of these is never a formula. openpyxl turns any str
# starting with "=" into a formula cell; a student named =HYPERLINK(...) must stay a name.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """True for a str a spreadsheet could take as a formula (numbers, even negative, are never)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def safe_cell_value(cell):
    """Make an openpyxl cell whose value is formula-like hold literal text; return the cell.

    The text is kept exactly (no added apostrophe in the data): the cell's type is set to string, so openpyxl writes
    it as a shared string and reads it back as a str with data_type "s", and the cell carries Excel's quote-prefix
    style, so Excel shows it as text and does not evaluate it even when the cell is edited. Every workbook this
    project writes goes through it (write_xlsx_sheets, safe_append/safe_cells for the styled workbooks)."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def safe_append(sheet, values) -> None:
    """sheet.append(values) for a normal (not write-only) worksheet, with every cell of the new row made safe."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        safe_cell_value(cell)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook as a download; the file name may be Chinese (RFC 6266 filename*)."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def write_xlsx(*, title: str, header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """One sheet: a bold header row, then the rows; dates as dates, money as #,##0.00 numbers."""
    return write_xlsx_sheets([(title, header, rows)])


def write_xlsx_sheets(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """Several sheets in one workbook, each (title, header, rows) written as write_xlsx writes one."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=str(title)[:31])
        header_cells = []
        for text in header:
            cell = safe_cell_value(WriteOnlyCell(sheet, value=str(text)))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            out = []
            for value in row:
                cell = safe_cell_value(WriteOnlyCell(sheet, value=value))
                if isinstance(value, Decimal):
                    cell.number_format = "#,##0.00"
                elif isinstance(value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
                out.append(cell)
            sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template (extending pdf/base.html) to PDF bytes, in the active language.

    Chinese needs WenQuanYi Micro Hei (fonts-wqy-microhei; Noto Sans CJK SC as the fallback): without it WeasyPrint
    prints empty boxes
    and still succeeds, so tests check the text and fonts of the result, not just its first bytes.
    """
    html = render_to_string(template_name, context)
    # The templates carry no external assets: refuse every fetch but data: URLs, so text typed by users can never
    # make the renderer read a local file or the network.
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    document = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher)
    with _PDF_LOCK:
        return document.write_pdf(font_config=FONT_CONFIG)
