"""The reporting-currency rules: codes, rates, conversion and re-basing."""
from datetime import date
from decimal import Decimal

import pytest

from assistant.method.amounts import parse_amount
from assistant.method.currency import (
    convert,
    currency_code,
    in_reporting,
    missing_rates,
    parse_rate,
    rates_of,
    rebase,
    with_rate,
)
from assistant.method.model import Deal
from assistant.method.results import Ok, Problem


@pytest.mark.parametrize(("raw", "code"), [("USD", "USD"), ("usd", "USD"), (" 美元 ", "USD"), ("$", "USD"),
                                           ("人民币", "CNY"), ("ＥＵＲ", "EUR"), ("港币", "HKD"), ("JPY", None),
                                           ("dollars", None), ("", None)])
def test_currency_codes_as_typed(raw, code):
    assert currency_code(raw) == code


@pytest.mark.parametrize(("raw", "rate"), [("7.1", Decimal("7.1")), ("０.１４", Decimal("0.14")), ("7", Decimal(7))])
def test_rates_read(raw, rate):
    assert parse_rate(raw) == Ok(rate)


@pytest.mark.parametrize("raw", ["0", "-7", "七", "7.1.2", "1e3", "0.0000001", "7,1", ""])
def test_rates_refused(raw):
    assert isinstance(parse_rate(raw), Problem)


def test_conversion_to_the_cent_and_none_without_a_rate():
    rates = {"USD": Decimal("7.1")}
    assert convert(Decimal(50000), "USD", "CNY", rates) == Decimal(355000)
    assert convert(Decimal("0.07"), "USD", "CNY", rates) == Decimal("0.5")
    assert convert(Decimal(100), "CNY", "CNY", rates) == Decimal(100)
    assert convert(Decimal(100), "EUR", "CNY", rates) is None


def test_deals_counted_in_the_reporting_currency_and_the_rest_named():
    def a_deal(currency: str) -> Deal:
        return Deal(1, 1, 1, 1, "Acme", "x", Decimal(1000), currency, date(2026, 12, 1), "target")
    rates = {"USD": Decimal(7)}
    counted = in_reporting([a_deal("USD"), a_deal("EUR"), a_deal("CNY")], "CNY", rates)
    assert [(d.amount, d.currency) for d in counted] == [(Decimal(7000), "CNY"), (Decimal(1000), "EUR"),
                                                         (Decimal(1000), "CNY")]
    assert missing_rates(counted, "CNY", rates) == ["EUR"]


def test_rebasing_derives_every_rate_from_the_new_currency():
    rebased = rebase({"USD": Decimal("7.1"), "EUR": Decimal("7.8")}, "CNY", "USD")
    assert rebased == {"CNY": Decimal("0.140845"), "EUR": Decimal("1.098592")}
    assert rebase({"EUR": Decimal("7.8")}, "CNY", "USD") is None


def test_rates_kept_in_the_team_settings_beside_the_others():
    settings = with_rate({"weekends": True}, "USD", Decimal("7.1"))
    assert settings == {"weekends": True, "rates": {"USD": "7.1"}}
    assert rates_of(with_rate(settings, "EUR", Decimal("7.8"))) == {"USD": Decimal("7.1"), "EUR": Decimal("7.8")}
    assert rates_of({}) == {} and rates_of({"rates": "broken"}) == {}


def test_a_bare_amount_is_in_the_teams_currency():
    assert parse_amount("50k", "USD") == Ok(parse_amount("$50k").value)
    assert parse_amount("120万").value.currency == "CNY"
    assert parse_amount("120万", "USD").value.currency == "USD"
    assert parse_amount("¥120万", "USD").value.currency == "CNY"
