"""Numbers as reps type them: ids ("#12", "１２"), small counts ("三", "十二"), and how much of
their text is echoed back. cn2an reads Chinese numerals; the bounds are ours."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import cn2an

_SHOWN = 40  # characters of the rep's text echoed back in a message

CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+")


def parse_int(raw: str) -> int | None:
    """"3", "３", "三", "十二" → the number; None unless a non-negative integer."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text or len(text) > 12:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    value = chinese_number(text) if CN_NUMERAL.fullmatch(text) else None
    return int(value) if value is not None and value == value.to_integral_value() else None


MAX_ID = 2_000_000_000


def parse_id(raw: str) -> int | None:
    """A number naming a record or a button ("12", "#12", "１２"): the one way to read them,
    bounded so that "²" or a 20-digit number is simply not an id."""
    text = unicodedata.normalize("NFKC", raw or "").strip().lstrip("#")
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def chinese_number(text: str) -> Decimal | None:
    """cn2an's reading, or None: it raises ValueError or KeyError on numerals it cannot read."""
    try:
        return Decimal(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError, IndexError, ArithmeticError):
        return None


def shown(raw: str) -> str:
    """The user's text as echoed back in a message: one line, at most a few dozen characters."""
    text = " ".join(raw.split())
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def has_script_digits(raw: str) -> bool:
    """Superscript, subscript or circled characters ("²", "₃", "①"): NFKC would read them as
    plain digits, but nobody types an amount, a rate or a date that way."""
    return any(unicodedata.decomposition(char).startswith(("<super>", "<sub>", "<circle>")) for char in raw)
