"""Figures in units (004's balance calculation in 台), as reps type them."""
from decimal import Decimal

import pytest

from assistant.method.quantities import Quantity, parse_quantity
from assistant.method.results import Ok


@pytest.mark.parametrize(("raw", "expected"), [
    ("200台", Quantity(Decimal(200), "台")),          # 004's target in units
    ("2台", Quantity(Decimal(2), "台")),              # 004's average deal in units
    ("2 台", Quantity(Decimal(2), "台")),
    ("两百台", Quantity(Decimal(200), "台")),
    ("1.5万套", Quantity(Decimal(15000), "套")),
    ("200 units", Quantity(Decimal(200), "units")),
    ("２００台", Quantity(Decimal(200), "台")),
])
def test_units_are_read(raw, expected):
    result = parse_quantity(raw)
    assert isinstance(result, Ok) and result.value == expected


@pytest.mark.parametrize(("raw", "problem"), [
    ("300万", "amount.unreadable"), ("3万元", "amount.unreadable"), ("10%", "amount.unreadable"),
    ("台", "amount.unreadable"), ("", "amount.unreadable"), ("0台", "amount.not_positive"),
])
def test_money_and_nonsense_are_not_units(raw, problem):
    assert parse_quantity(raw).key == problem
