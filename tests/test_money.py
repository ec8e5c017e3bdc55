from decimal import Decimal

import pytest
from django.template import Context, Template

from xiji_afterschool.money import format_yuan, split_evenly, yuan


def test_yuan_rounds_half_up_not_half_even():
    assert yuan("2.345") == Decimal("2.35")
    assert yuan("2.335") == Decimal("2.34")  # half-even would give 2.34 too; the next one differs
    assert yuan("0.125") == Decimal("0.13")
    with pytest.raises(TypeError):
        yuan(1.5)


@pytest.mark.parametrize("total, parts", [("100.00", 3), ("0.05", 7), ("120000.00", 17), ("15120.00", 1)])
def test_split_evenly_adds_up_to_the_fen(total, parts):
    shares = split_evenly(Decimal(total), parts)
    assert sum(shares) == Decimal(total) and len(shares) == parts
    assert max(shares) - min(shares) <= Decimal("0.01")


def test_amounts_are_shown_as_yuan_with_separators():
    assert format_yuan(Decimal("1234.5")) == "¥1,234.50"
    assert format_yuan(Decimal("-12")) == "-¥12.00"
    assert Template("{% load xiji %}{{ v|money }}").render(Context({"v": Decimal("120000")})) == "¥120,000.00"
