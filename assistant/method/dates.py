"""Dates as reps type them: "明天", "下周五", "月底", "下月底", "Dec 15", "end of next month".

Reps type on a phone, in Chinese shorthand more often than in any standard format. dateparser
reads English relative phrases and month names; the Chinese vocabulary and the layers around
it are written here because no library reads them: "下下周一", "月底", a bare weekday that is
never today, or "a month alone means its last day". Each reader answers `Ok(value)` or a
`Problem`; user text never raises. `tests/data/phrases.tsv` is the reference.

Decisions (close dates are deadlines, so every vague period maps to one definite day):
- a time of day after a date ("明天下午3点", "Fri 3pm") is dropped: deals and steps keep a day;
- a month, a quarter ("二季度", "Q3", "next quarter") means its last day;
- parts of a month: 上旬 / 月初 / early = the 10th, 月中 / mid = the 15th, 中旬 = the 20th,
  下旬 / late = the last day; without a month named, this month's, or next month's once past;
- a month and day without a year ("3.8", "11-25", "2/14", "3月8日", "Mar 8") is this year's, or
  next year's once past, and then the answer carries a `date.next_year` warning so the rep
  reads which year was taken; "3.8" and "11-25" are month-day (Chinese usage), "a/b" only
  when one side is over 12 ("12/1" is refused: 1 Dec or 12 Jan?);
- a bare day ("25号", "the 3rd") is this month's, or next month's once past;
- a holiday ("中秋", "国庆") is its first day and "中秋前" / "before New Year" the day before
  it (a holiday is a day off, so "before" means the last day before it), while a weekday or
  a date with 前 ("周五前") is a deadline on that day; holidays come from `holidays`;
- "3天内" / "within 3 days" = "3天后"; 半 is half a unit ("半个月后" = 15 days, "半年后" = 6 months);
- "end of this week" is its Friday (the working week), "early / mid next week" its Monday / Wednesday.
"""
from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from dateparser.date import DateDataParser

from assistant.method.numbers import has_script_digits, parse_int, shown
from assistant.method.results import Ok, Problem

_HORIZON_YEARS = 5
_MAX_DATE_TEXT = 40


class _NextYear(date):
    """A date whose year was not typed and was taken as next year's (see `_month_day`)."""


def parse_date(raw: str, today: date) -> Ok[date] | Problem:
    """"明天", "下周五", "月底", "Dec 15", "2026-12-01" → a date; past dates are accepted.
    A year-less date taken as next year's carries the warning `date.next_year`."""
    text = " ".join(unicodedata.normalize("NFKC", raw).casefold().split()).rstrip("。.!?~")
    value = _read_date(text, today) if 0 < len(text) <= _MAX_DATE_TEXT and not has_script_digits(raw) else None
    if value is None:
        return Problem.of("date.unreadable", raw=shown(raw))
    limit = _add_months(today, 12 * _HORIZON_YEARS)
    if value > limit:
        return Problem.of("date.too_far", raw=shown(raw), limit=limit)
    plain = date(value.year, value.month, value.day)
    if isinstance(value, _NextYear):
        return Ok(plain, Problem.of("date.next_year", raw=shown(raw), date=plain))
    return Ok(plain)


def warn_if_past(value: date, today: date) -> Problem | None:
    return Problem.of("date.in_past", date=value) if value < today else None


_NUMERIC_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_COMPACT_YMD = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NUMERIC_MD = re.compile(r"(\d{1,2})([-/.])(\d{1,2})")
_CJK = re.compile(r"[\u3400-\u9fff]")
_ZH_TIME = re.compile(r"(?<=.)(?:早上|上午|中午|下午|晚上|傍晚|凌晨)?"
                      r"(?:(?:\d{1,2}|[一二两三四五六七八九十]{1,3})(?:[:：]\d{2}|点(?:半|钟|整|\d{1,2}分?|[一二三四五六七八九十]{1,3}分?)?)"
                      r"|(?:早上|上午|中午|下午|晚上|傍晚))$")
_EN_TIME = re.compile(r"(?<=.)(?:,? (?:at|@))? (?:\d{1,2}(?::\d{2})? ?(?:am|pm)|\d{1,2}:\d{2}|noon|midday"
                      r"|(?:in the )?(?:morning|afternoon|evening)|tonight)$")


def _read_date(text: str, today: date) -> date | None:
    if found := _NUMERIC_YMD.fullmatch(text):
        # Read here: dateparser turns an impossible "2026-13-01" into 13 January.
        return _valid_date(int(found[1]), int(found[3]), int(found[4]))
    if found := _COMPACT_YMD.fullmatch(text):
        return _valid_date(int(found[1]), int(found[2]), int(found[3]))
    if found := _NUMERIC_MD.fullmatch(text):
        return _numeric_month_day(today, int(found[1]), found[2], int(found[3]))
    compact = text.replace(" ", "")
    if _CJK.search(compact):
        return _read_zh(_ZH_TIME.sub("", compact), today)
    return _read_en(_EN_TIME.sub("", text), today)


def _numeric_month_day(today: date, first: int, separator: str, second: int) -> date | None:
    """"3.8" and "11-25" are month-day; "a/b" only when one side cannot be a month."""
    if separator != "/":
        return _month_day(today, None, first, second)
    if first > 12 >= second:
        return _month_day(today, None, second, first)
    if second > 12 >= first:
        return _month_day(today, None, first, second)
    return None

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
                          r"(天|日|个?星期|个?礼拜|周|个月|年)(后|以后|之后|前|以前|之前|内|以内|之内)")
# "半个月后", "一个半月内", "半年后", "1年半后": 半 is half the unit.
_ZH_HALF = re.compile(r"(?:(\d{1,3}|[一二两三四五六七八九十]{1,3})(个)?)?半(个?月|年)(后|以后|之后|内|以内|之内)"
                      r"|(\d{1,3}|[一二两三四五六七八九十]{1,3})年半(后|以后|之后|内|以内|之内)")
_ZH_MONTH_PART = re.compile(f"{_Y}(?:{_N}月|{_P}?月)?份?(上旬|中旬|下旬|初|中)")
_MONTH_PARTS = {"上旬": 10, "初": 10, "中": 15, "中旬": 20, "下旬": 31, "early": 10, "beginning": 10,
                "mid": 15, "middle": 15, "late": 31}
_ZH_QUARTER = re.compile(f"{_Y}第?([一二三四1-4])季度?(?:末|底)?")
_ZH_QUARTER_REL = re.compile(f"{_P}?季度?(末|底)?")
_ZH_HOLIDAYS = {"元旦": "New Year's Day", "春节": "Spring Festival", "过年": "Spring Festival",
                "年": "Spring Festival", "清明": "Tomb-Sweeping Day", "清明节": "Tomb-Sweeping Day",
                "五一": "Labor Day", "劳动节": "Labor Day", "端午": "Dragon Boat Festival",
                "端午节": "Dragon Boat Festival", "中秋": "Mid-Autumn Festival", "中秋节": "Mid-Autumn Festival",
                "国庆": "National Day", "国庆节": "National Day", "十一": "National Day"}
# "年" and "十一" alone are not holidays: only "年前" (before Spring Festival) and "十一前".
_ZH_HOLIDAY_BEFORE_ONLY = ("年", "十一")
_ZH_HOLIDAY = re.compile(r"(?:(今|明)年)?(" + "|".join(sorted(_ZH_HOLIDAYS, key=len, reverse=True)) +
                         r")(前|之前|以前)?")
_ZH_YEAR_END = re.compile("(今|本|明|后)?年?年(?:底|末)")
_ZH_MONTH_END = re.compile(f"{_P}?月份?(底|末)?")
_ZH_DATE = re.compile(f"{_Y}{_N}月{_N}[日号]?")
_ZH_DAY = re.compile(f"(?:{_P}月)?{_N}[日号]")
_ZH_MONTH = re.compile(f"{_Y}{_N}月份?(?:底|末)?")
_ZH_DEADLINE = ("之前", "以前", "前")  # "周五前": by Friday


def _read_zh(text: str, today: date) -> date | None:
    if found := _ZH_HOLIDAY.fullmatch(text):
        if found[2] in _ZH_HOLIDAY_BEFORE_ONLY and not (found[3] and not found[1]):
            return None
        return _holiday(today, _ZH_HOLIDAYS[found[2]], bool(found[3]), 1 if found[1] == "明" else 0)
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
    if found := _ZH_HALF.fullmatch(text):
        return _zh_half(today, found)
    if (found := _ZH_MONTH_PART.fullmatch(text)) and ("月" in text or found[5].endswith("旬")):
        return _month_part(today, _zh_year(today, found), parse_int(found[3]) if found[3] else None,
                           _ZH_SHIFTS[found[4]] if found[4] else None, _MONTH_PARTS[found[5]])
    if found := _ZH_QUARTER.fullmatch(text):
        return _quarter(today, _zh_year(today, found), parse_int(found[3]), None)
    if (found := _ZH_QUARTER_REL.fullmatch(text)) and (found[1] or found[2]):
        return _quarter(today, None, None, _ZH_SHIFTS[found[1]])
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


def _zh_half(today: date, found: re.Match[str]) -> date | None:
    """Half a unit: "半个月" is 15 days, "一个半月" a month and 15 days, "1年半" 18 months."""
    if found[5] is not None:
        years = parse_int(found[5])
        return None if years is None else _add_months(today, 12 * years + 6)
    whole = parse_int(found[1]) if found[1] else 0
    if whole is None:
        return None
    if found[3] == "年":
        return _add_months(today, 12 * whole + 6) if found[2] is None else None
    return _add_months(today, whole) + timedelta(days=15)


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
_EN_RELATIVE = re.compile(r"(?:in )?(?:\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten) "
                          r"(?:day|week|month|year|fortnight)s?(?: from now| later| ago)?"
                          r"|(?:the )?day (?:after|before) (?:tomorrow|yesterday)|tomorrow|today|yesterday|now")
_NUMBER_WITH_UNIT = re.compile(r"\d(?:[.,]\d+)?(?!st\b|nd\b|rd\b|th\b|am\b|pm\b)[a-z]")
_LATIN_TEXT = re.compile(r"[a-z0-9 ,./:'-]*[a-z][a-z0-9 ,./:'-]*")
_MONTH_NAME = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_EN_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_EN_MONTH_PART = re.compile(r"(?:(early|mid|middle|late)[- ]|(?:the )?(beginning|middle) of |(?:the )?end of )"
                            r"(?:(?:(this|next|last) month)|" + _EN_MONTH + r"(?: (\d{4}))?)")
_EN_WEEK_PART = re.compile(r"(?:(early|mid|late)[- ]|(?:the )?end of (?:the )?)(?:(this|next) )?week|eow")
_EN_WEEK_PART_DAYS = {"early": 0, "mid": 2, "late": 4, None: 4}
_EN_QUARTER = re.compile(r"(?:(?:the )?end of (?:the )?)?(?:(?:(this|next|last) quarter)|quarter end|eoq"
                         r"|(?<=end of )quarter|(?<=end of the )quarter"
                         r"|q([1-4])(?: (\d{4}))?|(?:the )?(first|second|third|fourth|1st|2nd|3rd|4th) quarter"
                         r"(?: (?:of )?(\d{4}))?)")
_EN_QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_EN_DAY = re.compile(r"(?:the )?(\d{1,2})(?:st|nd|rd|th)(?: of (?:the|this) month)?")
_EN_HOLIDAYS = {"new year": "New Year's Day", "new years": "New Year's Day", "new year's": "New Year's Day",
                "new year's day": "New Year's Day", "new years day": "New Year's Day",
                "chinese new year": "Spring Festival", "lunar new year": "Spring Festival", "cny": "Spring Festival",
                "spring festival": "Spring Festival", "qingming": "Tomb-Sweeping Day",
                "tomb-sweeping day": "Tomb-Sweeping Day", "labor day": "Labor Day", "labour day": "Labor Day",
                "may day": "Labor Day", "dragon boat festival": "Dragon Boat Festival",
                "dragon boat": "Dragon Boat Festival", "mid-autumn": "Mid-Autumn Festival",
                "mid-autumn festival": "Mid-Autumn Festival", "mid autumn": "Mid-Autumn Festival",
                "national day": "National Day", "golden week": "National Day"}
_EN_HOLIDAY = re.compile(r"(before |by )?(?:the )?(" + "|".join(sorted(map(re.escape, _EN_HOLIDAYS), key=len,
                                                                   reverse=True)) + r")(?: holidays?)?")


def _read_en(text: str, today: date) -> date | None:
    if found := _EN_HOLIDAY.fullmatch(text):
        return _holiday(today, _EN_HOLIDAYS[found[2]], found[1] == "before ", 0)
    text = _EN_ALIASES.get(text, _EN_LEAD.sub("", text, count=1))
    if found := _EN_MONTH_PART.fullmatch(text):
        return _en_month_part(today, found)
    if found := _EN_WEEK_PART.fullmatch(text):
        return _weekday(today, _EN_WEEK_PART_DAYS[found[1]], 1 if found[2] == "next" else 0)
    if found := _EN_QUARTER.fullmatch(text):
        return _en_quarter(today, found)
    if found := _EN_DAY.fullmatch(text):
        return _day_of_month(today, None, int(found[1]))
    if found := _EN_WEEKDAY.fullmatch(text):
        return _en_weekday(today, found[1], _EN_WEEKDAYS.index(found[2][:3]))
    if found := _EN_WEEK.fullmatch(text):
        return _weekday(today, 0, 1 if found[1] == "next week" else 2)
    if found := _EN_PERIOD_END.fullmatch(text):
        return _en_period_end(today, found)
    if _EN_VAGUE.fullmatch(text):
        return None  # dateparser would answer today or a week ago: ask for a day instead
    if _NUMBER_WITH_UNIT.search(text):
        return None  # dateparser reads "1.2m" as 1.2 minutes from now: an amount, never a date
    if _BARE_DURATION.fullmatch(text):
        text = "in " + text  # dateparser reads a bare "2 weeks" as two weeks ago
    if _LATIN_TEXT.fullmatch(text):
        return _dateparser(text, today)
    return None


def _en_weekday(today: date, which: str | None, weekday: int) -> date:
    if which in ("this", "coming", "this coming"):
        return today + timedelta(days=(weekday - today.weekday()) % 7)  # "this Wednesday" on a Wednesday: today
    return _weekday(today, weekday, None if which is None else _EN_SHIFTS[which])


def _en_month_part(today: date, found: re.Match[str]) -> date | None:
    """"early March", "mid next month", "end of Dec 2027": the days of `_MONTH_PARTS`."""
    part = _MONTH_PARTS[found[1] or found[2]] if (found[1] or found[2]) else 31
    if found[4]:
        return _month_part(today, int(found[5]) if found[5] else None, _MONTHS.index(found[4]) + 1, None, part)
    return _month_part(today, None, None, _EN_SHIFTS[found[3]], part)


def _en_quarter(today: date, found: re.Match[str]) -> date | None:
    if found[2] or found[4]:
        number = int(found[2]) if found[2] else _EN_QUARTERS[found[4]]
        year = found[3] or found[5]
        return _quarter(today, int(year) if year else None, number, None)
    return _quarter(today, None, None, _EN_SHIFTS[found[1]])


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
    if _EN_RELATIVE.fullmatch(text):  # else it reads "next month 120" as the 18th
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
    value = _valid_date(today.year, month, day)
    if value is not None and value >= today:
        return value
    value = _valid_date(today.year + 1, month, day)
    return _NextYear.fromordinal(value.toordinal()) if value is not None else None


def _month_part(today: date, year: int | None, month: int | None, shift: int | None, day: int) -> date | None:
    """Day `day` (31: the last) of a month named by number (this year's or next year's once
    past), by shift ("下月初": 1), or of none (this month's, or next month's once past)."""
    def pick(y: int, m: int) -> date:
        return _month_end(y, m) if day >= 28 else date(y, m, day)
    if month is not None:
        if not 1 <= month <= 12 or (year is not None and not 1 <= year <= 9999):
            return None
        if year is not None:
            return pick(year, month)
        value = pick(today.year, month)
        return value if value >= today else _NextYear.fromordinal(pick(today.year + 1, month).toordinal())
    if year is not None:
        return None  # "明年上旬": which month?
    for extra in ((shift,) if shift is not None else (0, 1)):
        first = _add_months(today.replace(day=1), extra)
        value = pick(first.year, first.month)
        if shift is not None or value >= today:
            return value
    return None


def _quarter(today: date, year: int | None, number: int | None, shift: int | None) -> date | None:
    """A quarter means its last day: Q1–Q4 this year (next year's once past), or by shift."""
    if number is None:
        index = (today.month - 1) // 3 + (shift or 0)
        years, quarter = divmod(index, 4)
        return _month_end(today.year + years, 3 * quarter + 3)
    if not 1 <= number <= 4 or (year is not None and not 1 <= year <= 9999):
        return None
    if year is not None:
        return _month_end(year, 3 * number)
    value = _month_end(today.year, 3 * number)
    return value if value >= today else _NextYear.fromordinal(_month_end(today.year + 1, 3 * number).toordinal())


@lru_cache(maxsize=32)
def _china_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("CN", years=year, language="en_US").items())


def _holiday(today: date, name: str, before: bool, year_shift: int) -> date | None:
    """The first day of China's official holiday `name` (the next one to come, or the one of
    next year with 明年), or the day before it. A multi-day holiday's first day is its own
    name without "(observed)"; the calendar is the `holidays` package's."""
    for year in range(today.year + year_shift, today.year + year_shift + 2):
        days = sorted(d for d, label in _china_holidays(year).items()
                      if name in label and "observed" not in label.casefold() and "eve" not in label.casefold())
        if not days:
            continue
        value = days[0] - timedelta(days=1) if before else days[0]
        if value >= today or year_shift:
            return value
    return None


def _whole_month(today: date, year: int | None, month: int | None) -> date | None:
    """A month alone means its last day (close dates are month-ends; product decision)."""
    if month is None or not 1 <= month <= 12:
        return None
    if year is not None:
        return _month_end(year, month) if 1 <= year <= 9999 else None
    value = _month_end(today.year, month)
    return value if value >= today else _NextYear.fromordinal(_month_end(today.year + 1, month).toordinal())


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
