from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from xiji_afterschool.errors import DomainError
from xiji_afterschool.money import format_yuan, parse_yuan, split_evenly, yuan


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


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("1234.5", Decimal("1234.50")),
        (" 0.07 ", Decimal("0.07")),
        (12, Decimal("12.00")),
        (Decimal("9.90"), Decimal("9.90")),
    ],
)
def test_parse_yuan_keeps_the_amount_exactly(given, expected):
    assert parse_yuan(given) == expected


@pytest.mark.parametrize("given", ["abc", "", "NaN", "Infinity", 1.5, True, None, "1e999999"])
def test_parse_yuan_refuses_what_is_not_an_amount(given):
    with translation.override("en"), pytest.raises(DomainError, match="Enter the amount in yuan"):
        parse_yuan(given)


def test_parse_yuan_refuses_fractions_of_a_fen_rather_than_rounding_them():
    with translation.override("en"), pytest.raises(DomainError, match="at most two decimal places"):
        parse_yuan("10.005")
