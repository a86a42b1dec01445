"""Forecasts, periods and the required-prospect calculation (domain §2 and §4).

Forecast for a period (001): the sum over open deals expected to close in it of
amount x stage probability. The quota of 000 is the same sum over a year. Amounts stay
exact `Decimal`s; rounding is for display only.
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from assistant.method.stages import Funnel

# Forecast precision (001): allowed |forecast - actual| / actual, by role.
ALLOWED_ERROR: dict[str, Decimal] = {
    "rep": Decimal("0.35"),
    "manager": Decimal("0.25"),
    "director": Decimal("0.20"),
}

_MONTH_RE = re.compile(r"(\d{4})-(\d{1,2})\Z")
_QUARTER_RE = re.compile(r"(\d{4})-?Q([1-4])\Z", re.IGNORECASE)
_YEAR_RE = re.compile(r"(\d{4})\Z")


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date
    label: str

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


# Every deal whatever its close date: the funnel as it stands, not a forecast period.
ALL_TIME = Period("all", date.min, date.max, "all")


def month_period(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period("month", date(year, month, 1), date(year, month, last), f"{year:04d}-{month:02d}")


def quarter_period(year: int, quarter: int) -> Period:
    first_month = 3 * (quarter - 1) + 1
    end = month_period(year, first_month + 2).end
    return Period("quarter", date(year, first_month, 1), end, f"{year:04d}-Q{quarter}")


def year_period(year: int) -> Period:
    return Period("year", date(year, 1, 1), date(year, 12, 31), f"{year:04d}")


def current_month(today: date) -> Period:
    return month_period(today.year, today.month)


def next_month(today: date) -> Period:
    """The calendar month after today's (December -> January of next year)."""
    year, month_index = divmod(today.year * 12 + today.month, 12)
    return month_period(year, month_index + 1)


def current_quarter(today: date) -> Period:
    return quarter_period(today.year, (today.month - 1) // 3 + 1)


def next_quarter(today: date) -> Period:
    """The calendar quarter after the current one (Q4 -> Q1 of next year)."""
    year, quarter_index = divmod(today.year * 4 + (today.month - 1) // 3 + 1, 4)
    return quarter_period(year, quarter_index + 1)


def current_year(today: date) -> Period:
    return year_period(today.year)


def next_year(today: date) -> Period:
    return year_period(today.year + 1)


def period_from_label(label: str) -> Period | None:
    """The period a label names ("2026-12", "2027-Q1", "2027"); None if unreadable."""
    text = unicodedata.normalize("NFKC", label).strip()
    try:
        if found := _MONTH_RE.match(text):
            return month_period(int(found[1]), int(found[2]))
        if found := _QUARTER_RE.match(text):
            return quarter_period(int(found[1]), int(found[2]))
        if found := _YEAR_RE.match(text):
            return year_period(int(found[1]))
    except ValueError:
        return None
    return None


class ForecastDeal(Protocol):
    owner_id: int
    amount: Decimal
    currency: str
    stage_key: str
    close_date: date
    status: str


@dataclass(frozen=True)
class ForecastLine:
    stage_key: str
    count: int
    amount: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class Forecast:
    """One line per funnel stage, in funnel order, zero lines included.

    `unknown_stage` counts deals of the period whose stage the funnel no longer has (it
    was reconfigured): they cannot be weighted, and a report should say so, not hide them.
    """

    period: Period
    currency: str
    lines: tuple[ForecastLine, ...]
    unknown_stage: int = 0

    @property
    def total_amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def total_weighted(self) -> Decimal:
        return sum((line.weighted for line in self.lines), Decimal(0))

    @property
    def count(self) -> int:
        return sum(line.count for line in self.lines)

    def line(self, stage_key: str) -> ForecastLine | None:
        return next((line for line in self.lines if line.stage_key == stage_key), None)


def _counts(deal: ForecastDeal, period: Period, currency: str) -> bool:
    return (deal.status == "open" and period.contains(deal.close_date)
            and deal.currency.upper() == currency.upper())


def forecast(deals: Iterable[ForecastDeal], funnel: Funnel, period: Period,
             currency: str = "CNY") -> Forecast:
    """Open deals closing in the period, in the currency: amount x probability per stage."""
    by_stage: dict[str, list[Decimal]] = {stage.key: [] for stage in funnel.stages}
    unknown = 0
    for deal in deals:
        if not _counts(deal, period, currency):
            continue
        if deal.stage_key in by_stage:
            by_stage[deal.stage_key].append(deal.amount)
        else:
            unknown += 1
    lines = tuple(_line(stage.key, stage.probability, by_stage[stage.key]) for stage in funnel.stages)
    return Forecast(period, currency, lines, unknown)


def _line(stage_key: str, probability: Decimal, amounts: list[Decimal]) -> ForecastLine:
    amount = sum(amounts, Decimal(0))
    return ForecastLine(stage_key, len(amounts), amount, amount * probability)


def forecast_by_owner(deals: Iterable[ForecastDeal], funnel: Funnel, period: Period,
                      currency: str = "CNY") -> dict[int, Forecast]:
    """One forecast per owner who has at least one deal counted in the period."""
    by_owner: dict[int, list[ForecastDeal]] = defaultdict(list)
    for deal in deals:
        if _counts(deal, period, currency):
            by_owner[deal.owner_id].append(deal)
    return {owner: forecast(owned, funnel, period, currency) for owner, owned in by_owner.items()}


@dataclass(frozen=True)
class RequiredProspects:
    deals_needed: Decimal
    prospects_per_year: Decimal
    prospects_per_month: Decimal


def required_prospects(annual_target: Decimal, average_deal: Decimal,
                       win_rate: Decimal) -> RequiredProspects:
    """004's balance calculation: target / average deal / win rate, then / 12 a month.

    Figures are not rounded (83.33... a month in the seed's example); `win_rate` is a
    fraction (0.1 for 10%). The caller's parser refuses zero or negative inputs, so one
    reaching here is a bug.
    """
    if average_deal <= 0 or not 0 < win_rate <= 1:
        raise ValueError("average_deal must be positive and win_rate in (0, 1]")
    deals_needed = annual_target / average_deal
    per_year = deals_needed / win_rate
    return RequiredProspects(deals_needed, per_year, per_year / 12)


def forecast_error(forecast_amount: Decimal, actual_won: Decimal) -> Decimal | None:
    """|forecast - actual| / actual (001's precision, read as a product decision).

    None when nothing was won: the error is undefined, not zero or infinite.
    """
    if actual_won == 0:
        return None
    return abs(forecast_amount - actual_won) / actual_won


def within_allowed_error(forecast_amount: Decimal, actual_won: Decimal, role: str) -> bool | None:
    """Whether a forecast met the precision 001 asks of `role`; None when undefined."""
    error = forecast_error(forecast_amount, actual_won)
    return None if error is None else error <= ALLOWED_ERROR[role]
