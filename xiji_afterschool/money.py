"""Money is Decimal yuan with two places; rounding is explicit and half-up (四舍五入)."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .errors import DomainError

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


def parse_yuan(value, *, invalid: str = "", places: str = "") -> Decimal:
    """An amount given as Decimal, int or text, exactly as given: never a float, at most two decimal places.

    Raises DomainError with `invalid` (not a number) or `places` (fractions of a fen); callers check the bounds."""
    invalid = invalid or _("Enter the amount in yuan, e.g. 1234.50.")
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise DomainError(invalid)
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
        exact = number.is_finite() and number == yuan(number)
    except InvalidOperation:  # not a number, or too large to carry fen
        raise DomainError(invalid) from None
    if not number.is_finite():
        raise DomainError(invalid)
    if not exact:
        raise DomainError(places or _("An amount has at most two decimal places (fen)."))
    return yuan(number)
