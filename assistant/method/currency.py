"""A team's reporting currency and the rates its manager set: how a deal in another currency
still counts in the funnel and the forecast.

A deal keeps the currency it was agreed in (a USD deal stays $50k); every total converts it
into the team's reporting currency at the rate the manager set ("1 USD = 7.1 CNY"), as
Salesforce's multi-currency does. A deal in a currency without a rate can't be converted: it
is never entered that way (the rep is asked for the amount in the team's currency), and a
total that still meets one (a rate never set for an old deal) names it and the fix.
Rates live in the team's settings as {"rates": {"USD": "7.1"}}: the number of reporting
units one unit of the currency is worth.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from assistant.method.model import Deal, DealStatus, JsonDict
from assistant.method.numbers import shown
from assistant.method.results import Ok, Problem

CURRENCIES = ("CNY", "USD", "EUR", "HKD")
"""The currencies the amount reader recognises ("$", "美元", "EUR" …), so the ones a team may
report in and set rates for."""

_NAMES = {"人民币": "CNY", "rmb": "CNY", "¥": "CNY", "元": "CNY", "美元": "USD", "美金": "USD", "$": "USD",
          "欧元": "EUR", "€": "EUR", "港币": "HKD", "港元": "HKD", "hk$": "HKD"}
_RATE = re.compile(r"\d{1,9}(?:\.\d{1,6})?")
_RATE_LIMIT = (Decimal("0.000001"), Decimal(1_000_000))


def currency_code(raw: str) -> str | None:
    """"USD", "usd", "美元", "$" -> "USD"; None for anything else."""
    text = unicodedata.normalize("NFKC", raw).strip().casefold()
    if text.upper() in CURRENCIES:
        return text.upper()
    return _NAMES.get(text)


def parse_rate(raw: str) -> Ok[Decimal] | Problem:
    """"7.1" -> 7.1: a positive number, at most six decimals."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not _RATE.fullmatch(text):
        return Problem.of("currency.bad_rate", raw=shown(raw))
    try:
        rate = Decimal(text)
    except InvalidOperation:
        return Problem.of("currency.bad_rate", raw=shown(raw))
    if not _RATE_LIMIT[0] <= rate <= _RATE_LIMIT[1]:
        return Problem.of("currency.bad_rate", raw=shown(raw))
    return Ok(rate)


def rates_of(settings: Mapping[str, object] | None) -> dict[str, Decimal]:
    stored = (settings or {}).get("rates")
    if not isinstance(stored, Mapping):
        return {}
    return {str(code): Decimal(str(value)) for code, value in stored.items()}


def with_rate(settings: Mapping[str, object] | None, code: str, rate: Decimal) -> JsonDict:
    rates = {c: str(r) for c, r in rates_of(settings).items()} | {code: str(rate)}
    return dict(settings or {}) | {"rates": rates}


def convert(amount: Decimal, currency: str, reporting: str, rates: Mapping[str, Decimal]) -> Decimal | None:
    """`amount` of `currency` in the reporting currency, to the cent; None without a rate."""
    if currency.upper() == reporting.upper():
        return amount
    rate = rates.get(currency.upper())
    if rate is None:
        return None
    return (amount * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()


def in_reporting(deals: Iterable[Deal], reporting: str, rates: Mapping[str, Decimal]) -> list[Deal]:
    """The deals as the totals count them: each converted into the reporting currency where a
    rate exists; one without a rate stays as it is (and `missing_rates` names its currency)."""
    counted = []
    for deal in deals:
        value = convert(deal.amount, deal.currency, reporting, rates)
        counted.append(deal if value is None or deal.currency == reporting else
                       replace(deal, amount=value, currency=reporting))
    return counted


def missing_rates(deals: Iterable[Deal], reporting: str, rates: Mapping[str, Decimal]) -> list[str]:
    """The currencies of open deals that no total can count (no rate set), sorted."""
    return sorted({d.currency for d in deals if d.status == DealStatus.OPEN
                   and convert(d.amount, d.currency, reporting, rates) is None})


def rebase(rates: Mapping[str, Decimal], old: str, new: str) -> dict[str, Decimal] | None:
    """The rates into `new` when the reporting currency changes from `old`, derived from the
    rate of `new` itself; None when that rate was never set (nothing could be converted)."""
    pivot = rates.get(new)
    if pivot is None:
        return None
    step = Decimal("0.000001")
    rebased = {code: (rate / pivot).quantize(step, rounding=ROUND_HALF_UP).normalize()
               for code, rate in rates.items() if code != new}
    rebased[old] = (Decimal(1) / pivot).quantize(step, rounding=ROUND_HALF_UP).normalize()
    return rebased
