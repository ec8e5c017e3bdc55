"""Teacher pay by workload (R27), the arithmetic: workload from class-hours × the scheme's role weights, points ×
the performance factor, and the pool divided by the largest remainder at the fen (the shares add up exactly)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import CENT, format_yuan, yuan

POINT = Decimal("0.0001")


def workload_of(*, responsible, substitute, assistant, scheme) -> Decimal:
    """Class-hours by role × the scheme's weights, to the fen's precision, half-up."""
    total = (
        Decimal(responsible) * scheme.weight_responsible
        + Decimal(substitute) * scheme.weight_substitute
        + Decimal(assistant) * scheme.weight_assistant
    )
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def divide(pool: Decimal, points: list[tuple[int, Decimal]]) -> dict[int, Decimal]:
    """Largest-remainder division of `pool` by `points` [(person id, points)] at the fen: each share floored to the
    fen, the leftover fen handed one by one to the largest remainders (ties: more points, then the lower person id).
    Exact integer arithmetic; the amounts add up to the pool exactly. Raises DomainError when the points sum to 0."""
    pool_fen = int((yuan(pool) / CENT).to_integral_value())
    units = [(pk, int((Decimal(p) / POINT).to_integral_value(rounding=ROUND_HALF_UP))) for pk, p in points]
    total = sum(u for _pk, u in units)
    if total <= 0:
        raise DomainError(_("Nobody has any counted workload in this period: there is nothing to divide by."))
    fen, remainders = {}, []
    for pk, u in units:
        fen[pk], rest = divmod(pool_fen * u, total)
        remainders.append((-rest, -u, pk))
    leftover = pool_fen - sum(fen.values())
    for _rest, _u, pk in sorted(remainders)[:leftover]:
        fen[pk] += 1
    return {pk: Decimal(f) * CENT for pk, f in fen.items()}


def compute(pool: Decimal, rows: list, scheme) -> list:
    """Fill in workload, points and amount of every row (in place) and return the rows.

    Refused (DomainError): no points at all, or a division giving the same amount to two people whose points differ
    (R27: more work, more pay). Equal points may get amounts a fen apart. A factor is the school's explained
    performance decision, so two people whose factor brings their points level are paid alike.
    """
    for row in rows:
        row.workload = workload_of(
            responsible=row.responsible_hours,
            substitute=row.substitute_hours,
            assistant=row.assistant_hours,
            scheme=scheme,
        )
        row.points = (row.workload * row.factor).quantize(POINT, rounding=ROUND_HALF_UP)
    amounts = divide(pool, [(row.person_id, row.points) for row in rows])
    for row in rows:
        row.amount = amounts[row.person_id]
    by_amount = {}
    for row in rows:
        other = by_amount.setdefault(row.amount, row)
        if other is not row and other.points != row.points:
            raise DomainError(
                _(
                    "A division that gives equal shares to different workloads is refused: more work, more "
                    "pay. %(pool)s is too small to tell these people apart; divide a larger amount."
                )
                % {"pool": format_yuan(pool)}
            )
    return rows
