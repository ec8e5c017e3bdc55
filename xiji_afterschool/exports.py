"""File writers for reports: XLSX with openpyxl (write-only, flat memory) and PDF with WeasyPrint."""

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font


def write_xlsx(*, title: str, header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """One sheet: a bold header row, then the rows; dates as dates, money as #,##0.00 numbers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        out = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            out.append(cell)
        sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
