"""The vocabulary reps write every day: times after a date, parts of a month, quarters, year-less
dates, 半 and 内, holidays, bare days; amounts with 上下/整/个 and English magnitude words; names
in traditional characters, everyday abbreviations, branches without a separator."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.method.amounts import Money, looks_too_small, parse_amount
from assistant.method.customer_names import compare_names, match_names, normalise_name, split_department
from assistant.method.dates import parse_date
from assistant.method.results import Ok, Problem

TODAY = date(2026, 11, 18)

DATES = [
    ("周五上午10点", "2026-11-20"), ("下周二 15:00", "2026-11-24"), ("明天下午", "2026-11-19"),
    ("next tue at 10am", "2026-11-24"), ("Dec 15 10:00", "2026-12-15"), ("tomorrow morning", "2026-11-19"),
    ("3月上旬", "2027-03-10"), ("下个月中旬", "2026-12-20"), ("月初", "2026-12-10"), ("月中", "2026-12-15"),
    ("本月下旬", "2026-11-30"), ("明年3月初", "2027-03-10"), ("late Dec", "2026-12-31"),
    ("early next month", "2026-12-10"), ("beginning of next month", "2026-12-10"), ("end of March", "2027-03-31"),
    ("第三季度", "2027-09-30"), ("季末", "2026-12-31"), ("明年一季度", "2027-03-31"), ("q1 2027", "2027-03-31"),
    ("this quarter", "2026-12-31"), ("end of the quarter", "2026-12-31"), ("second quarter", "2027-06-30"),
    ("14/2", "2027-02-14"), ("12.1", "2026-12-01"), ("一个半月后", "2027-01-02"), ("半年后", "2027-05-18"),
    ("1年半后", "2028-05-18"), ("两周内", "2026-12-02"), ("一个月内", "2026-12-18"),
    ("国庆前", "2027-09-30"), ("春节前", "2027-02-05"), ("年前", "2027-02-05"), ("元旦前", "2026-12-31"),
    ("中秋", "2027-09-15"), ("十一前", "2027-09-30"), ("before Chinese New Year", "2027-02-05"),
    ("by national day", "2027-10-01"), ("before the dragon boat festival", "2027-06-08"),
    ("on the 25th", "2026-11-25"), ("3rd", "2026-12-03"), ("end of the week", "2026-11-20"),
    ("early next week", "2026-11-23"), ("mid next week", "2026-11-25"), ("end of next week", "2026-11-27"),
]


@pytest.mark.parametrize(("raw", "expected"), DATES, ids=[raw for raw, _ in DATES])
def test_new_date_vocabulary(raw, expected):
    result = parse_date(raw, TODAY)
    assert isinstance(result, Ok) and result.value == date.fromisoformat(expected)


@pytest.mark.parametrize("raw", ["12/1", "3点", "十一", "中", "明年上旬", "13.45", "20261301", "下午"])
def test_still_refused(raw):
    assert isinstance(parse_date(raw, TODAY), Problem)


@pytest.mark.parametrize(("raw", "rolled"), [("3.8", True), ("3月8日", True), ("Mar 8", True), ("二季度", True),
                                             ("11-25", False), ("2027年3月8日", False), ("下月初", False)])
def test_a_year_less_date_taken_as_next_years_says_so(raw, rolled):
    result = parse_date(raw, TODAY)
    assert isinstance(result, Ok)
    if rolled:
        assert result.warning == Problem.of("date.next_year", raw=raw, date=result.value)
        assert result.value.year == 2027 and type(result.value) is date
    else:
        assert result.warning is None


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
       st.integers(1, 12), st.integers(1, 28))
def test_a_year_less_month_day_is_never_in_the_past(today, month, day):
    result = parse_date(f"{month}.{day}", today)
    assert isinstance(result, Ok)
    assert today <= result.value < today + timedelta(days=366)
    assert (result.value.month, result.value.day) == (month, day)
    assert (result.warning is not None) == (result.value.year > today.year)


@given(st.dates(min_value=date(2010, 1, 1), max_value=date(2090, 12, 31)),  # the calendar's years
       st.sampled_from(["中秋前", "端午前", "五一前", "国庆前", "春节前", "元旦前", "before New Year"]))
def test_a_holiday_is_the_next_one_to_come(today, phrase):
    result = parse_date(phrase, today)
    assert isinstance(result, Ok) and today <= result.value < today + timedelta(days=390)  # a lunar year: up to 385


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(1, 4))
def test_a_quarter_is_its_last_day(today, quarter):
    value = parse_date(f"Q{quarter}", today).value
    assert (value + timedelta(days=1)).day == 1 and value.month == 3 * quarter and value >= today


@given(st.text(max_size=30))
def test_dates_never_raise(raw):
    assert isinstance(parse_date(raw, TODAY), Ok | Problem)


AMOUNTS = [("120万整", "1200000", "CNY"), ("两个亿", "200000000", "CNY"), ("$1.5 million", "1500000", "USD"),
           ("USD 2 mn", "2000000", "USD"), ("3bn", "3000000000", "CNY"), ("30万元人民币整", "300000", "CNY")]


@pytest.mark.parametrize(("raw", "value", "currency"), AMOUNTS, ids=[raw for raw, _, _ in AMOUNTS])
def test_new_amount_vocabulary(raw, value, currency):
    assert parse_amount(raw) == Ok(Money(Decimal(value), currency))


@pytest.mark.parametrize("raw", ["个", "3个", "整", "million", "20 billion"])
def test_amounts_still_refused(raw):
    assert isinstance(parse_amount(raw), Problem)


@given(st.integers(1, 9999), st.sampled_from([("万", 10_000), ("个亿", 100_000_000), (" thousand", 1000),
                                              (" million", 1_000_000)]))
def test_magnitude_words_multiply(number, unit):
    word, factor = unit
    result = parse_amount(f"{number}{word}")
    if number * factor > 10_000_000_000:
        assert result.key == "amount.too_large"
    else:
        assert result == Ok(Money(Decimal(number * factor), "CNY"))


@pytest.mark.parametrize(("money", "small"), [(Money(Decimal(120), "CNY"), True), (Money(Decimal(1000), "CNY"), False),
                                              (Money(Decimal(100), "USD"), True), (Money(Decimal(500), "USD"), False)])
def test_small_deal_amounts(money, small):
    assert looks_too_small(money) is small


NAMES = [("騰訊科技（深圳）有限公司", "腾讯科技(深圳)有限公司", "same"),
         ("建行深圳分行", "中国建设银行深圳分行", "ask"),
         ("工行", "中国工商银行股份有限公司", "ask"), ("中行", "中兴通讯", "distinct"),
         ("招商银行深圳分行", "招商银行", "distinct"), ("华为技术有限公司深圳分公司", "华为技术有限公司", "distinct"),
         ("腾讯科技（深圳）有限公司采购部", "腾讯科技（深圳）有限公司-采购部", "ask")]


@pytest.mark.parametrize(("a", "b", "verdict"), NAMES, ids=[f"{a}|{b}" for a, b, _ in NAMES])
def test_names(a, b, verdict):
    assert compare_names(a, b) == verdict == compare_names(b, a)


def test_traditional_characters_share_the_stored_key():
    assert normalise_name("騰訊") == normalise_name("腾讯") == "腾讯"


@pytest.mark.parametrize(("name", "split"), [("招商银行深圳分行", ("招商银行", "深圳分行")),
                                             ("中国移动通信集团有限公司采购部", ("中国移动通信集团有限公司", "采购部")),
                                             ("建行南山支行", ("建行", "南山支行")),
                                             ("国家超算中心", ("国家超算中心", None))])
def test_branch_without_separator(name, split):
    assert split_department(name) == split


def test_search_finds_the_departments_of_a_customer():
    names = [(1, "腾讯科技（深圳）有限公司-采购部"), (2, "中兴通讯股份有限公司")]
    assert [m.id for m in match_names("腾讯", names, search=True)] == [1]
    assert match_names("腾讯", names) == []  # creating "腾讯" is not a department of it


@given(st.text(alphabet="騰訊華為銀行國際電網中国建设深圳分行支公司-有限", max_size=12))
def test_normalising_is_idempotent(name):
    assert normalise_name(normalise_name(name)) == normalise_name(name)
