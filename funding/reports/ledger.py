"""Report rows of the earmarked ledger (Excel export) and the audit report of a school's year (subsidy_report).

Both give every input so an auditor can recompute each figure by hand; money stays Decimal until formatted.
"""

import datetime
import io
import re
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from schools.models import School, SchoolYear, Stage
from xiji_afterschool import exports

from ..models import ZERO, Category, Claim, Fund, LedgerEntry, Settlement
from ..selectors import ledger as selectors


def ledger_rows(*, fund: Fund, entries: list[LedgerEntry]) -> tuple[list[str], list[list]]:
    """The fund's entries with a running balance, then totals that reconcile to the fund to the fen.

    Money out is net: a reversal is a negative amount in that column, so the column adds up to what was spent.
    """
    header = [
        _("No."), _("Date"), _("Kind"), _("Category"), _("Description"), _("Voucher number"), _("Money in"),
        _("Money out"), _("Balance"), _("Recorded by"), _("Recorded at"), _("Reversed by entry"),
    ]  # fmt: skip
    rows, balance = [], ZERO
    categories = dict(Category.choices)
    for entry in entries:
        money_in = entry.amount if entry.kind == LedgerEntry.Kind.ALLOCATION else None
        money_out = None
        if entry.kind == LedgerEntry.Kind.SPENDING:
            money_out = entry.amount
        elif entry.kind == LedgerEntry.Kind.REVERSAL:
            money_out = -entry.amount
        balance += (money_in or ZERO) - (money_out or ZERO)
        reversal = getattr(entry, "reversal", None)
        rows.append(
            [
                entry.pk, entry.date, entry.get_kind_display(), str(categories.get(entry.category, "")),
                entry.description, entry.voucher_no, money_in, money_out, balance, str(entry.recorded_by),
                timezone.localtime(entry.created_at).replace(tzinfo=None),
                reversal.pk if reversal else None,
            ]
        )  # fmt: skip
    totals = selectors.ledger_totals(entries=entries)
    rows.append([])
    rows.append([None, None, _("Total"), None, None, None, totals["received"], totals["spent"], totals["balance"]])
    for value, amount in selectors.spent_by_category(fund=fund, entries=entries).items():
        rows.append([None, None, _("Spent on"), str(categories[value]), None, None, None, amount])
    return header, rows


# ---------------------------------------------------------------- the audit report of a school's year


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _person(user) -> str | None:
    return None if user is None else f"{user.full_name or user.username} ({user.username})"


def _when(value) -> str | None:
    return None if value is None else value.isoformat()


def subsidy_report(*, school: School, school_year: SchoolYear) -> dict:
    """Everything about the school's subsidy for the year: each claim with its inputs and lines, who did what,
    and the settlement with its lines. Amounts are strings with two decimals ("120000.00")."""
    claims = (
        Claim.objects.filter(school=school, school_year=school_year)
        .select_related("created_by", "submitted_by", "first_reviewed_by", "approved_by", "allocated_by")
        .prefetch_related("lines")
        .order_by("created_at", "pk")
    )
    claim_rows = []
    totals = {"requested": ZERO, "approved": ZERO, "allocated": ZERO}
    for claim in claims:
        totals["requested"] += claim.requested_amount
        if claim.status in Claim.FIXED:
            totals["approved"] += claim.approved_amount or ZERO
        if claim.status == Claim.Status.ALLOCATED:
            totals["allocated"] += claim.approved_amount or ZERO
        claim_rows.append(
            {
                "id": claim.pk,
                "kind": claim.kind,
                "kind_label": str(claim.get_kind_display()),
                "supplements": claim.supplements_id,
                "status": claim.status,
                "status_label": str(claim.get_status_display()),
                "rate": _money(claim.rate),
                "rate_date": _when(claim.rate_date),
                "class_hours_per_day": claim.class_hours_per_day,
                "from_date": _when(claim.from_date),
                "reason": claim.reason,
                "lines": [
                    {
                        "stage": line.stage,
                        "stage_label": str(Stage(line.stage).label),
                        "service_classes": line.service_classes,
                        "planned_days": line.planned_days,
                        "class_hours_per_day": line.class_hours_per_day,
                        "class_hours": line.class_hours,
                        "rate": _money(line.rate),
                        "amount": _money(line.amount),
                    }
                    for line in claim.lines.all()
                ],
                "requested_amount": _money(claim.requested_amount),
                "approved_amount": _money(claim.approved_amount),
                "reduction_reason": claim.reduction_reason,
                "allocated_on": _when(claim.allocated_on),
                "voucher_no": claim.voucher_no,
                "created_by": _person(claim.created_by),
                "submitted_by": _person(claim.submitted_by),
                "submitted_at": _when(claim.submitted_at),
                "first_reviewed_by": _person(claim.first_reviewed_by),
                "first_reviewed_at": _when(claim.first_reviewed_at),
                "approved_by": _person(claim.approved_by),
                "approved_at": _when(claim.approved_at),
                "allocated_by": _person(claim.allocated_by),
            }
        )
    settlement = (
        Settlement.objects.filter(school=school, school_year=school_year)
        .select_related("filed_by", "confirmed_by")
        .prefetch_related("lines")
        .first()
    )
    settlement_row = None
    if settlement is not None:
        settlement_row = {
            "status": settlement.status,
            "status_label": str(settlement.get_status_display()),
            "lines": [
                {
                    "service_class": line.service_class_name,
                    "stage": line.stage,
                    "sessions": line.sessions,
                    "class_hours": f"{line.class_hours:.1f}",
                    "rate": _money(line.rate),
                    "amount": _money(line.amount),
                }
                for line in settlement.lines.all()
            ],
            "delivered_class_hours": f"{settlement.delivered_class_hours:.1f}",
            "delivered_amount": _money(settlement.delivered_amount),
            "allocated_amount": _money(settlement.allocated_amount),
            "difference": _money(settlement.difference),
            "outcome": settlement.outcome,
            "filed_by": _person(settlement.filed_by),
            "filed_at": _when(settlement.created_at),
            "confirmed_by": _person(settlement.confirmed_by),
            "confirmed_at": _when(settlement.confirmed_at),
        }
    return {
        "school": {"code": school.code, "name": school.name},
        "school_year": {
            "name": school_year.name,
            "start_date": _when(school_year.start_date),
            "end_date": _when(school_year.end_date),
        },
        "claims": claim_rows,
        "totals": {name: _money(value) for name, value in totals.items()},
        "settlement": settlement_row,
    }


# ---------------------------------------------------------------- the audit report as a workbook

AMOUNT = re.compile(r"-?\d+\.\d{1,2}")


def _number(value):
    """Amount and class-hour strings ("120000.00", "1.5") become Decimals in the workbook, so Excel can add them."""
    return Decimal(value) if isinstance(value, str) and AMOUNT.fullmatch(value) else value


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    exports.safe_append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        exports.safe_append(sheet, row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"


def subsidy_workbook(report: dict) -> bytes:
    """`subsidy_report`'s dict as a workbook (Claims, Claim lines, Settlement lines, Summary), amounts as numbers;
    shared by the command and the download page."""
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
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
