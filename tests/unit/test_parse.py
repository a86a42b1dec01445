"""Amounts and dates as reps type them: every row of the phrase corpus, then extra tables."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.method.amounts import Money, parse_amount
from assistant.method.dates import parse_date, warn_if_past
from assistant.method.numbers import parse_int
from assistant.method.results import Ok, Problem

ROOT = Path(__file__).resolve().parents[2]
PHRASES = Path(__file__).resolve().parent.parent / "data" / "phrases.tsv"
TODAY = date(2026, 11, 18)  # a Wednesday, the corpus's "today"


def corpus(kind: str) -> list[tuple[str, str]]:
    """(input, expected) of every row of one kind; inputs are kept exactly as written."""
    rows = []
    for line in PHRASES.read_text("utf-8").splitlines():
        fields = line.split("\t")
        if not line.startswith("#") and len(fields) >= 3 and fields[0] == kind:
            rows.append((fields[1], fields[2]))
    return rows


DATE_ROWS = corpus("date")
AMOUNT_ROWS = corpus("amount")

# The corpus says only "error"; which message the rep reads is decided here.
CORPUS_ERRORS = {
    "2031-12-01": "date.too_far",
    "下辈子": "date.unreadable",
    "-5万": "amount.not_positive",
    "0": "amount.not_positive",
    "abc": "amount.unreadable",
    "9999999999999": "amount.too_large",
}

HOSTILE = ["", "   ", "x" * 5000, "1" * 5000, "万" * 5000, "🎉", "😀 120万 😀", "'; DROP TABLE deals;--",
           "<b>1</b>", "\x00", "\u200b"]


def test_corpus_has_rows_of_each_kind():
    assert len(DATE_ROWS) >= 30 and len(AMOUNT_ROWS) >= 20


@pytest.mark.parametrize(("raw", "expected"), DATE_ROWS, ids=[raw for raw, _ in DATE_ROWS])
def test_corpus_date(raw, expected):
    result = parse_date(raw, TODAY)
    if expected == "error":
        assert isinstance(result, Problem) and result.key == CORPUS_ERRORS[raw]
        assert result.params["raw"] == raw
    else:
        assert isinstance(result, Ok) and result.value == date.fromisoformat(expected)


@pytest.mark.parametrize(("raw", "expected"), AMOUNT_ROWS, ids=[raw for raw, _ in AMOUNT_ROWS])
def test_corpus_amount(raw, expected):
    result = parse_amount(raw)
    if expected == "error":
        assert isinstance(result, Problem) and result.key == CORPUS_ERRORS[raw]
        assert result.params == {"raw": raw}
    else:
        value, currency = expected.split()
        assert result == Ok(Money(Decimal(value), currency))
        assert result.value.amount.as_tuple().exponent == 0  # whole amounts carry no ".00" or float noise


AMOUNTS = [
    ("RMB 30000", "30000", "CNY"),
    ("30k元", "30000", "CNY"),
    ("1.2亿元", "120000000", "CNY"),
    ("1百万", "1000000", "CNY"),
    ("USD 20k", "20000", "USD"),
    (" 1 2 0 万 ", "1200000", "CNY"),
    ("１２０Ｗ", "1200000", "CNY"),
    ("120万元人民币", "1200000", "CNY"),
    ("￥1,200,000.00", "1200000", "CNY"),
    ("30,000.50", "30000.50", "CNY"),
    ("1.005", "1.01", "CNY"),
    ("3.5w", "35000", "CNY"),
    ("3千5", "3500", "CNY"),
    ("3万2500", "32500", "CNY"),
    ("1亿5000万", "150000000", "CNY"),
    ("12k500", "12500", "CNY"),
    ("1m5", "1500000", "CNY"),
    ("一万五", "15000", "CNY"),
    ("两万", "20000", "CNY"),
    ("三万5", "35000", "CNY"),
    ("5块钱", "5", "CNY"),
    ("约120万", "1200000", "CNY"),
    ("120万左右", "1200000", "CNY"),
    ("+5万", "50000", "CNY"),
    ("100亿", "10000000000", "CNY"),
    ("$1.5m", "1500000", "USD"),
    ("US$ 300", "300", "USD"),
    ("50万美金", "500000", "USD"),
    ("$30元", "30", "USD"),
    ("€5k", "5000", "EUR"),
    ("5k欧元", "5000", "EUR"),
    ("HK$100k", "100000", "HKD"),
    ("100万港币", "1000000", "HKD"),
]


@pytest.mark.parametrize(("raw", "value", "currency"), AMOUNTS, ids=[raw for raw, _, _ in AMOUNTS])
def test_amount(raw, value, currency):
    assert parse_amount(raw) == Ok(Money(Decimal(value), currency))


AMOUNT_PROBLEMS = [
    ("万", "amount.unreadable"),
    ("k", "amount.unreadable"),
    ("1,2", "amount.unreadable"),
    ("1.2.3", "amount.unreadable"),
    ("1e5", "amount.unreadable"),
    ("3万250", "amount.unreadable"),  # 30250 or 32500? ask again
    ("5万3万", "amount.unreadable"),
    ("¥$30", "amount.unreadable"),  # two currencies
    ("一点五万", "amount.unreadable"),
    ("-0", "amount.not_positive"),
    ("负5万", "amount.not_positive"),
    ("−3k", "amount.not_positive"),
    ("0.001", "amount.not_positive"),
    ("10000000001", "amount.too_large"),
    ("2亿亿", "amount.unreadable"),
    ("101亿", "amount.too_large"),
    *((raw, "amount.unreadable") for raw in HOSTILE),
]


@pytest.mark.parametrize(("raw", "key"), AMOUNT_PROBLEMS, ids=[raw[:20] for raw, _ in AMOUNT_PROBLEMS])
def test_amount_problem(raw, key):
    result = parse_amount(raw)
    assert isinstance(result, Problem) and result.key == key
    assert len(result.params["raw"]) <= 41  # a long paste is echoed shortened


DATES = [
    ("今天", "2026-11-18"),
    ("前天", "2026-11-16"),
    ("大前天", "2026-11-15"),
    ("星期五", "2026-11-20"),
    ("礼拜五", "2026-11-20"),
    ("周三", "2026-11-25"),  # a bare weekday is never today
    ("本周一", "2026-11-16"),  # this week's Monday, already past
    ("这个星期天", "2026-11-22"),
    ("上周五", "2026-11-13"),
    ("下个星期三", "2026-11-25"),
    ("下下个礼拜五", "2026-12-04"),
    ("下周", "2026-11-23"),
    ("下下周", "2026-11-30"),
    ("本月15号", "2026-11-15"),
    ("15号", "2026-12-15"),  # a bare day already past this month: next month
    ("20号", "2026-11-20"),
    ("下月15日", "2026-12-15"),
    ("下个月", "2026-12-31"),
    ("本月", "2026-11-30"),
    ("月末", "2026-11-30"),
    ("12月", "2026-12-31"),
    ("10月", "2027-10-31"),
    ("3月底", "2027-03-31"),
    ("2027年3月", "2027-03-31"),
    ("今年年底", "2026-12-31"),
    ("明年底", "2027-12-31"),
    ("11月18日", "2026-11-18"),
    ("11月17日", "2027-11-17"),
    ("十二月一日", "2026-12-01"),
    ("１２月１日", "2026-12-01"),
    ("12 月 1 日", "2026-12-01"),
    ("2026年12月1日", "2026-12-01"),
    ("2026.12.1", "2026-12-01"),
    ("2026-12-1", "2026-12-01"),
    ("3个月后", "2027-02-18"),
    ("两个星期后", "2026-12-02"),
    ("1年后", "2027-11-18"),
    ("3天前", "2026-11-15"),
    ("周五前", "2026-11-20"),
    ("月底之前", "2026-11-30"),
    ("today", "2026-11-18"),
    ("yesterday", "2026-11-17"),
    ("TOMORROW", "2026-11-19"),
    ("tmrw", "2026-11-19"),
    ("Wednesday", "2026-11-25"),
    ("wed", "2026-11-25"),
    ("this Wednesday", "2026-11-18"),
    ("this Friday", "2026-11-20"),
    ("next Friday", "2026-11-27"),
    ("last Friday", "2026-11-13"),
    ("by Friday", "2026-11-20"),
    ("next week", "2026-11-23"),
    ("in a month", "2026-12-18"),
    ("2 weeks", "2026-12-02"),
    ("a week from now", "2026-11-25"),
    ("end of the month", "2026-11-30"),
    ("next month", "2026-12-31"),
    ("end of year", "2026-12-31"),
    ("end of next year", "2027-12-31"),
    ("eom", "2026-11-30"),
    ("December 15th", "2026-12-15"),
    ("on Dec 15", "2026-12-15"),
    ("15 December 2027", "2027-12-15"),
    ("Dec 15 2030", "2030-12-15"),
    ("December", "2026-12-31"),
    ("Oct", "2027-10-31"),
    ("Nov 18", "2026-11-18"),
    ("Nov 17", "2027-11-17"),
    ("15th", "2026-12-15"),  # a bare day already past this month: next month's, as 15号
    ("2031-11-18", "2031-11-18"),  # exactly five years ahead is still allowed
]


@pytest.mark.parametrize(("raw", "expected"), DATES, ids=[raw for raw, _ in DATES])
def test_date(raw, expected):
    result = parse_date(raw, TODAY)
    assert isinstance(result, Ok) and result.value == date.fromisoformat(expected)


# Other "today"s: a Sunday, a month end, the turn of the year, and years far from the
# machine's clock (dateparser must not use it).
DATES_ON_OTHER_DAYS = [
    ("2026-11-22", "周日", "2026-11-29"),
    ("2026-11-22", "本周日", "2026-11-22"),
    ("2026-11-22", "周一", "2026-11-23"),
    ("2026-11-22", "下周一", "2026-11-23"),
    ("2026-11-22", "Sunday", "2026-11-29"),
    ("2027-01-31", "一个月后", "2027-02-28"),
    ("2027-01-31", "in 1 month", "2027-02-28"),
    ("2027-01-31", "下个月底", "2027-02-28"),
    ("2026-12-20", "1月5日", "2027-01-05"),
    ("2026-12-20", "下个月15号", "2027-01-15"),
    ("2026-12-20", "下周一", "2026-12-21"),
    ("2026-12-20", "Jan 5", "2027-01-05"),
    ("2019-03-02", "Dec 15", "2019-12-15"),
    ("2019-03-02", "Feb", "2020-02-29"),
    ("2019-03-02", "tomorrow", "2019-03-03"),
    ("2040-06-10", "in 3 days", "2040-06-13"),
    ("2040-06-10", "May 1", "2041-05-01"),
]


@pytest.mark.parametrize(("today", "raw", "expected"), DATES_ON_OTHER_DAYS,
                         ids=[f"{today} {raw}" for today, raw, _ in DATES_ON_OTHER_DAYS])
def test_date_on_other_days(today, raw, expected):
    result = parse_date(raw, date.fromisoformat(today))
    assert isinstance(result, Ok) and result.value == date.fromisoformat(expected)


DATE_PROBLEMS = [
    ("12/1", "date.unreadable"),  # month/day or day/month: ambiguous, ask again
    ("15/12/2026", "date.unreadable"),
    ("2026-13-01", "date.unreadable"),
    ("2026年2月30日", "date.unreadable"),
    ("3月后", "date.unreadable"),
    ("本周", "date.unreadable"),
    ("this week", "date.unreadable"),
    ("next year", "date.unreadable"),
    ("1", "date.unreadable"),
    ("2026", "date.unreadable"),
    ("asap", "date.unreadable"),
    ("2031-11-19", "date.too_far"),
    ("6年后", "date.too_far"),
    ("in 70 years", "date.too_far"),
    ("9999年后", "date.too_far"),
    *((raw, "date.unreadable") for raw in HOSTILE),
]


@pytest.mark.parametrize(("raw", "key"), DATE_PROBLEMS, ids=[raw[:20] for raw, _ in DATE_PROBLEMS])
def test_date_problem(raw, key):
    result = parse_date(raw, TODAY)
    assert isinstance(result, Problem) and result.key == key
    assert len(result.params["raw"]) <= 41


def test_too_far_names_the_last_allowed_day():
    assert parse_date("2031-12-01", TODAY) == Problem.of("date.too_far", raw="2031-12-01", limit=date(2031, 11, 18))


def test_dates_do_not_depend_on_the_machine_timezone():
    phrases = ["tomorrow", "in 3 days", "Dec 15", "next Tue", "明天", "下周五", "end of month"]
    script = (
        "import sys; from datetime import date; from assistant.method.dates import parse_date; "
        "print(' '.join(parse_date(p, date(2026, 11, 18)).value.isoformat() for p in sys.argv[1:]))"
    )
    expected = " ".join(parse_date(p, TODAY).value.isoformat() for p in phrases)
    for tz in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC−11
        run = subprocess.run([sys.executable, "-c", script, *phrases], cwd=ROOT, capture_output=True, text=True,
                             env={**os.environ, "TZ": tz}, check=True, timeout=120)
        assert run.stdout.strip() == expected


@pytest.mark.parametrize(("value", "warned"), [(date(2026, 11, 17), True), (TODAY, False), (date(2026, 11, 19), False)])
def test_warn_if_past(value, warned):
    expected = Problem.of("date.in_past", date=value) if warned else None
    assert warn_if_past(value, TODAY) == expected


INTS = [("3", 3), ("３", 3), ("三", 3), ("十二", 12), ("两", 2), ("0", 0), ("零", 0), (" 7 ", 7), ("二十一", 21),
        ("-1", None), ("1.5", None), ("abc", None), ("", None), ("3个", None), ("百", None), ("😀", None),
        ("1" * 20, None), ("<b>1</b>", None)]


@pytest.mark.parametrize(("raw", "expected"), INTS, ids=[raw for raw, _ in INTS])
def test_parse_int(raw, expected):
    assert parse_int(raw) == expected
