"""Arithmetic of the console: weeks, rates and sums of summary rows. No database writes, no request."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from schools.models import School

# 义务教育学校全覆盖: compulsory-education schools must offer the service; kindergartens and senior high schools
# offer it too ("5+2", "6+2") but are not counted among the schools required to.
REQUIRED_TYPES = frozenset(
    {
        School.Type.PRIMARY,
        School.Type.NINE_YEAR,
        School.Type.JUNIOR,
        School.Type.COMPLETE,
        School.Type.VILLAGE,
        School.Type.TEACHING_POINT,
    }
)

# Numbers of SchoolFigures that add up across schools (the rest are flags or rates computed from sums).
SUMMED = (
    "students", "applicants", "approved", "placed", "waiting", "not_placed", "served",
    "service_classes", "teachers", "volunteers",
    "planned_hours", "year_planned_hours", "delivered_hours", "classes_without_sessions",
    "sessions", "present_marks", "roll_marks",
    "claimed", "approved_amount", "allocated", "spent", "settled", "claims_first_review",
    "late_pickups", "open_hazards", "incidents", "flags", "flags_confirmed", "flags_waiting",
    "flags_accepted", "flags_violations",
    "inspections", "inspections_closed", "findings", "rectifications_open", "rectifications_overdue",
)  # fmt: skip
# Numbers that a period (a semester) narrows: summed from the weeks in it.
WEEKLY = ("planned_hours", "delivered_hours", "sessions", "present_marks", "roll_marks", "late_pickups", "incidents")
TENTH = Decimal("0.1")


def monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.isoweekday() - 1)


def percent(part, whole) -> Decimal | None:
    """part / whole in per cent, one decimal, half up; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def empty_groups(groups) -> dict:
    return {g: {"applicants": 0, "placed": 0} for g in groups}


def total(rows: list[dict], groups) -> dict:
    """The sum of summary rows (dicts of SchoolFigures' numbers), with counts of schools and the rates recomputed."""
    out = {name: sum((r[name] for r in rows), 0) for name in SUMMED}
    out["schools"] = len(rows)
    out["required"] = sum(1 for r in rows if r["required"])
    out["offering"] = sum(1 for r in rows if r["offers_service"])
    out["required_offering"] = sum(1 for r in rows if r["required"] and r["offers_service"])
    out["with_filed_plan"] = sum(1 for r in rows if r["has_filed_plan"])
    out["students_without_service"] = sum(r["students"] for r in rows if not r["offers_service"])
    out["weeks_behind_schools"] = sum(1 for r in rows if r["weeks_behind"])
    out["short_year_schools"] = sum(1 for r in rows if r["service_weeks"] < r["target_weeks"])
    out["groups"] = empty_groups(groups)
    for r in rows:
        for g, numbers in r["groups"].items():
            if g in out["groups"]:
                for k in ("applicants", "placed"):
                    out["groups"][g][k] += numbers.get(k, 0)
    return with_rates(out)


def with_rates(row: dict) -> dict:
    """Add the rates a page shows: coverage, delivery, attendance, flags resolved."""
    row["coverage"] = percent(row["placed"], row["applicants"])
    row["delivery"] = percent(row["delivered_hours"], row["planned_hours"])
    row["attendance"] = percent(row["present_marks"], row["roll_marks"])
    row["flags_resolved"] = percent(row["flags_confirmed"], row["flags"])
    for numbers in row.get("groups", {}).values():
        numbers["coverage"] = percent(numbers["placed"], numbers["applicants"])
    return row


def needs_attention(row: dict) -> list[str]:
    """Why a school needs the bureau's attention (codes; the page words them)."""
    out = []
    if row["required"] and not row["offers_service"]:
        out.append("no_service")
    if not row["has_filed_plan"]:
        out.append("no_plan")
    if row["waiting"]:
        out.append("waiting")
    if row["classes_without_sessions"]:
        out.append("idle_classes")
    if row["weeks_behind"]:
        out.append("behind")
    if row["open_hazards"]:
        out.append("hazards")
    if row["flags_waiting"]:
        out.append("flags")
    if row["rectifications_overdue"]:
        out.append("rectifications")
    return out
