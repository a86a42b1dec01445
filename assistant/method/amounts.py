"""Amounts as reps type them: "120万", "3万5", "$50k", "50万美元", "八千", "3个亿", "1.2 million",
"120万元整", "120万上下" (and rates, "10%").

No library reads Chinese money shorthand, so the layer around cn2an is written here.
`tests/data/phrases.tsv` is the reference for what must be read.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from assistant.method.numbers import CN_NUMERAL, chinese_number, has_script_digits, shown
from assistant.method.results import Ok, Problem

_AMOUNT_LIMIT = Decimal(10_000_000_000)
_MAX_AMOUNT_TEXT = 64


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


# Matched on casefolded text without spaces, longest first ("hk$" before "$", "美元" before
# "元"). None = a neutral money word: "元" and "块" also follow 美/港, so they set nothing.
_CURRENCY_PREFIXES = (("hk$", "HKD"), ("us$", "USD"), ("人民币", "CNY"), ("rmb", "CNY"), ("cny", "CNY"),
                      ("usd", "USD"), ("eur", "EUR"), ("hkd", "HKD"), ("$", "USD"), ("¥", "CNY"), ("€", "EUR"))
_CURRENCY_SUFFIXES = (("人民币", "CNY"), ("美元", "USD"), ("美金", "USD"), ("欧元", "EUR"), ("港币", "HKD"),
                      ("港元", "HKD"), ("rmb", "CNY"), ("cny", "CNY"), ("usd", "USD"), ("eur", "EUR"),
                      ("hkd", "HKD"), ("块钱", None), ("元", None), ("块", None))
_HEDGE_PREFIXES = ("大约", "大概", "约", "~", "about", "around")
_HEDGE_SUFFIXES = ("左右", "上下", "整")  # "120万元整": 整 is how a written amount ends
_SIGNS = {"-": True, "−": True, "负": True, "+": False}

# One term of a shorthand amount: a number and an optional unit ("3万", "1.2m", "5千万").
_TERM = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[零〇一二两三四五六七八九])"
                   r"((?:[十百千])?[万亿]|thousand|million|billion|mn|bn|[千百kwm])?")
_UNIT_DIGITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000,
                "k": 1000, "w": 10_000, "m": 1_000_000}
_UNIT_WORDS = {"thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000, "mn": 1_000_000,
               "bn": 1_000_000_000}
# "3个亿", "两个w": the measure word 个 before a magnitude says nothing.
_MEASURE_WORD = re.compile(r"个(?=[十百千]?[万亿w])")


def parse_amount(raw: str, default_currency: str = "CNY") -> Ok[Money] | Problem:
    """"120万", "3万5", "$50k", "50万美元" → Money; in `default_currency` (the team's) unless
    the text names a currency."""
    text = "".join(unicodedata.normalize("NFKC", raw).split()).casefold()
    if not text or len(text) > _MAX_AMOUNT_TEXT or has_script_digits(raw):
        return Problem.of("amount.unreadable", raw=shown(raw))
    stripped = _strip_money_words(_MEASURE_WORD.sub("", text))
    if stripped is None:
        return Problem.of("amount.unreadable", raw=shown(raw))
    body, currency, negative = stripped
    value = _read_number(body)
    if value is None:
        return Problem.of("amount.unreadable", raw=shown(raw))
    if negative or value <= 0:
        return Problem.of("amount.not_positive", raw=shown(raw))
    if value > _AMOUNT_LIMIT:
        return Problem.of("amount.too_large", raw=shown(raw))
    amount = _to_cents(value)
    if amount <= 0:
        return Problem.of("amount.not_positive", raw=shown(raw))
    return Ok(Money(amount=amount, currency=currency or default_currency))


def _strip_money_words(text: str) -> tuple[str, str | None, bool] | None:
    """(number text, currency or None, negative); None when two currencies disagree."""
    currencies: set[str] = set()
    negative = False
    changed = True
    while changed and text:
        changed = False
        for word, currency in (*_CURRENCY_PREFIXES, *((h, None) for h in _HEDGE_PREFIXES)):
            if text.startswith(word):
                text, changed = text[len(word):], True
                currencies.update([currency] if currency else [])
        if text[:1] in _SIGNS:
            negative, text, changed = negative or _SIGNS[text[0]], text[1:], True
        for word, currency in (*_CURRENCY_SUFFIXES, *((h, None) for h in _HEDGE_SUFFIXES)):
            if text.endswith(word):
                text, changed = text[: -len(word)], True
                currencies.update([currency] if currency else [])
    if len(currencies) > 1:
        return None
    return text, next(iter(currencies), None), negative


def _read_number(text: str) -> Decimal | None:
    """Chinese numerals through cn2an; otherwise number-and-unit terms, largest unit first."""
    if not text:
        return None
    if CN_NUMERAL.fullmatch(text):
        return chinese_number(text)
    terms: list[tuple[str, int | None]] = []
    position = 0
    while position < len(text):
        found = _TERM.match(text, position)
        if found is None:
            return None
        terms.append((found[1], _unit_value(found[2])))
        position = found.end()
    return _add_terms(terms)


def _unit_value(unit: str | None) -> int | None:
    if unit is None:
        return None
    if unit in _UNIT_WORDS:
        return _UNIT_WORDS[unit]
    value = 1
    for ch in unit:
        value *= _UNIT_DIGITS[ch]
    return value


def _add_terms(terms: list[tuple[str, int | None]]) -> Decimal | None:
    """Terms largest unit first. A single digit after a unit counts in the next unit down
    ("3万5" = 35000, "1m5" = 1.5m); a longer number must fill the unit's zeros ("3万2500")."""
    total = Decimal(0)
    last_unit: int | None = None
    for index, (number_text, unit) in enumerate(terms):
        number = _number_value(number_text)
        if number is None:
            return None
        is_last = index == len(terms) - 1
        if unit is not None:
            if (last_unit is not None and unit >= last_unit) or (not is_last and number % 1):
                return None
            total, last_unit = total + number * unit, unit
        elif not is_last:
            return None
        elif last_unit is None:
            total = number
        elif len(number_text) == 1 and last_unit >= 10:
            total += number * last_unit / 10
        elif number_text.isdigit() and len(number_text) == len(str(last_unit)) - 1:
            total += number  # "3万2500"; "3万250" (30250 or 32500?) is refused
        else:
            return None
    return total


def _number_value(text: str) -> Decimal | None:
    if text[0].isascii() and text[0].isdigit():
        return Decimal(text.replace(",", ""))
    return chinese_number(text)


def _to_cents(value: Decimal) -> Decimal:
    cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return cents.quantize(Decimal(1)) if cents == cents.to_integral_value() else cents



_MAX_PERCENT_TEXT = 40
_PERCENT_STEP = Decimal("0.0001")  # a rate to 0.01%: finer is a typo, and prints a 26-digit answer
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(%|％|percent)?", re.IGNORECASE)


def parse_percent(raw: str) -> Ok[Decimal] | Problem:
    """A rate as a fraction: "10%", "10", "0.1" -> 0.1. Must lie in (0, 100%]."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    found = _PERCENT.fullmatch(text) if len(text) <= _MAX_PERCENT_TEXT and not has_script_digits(raw or "") else None
    if not found:
        return Problem.of("percent.unreadable", raw=shown(raw or ""))
    value = Decimal(found.group(1))
    if found.group(2) or value > 1:
        value = value / 100
    if not 0 < value <= 1:
        return Problem.of("percent.out_of_range", raw=shown(raw))
    if value != value.quantize(_PERCENT_STEP):
        return Problem.of("percent.too_precise", raw=shown(raw))
    return Ok(value)


# Roughly ¥1,000 in each currency the reader knows: a deal amount under it has most likely lost
# its 万 or k ("120" for 120万), so a new deal asks before saving it. Not an exchange rate.
_SMALL_DEAL = {"CNY": Decimal(1000), "USD": Decimal(150), "EUR": Decimal(130), "HKD": Decimal(1100)}


def looks_too_small(money: Money) -> bool:
    """Whether a deal amount is under about ¥1,000 (its equivalent in another currency)."""
    return money.amount < _SMALL_DEAL.get(money.currency, _SMALL_DEAL["CNY"])
