"""Reads of the earmarked funds and their ledgers (R24), scoped by the viewer.

Money is summed in Python: SQLite sums decimals as floats, and the ledger must reconcile to the fen.
"""

from decimal import Decimal

from django.db.models import QuerySet

from schools.models import School, SchoolYear
from xiji_afterschool import permissions

from ..models import ZERO, Category, Fund, LedgerEntry, PayRun, SpendingPlan


def fund_list(*, viewer, school_year: SchoolYear | None = None) -> QuerySet[Fund]:
    """Funds the viewer may read (the county: every school's; a school admin: their own), with school and year.

    One query whatever the number of schools: allocated, spent and balance are the fund's running totals.
    """
    qs = permissions.scope(viewer, Fund.objects.all(), action="ledger.view")
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    return qs.select_related("school", "school__township", "school_year").order_by(
        "-school_year__start_date", "school__township__code", "school__code"
    )


def fund_detail(*, viewer) -> QuerySet[Fund]:
    """The funds the viewer may open (fetch one with get_object_or_404 or `.filter(...).first()`)."""
    return permissions.scope(viewer, Fund.objects.all(), action="ledger.view").select_related("school", "school_year")


def fund_of(*, viewer, school: School, school_year: SchoolYear) -> Fund:
    """The school's fund for the year as the viewer may see it; an empty unsaved fund when nothing was booked yet
    (reading a page never creates rows)."""
    fund = fund_detail(viewer=viewer).filter(school=school, school_year=school_year).first()
    return fund or Fund(school=school, school_year=school_year)


def ledger_entry_list(*, viewer) -> QuerySet[LedgerEntry]:
    """Ledger entries the viewer may read (to fetch one by pk before reversing it)."""
    return permissions.scope(viewer, LedgerEntry.objects.all(), action="ledger.view").select_related(
        "fund", "fund__school", "fund__school_year"
    )


def ledger_entries(*, fund: Fund) -> list[LedgerEntry]:
    """A fund's entries in date order, with who recorded them, what they reverse and what reversed them.

    The caller has fetched `fund` through a scoped selector. An unsaved (empty) fund has no entries.
    """
    if fund.pk is None:
        return []
    entries = list(
        LedgerEntry.objects.filter(fund=fund).select_related("recorded_by", "claim", "reverses").order_by("date", "pk")
    )
    reversed_by = {e.reverses_id: e for e in entries if e.reverses_id}
    pay_run_entries = set(PayRun.objects.filter(ledger_entry__fund=fund).values_list("ledger_entry_id", flat=True))
    for entry in entries:
        entry.reversal = reversed_by.get(entry.pk)  # avoids one query per row for the reverse one-to-one
        entry.pays_run = entry.pk in pay_run_entries  # an approved pay run's payment is never reversed
    return entries


def spent_by_category(*, fund: Fund, entries: list[LedgerEntry] | None = None) -> dict[str, Decimal]:
    """Net spending per earmarked category (spending − reversals), exact, every category present."""
    totals = dict.fromkeys(Category.values, ZERO)
    if entries is None:
        entries = ledger_entries(fund=fund)
    for entry in entries:
        if entry.kind == LedgerEntry.Kind.SPENDING:
            totals[entry.category] += entry.amount
        elif entry.kind == LedgerEntry.Kind.REVERSAL:
            totals[entry.category] -= entry.amount
    return totals


def ledger_totals(*, entries: list[LedgerEntry]) -> dict[str, Decimal]:
    """Money in, money out (net of reversals) and the balance, from the entries themselves."""
    received = sum((e.amount for e in entries if e.kind == LedgerEntry.Kind.ALLOCATION), ZERO)
    spent = sum((e.amount for e in entries if e.kind == LedgerEntry.Kind.SPENDING), ZERO)
    reversed_ = sum((e.amount for e in entries if e.kind == LedgerEntry.Kind.REVERSAL), ZERO)
    return {"received": received, "spent": spent - reversed_, "balance": received - spent + reversed_}


def category_rows(*, fund: Fund, entries: list[LedgerEntry], plan: SpendingPlan | None) -> list[dict]:
    """Per category: the spending plan's budget (if any), net spent, and what is left of the budget."""
    spent = spent_by_category(fund=fund, entries=entries)
    budgets = {
        Category.TEACHER: plan.budget_teacher if plan else None,
        Category.STAFF: plan.budget_staff if plan else None,
        Category.RUNNING: plan.budget_running if plan else None,
        Category.CONSUMABLES: plan.budget_consumables if plan else None,
    }
    rows = []
    for value, label in Category.choices:
        budget = budgets[value]
        rows.append(
            {
                "category": value,
                "label": label,
                "budget": budget,
                "spent": spent[value],
                "left": None if budget is None else budget - spent[value],
                "over": budget is not None and spent[value] > budget,
            }
        )
    return rows


# ---------------------------------------------------------------- the spending plan (R25), read beside the ledger


def spending_plan_list(*, viewer) -> QuerySet[SpendingPlan]:
    """Spending plans the viewer may read (fetch one by pk before approving it or downloading its minutes)."""
    return permissions.scope(viewer, SpendingPlan.objects.all(), action="spending_plan.view").select_related(
        "school", "school_year", "created_by", "approved_by"
    )


def spending_plan_of(*, viewer, school: School, school_year: SchoolYear) -> SpendingPlan | None:
    """The school's spending plan for the year, or None if the school has not started one."""
    return spending_plan_list(viewer=viewer).filter(school=school, school_year=school_year).first()


def fund_table(*, viewer, school_year: SchoolYear) -> list[dict]:
    """The county table for one year: every school the viewer may read, with its fund's totals (zero without one).
    Two queries whatever the number of schools."""
    schools = (
        permissions.scope(viewer, School.objects.all(), action="ledger.view")
        .select_related("township")
        .order_by("township__code", "code")
    )
    funds = {f.school_id: f for f in fund_list(viewer=viewer, school_year=school_year)}
    return [
        {"school": school, "fund": funds.get(school.pk) or Fund(school=school, school_year=school_year)}
        for school in schools
    ]
