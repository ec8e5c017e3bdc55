"""Workbooks of a reporting window (直报): the education statistics table (one row per school, a column per figure,
a subtotal per township, the county total), and the county summary for the city (固原市): sheets by township, by
school type and the list of schools. Figures are the reported ones; totals come from the same rows
(rules.total_row), so a total always equals the sum of the rows above it."""

import io
from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from schools.models import School
from xiji_afterschool import exports

from ..models import ReportWindow
from ..models.school_reports import FIGURES
from ..rules import school_reports as rules

BOLD = Font(bold=True)
NUMBER_FORMATS = {-2: "#,##0.00", -1: "#,##0.0", 0: "#,##0"}


def _values(row: dict) -> dict:
    """{figure: reported value} of one report row (selectors.figure_table)."""
    return {name: (row["figures"][name].reported if name in row["figures"] else None) for name in FIGURES}


def _status_text(report) -> str:
    text = report.get_status_display()
    return f"{text}（{_('submitted late')}）" if report.is_late else text


def statistics_rows(*, table: list[dict]) -> tuple[list[str], list[dict]]:
    """(header, lines) of the statistics table: per township its schools then its subtotal, then the county total.
    Each line is {"kind": "school" | "subtotal" | "total", "cells": [...]} (the figures as numbers)."""
    header = [_("Township"), _("School code"), _("School"), _("School type"), _("Status")]
    header += [str(label) for label in FIGURES.values()]
    by_township = defaultdict(list)
    for row in table:
        by_township[row["report"].school.township].append(row)
    lines, county = [], []
    for township in sorted(by_township, key=lambda t: (t.code, t.pk)):
        values = []
        for row in by_township[township]:
            report, figures = row["report"], _values(row)
            values.append(figures)
            cells = [township.name, report.school.code, report.school.name, report.school.get_school_type_display()]
            lines.append({"kind": "school", "cells": [*cells, _status_text(report), *list(figures.values())]})
        subtotal = rules.total_row(values)
        county += values
        label = _("%(township)s subtotal") % {"township": township.name}
        lines.append({"kind": "subtotal", "cells": [label, "", "", "", "", *list(subtotal.values())]})
    lines.append(
        {"kind": "total", "cells": [_("County total"), "", "", "", "", *list(rules.total_row(county).values())]}
    )
    return header, lines


def _append(sheet, cells, bold=False):
    exports.safe_append(sheet, cells)
    for index, value in enumerate(cells, start=1):
        cell = sheet.cell(row=sheet.max_row, column=index)
        if bold:
            cell.font = BOLD
        if isinstance(value, Decimal):  # as stored: money to the fen, hours and rates to a tenth, counts whole
            cell.number_format = NUMBER_FORMATS.get(value.as_tuple().exponent, "General")


def _sheet(workbook, title: str, header, lines, *, first=False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title[:31]
    _append(sheet, header, bold=True)
    for line in lines:
        if isinstance(line, dict):
            _append(sheet, line["cells"], bold=line["kind"] != "school")
        else:
            _append(sheet, line)
    sheet.freeze_panes = "A2"
    return sheet


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _caption(window: ReportWindow) -> list:
    return [
        window.title,
        f"{window.period_start.isoformat()} – {window.period_end.isoformat()}",
        _("Due by %(day)s") % {"day": window.deadline.isoformat()},
    ]


def statistics_workbook(*, window: ReportWindow, table: list[dict]) -> bytes:
    """The window's reports in the layout of the education statistics table (one sheet)."""
    header, lines = statistics_rows(table=table)
    workbook = Workbook()
    _sheet(workbook, _("Statistics table"), header, lines, first=True)
    workbook.active.insert_rows(1)
    for index, text in enumerate(_caption(window), start=1):
        exports.safe_cell_value(workbook.active.cell(row=1, column=index, value=text)).font = BOLD
    workbook.active.freeze_panes = "A3"
    return _save(workbook)


def city_summary_workbook(*, window: ReportWindow, table: list[dict]) -> bytes:
    """The county summary for the city (固原市): by township, by school type, and the schools list, one workbook."""
    values = [(row["report"], _values(row)) for row in table]
    figure_header = [str(label) for label in FIGURES.values()]
    workbook = Workbook()

    by_township = defaultdict(list)
    for report, figures in values:
        by_township[report.school.township].append(figures)
    lines = [
        [township.name, len(rows), *rules.total_row(rows).values()]
        for township, rows in sorted(by_township.items(), key=lambda item: (item[0].code, item[0].pk))
    ]
    total = [_("County total"), len(values), *rules.total_row([f for _r, f in values]).values()]
    _sheet(
        workbook, _("By township"), [_("Township"), _("Number of schools"), *figure_header], [*lines, total], first=True
    )

    by_type = defaultdict(list)
    for report, figures in values:
        by_type[report.school.school_type].append(figures)
    lines = [
        [str(label), len(by_type[kind]), *rules.total_row(by_type[kind]).values()]
        for kind, label in School.Type.choices
        if by_type.get(kind)
    ]
    _sheet(workbook, _("By school type"), [_("School type"), _("Number of schools"), *figure_header], [*lines, total])

    header, lines = statistics_rows(table=table)
    _sheet(workbook, _("Schools"), header, [line for line in lines if line["kind"] == "school"])

    notes = workbook.create_sheet(_("Notes")[:31])
    for text in [
        *_caption(window),
        _("Reported figures as submitted by the schools; money in yuan."),
        _("A rate in a total is the mean of the schools' rates weighted by the students served."),
    ]:
        exports.safe_append(notes, [text])
    return _save(workbook)
