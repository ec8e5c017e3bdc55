"""The console's numbers as rows: the workbook of the console page and `county_report` (JSON or Excel) share them."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiji_afterschool.exports import write_xlsx_sheets

from ..rules import console as rules

# (key, label) of every column, in the order of the education statistics tables: service, coverage, delivery,
# money, safety, compliance. Keys are the summary's; labels are shown in the reader's language.
COLUMNS = (
    ("schools", gettext_lazy("Schools")),
    ("required", gettext_lazy("Schools required to offer the service")),
    ("offering", gettext_lazy("Schools offering the service")),
    ("required_offering", gettext_lazy("Required schools offering it")),
    ("with_filed_plan", gettext_lazy("Schools with a filed plan")),
    ("students", gettext_lazy("Students enrolled")),
    ("applicants", gettext_lazy("Applicants")),
    ("placed", gettext_lazy("Placed")),
    ("waiting", gettext_lazy("Waiting list")),
    ("not_placed", gettext_lazy("Not placed yet")),
    ("served", gettext_lazy("Students served")),
    ("coverage", gettext_lazy("Coverage (%)")),
    ("students_without_service", gettext_lazy("Students at schools with no service")),
    ("service_classes", gettext_lazy("Service classes")),
    ("teachers", gettext_lazy("Teachers")),
    ("volunteers", gettext_lazy("Volunteers")),
    ("planned_hours", gettext_lazy("Class-hours planned to date")),
    ("delivered_hours", gettext_lazy("Class-hours delivered")),
    ("delivery", gettext_lazy("Delivered ÷ planned (%)")),
    ("year_planned_hours", gettext_lazy("Class-hours planned for the year")),
    ("classes_without_sessions", gettext_lazy("Service classes with no session")),
    ("sessions", gettext_lazy("Sessions")),
    ("attendance", gettext_lazy("Attendance (%)")),
    ("claimed", gettext_lazy("Subsidy claimed (yuan)")),
    ("approved_amount", gettext_lazy("Subsidy approved (yuan)")),
    ("allocated", gettext_lazy("Subsidy allocated (yuan)")),
    ("spent", gettext_lazy("Subsidy spent (yuan)")),
    ("settled", gettext_lazy("Settled (yuan)")),
    ("late_pickups", gettext_lazy("Late pick-ups")),
    ("open_hazards", gettext_lazy("Open hazards")),
    ("incidents", gettext_lazy("Incidents")),
    ("flags", gettext_lazy("Sessions flagged (R12)")),
    ("flags_confirmed", gettext_lazy("Flags confirmed by the school")),
    ("flags_waiting", gettext_lazy("Flags waiting for the school")),
)


def _values(row: dict) -> list:
    return [row.get(key) for key, _label in COLUMNS]


def school_summary(row: dict, groups) -> dict:
    """A school's row in the shape of a township's or the county's (schools = 1, …)."""
    return rules.total([row], groups)


def workbook(*, data: dict, school_year, period: str) -> bytes:
    """Three sheets: the county's total, each township, each school (with its township)."""
    groups = dict(data["groups"])
    header = [str(label) for _key, label in COLUMNS]
    group_header = [f"{label}: {_('Coverage (%)')}" for label in groups.values()]
    group_keys = list(groups)

    def group_values(row):
        return [row["groups"][g]["coverage"] for g in group_keys]

    county = [[school_year.name, *_values(data["total"]), *group_values(data["total"])]]
    townships = [[str(t["township"]), *_values(t), *group_values(t)] for t in data["townships"]]
    schools = []
    for row in data["schools"]:
        summary = school_summary(row, groups)
        schools.append([str(row["township"]), row["school"].name, *_values(summary), *group_values(summary)])
    return write_xlsx_sheets(
        [
            (_("County"), [_("School year"), *header, *group_header], county),
            (_("Townships"), [_("Township"), *header, *group_header], townships),
            (_("Schools"), [_("Township"), _("School"), *header, *group_header], schools),
        ]
    )


def as_json(value):
    """Decimals as strings with their places (money stays exact), dates as ISO text."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
