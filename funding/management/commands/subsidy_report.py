"""`python manage.py subsidy_report --school <code> --year <YYYY> --format json|xlsx [--output FILE]`

An auditor's view of one school's subsidy for one school year (YYYY: the calendar year the school year starts
in): every claim with all its inputs and lines, who submitted, reviewed, approved and allocated it, and the
settlement with its lines, so each figure can be recomputed by hand. JSON goes to standard output (or FILE);
xlsx writes a workbook (default `subsidy-<code>-<YYYY>.xlsx` in the current directory) and prints its path.
"""

import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from openpyxl import Workbook
from openpyxl.styles import Font

from funding.reports import ledger as ledger_reports
from schools.models import School, SchoolYear

FORMATS = ("json", "xlsx")


AMOUNT = re.compile(r"-?\d+\.\d{1,2}")


def _number(value):
    """Amount and class-hour strings ("120000.00", "1.5") become Decimals in the workbook, so Excel can add them."""
    return Decimal(value) if isinstance(value, str) and AMOUNT.fullmatch(value) else value


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"


def write_workbook(report: dict, path: Path) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    claims = report["claims"]
    claim_keys = [
        "id", "kind", "supplements", "status", "rate", "rate_date", "class_hours_per_day", "from_date",
        "requested_amount", "approved_amount", "reduction_reason", "allocated_on", "voucher_no", "created_by",
        "submitted_by", "submitted_at", "first_reviewed_by", "first_reviewed_at", "approved_by", "approved_at",
        "allocated_by", "reason",
    ]  # fmt: skip
    _sheet(
        workbook,
        "Claims",
        claim_keys,
        [[_number(c[k]) for k in claim_keys] for c in claims],
    )
    line_keys = ["stage", "service_classes", "planned_days", "class_hours_per_day", "class_hours", "rate", "amount"]
    _sheet(
        workbook,
        "Claim lines",
        ["claim", *line_keys],
        [[c["id"], *(_number(line[k]) for k in line_keys)] for c in claims for line in c["lines"]],
    )
    settlement = report["settlement"] or {"lines": []}
    settlement_keys = ["service_class", "stage", "sessions", "class_hours", "rate", "amount"]
    _sheet(
        workbook,
        "Settlement lines",
        settlement_keys,
        [[_number(line[k]) for k in settlement_keys] for line in settlement["lines"]],
    )
    summary = [
        ["school_code", report["school"]["code"]],
        ["school_name", report["school"]["name"]],
        ["school_year", report["school_year"]["name"]],
        *[[f"claims_{name}", _number(value)] for name, value in report["totals"].items()],
    ]
    if report["settlement"]:
        for key in ("status", "delivered_class_hours", "delivered_amount", "allocated_amount", "difference", "outcome"):
            summary.append([f"settlement_{key}", _number(settlement[key])])
    _sheet(workbook, "Summary", ["item", "value"], summary)
    workbook.save(path)


class Command(BaseCommand):
    help = "Print one school's subsidy claims and settlement for a school year, with every input, for audit."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="the school code")
        parser.add_argument("--year", required=True, help="the calendar year the school year starts in, e.g. 2025")
        parser.add_argument("--format", default="json", help="json (standard output) or xlsx (a file)")
        parser.add_argument("--output", help="file to write (xlsx default: subsidy-<code>-<YYYY>.xlsx)")

    def handle(self, *args, school, year, format, output, **options):
        if format not in FORMATS:
            raise CommandError(f"Unknown format {format!r}: use json or xlsx.")
        if not str(year).isdigit() or len(str(year)) != 4:
            raise CommandError(f"--year must be a four-digit year such as 2025, not {year!r}.")
        found = School.objects.filter(code=school).first()
        if found is None:
            raise CommandError(f"No school has the code {school!r}.")
        years = list(SchoolYear.objects.filter(start_date__year=int(year)))
        if not years:
            raise CommandError(f"No school year starts in {year}.")
        if len(years) > 1:
            raise CommandError(f"More than one school year starts in {year}: {', '.join(y.name for y in years)}.")
        report = ledger_reports.subsidy_report(school=found, school_year=years[0])
        if format == "json":
            text = json.dumps(report, ensure_ascii=False, indent=2)
            if output:
                Path(output).write_text(text + "\n", encoding="utf-8")
                self.stdout.write(str(Path(output).resolve()))
            else:
                self.stdout.write(text)
            return
        path = Path(output or f"subsidy-{found.code}-{year}.xlsx")
        try:
            write_workbook(report, path)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from None
        self.stdout.write(str(path.resolve()))
