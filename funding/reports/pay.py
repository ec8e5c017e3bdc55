"""Report rows of teacher pay (R27): the pay run's Excel sheet and one teacher's pay slip. Every input is shown so
anyone can recompute a share by hand."""

from decimal import Decimal

from django.utils.translation import gettext as _

from ..models import PayRun, PayShare
from ..selectors import pay as selectors


def total_points(shares) -> Decimal:
    return sum((s.points for s in shares), Decimal("0.0000"))


def percent_of(points: Decimal, total: Decimal) -> Decimal | None:
    """Part of the run's points, in percent with two decimals (half-up); None when there are no points."""
    if not total:
        return None
    return (points * 100 / total).quantize(Decimal("0.01"))


def pay_run_rows(run: PayRun) -> tuple[list[str], list[list]]:
    """One row per person with every input, then the total row (whose amount equals the pool)."""
    scheme = run.scheme
    shares = selectors.pay_run_shares(run=run)
    header = [
        _("Name"),
        _("Username"),
        _("Class-hours as responsible teacher"),
        _("Weight: responsible"),
        _("Class-hours as substitute"),
        _("Weight: substitute"),
        _("Class-hours as assistant"),
        _("Weight: assistant"),
        _("Weighted workload"),
        _("Performance factor"),
        _("Reason for the factor"),
        _("Points"),
        _("Pay (yuan)"),
    ]
    rows = [
        [
            s.person.get_full_name(),
            s.person.username,
            s.responsible_hours,
            scheme.weight_responsible,
            s.substitute_hours,
            scheme.weight_substitute,
            s.assistant_hours,
            scheme.weight_assistant,
            s.workload,
            s.performance_factor,
            s.performance_reason,
            s.points,
            s.amount,
        ]
        for s in shares
    ]
    rows.append(
        [
            _("Total"),
            "",
            sum((s.responsible_hours for s in shares), Decimal("0.0")),
            "",
            sum((s.substitute_hours for s in shares), Decimal("0.0")),
            "",
            sum((s.assistant_hours for s in shares), Decimal("0.0")),
            "",
            sum((s.workload for s in shares), Decimal("0.00")),
            "",
            "",
            total_points(shares),
            sum((s.amount for s in shares), Decimal("0.00")),
        ]
    )
    return header, rows


def pay_slip_context(share: PayShare) -> dict:
    """Everything a pay slip prints: school, period, person, hours by role, weights, workload, factor and reason,
    points and their part of the total, the amount, and the scheme version with its HR approval."""
    run = share.run
    scheme = run.scheme
    points = total_points(run.shares.all())
    return {
        "share": share,
        "run": run,
        "scheme": scheme,
        "school": run.school,
        "total_points": points,
        "percent": percent_of(share.points, points),
        "rows": [
            (_("As responsible teacher"), share.responsible_hours, scheme.weight_responsible),
            (_("As substitute"), share.substitute_hours, scheme.weight_substitute),
            (_("As assistant"), share.assistant_hours, scheme.weight_assistant),
        ],
    }
