"""Deal classes: MAN closable classes (002/003) and purchase timeframes (003)."""
from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from assistant.method.customer_class import CLASS_KEYS, TIMEFRAME_KEYS, assessed_class, man_class, timeframe_class

# need, money, authority, urgent -> class; every one of the 16 combinations.
MAN_TABLE = [
    (True, True, True, True, "3S"),
    (True, True, True, False, "2S"),
    (True, True, False, True, "A"),     # product decision: nobody who decides has said yes
    (True, True, False, False, "A"),
    (True, False, True, True, "A"),
    (True, False, True, False, "A"),
    (True, False, False, True, "A"),
    (True, False, False, False, "A"),
    (False, True, True, True, "1S"),
    (False, True, True, False, "1S"),
    (False, True, False, True, "1S"),
    (False, True, False, False, "1S"),
    (False, False, True, True, "B"),
    (False, False, True, False, "B"),
    (False, False, False, True, "B"),
    (False, False, False, False, "B"),
]


def test_the_table_covers_every_combination() -> None:
    assert sorted(row[:4] for row in MAN_TABLE) == sorted(product((True, False), repeat=4))


@pytest.mark.parametrize(("need", "money", "authority", "urgent", "expected"), MAN_TABLE)
def test_man_class(need: bool, money: bool, authority: bool, urgent: bool, expected: str) -> None:
    assert man_class(need, money, authority, urgent) == expected


def test_every_class_is_reachable() -> None:
    assert {man_class(*flags) for flags in product((True, False), repeat=4)} == set(CLASS_KEYS)


@pytest.mark.parametrize(("flags", "assessed", "expected"), [
    ((False, False, False, False), True, "B"),     # 002: no need, no money: the burden to drop
    ((False, False, False, False), False, None),   # never assessed
    ((False, False, True, True), True, "B"),       # authority and urgency alone change nothing
    ((True, True, True, False), False, "2S"),      # flags set before assessments were recorded
    ((True, True, True, True), True, "3S"),
    ((False, True, False, False), True, "1S"),
])
def test_an_assessed_deal_with_no_need_and_no_money_is_class_b(flags, assessed, expected) -> None:
    assert assessed_class(*flags, assessed) == expected


TODAY = date(2026, 11, 18)


@pytest.mark.parametrize(("close", "expected"), [
    (date(2026, 10, 1), "A"),      # overdue
    (TODAY, "A"),
    (date(2026, 12, 18), "A"),     # exactly 1 month ahead
    (date(2026, 12, 19), "B"),
    (date(2027, 2, 18), "B"),      # exactly 3 months
    (date(2027, 2, 19), "C"),
    (date(2027, 5, 18), "C"),      # exactly 6 months
    (date(2027, 5, 19), "D"),
    (date(2027, 11, 18), "D"),     # exactly 12 months
    (date(2027, 11, 19), "E"),
    (date(2030, 1, 1), "E"),
])
def test_timeframe_class(close: date, expected: str) -> None:
    assert timeframe_class(close, TODAY) == expected


def test_timeframe_uses_calendar_months() -> None:
    jan_31 = date(2027, 1, 31)
    assert timeframe_class(date(2027, 2, 28), jan_31) == "A"
    assert timeframe_class(date(2027, 3, 1), jan_31) == "B"


def test_keys() -> None:
    assert CLASS_KEYS == ("3S", "2S", "1S", "A", "B")
    assert TIMEFRAME_KEYS == ("A", "B", "C", "D", "E")
