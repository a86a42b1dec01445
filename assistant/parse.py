"""Reading what sales reps type: amounts ("120万", "$50k"), dates ("下周五", "Dec 15"), numbers.

Reps type on a phone, in Chinese shorthand more often than in any standard format. Each
parser answers `Ok(value)` or a `Problem` the flow renders before asking again; user
text never raises. Libraries read the standard parts: cn2an Chinese numerals, dateparser
English relative phrases and month names. The layers around them are written here
because no library reads the shorthand: "3万5", "120w", "$50k", "下下周一", "月底", a
bare weekday that is never today, or "a month alone means its last day".
`tests/data/phrases.tsv` is the reference for what must be read.
"""
from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import cn2an
from dateparser.date import DateDataParser

from assistant.results import Ok, Problem

_AMOUNT_LIMIT = Decimal(10_000_000_000)
_HORIZON_YEARS = 5
_MAX_AMOUNT_TEXT = 64
_MAX_DATE_TEXT = 40
_SHOWN = 40  # characters of the rep's text echoed back in a message

_CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+")


def parse_int(raw: str) -> int | None:
    """"3", "３", "三", "十二" → the number; None unless a non-negative integer."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text or len(text) > 12:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    value = _chinese_number(text) if _CN_NUMERAL.fullmatch(text) else None
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


def _chinese_number(text: str) -> Decimal | None:
    """cn2an's reading, or None: it raises ValueError or KeyError on numerals it cannot read."""
    try:
        return Decimal(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError, IndexError, ArithmeticError):
        return None


def shown(raw: str) -> str:
    """The user's text as echoed back in a message: one line, at most a few dozen characters."""
    text = " ".join(raw.split())
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


# ---- amounts ---------------------------------------------------------------------------

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
_HEDGE_SUFFIXES = ("左右",)
_SIGNS = {"-": True, "−": True, "负": True, "+": False}

# One term of a shorthand amount: a number and an optional unit ("3万", "1.2m", "5千万").
_TERM = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[零〇一二两三四五六七八九])"
                   r"((?:[十百千])?[万亿]|[千百kwm])?")
_UNIT_DIGITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000,
                "k": 1000, "w": 10_000, "m": 1_000_000}


def parse_amount(raw: str) -> Ok[Money] | Problem:
    """"120万", "3万5", "$50k", "50万美元" → Money; CNY unless the text names a currency."""
    text = "".join(unicodedata.normalize("NFKC", raw).split()).casefold()
    if not text or len(text) > _MAX_AMOUNT_TEXT:
        return Problem.of("amount.unreadable", raw=shown(raw))
    stripped = _strip_money_words(text)
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
    return Ok(Money(amount=amount, currency=currency or "CNY"))


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
    if _CN_NUMERAL.fullmatch(text):
        return _chinese_number(text)
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
    return _chinese_number(text)


def _to_cents(value: Decimal) -> Decimal:
    cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return cents.quantize(Decimal(1)) if cents == cents.to_integral_value() else cents


# ---- dates -----------------------------------------------------------------------------

def parse_date(raw: str, today: date) -> Ok[date] | Problem:
    """"明天", "下周五", "月底", "Dec 15", "2026-12-01" → a date; past dates are accepted."""
    text = " ".join(unicodedata.normalize("NFKC", raw).casefold().split()).rstrip("。.!?~")
    value = _read_date(text, today) if 0 < len(text) <= _MAX_DATE_TEXT else None
    if value is None:
        return Problem.of("date.unreadable", raw=shown(raw))
    limit = _add_months(today, 12 * _HORIZON_YEARS)
    if value > limit:
        return Problem.of("date.too_far", raw=shown(raw), limit=limit)
    return Ok(value)


def warn_if_past(value: date, today: date) -> Problem | None:
    return Problem.of("date.in_past", date=value) if value < today else None


_NUMERIC_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _read_date(text: str, today: date) -> date | None:
    if found := _NUMERIC_YMD.fullmatch(text):
        # Read here: dateparser turns an impossible "2026-13-01" into 13 January.
        return _valid_date(int(found[1]), int(found[3]), int(found[4]))
    compact = text.replace(" ", "")
    if _CJK.search(compact):
        return _read_zh(compact, today)
    return _read_en(text, today)

# dateparser reads none of the Chinese forms below but 明天, 3天后 and a few dates, and it
# has its own weekday and month semantics, so the Chinese vocabulary is all read here.
_ZH_SHIFTS = {"本": 0, "这": 0, "这个": 0, "今": 0, "下": 1, "下个": 1, "明": 1, "下下": 2, "下下个": 2,
              "后": 2, "上": -1, "上个": -1, None: 0}
_ZH_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3, "昨天": -1, "昨日": -1,
            "前天": -2, "大前天": -3}
_ZH_WEEKDAYS = dict(zip("一二三四五六日天1234567", (0, 1, 2, 3, 4, 5, 6, 6, 0, 1, 2, 3, 4, 5, 6)))
_P = "(本|这个?|下下个?|下个?|上个?)"  # which week or month: this, next, the one after, last
_W = "(?:周|星期|礼拜)"
_N = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_Y = r"(?:(\d{4})年|(今|明|后)年)?"
_ZH_WEEKDAY = re.compile(f"{_P}?{_W}([一二三四五六日天1-7])")
_ZH_WEEK = re.compile(f"(下下个?|下个?){_W}")
_ZH_DURATION = re.compile(r"(\d{1,4}|[零〇一二两三四五六七八九十百]{1,5})"
                          r"(天|日|个?星期|个?礼拜|周|个月|年)(后|以后|之后|前|以前|之前)")
_ZH_YEAR_END = re.compile("(今|本|明|后)?年?年(?:底|末)")
_ZH_MONTH_END = re.compile(f"{_P}?月份?(底|末)?")
_ZH_DATE = re.compile(f"{_Y}{_N}月{_N}[日号]?")
_ZH_DAY = re.compile(f"(?:{_P}月)?{_N}[日号]")
_ZH_MONTH = re.compile(f"{_Y}{_N}月份?(?:底|末)?")
_ZH_DEADLINE = ("之前", "以前", "前")  # "周五前": by Friday


def _read_zh(text: str, today: date) -> date | None:
    value = _read_zh_exact(text, today)
    for suffix in _ZH_DEADLINE:
        if value is None and text.endswith(suffix) and len(text) > len(suffix):
            value = _read_zh_exact(text[: -len(suffix)], today)
    return value


def _read_zh_exact(text: str, today: date) -> date | None:
    if text in _ZH_DAYS:
        return today + timedelta(days=_ZH_DAYS[text])
    if found := _ZH_WEEKDAY.fullmatch(text):
        shift = None if found[1] is None else _ZH_SHIFTS[found[1]]
        return _weekday(today, _ZH_WEEKDAYS[found[2]], shift)
    if found := _ZH_WEEK.fullmatch(text):
        return _weekday(today, 0, _ZH_SHIFTS[found[1]])
    if found := _ZH_DURATION.fullmatch(text):
        return _zh_duration(today, found)
    if found := _ZH_YEAR_END.fullmatch(text):
        return date(today.year + _ZH_SHIFTS[found[1]], 12, 31)
    if (found := _ZH_MONTH_END.fullmatch(text)) and (found[1] or found[2]):
        first = _add_months(today.replace(day=1), _ZH_SHIFTS[found[1]])
        return _month_end(first.year, first.month)
    if found := _ZH_DATE.fullmatch(text):
        return _month_day(today, _zh_year(today, found), parse_int(found[3]), parse_int(found[4]))
    if found := _ZH_DAY.fullmatch(text):
        return _day_of_month(today, found[1], parse_int(found[2]))
    if found := _ZH_MONTH.fullmatch(text):
        return _whole_month(today, _zh_year(today, found), parse_int(found[3]))
    return None


def _zh_duration(today: date, found: re.Match[str]) -> date | None:
    count = parse_int(found[1])
    if count is None:
        return None
    count = -count if found[3].endswith("前") else count
    unit = found[2]
    if unit in ("天", "日"):
        return today + timedelta(days=count)
    if unit == "年":
        return _add_months(today, 12 * count)
    if unit == "个月":
        return _add_months(today, count)
    return today + timedelta(weeks=count)


def _zh_year(today: date, found: re.Match[str]) -> int | None:
    if found[1]:
        return int(found[1])
    return today.year + _ZH_SHIFTS[found[2]] if found[2] else None


def _day_of_month(today: date, which: str | None, day: int | None) -> date | None:
    """"下个月15号" in that month; a bare "15号" this month, or next month once past."""
    shifts = (_ZH_SHIFTS[which],) if which else (0, 1)
    for shift in shifts:
        first = _add_months(today.replace(day=1), shift)
        value = _valid_date(first.year, first.month, day)
        if value is not None and (which or value >= today):
            return value
    return None


# English: dateparser reads relative phrases and month names, but a bare "Friday" may be
# today, "next Tue" and "next week" count from today instead of in Monday-start weeks, and
# it has no month ends, so those are read here first.
_EN_LEAD = re.compile(r"(?:by|before|on|due) ")
_EN_ALIASES = {"tmr": "tomorrow", "tmrw": "tomorrow"}
_EN_WEEKDAY = re.compile(r"(?:(this coming|this|coming|next|last) )?"
                         r"(mon(?:day)?|tue(?:s|sday)?|wed(?:s|nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?|"
                         r"sat(?:urday)?|sun(?:day)?)")
_EN_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EN_WEEK = re.compile(r"(?:the )?(next week|week after next)")
_EN_PERIOD_END = re.compile(r"(?:(?:the )?end of (?:the )?(?:(this|next|last) )?|(this|next|last) )(month|year)"
                            r"|eo(m|y)")
_EN_SHIFTS = {"this": 0, "next": 1, "last": -1, None: 0}
_EN_VAGUE = re.compile(r"(?:this|last) week|(?:this )?weekend")
_BARE_DURATION = re.compile(r"(?:\d+|an?|one|two|three|four|five|six) (?:day|week|month|year)s?")
_LATIN_TEXT = re.compile(r"[a-z0-9 ,./:'-]*[a-z][a-z0-9 ,./:'-]*")
_MONTH_NAME = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)")


def _read_en(text: str, today: date) -> date | None:
    text = _EN_ALIASES.get(text, _EN_LEAD.sub("", text, count=1))
    if found := _EN_WEEKDAY.fullmatch(text):
        return _en_weekday(today, found[1], _EN_WEEKDAYS.index(found[2][:3]))
    if found := _EN_WEEK.fullmatch(text):
        return _weekday(today, 0, 1 if found[1] == "next week" else 2)
    if found := _EN_PERIOD_END.fullmatch(text):
        return _en_period_end(today, found)
    if _EN_VAGUE.fullmatch(text):
        return None  # dateparser would answer today or a week ago: ask for a day instead
    if _BARE_DURATION.fullmatch(text):
        text = "in " + text  # dateparser reads a bare "2 weeks" as two weeks ago
    if _LATIN_TEXT.fullmatch(text):
        return _dateparser(text, today)
    return None


def _en_weekday(today: date, which: str | None, weekday: int) -> date:
    if which in ("this", "coming", "this coming"):
        return today + timedelta(days=(weekday - today.weekday()) % 7)  # "this Wednesday" on a Wednesday: today
    return _weekday(today, weekday, None if which is None else _EN_SHIFTS[which])


def _en_period_end(today: date, found: re.Match[str]) -> date | None:
    which = found[1] or found[2]
    if found[3] == "year" and found[2]:
        return None  # "next year" alone is too vague for a date: ask again
    if found[3] == "year" or found[4] == "y":
        return date(today.year + _EN_SHIFTS[which], 12, 31)
    first = _add_months(today.replace(day=1), _EN_SHIFTS[which])
    return _month_end(first.year, first.month)


def _dateparser(text: str, today: date) -> date | None:
    """Relative phrases first ("in 3 days"), then dates with a month name ("Dec 15").

    The base is noon of `today` and both timezones are pinned to UTC, so the result depends
    on `today` only: neither the machine's clock nor its timezone can shift it a day.
    """
    common = {"RELATIVE_BASE": datetime.combine(today, time(12)), "TIMEZONE": "UTC", "TO_TIMEZONE": "UTC",
              "RETURN_AS_TIMEZONE_AWARE": False}
    relative = DateDataParser(languages=["en"], settings={**common, "PARSERS": ["relative-time"]})
    found = relative.get_date_data(text)
    if found.date_obj is not None:
        return found.date_obj.date()
    if not _MONTH_NAME.search(text):
        return None  # without a month name dateparser guesses: "a" → 31 January, "15th" → a past day
    absolute = DateDataParser(languages=["en"], settings={
        **common, "PARSERS": ["absolute-time"], "PREFER_DATES_FROM": "current_period",
        "PREFER_DAY_OF_MONTH": "last"})
    found = absolute.get_date_data(text)
    if found.date_obj is None:
        return None
    value = found.date_obj.date()
    if re.search(r"\d{4}", text):
        return value
    if found.period == "month":
        return _whole_month(today, None, value.month)
    return _month_day(today, None, value.month, value.day)


# ---- calendar arithmetic ---------------------------------------------------------------

def _weekday(today: date, weekday: int, week_shift: int | None) -> date:
    """Weekday 0–6 (Monday first) of the week `week_shift` weeks from this one, or with
    None the next one to come, never today (a rep who means today says 今天)."""
    if week_shift is None:
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(weeks=week_shift, days=weekday)


def _month_day(today: date, year: int | None, month: int | None, day: int | None) -> date | None:
    """A month and day; without a year this year, or next year once past."""
    if year is not None:
        return _valid_date(year, month, day)
    for candidate in (today.year, today.year + 1):
        value = _valid_date(candidate, month, day)
        if value is not None and value >= today:
            return value
    return None


def _whole_month(today: date, year: int | None, month: int | None) -> date | None:
    """A month alone means its last day (close dates are month-ends; product decision)."""
    if month is None or not 1 <= month <= 12:
        return None
    if year is not None:
        return _month_end(year, month) if 1 <= year <= 9999 else None
    value = _month_end(today.year, month)
    return value if value >= today else _month_end(today.year + 1, month)


def _valid_date(year: int, month: int | None, day: int | None) -> date | None:
    if month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end; date.max beyond the calendar."""
    years, index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    if not 1 <= year <= 9999:
        return date.max if months > 0 else date.min
    return date(year, index + 1, min(day.day, monthrange(year, index + 1)[1]))


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(%|％|percent)?", re.IGNORECASE)


def parse_percent(raw: str) -> Ok[Decimal] | Problem:
    """A rate as a fraction: "10%", "10", "0.1" -> 0.1. Must lie in (0, 100%]."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    found = _PERCENT.fullmatch(text)
    if not found:
        return Problem.of("percent.unreadable", raw=shown(raw or ""))
    value = Decimal(found.group(1))
    if found.group(2) or value > 1:
        value = value / 100
    if not 0 < value <= 1:
        return Problem.of("percent.out_of_range", raw=shown(raw))
    return Ok(value)
