"""`python manage.py subsidy_report --school <code> --year <YYYY> --format json|xlsx [--output FILE]`

An auditor's view of one school's subsidy for one school year (YYYY: the calendar year the school year starts
in): every claim with all its inputs and lines, who submitted, reviewed, approved and allocated it, and the
settlement with its lines, so each figure can be recomputed by hand. JSON goes to standard output (or FILE);
xlsx writes a workbook (default `subsidy-<code>-<YYYY>.xlsx` in the current directory) and prints its path.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from funding.reports import ledger as ledger_reports
from schools.models import School, SchoolYear
from xiji_afterschool.private_files import open_private

FORMATS = ("json", "xlsx")


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
                with open_private(output, "w") as f:
                    f.write(text + "\n")
                self.stdout.write(str(Path(output).resolve()))
            else:
                self.stdout.write(text)
            return
        path = Path(output or f"subsidy-{found.code}-{year}.xlsx")
        try:
            with open_private(path, "wb") as f:
                f.write(ledger_reports.subsidy_workbook(report))
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from None
        self.stdout.write(str(path.resolve()))
