"""Reads for the money departments' home pages and a school's funding overview, scoped by the viewer.

Each reads the funding models directly through the access policy; amounts are summed in Python from exact Decimals.
"""

from decimal import Decimal

from django.db.models import QuerySet

from schools.models import School, SchoolYear
from xiji_afterschool import permissions
from xiji_afterschool.money import yuan

from ..models import Category, Claim, Disclosure, Fund, LedgerEntry, PayRun, PayScheme, Settlement, SpendingPlan

SHORT_LIST = 10  # items shown per queue on a home page; the count says how many there are in all
ZERO = yuan(0)
IN_PROGRESS = (Claim.Status.SUBMITTED, Claim.Status.PASSED, Claim.Status.APPROVED, Claim.Status.ALLOCATED)


def _claims(viewer) -> QuerySet[Claim]:
    return permissions.scope(viewer, Claim.objects.all(), action="claim.view").select_related(
        "school__township", "school_year"
    )


def _queue(qs: QuerySet, order: str) -> dict:
    items = list(qs.order_by(order, "pk")[: SHORT_LIST + 1])
    count = len(items) if len(items) <= SHORT_LIST else qs.count()
    return {"count": count, "items": items[:SHORT_LIST]}


def finance_home(*, viewer, school_year: SchoolYear | None) -> dict:
    """Finance: claims passed first review (to approve), approved claims (to allocate), filed settlements (to
    confirm), and the year's totals requested, approved and allocated."""
    claims = _claims(viewer)
    settlements = permissions.scope(viewer, Settlement.objects.all(), action="settlement.view").select_related(
        "school__township", "school_year"
    )
    totals = {"requested": ZERO, "approved": ZERO, "allocated": ZERO}
    if school_year is not None:
        rows = claims.filter(school_year=school_year, status__in=IN_PROGRESS).values_list(
            "status", "requested_amount", "approved_amount"
        )
        for status, requested, approved in rows:
            totals["requested"] += requested
            if status in Claim.FIXED:
                totals["approved"] += approved or ZERO
            if status == Claim.Status.ALLOCATED:
                totals["allocated"] += approved or ZERO
    return {
        "to_approve": _queue(claims.filter(status=Claim.Status.PASSED), "first_reviewed_at"),
        "to_allocate": _queue(claims.filter(status=Claim.Status.APPROVED), "approved_at"),
        "to_confirm": _queue(settlements.filter(status=Settlement.Status.FILED), "created_at"),
        "totals": {key: yuan(value) for key, value in totals.items()},
    }


def hr_home(*, viewer) -> dict:
    """HR: the schools' pay schemes submitted for review, oldest first."""
    schemes = permissions.scope(viewer, PayScheme.objects.all(), action="pay_scheme.view").select_related(
        "school__township", "school_year"
    )
    return {"to_review": _queue(schemes.filter(status=PayScheme.Status.SUBMITTED), "updated_at")}


def spending_by_category(entries) -> tuple[dict, Decimal, Decimal]:
    """From (kind, category, amount) rows: spent per category (SPENDING − REVERSAL), total spent, total allocated."""
    spent = dict.fromkeys(Category.values, ZERO)
    allocated = ZERO
    for kind, category, amount in entries:
        if kind == LedgerEntry.Kind.ALLOCATION:
            allocated += amount
        elif kind == LedgerEntry.Kind.SPENDING:
            spent[category] += amount
        else:
            spent[category] -= amount
    return spent, yuan(sum(spent.values(), ZERO)), yuan(allocated)


def auditor_home(*, viewer, school_year: SchoolYear | None) -> dict:
    """Audit: the county's money for the year — allocated, and spent per earmarked category."""
    entries = permissions.scope(viewer, LedgerEntry.objects.all(), action="ledger.view")
    rows = (
        entries.filter(fund__school_year=school_year).values_list("kind", "category", "amount") if school_year else []
    )
    spent, spent_total, allocated = spending_by_category(rows)
    return {
        "allocated": allocated,
        "spent_rows": [(label, yuan(spent[value])) for value, label in Category.choices],
        "spent_total": spent_total,
        "balance": yuan(allocated - spent_total),
    }


def funding_schools(*, viewer) -> QuerySet[School]:
    """Schools whose funding overview the viewer may open: their own school; every school for the county's readers."""
    return permissions.scope(viewer, School.objects.all(), action="claim.view").select_related("township")


def school_funding(*, viewer, school: School, school_year: SchoolYear | None) -> dict:
    """One school's funding for the year: claims, spending plan, fund, settlement, pay scheme and runs, disclosures.

    Each part is read through the viewer's own scope, and shown only if the viewer may read that kind of record
    (finance does not read pay schemes, for example): `None` then means "not shown", not "missing".
    """

    def readable(action, model):
        if not permissions.can(viewer, action, school):
            return None
        return permissions.scope(viewer, model.objects.filter(school=school), action=action)

    out = {"school_year": school_year}
    if school_year is None:
        return out
    claims = readable("claim.view", Claim)
    plans = readable("spending_plan.view", SpendingPlan)
    funds = readable("ledger.view", Fund)
    settlements = readable("settlement.view", Settlement)
    schemes = readable("pay_scheme.view", PayScheme)
    runs = readable("pay_run.view", PayRun)
    disclosures = readable("disclosure.view", Disclosure)
    out |= {
        "claims": None if claims is None else list(claims.filter(school_year=school_year).order_by("created_at")),
        "spending_plan": None if plans is None else plans.filter(school_year=school_year).first(),
        "show_spending_plan": plans is not None,
        "fund": None if funds is None else funds.filter(school_year=school_year).first(),
        "show_fund": funds is not None,
        "settlement": None if settlements is None else settlements.filter(school_year=school_year).first(),
        "show_settlement": settlements is not None,
        "pay_scheme": None if schemes is None else schemes.filter(school_year=school_year).order_by("-version").first(),
        "show_pay_scheme": schemes is not None,
        "pay_runs": None if runs is None else list(runs.filter(school_year=school_year).order_by("-first_month")),
        "disclosures": None
        if disclosures is None
        else list(disclosures.filter(semester__school_year=school_year).select_related("semester")),
    }
    return out
