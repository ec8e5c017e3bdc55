"""Money is Decimal yuan with two places; rounding is explicit and half-up (四舍五入)."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def yuan(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money must be Decimal, int or str, not float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def split_evenly(total: Decimal, parts: int) -> list[Decimal]:
    """Shares that add up to total exactly: 100.00 / 3 -> 33.34, 33.33, 33.33."""
    if parts <= 0:
        raise ValueError("parts must be positive")
    share = (total / parts).quantize(CENT, rounding=ROUND_DOWN)
    leftover = int((total - share * parts) / CENT)
    return [share + CENT if i < leftover else share for i in range(parts)]


def format_yuan(value: Decimal | int | str | None) -> str:
    """¥1,234.50 — negative amounts as -¥12.00."""
    if value is None or value == "":
        return ""
    amount = yuan(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
