"""Dates as reps type them: "明天", "下周五", "月底", "下月底", "Dec 15", "end of next month".

Reps type on a phone, in Chinese shorthand more often than in any standard format. dateparser
reads English relative phrases and month names; the Chinese vocabulary and the layers around
it are written here because no library reads them: "下下周一", "月底", a bare weekday that is
never today, or "a month alone means its last day". Each reader answers `Ok(value)` or a
`Problem`; user text never raises. `tests/data/phrases.tsv` is the reference.
"""
from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from datetime import date, datetime, time, timedelta

from dateparser.date import DateDataParser

from assistant.method.numbers import has_script_digits, parse_int, shown
from assistant.method.results import Ok, Problem

_HORIZON_YEARS = 5
_MAX_DATE_TEXT = 40


def parse_date(raw: str, today: date) -> Ok[date] | Problem:
    """"明天", "下周五", "月底", "Dec 15", "2026-12-01" → a date; past dates are accepted."""
    text = " ".join(unicodedata.normalize("NFKC", raw).casefold().split()).rstrip("。.!?~")
    value = _read_date(text, today) if 0 < len(text) <= _MAX_DATE_TEXT and not has_script_digits(raw) else None
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
_ZH_WEEKDAYS = dict(zip("一二三四五六日天1234567", (0, 1, 2, 3, 4, 5, 6, 6, 0, 1, 2, 3, 4, 5, 6), strict=True))
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
