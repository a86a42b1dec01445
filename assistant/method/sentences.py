"""A free sentence read for what it proposes: `刚见完美的的李总，他们下个月招标`, `小米那单黄了`,
`met Acme today, they want a quote by Friday`.

Rule-based, in the manner of a phrase table: the action is the phrase that names it (the
phrases come from the catalogs, so they are kept beside the texts, both languages at once), a
deal is the rep's deal whose customer's distinctive name appears in the sentence, and a date
and an amount are the longest spans our own readers accept. Nothing here decides to write:
the chat echoes the reading and waits for Confirm. A phrase preceded by a negation ("还没签",
"didn't sign") proposes nothing. Chinese needs no spaces: spans are tried per character.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from assistant.method.amounts import parse_amount
from assistant.method.customer_names import core_name, normalise_name
from assistant.method.dates import parse_date
from assistant.method.results import Problem

ACTIONS = ("lost", "won", "advance", "visit", "next_step")
"""In the order they win when a sentence names several ("见了李总，这单黄了" is a loss; a visit
with a later date carries that next step). A
personal reminder ("明天提醒我…") is read by its own module; its phrases and flow join here as
one more action when it lands."""

_NEGATIONS = ("没有", "没", "未", "不", "别", "not ", "didn't ", "did not ", "haven't ", "no ")
_REGIONS = ("中国", "北京", "上海", "天津", "重庆", "深圳", "广州", "杭州", "南京", "苏州", "武汉", "成都", "西安")
_TRADE_WORDS = ("新能源科技", "科技", "技术", "电子", "网络", "信息", "通信", "软件", "智能", "电器", "汽车")
_CLAUSE = re.compile(r"[，,。.!！？?；;\n]+")
_MAX_DATE_CHARS, _MAX_AMOUNT_CHARS, _MAX_WORDS = 10, 12, 5
# A span is tried as a date only if it holds one of these: parsing every span is slow.
_DATE_HINT = re.compile(r"\d|[今明昨后前下上本这月周号日年季底初旬节天午晚早]|星期|礼拜|today|tomorrow|yesterday|next|"
                        r"this|last|end|early|mid|late|week|month|quarter|year|mon|tue|wed|thu|fri|sat|sun|jan|feb|"
                        r"mar|apr|may|jun|jul|aug|sep|oct|nov|dec|christmas|new year", re.IGNORECASE)
_AMOUNT_MARK = re.compile(r"[万亿千kmw$¥€元块]|usd|cny|eur|hkd|million|thousand|billion", re.IGNORECASE)


@dataclass(frozen=True)
class DealName:
    id: int
    customer: str
    title: str


@dataclass(frozen=True)
class Reading:
    """What a sentence was understood to say; `deals`: the deals it could mean (one: found)."""

    action: str | None
    deals: tuple[int, ...]
    when: date | None
    when_text: str | None
    amount: str | None
    clause: str  # the part of the sentence around the date: the next step it names

    @property
    def understood(self) -> bool:
        return self.action is not None or bool(self.deals)


def read_sentence(text: str, today: date, deals: Sequence[DealName],
                  phrases: Mapping[str, Sequence[str]]) -> Reading:
    clean = unicodedata.normalize("NFKC", text).strip()
    folded = clean.casefold()
    action = _action(folded, phrases)
    when_text = _longest_span(clean, lambda span: bool(_DATE_HINT.search(span))
                              and not isinstance(parse_date(span, today), Problem), _MAX_DATE_CHARS)
    when = None
    if when_text is not None:
        parsed = parse_date(when_text, today)
        when = parsed.value if not isinstance(parsed, Problem) else None
    rest = clean.replace(when_text, " ") if when_text else clean
    amount = _longest_span(rest, _reads_amount, _MAX_AMOUNT_CHARS)
    clause = next((part.strip() for part in _CLAUSE.split(clean) if when_text and when_text in part), "")
    return Reading(action, _deals_named(folded, deals), when, when_text, amount, clause)


def _action(folded: str, phrases: Mapping[str, Sequence[str]]) -> str | None:
    for action in ACTIONS:
        for phrase in sorted(phrases.get(action, ()), key=len, reverse=True):
            word = phrase.strip().casefold()
            if not word:
                continue
            # A Latin phrase is a whole word ("met", not "metric"; "won", not "won't").
            pattern = rf"(?<![a-z]){re.escape(word)}(?![a-z'’])" if word.isascii() else re.escape(word)
            for found in re.finditer(pattern, folded):
                if not _negated(folded[:found.start()]):
                    return action
    return None


def _negated(before: str) -> bool:
    words = before.rstrip()
    return words.endswith(tuple(n.strip() for n in _NEGATIONS)) or words.endswith(("还", "still"))


def short_names(customer: str) -> list[str]:
    """How a rep writes this customer in passing: "美的" for 美的集团股份有限公司, "小米" for
    北京小米科技有限责任公司, "acme" for Acme Inc (longest first)."""
    names = {normalise_name(customer)}
    core = core_name(customer)
    for region in _REGIONS:
        core = core.removeprefix(region) if len(core) > len(region) + 1 else core
    names.add(core)
    for word in _TRADE_WORDS:
        if core.endswith(word) and len(core) - len(word) >= 2:
            names.add(core[: -len(word)])
    if len(core) >= 4 and all("\u3400" <= ch <= "\u9fff" for ch in core[:2]):
        names.add(core[:2])  # "宁德" for 宁德时代新能源科技: several deals so named are asked
    return sorted((n for n in names if len(n) >= 2), key=len, reverse=True)


def _deals_named(folded: str, deals: Sequence[DealName]) -> tuple[int, ...]:
    """The deals whose customer is named, by the longest name found; a title named as well
    breaks a tie between deals of one customer."""
    compact = "".join(folded.split())
    best, found = 0, []
    for deal in deals:
        for name in short_names(deal.customer):
            hit = _latin_word_in(name, folded) if name.isascii() else name in compact
            if hit:
                if len(name) > best:
                    best, found = len(name), [deal]
                elif len(name) == best:
                    found.append(deal)
                break
    titled = [d for d in found if d.title.casefold() in folded]
    return tuple(d.id for d in (titled or found))


def _latin_word_in(name: str, folded: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", folded) is not None


def _longest_span(text: str, check: Callable[[str], bool], max_chars: int) -> str | None:
    """The longest part of `text` that `check` accepts: runs of Latin words, or of characters."""
    best: str | None = None
    for clause in _CLAUSE.split(text):
        for span in _spans(clause, max_chars):
            if (best is None or len(span) > len(best)) and check(span):
                best = span
    return best


def _spans(clause: str, max_chars: int) -> list[str]:
    """Candidate spans, longest first: whole-word runs of up to five words, and for Chinese
    every run of 2 to `max_chars` characters."""
    words = clause.split()
    found = [" ".join(words[i:i + n]) for n in range(min(_MAX_WORDS, len(words)), 0, -1)
             for i in range(len(words) - n + 1)]
    compact = clause.strip()
    if any("\u3400" <= ch <= "\u9fff" for ch in compact):
        found += [compact[i:i + n] for n in range(min(max_chars, len(compact)), 1, -1)
                  for i in range(len(compact) - n + 1)]
    return sorted({span.strip() for span in found if span.strip()}, key=len, reverse=True)


def _reads_amount(span: str) -> bool:
    return bool(_AMOUNT_MARK.search(span)) and any(ch.isdigit() for ch in span) \
        and not isinstance(parse_amount(span), Problem)
