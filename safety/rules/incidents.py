"""Pure rules of incidents and insurance: the compensation split and what a guardian may read. No database."""

from decimal import Decimal

from django.utils.translation import gettext as _

from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import format_yuan

ZERO = Decimal("0.00")
SHARES = ("share_insurer", "share_school", "share_other_party", "share_family")


def check_compensation(*, total: Decimal, shares: dict[str, Decimal], insurer_paid: Decimal | None) -> None:
    """The shares (insurer, school, other party, family) are not negative and add up to the total to the fen.

    The insurer's share is what the insurer actually paid (zero while nothing is paid): the split records who bore
    the cost, not who was asked to. Raises DomainError naming what is wrong."""
    if total <= 0:
        raise DomainError(_("The total compensation must be more than ¥0.00."))
    if any(shares[name] < 0 for name in SHARES):
        raise DomainError(_("A share of the compensation cannot be negative."))
    given = sum((shares[name] for name in SHARES), ZERO)
    if given != total:
        raise DomainError(
            _("The shares add up to %(given)s but the total compensation is %(total)s: they must be equal to the fen.")
            % {"given": format_yuan(given), "total": format_yuan(total)}
        )
    paid = insurer_paid if insurer_paid is not None else ZERO
    if shares["share_insurer"] != paid:
        raise DomainError(
            _("The insurer's share must be what the insurer paid: %(paid)s.") % {"paid": format_yuan(paid)}
        )


def others_label(count: int) -> str:
    """What a guardian reads in place of the other children's names: 另有1名学生."""
    return _("and %(count)s other pupil(s)") % {"count": count} if count else ""
