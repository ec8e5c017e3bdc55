"""`python manage.py county_report --year 2026 [--township 吉强镇] [--period 1] --format json|xlsx [--output F]`

The console's numbers for the statistics system (R34): the county, each township and each school, computed by the
same refresh and read by the same selectors as the console pages (run as the county: every school). By default
the numbers are computed first; `--no-refresh` prints what the console shows now."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from schools.models import SchoolYear, Township
from xiji_afterschool.bureau.reports import console as reports
from xiji_afterschool.bureau.selectors import console as selectors
from xiji_afterschool.bureau.services import console as services
from xiji_afterschool.private_files import open_private


def _row(summary: dict) -> dict:
    out = {key: reports.as_json(summary.get(key)) for key, _label in reports.COLUMNS}
    out["groups"] = {g: {k: reports.as_json(v) for k, v in n.items()} for g, n in summary["groups"].items()}
    return out


class Command(BaseCommand):
    help = "Print the county console's numbers (county, townships, schools) as JSON or write them as Excel."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="the calendar year the school year begins in, e.g. 2026")
        parser.add_argument("--township", default="", help="one township's name (default: the whole county)")
        parser.add_argument("--period", default=selectors.YEAR, help="year (default), 1 (autumn) or 2 (spring)")
        parser.add_argument("--format", choices=("json", "xlsx"), default="json")
        parser.add_argument("--output", default="", help="file to write (xlsx: required; json: default stdout)")
        parser.add_argument("--no-refresh", action="store_true", help="print the numbers as last computed")

    def handle(self, *args, year, township, period, format, output, no_refresh, **options):
        school_year = SchoolYear.objects.filter(start_date__year=year).first() if year.isdigit() else None
        if school_year is None:
            raise CommandError(f"No school year begins in {year!r}.")
        place = None
        if township:
            place = Township.objects.filter(name=township).first()
            if place is None:
                raise CommandError(f"No township is called {township!r}.")
        if format == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output FILE.xlsx")
        if not no_refresh:
            try:
                services.refresh(school_year=school_year, trigger="command")
            except services.RefreshRunning:
                self.stderr.write("Another refresh is running; printing the numbers as last computed.")
        with translation.override("zh-hans"):
            data = selectors.county_for_system(school_year=school_year, period=period, township=place)
            if format == "xlsx":
                with open_private(output, "wb") as f:
                    f.write(reports.workbook(data=data, school_year=school_year, period=period))
                self.stdout.write(f"{output}: {len(data['schools'])} schools")
                return
            last = selectors.last_refresh(school_year=school_year)["done"]
            groups = dict(data["groups"])
            report = {
                "school_year": school_year.name,
                "period": period,
                "computed_at": last.finished_at.isoformat() if last else None,
                "county": _row(data["total"]),
                "townships": [{"township": str(t["township"]), **_row(t)} for t in data["townships"]],
                "schools": [
                    {
                        "school": r["school"].name,
                        "code": r["school"].code,
                        "township": str(r["township"]),
                        **_row(reports.school_summary(r, groups)),
                    }
                    for r in data["schools"]
                ],
            }
        text = json.dumps(report, ensure_ascii=False, indent=2)
        if output:
            with open_private(output, "w") as f:
                f.write(text)
        else:
            self.stdout.write(text)
