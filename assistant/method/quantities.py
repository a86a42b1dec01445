"""Figures with a unit that is not money (004's balance calculation in units: "200台", "2台").

004 works its balance calculation twice, once in money (300万 at 3万 a deal) and once in
units sold (200台 at 2台 a deal). Money is read by `amounts.parse_amount`; this reads the
other kind: a positive number, optionally with 千/万 (or k), followed by the unit word the
rep typed ("台", "套", "units"). The unit is kept as typed and shown back with the figures.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from assistant.method.numbers import chinese_number, shown
from assistant.method.results import Ok, Problem

_QUANTITY = re.compile(r"(?P<number>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)\s*"
                       r"(?P<scale>[千万kK])?\s*(?P<unit>[^\d\s.,%％]{1,8})")
_SCALES = {None: 1, "千": 1000, "k": 1000, "K": 1000, "万": 10_000}
_LIMIT = Decimal(10_000_000_000)
_NOT_UNITS = {"千", "万", "亿", "k", "K", "m", "w", "元", "块"}  # money words: `parse_amount` reads those


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str


def parse_quantity(raw: str) -> Ok[Quantity] | Problem:
    """"200台", "2 台", "1.5万套", "两百台", "200 units" -> Quantity; anything else unreadable."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    found = _QUANTITY.fullmatch(text)
    if not found or found["unit"] in _NOT_UNITS:
        return Problem.of("amount.unreadable", raw=shown(raw or ""))
    number = found["number"]
    try:
        value = Decimal(number) if number[0].isdigit() else chinese_number(number)
    except InvalidOperation:
        value = None
    if value is None:
        return Problem.of("amount.unreadable", raw=shown(raw))
    value *= _SCALES[found["scale"]]
    if value <= 0:
        return Problem.of("amount.not_positive", raw=shown(raw))
    if value > _LIMIT:
        return Problem.of("amount.too_large", raw=shown(raw))
    return Ok(Quantity(value, found["unit"]))
