"""Pure rules of the school reports (直报): the window's default period, lateness, a figure's change, and the sums of
the statistics table. No database, no request."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from ..models.school_reports import FIGURES, MONEY_FIGURES, RATE_FIGURES

TENTH = Decimal("0.1")
CENT = Decimal("0.01")
REMIND_DAYS_BEFORE = 3  # the school admin is reminded this many days before the deadline, then once overdue


def percent(part, whole) -> Decimal | None:
    """part / whole in per cent, one decimal, half up; None when the whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def normalise(name: str, value) -> Decimal | None:
    """A figure as stored: money to the fen, a rate and class-hours to a tenth, a count whole."""
    if value is None:
        return None
    value = Decimal(value)
    if name in MONEY_FIGURES:
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    if name in RATE_FIGURES or name.endswith("_hours"):
        return value.quantize(TENTH, rounding=ROUND_HALF_UP)
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def is_late(*, submitted_on: datetime.date, deadline: datetime.date) -> bool:
    return submitted_on > deadline


def may_submit(*, today: datetime.date, late_until: datetime.date, resubmission: bool) -> bool:
    """A first submission is accepted until `late_until` (the deadline unless the bureau gave a grace); a report the
    bureau or township returned for correction may come back while the window is open."""
    return resubmission or today <= late_until


def reminder_stage(*, today: datetime.date, deadline: datetime.date) -> str:
    """ "due_soon" from REMIND_DAYS_BEFORE days before the deadline, "overdue" after it, else ""."""
    if today > deadline:
        return "overdue"
    if today >= deadline - datetime.timedelta(days=REMIND_DAYS_BEFORE):
        return "due_soon"
    return ""


def total_row(rows: list[dict]) -> dict:
    """The sum of rows of {figure: value}: counts, hours and money summed (None counts as nothing); a rate is
    recomputed as the mean weighted by the students served (Σ rate × served / Σ served)."""
    out = {}
    for name in FIGURES:
        if name in RATE_FIGURES:
            weighted = [(r[name], r.get("served") or 0) for r in rows if r.get(name) is not None]
            weight = sum(w for _rate, w in weighted)
            out[name] = (
                (sum(rate * w for rate, w in weighted) / weight).quantize(TENTH, rounding=ROUND_HALF_UP)
                if weight
                else None
            )
        else:
            values = [r[name] for r in rows if r.get(name) is not None]
            out[name] = normalise(name, sum(values, Decimal(0))) if values else None
    return out
