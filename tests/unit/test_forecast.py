"""Forecast (001), quota (000), required prospects (004) and periods, by hand-computed figures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from assistant.method.forecast import (
    ALLOWED_ERROR,
    Forecast,
    ForecastLine,
    current_month,
    current_quarter,
    forecast,
    forecast_by_owner,
    forecast_error,
    next_month,
    next_quarter,
    next_year,
    period_from_label,
    required_prospects,
    within_allowed_error,
)
from assistant.method.funnel_config import preset

TODAY = date(2026, 11, 18)
DEC = date(2026, 12, 15)


@dataclass(frozen=True)
class Deal:
    stage_key: str
    amount: Decimal
    close_date: date = DEC
    owner_id: int = 1
    currency: str = "CNY"
    status: str = "open"


def deal(stage_key: str, amount: int, **fields: object) -> Deal:
    return Deal(stage_key, Decimal(amount), **fields)


# --- periods ---------------------------------------------------------------------------

def test_next_month_and_quarter_from_nov_18() -> None:
    month = next_month(TODAY)
    assert (month.kind, month.start, month.end, month.label) == (
        "month", date(2026, 12, 1), date(2026, 12, 31), "2026-12")
    quarter = next_quarter(TODAY)
    assert (quarter.kind, quarter.start, quarter.end, quarter.label) == (
        "quarter", date(2027, 1, 1), date(2027, 3, 31), "2027-Q1")


@pytest.mark.parametrize(("today", "start", "end"), [
    (date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 31)),
    (date(2027, 1, 31), date(2027, 2, 1), date(2027, 2, 28)),
    (date(2028, 1, 1), date(2028, 2, 1), date(2028, 2, 29)),
    (date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 30)),
])
def test_next_month_edges(today: date, start: date, end: date) -> None:
    period = next_month(today)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(("today", "label", "start", "end"), [
    (date(2026, 1, 1), "2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
    (date(2026, 3, 31), "2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
    (date(2026, 4, 1), "2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
    (date(2026, 9, 30), "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    (date(2026, 12, 31), "2027-Q1", date(2027, 1, 1), date(2027, 3, 31)),
])
def test_next_quarter_edges(today: date, label: str, start: date, end: date) -> None:
    period = next_quarter(today)
    assert (period.label, period.start, period.end) == (label, start, end)


def test_current_periods() -> None:
    assert current_month(TODAY).label == "2026-11"
    assert (current_month(TODAY).start, current_month(TODAY).end) == (date(2026, 11, 1), date(2026, 11, 30))
    quarter = current_quarter(TODAY)
    assert (quarter.label, quarter.start, quarter.end) == ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))


@pytest.mark.parametrize("period", [
    next_month(TODAY), next_quarter(TODAY), current_month(TODAY), current_quarter(TODAY), next_year(TODAY)])
def test_period_label_round_trips(period) -> None:
    assert period_from_label(period.label) == period


@pytest.mark.parametrize(("label", "start", "end"), [
    ("2027", date(2027, 1, 1), date(2027, 12, 31)),
    ("2027-q1", date(2027, 1, 1), date(2027, 3, 31)),
    ("2026-2", date(2026, 2, 1), date(2026, 2, 28)),
    (" 2026-12 ", date(2026, 12, 1), date(2026, 12, 31)),
])
def test_period_from_label(label: str, start: date, end: date) -> None:
    period = period_from_label(label)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("label", ["", "2026-13", "2026-00", "2026-Q5", "0000", "next month", "26-12"])
def test_unreadable_period_label(label: str) -> None:
    assert period_from_label(label) is None


# --- forecast --------------------------------------------------------------------------

def test_001_next_month_forecast_with_the_four_stage_preset() -> None:
    deals = [deal("verify", 1_000_000), deal("develop", 500_000),
             deal("propose", 200_000), deal("close", 100_000)]
    result = forecast(deals, preset("four_stage"), next_month(TODAY))
    assert [line.weighted for line in result.lines] == [
        Decimal(100_000), Decimal(150_000), Decimal(100_000), Decimal(80_000)]
    assert result.total_weighted == Decimal(430_000)
    assert result.total_amount == Decimal(1_800_000)
    assert result.count == 4
    assert result.currency == "CNY"
    assert result.period.label == "2026-12"


def test_000_quota_example_with_the_quota_ladder() -> None:
    deals = [deal("candidate", 1_000_000, close_date=date(2027, 6, 30))]
    result = forecast(deals, preset("quota_ladder"), next_year(TODAY))
    assert result.total_weighted == Decimal(250_000)


def test_lines_are_one_per_stage_in_order_zeros_included() -> None:
    result = forecast([deal("develop", 500_000), deal("develop", 300_000)],
                      preset("four_stage"), next_month(TODAY))
    assert result.lines == (
        ForecastLine("verify", 0, Decimal(0), Decimal(0)),
        ForecastLine("develop", 2, Decimal(800_000), Decimal(240_000)),
        ForecastLine("propose", 0, Decimal(0), Decimal(0)),
        ForecastLine("close", 0, Decimal(0), Decimal(0)),
    )
    assert result.line("develop").count == 2
    assert result.line("won") is None


def test_only_open_deals_in_the_period_and_currency_count() -> None:
    counted = deal("propose", 200_000)
    deals = [
        counted,
        deal("propose", 1, close_date=date(2026, 11, 30)),   # the day before the period
        deal("propose", 2, close_date=date(2027, 1, 1)),     # the day after
        deal("propose", 4, status="won"),
        deal("propose", 8, status="lost"),
        deal("propose", 16, currency="USD"),
        deal("propose", 32, close_date=date(2026, 12, 1)),   # first day: counts
        deal("propose", 64, close_date=date(2026, 12, 31)),  # last day: counts
    ]
    result = forecast(deals, preset("four_stage"), next_month(TODAY))
    assert result.count == 3
    assert result.total_amount == Decimal(200_096)
    assert result.total_weighted == Decimal(100_048)


def test_forecast_in_another_currency() -> None:
    deals = [deal("close", 100_000), deal("close", 50_000, currency="usd")]
    result = forecast(deals, preset("four_stage"), next_month(TODAY), currency="USD")
    assert (result.currency, result.total_weighted) == ("USD", Decimal(40_000))


def test_deals_in_a_stage_the_funnel_no_longer_has_are_counted_apart() -> None:
    result = forecast([deal("gone", 100), deal("close", 100)], preset("four_stage"), next_month(TODAY))
    assert (result.count, result.unknown_stage) == (1, 1)


def test_empty_forecast() -> None:
    result = forecast([], preset("project"), next_quarter(TODAY))
    assert isinstance(result, Forecast)
    assert (result.count, result.total_amount, result.total_weighted) == (0, 0, 0)
    assert len(result.lines) == 5


def test_forecast_by_owner() -> None:
    deals = [deal("verify", 1_000_000, owner_id=1), deal("close", 100_000, owner_id=1),
             deal("develop", 500_000, owner_id=2), deal("propose", 200_000, owner_id=3, status="won")]
    result = forecast_by_owner(deals, preset("four_stage"), next_month(TODAY))
    assert set(result) == {1, 2}
    assert result[1].total_weighted == Decimal(180_000)
    assert result[2].total_weighted == Decimal(150_000)


def test_forecast_accepts_a_generator() -> None:
    result = forecast((deal("close", n) for n in (100, 200)), preset("four_stage"), next_month(TODAY))
    assert result.total_weighted == Decimal(240)


# --- required prospects (004) ----------------------------------------------------------

def test_004_required_prospects_in_money() -> None:
    result = required_prospects(Decimal(3_000_000), Decimal(30_000), Decimal("0.1"))
    assert result.deals_needed == Decimal(100)
    assert result.prospects_per_year == Decimal(1000)
    assert result.prospects_per_month.quantize(Decimal("0.01")) == Decimal("83.33")
    assert result.prospects_per_month * 12 == pytest.approx(Decimal(1000))


def test_004_required_prospects_in_units() -> None:
    result = required_prospects(Decimal(200), Decimal(2), Decimal("0.10"))
    assert (result.deals_needed, result.prospects_per_year) == (Decimal(100), Decimal(1000))


@pytest.mark.parametrize(("average", "rate"), [(Decimal(0), Decimal("0.1")),
                                               (Decimal(10), Decimal(0)), (Decimal(10), Decimal(10))])
def test_required_prospects_refuses_nonsense(average: Decimal, rate: Decimal) -> None:
    with pytest.raises(ValueError):
        required_prospects(Decimal(1000), average, rate)


# --- precision (001) -------------------------------------------------------------------

def test_forecast_error() -> None:
    assert forecast_error(Decimal(430_000), Decimal(400_000)) == Decimal("0.075")
    assert forecast_error(Decimal(300_000), Decimal(400_000)) == Decimal("0.25")
    assert forecast_error(Decimal(100), Decimal(0)) is None


def test_allowed_error_by_role() -> None:
    assert {"rep": Decimal("0.35"), "manager": Decimal("0.25"), "director": Decimal("0.20")} == ALLOWED_ERROR
    assert within_allowed_error(Decimal(300_000), Decimal(400_000), "manager") is True
    assert within_allowed_error(Decimal(300_000), Decimal(400_000), "director") is False
    assert within_allowed_error(Decimal(1), Decimal(0), "rep") is None
