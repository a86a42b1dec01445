"""How much one message may ask of the assistant, checked before anything reads it.

A message over `MESSAGE_MAX` characters (Telegram allows 4,096) is refused for what it is
before the event's transaction opens; a one-line shortcut (`/new 华为 扩容 120万 下月底`) over
`SHORTCUT_MAX` characters or `SHORTCUT_WORDS` words is refused before its parsers run. The
shortcut parsers' search for a date is bounded here too (`date_spans`), so no text a person can
send makes one event slow for everyone behind it.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import replace

from assistant.events import Inbound
from assistant.method.results import Problem

MESSAGE_MAX = 1500  # the longest answer a flow keeps is a 1,000-character note, plus a command word
SHORTCUT_MAX = 300  # a one-line /new or /visit
SHORTCUT_WORDS = 24
DATE_SPAN_WORDS = 4  # "end of next month"
DATE_SPAN_CHARS = 40  # longer is never a date (assistant.method.dates reads at most 40)
DATE_TRIES = 64  # spans tried as a date in one one-liner, at most


def message_problem(text: str | None) -> Problem | None:
    if text is not None and len(text) > MESSAGE_MAX:
        return Problem.of("limits.message_too_long", length=len(text), limit=MESSAGE_MAX)
    return None


def shortcut_problem(args: str) -> Problem | None:
    if len(args) > SHORTCUT_MAX:
        return Problem.of("limits.shortcut_too_long", length=len(args), limit=SHORTCUT_MAX)
    if len(args.split()) > SHORTCUT_WORDS:
        return Problem.of("limits.shortcut_too_many_words", count=len(args.split()), limit=SHORTCUT_WORDS)
    return None


def date_spans(words: list[str]) -> Iterator[tuple[int, int]]:
    """(start, length) of the word spans worth trying as a date, longest first, bounded in
    length, characters and count."""
    tries = 0
    for length in range(min(DATE_SPAN_WORDS, len(words)), 0, -1):
        for start in range(len(words) - length + 1):
            if len(" ".join(words[start:start + length])) > DATE_SPAN_CHARS:
                continue
            tries += 1
            if tries > DATE_TRIES:
                return
            yield start, length


# Kept although invisible: the joiner inside emoji sequences, and emoji tag characters.
_KEPT_FORMAT = {"\u200d"} | {chr(c) for c in range(0xE0020, 0xE0080)}


def clean_text(text: str) -> str:
    """What the core reads of typed text: no control characters but line breaks and tabs (a NUL
    can't be stored on PostgreSQL), no invisible format characters (zero-width spaces, bidi
    marks), undecodable bytes (lone surrogates from a terminal) shown as U+FFFD; text that is
    nothing but invisible characters is empty."""
    kept = []
    for char in text:
        if "\ud800" <= char <= "\udfff":
            kept.append("\ufffd")
            continue
        kind = unicodedata.category(char)
        if (kind == "Cc" and char not in "\n\t") or (kind == "Cf" and char not in _KEPT_FORMAT):
            continue
        kept.append(char)
    cleaned = "".join(kept)
    return cleaned if cleaned.replace("\u200d", "").strip() else ""


def clean(event: Inbound) -> Inbound:
    """The event with its typed text and the sender's name cleaned (`clean_text`)."""
    text = clean_text(event.text) if event.text is not None else None
    name = clean_text(event.display_name) if event.display_name else event.display_name
    if text == event.text and name == event.display_name:
        return event
    return replace(event, text=text, display_name=name)
