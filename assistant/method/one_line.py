"""One-line commands read as a whole: `/new 华为 数据中心扩容 120 万 下月底`, `/visit 比亚迪 明天 报价`.

The line is split into fields at `，、：:`, a Latin comma before a space ("Acme, DC move, 50k";
"30,000" is a number) and line breaks (a colon between digits is a time),
each field into words. The customer comes first: a name the team already knows is matched
at the start of the line, however many words it has; otherwise the first field when fields are
separated, otherwise the first word, and a name of several Latin words with no legal form to
end it ("Acme Corp") is unclear, so the candidate splits are returned for the rep to pick.
An amount and a date may span several words of one field: the longest reading wins, an amount
that does not also read as a date before one that does ("3.8" is March 8 next to "120万"), and
the rightmost among equals (a title word such as "3M" comes earlier). A word next to the chosen
span that looks like part of a date or an amount is kept with the span, so the field's own
parser refuses the whole and the rep is asked again: such a word never moves into the title.

No library splits a free line into CRM fields, so this is written here, on top of our readers.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from assistant.method.amounts import parse_amount
from assistant.method.customer_names import normalise_name
from assistant.method.dates import parse_date
from assistant.method.results import Problem

_FIELD_SEPARATORS = re.compile(r"[，、：\n]|(?<!\d):|:(?!\d)|,(?=\s)")
_MAX_AMOUNT_WORDS, _MAX_DATE_WORDS, _MAX_NAME_WORDS = 4, 6, 8
_LATIN_WORD = re.compile(r"[a-z][a-z0-9&.'-]*", re.IGNORECASE)
_LEGAL_FORM = re.compile(r"(co|company|corp|corporation|inc|incorporated|ltd|limited|llc|gmbh|plc|group|ag|sa)\.?,?",
                         re.IGNORECASE)
_DATE_WORD = re.compile(r"\d{1,4}(?:st|nd|rd|th)?|early|mid|middle|late|end|beginning|of|the|this|next|last|before|"
                        r"by|until|around|week|month|quarter|year|on|in|at|am|pm|morning|afternoon|evening|"
                        r"左右|前后|[上中下本这今明后前月号日周年季度旬底初末内半天点午晚早之以个]+", re.IGNORECASE)
_AMOUNT_WORD = re.compile(r"[\d.,]+|[十百千万亿]+|k|w|m|mn|bn|thousand|million|billion|元|块|rmb|cny|usd|eur|"
                          r"hkd|美元|美金|港币|港元|欧元|人民币|左右|上下|整|元整|多|余|about|around|约|大约|大概",
                          re.IGNORECASE)

_CN_DIGITS = "零〇一二两三四五六七八九"
_DATE_LIKE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}|\d{8}|\d{1,4}[年月日号]\S*")
_AMOUNT_LIKE = re.compile(r"[-−+]?[¥￥$]?[\d.,，]+(万|w|k|m|亿|千|元|块)?", re.IGNORECASE)


@dataclass(frozen=True)
class _Word:
    field: int
    text: str


@dataclass(frozen=True)
class DealLine:
    """What a `/new` line says. `splits`: when the customer's name could end after more than
    one word, each (customer, title) reading, for the rep to choose; `customer` is then None."""

    customer: str | None
    title: str
    amount: str | None
    close_date: str | None
    splits: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class VisitLine:
    """What a `/visit` line says: the deal's customer, a date if any, the rest."""

    customer: str
    when: str | None
    rest: str


READINGS_KEPT = 256
"""Readings remembered (`read_deal_line`, `read_visit_line`). The chat engine reads a one-liner
before its write transaction opens, and the flow reads it again inside; the same text, day and
names then take no work at all there. Names that changed in between read the line afresh."""


def read_deal_line(text: str, today: date, known_names: Iterable[str] = ()) -> DealLine:
    """Customer, title, amount and close date of a one-line new deal (texts as typed)."""
    return _read_deal_line(text, today, tuple(known_names))


@lru_cache(maxsize=READINGS_KEPT)
def _read_deal_line(text: str, today: date, known_names: tuple[str, ...]) -> DealLine:
    words = _words(text)
    if not words:
        return DealLine(None, "", None, None)
    end = _known_prefix(words, _known(known_names)) or _first_field(words)
    rest: list[_Word | None] = list(words[end:])
    date_span = _best_span(rest, _MAX_DATE_WORDS, lambda t: _reads_date(t, today), _reads_amount)
    if date_span is not None:
        date_span = _widen(rest, date_span, _DATE_WORD, _reads_amount)
    if date_span is None:  # "2031-12-01": refused with its own message, not put in the title
        date_span = _last_like(rest, _DATE_LIKE)
    close_date = _take(rest, date_span)
    amount_span = _best_span(rest, _MAX_AMOUNT_WORDS, _reads_amount, lambda t: not _has_money_mark(t))
    if amount_span is not None:
        amount_span = _widen(rest, amount_span, _AMOUNT_WORD, lambda t: _reads_date(t, today))
    if amount_span is None:  # "-5万": likewise
        amount_span = _last_like(rest, _AMOUNT_LIKE)
    amount = _take(rest, amount_span)
    if amount is None and close_date is not None and _reads_amount(close_date) and not _has_money_mark(close_date):
        close_date = None  # "3.8" alone: ¥3.80 or 8 March? Neither is guessed: both are asked.
    title = [w for w in rest if w is not None]
    customer = _join(words, (0, end))
    if end == 1 and len(words) > 1 and words[1].field == words[0].field:
        name = _latin_name(words[0], title)
        if name is None:
            return DealLine(None, "", amount, close_date, _splits(words[0], title))
        customer, title = " ".join(w.text for w in [words[0], *title[:name]]), title[name:]
    return DealLine(customer, " ".join(w.text for w in title), amount, close_date)


def read_visit_line(text: str, today: date, known_names: Iterable[str] = ()) -> VisitLine:
    """The deal's customer (a known name of several words too), a date span, the rest."""
    return _read_visit_line(text, today, tuple(known_names))


@lru_cache(maxsize=READINGS_KEPT)
def _read_visit_line(text: str, today: date, known_names: tuple[str, ...]) -> VisitLine:
    words = _words(text)
    end = _known_prefix(words, _known(known_names)) or 1
    free: list[_Word | None] = list(words[end:])
    span = _best_span(free, _MAX_DATE_WORDS, lambda t: _reads_date(t, today), _reads_amount)
    if span is not None:
        span = _widen(free, span, _DATE_WORD, _reads_amount)
    when = _take(free, span)
    return VisitLine(_join(words, (0, end)), when, " ".join(w.text for w in free if w is not None))


def _words(text: str) -> list[_Word]:
    fields = [f for f in _FIELD_SEPARATORS.split(text) if f.strip()]
    return [_Word(index, word) for index, field in enumerate(fields) for word in field.split()]


def _known(names: Iterable[str]) -> set[str]:
    return {key for key in (normalise_name(n) for n in names) if key}


def _known_prefix(words: list[_Word], known: set[str]) -> int:
    """How many first words spell a known name (the longest), or 0."""
    for length in range(min(_MAX_NAME_WORDS, len(words)), 0, -1):
        if words[length - 1].field == words[0].field and normalise_name(_join(words, (0, length))) in known:
            return length
    return 0


def _first_field(words: list[_Word]) -> int:
    """How many words the customer takes: the whole first field when the line has fields."""
    if words[-1].field != words[0].field:
        return sum(1 for w in words if w.field == words[0].field)
    return 1


def _latin_name(first: _Word, title: list[_Word]) -> int | None:
    """How many title words still belong to a Latin name, or None when unclear: "Acme Corp"
    ends at its legal form, "华为" at its first word, "Acme DC expansion" could end anywhere."""
    if not _LATIN_WORD.fullmatch(first.text) or _LEGAL_FORM.fullmatch(first.text):
        return 0
    following = 0
    while following < min(len(title), _MAX_NAME_WORDS) and title[following].field == first.field \
            and _LATIN_WORD.fullmatch(title[following].text):
        if _LEGAL_FORM.fullmatch(title[following].text):
            return following + 1
        following += 1
    return None if following >= 1 and len(title) >= 2 else 0


def _splits(first: _Word, title: list[_Word]) -> tuple[tuple[str, str], ...]:
    """Each place a Latin name of up to three words may end; the title keeps at least a word."""
    everything = [first, *title]
    latin = 1
    while latin < len(everything) and latin < 3 and everything[latin].field == first.field \
            and _LATIN_WORD.fullmatch(everything[latin].text):
        latin += 1
    return tuple((" ".join(w.text for w in everything[:k]), " ".join(w.text for w in everything[k:]))
                 for k in range(1, min(latin, len(everything) - 1) + 1))


def _best_span(words: list[_Word | None], longest: int, reads: Callable[[str], bool],
               also: Callable[[str], bool]) -> tuple[int, int] | None:
    """The longest run of words of one field that `reads`; among equals one for which `also`
    is false (a date that is not also an amount; an amount with a unit), then the rightmost."""
    found: list[tuple[int, bool, int, int]] = []
    for length in range(min(longest, len(words)), 0, -1):
        for start in range(len(words) - length + 1):
            span = words[start:start + length]
            if any(w is None for w in span) or len({w.field for w in span if w is not None}) > 1:
                continue
            text = _join(words, (start, start + length))
            if reads(text):
                found.append((length, not also(text), start, start + length))
    if not found:
        return None
    _, _, start, end = max(found)
    return start, end


def _widen(words: list[_Word | None], span: tuple[int, int], looks_like: re.Pattern[str],
           other: Callable[[str], bool]) -> tuple[int, int]:
    """Take in neighbours of the same field that look like part of the value ("万", "early")
    and are not the other kind of value themselves, so the parser sees them and refuses the
    whole instead of the title swallowing them."""
    start, end = span
    first = words[start]
    field = first.field if first is not None else -1

    has_digits = _has_number(_join(words, span))

    def fits(index: int) -> bool:
        """A second number is a title word ("phase 2 120万"), a stray unit or modifier is not."""
        word = words[index] if 0 <= index < len(words) else None
        return word is not None and word.field == field and bool(looks_like.fullmatch(word.text)) \
            and not other(word.text) and not (has_digits and _has_number(word.text))
    while fits(start - 1) and start - 1 >= 0:
        start -= 1
    while fits(end):
        end += 1
    return start, end


def _join(words: Sequence[_Word | None], span: tuple[int, int]) -> str:
    return " ".join(w.text for w in words[span[0]:span[1]] if w is not None)


def _last_like(words: list[_Word | None], looks: re.Pattern[str]) -> tuple[int, int] | None:
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if word is not None and looks.fullmatch(word.text):
            return index, index + 1
    return None


def _take(words: list[_Word | None], span: tuple[int, int] | None) -> str | None:
    """The span's text, its words blanked out of `words`."""
    if span is None:
        return None
    text = _join(words, span)
    for index in range(*span):
        words[index] = None
    return text


def _reads_amount(text: str) -> bool:
    """An amount; of several words only one may hold digits ("phase 2 120万" is not 2120万,
    "2 八千" not 2008000), while units may stand apart ("120 万")."""
    if sum(_has_number(word) for word in text.split()) > 1:
        return False
    return not isinstance(parse_amount(text), Problem)


def _reads_date(text: str, today: date) -> bool:
    return not isinstance(parse_date(text, today), Problem)


def _has_number(text: str) -> bool:
    return any(ch.isdigit() or ch in _CN_DIGITS for ch in text)


def _has_money_mark(text: str) -> bool:
    """A unit or a currency ("1.2m", "¥30", "120 万"), not a bare number ("3.8", "15")."""
    return bool(re.search(r"[^\d.,\s]", text))
