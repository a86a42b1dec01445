"""One cell read as a field's value, by the readers the chat uses (`method.amounts`, `dates`,
`stages`): a value, or a `Problem` naming the row's reason to be refused. Never a guess: an
amount that may have lost its 万, a year-less or ambiguous date are refused, not read."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from assistant.i18n import LANGS, catalog
from assistant.method.amounts import Money, looks_too_small, parse_amount
from assistant.method.dates import parse_date
from assistant.method.model import LEAD_SOURCES, DealStatus
from assistant.method.numbers import parse_id, shown
from assistant.method.results import Problem
from assistant.method.stages import Funnel, Stage, fold
from assistant.transfer.tables import Cell

TITLE_MAX, NOTE_MAX, NAME_MAX = 200, 1000, 100
_CURRENCY_CODES = ("CNY", "USD", "EUR", "HKD")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?$")


def text_of(cell: Cell) -> str:
    """A cell as text; the apostrophe an export puts before text starting with = + - @ is dropped."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    text = " ".join(str(cell).split())
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text


def read_text(cell: Cell, limit: int, field: str) -> str | Problem:
    value = text_of(cell)
    if len(value) > limit:
        return Problem.of("transfer.row.too_long", field=field, limit=limit)
    return value


def read_id(cell: Cell) -> int | Problem | None:
    value = text_of(cell)
    if not value:
        return None
    found = parse_id(value)
    return found if found is not None else Problem.of("transfer.row.bad_id", raw=shown(value))


def read_amount(cell: Cell, scale: Decimal) -> Money | Problem:
    """A number cell is an amount in the column's unit (yuan unless the header says 万 or k);
    text is read as the chat reads it ("120万", "$50k"). One under about ¥1,000 with no unit in
    the header has most likely lost its 万: refused, not guessed."""
    if isinstance(cell, bool):
        return Problem.of("transfer.row.bad_amount", raw=shown(str(cell)))
    if isinstance(cell, int | float | Decimal):
        try:
            value = Decimal(str(cell)) * scale
        except InvalidOperation:
            return Problem.of("transfer.row.bad_amount", raw=shown(str(cell)))
        money = Money(value.quantize(Decimal("0.01")), "CNY") if value > 0 else None
        if money is None:
            return Problem.of("transfer.row.bad_amount", raw=shown(text_of(cell)))
    else:
        raw = text_of(cell)
        plain = raw.replace(",", "")
        if scale != 1 and re.fullmatch(r"\d+(\.\d+)?", plain):
            return read_amount(Decimal(plain), scale)
        parsed = parse_amount(raw)
        if isinstance(parsed, Problem):
            return Problem.of("transfer.row.bad_amount", raw=shown(raw))
        money = parsed.value
    if scale == 1 and looks_too_small(money):
        return Problem.of("transfer.row.small_amount", raw=shown(text_of(cell)))
    return money


def read_currency(cell: Cell) -> str | Problem | None:
    value = text_of(cell).upper()
    if not value:
        return None
    words = {"人民币": "CNY", "RMB": "CNY", "¥": "CNY", "元": "CNY", "美元": "USD", "$": "USD", "欧元": "EUR",
             "€": "EUR", "港币": "HKD", "港元": "HKD"}
    code = words.get(value, value)
    return code if code in _CURRENCY_CODES else Problem.of("transfer.row.bad_currency", raw=shown(value))


def read_date(cell: Cell, today: date) -> date | Problem | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    raw = text_of(cell)
    if not raw:
        return None
    parsed = parse_date(_TIME_TAIL.sub("", raw), today)
    if isinstance(parsed, Problem) or parsed.warning is not None:
        return Problem.of("transfer.row.bad_date", raw=shown(raw))
    return parsed.value


def read_stage(cell: Cell, funnel: Funnel, lang: str) -> Stage | str | Problem | None:
    """A stage by name (either language), key or probability ("50%", or 0.5 in a percent cell);
    the words for won and lost give that status instead."""
    if cell is None:
        return None
    if isinstance(cell, float | Decimal) and 0 < cell <= 1:
        found = funnel.find(f"{Decimal(str(cell)) * 100:.0f}%", lang)
        return found if found is not None else Problem.of("transfer.row.unknown_stage", raw=shown(text_of(cell)))
    raw = text_of(cell)
    status = read_status(raw)
    if isinstance(status, str) and status != DealStatus.OPEN:
        return status
    if fold(raw) in (fold(funnel.won_zh), fold(funnel.won_en)):
        return str(DealStatus.WON)
    found = funnel.find(unicodedata.normalize("NFKC", raw).replace(" ", ""), lang)
    return found if found is not None else Problem.of("transfer.row.unknown_stage", raw=shown(raw))


STATUS_WORDS = {DealStatus.OPEN: "transfer.status.open", DealStatus.WON: "transfer.status.won",
                DealStatus.LOST: "transfer.status.lost"}


@lru_cache(maxsize=1)
def _statuses() -> dict[str, str]:
    """Folded word -> status, from both catalogs (`|` separates synonyms) and the value itself."""
    found: dict[str, str] = {}
    for lang in LANGS:
        for value, key in STATUS_WORDS.items():
            for word in catalog(lang)[key].split("|"):
                found.setdefault(fold(word), str(value))
    return found | {fold(value): str(value) for value in STATUS_WORDS}


def read_status(cell: Cell) -> str | Problem | None:
    raw = text_of(cell)
    if not raw:
        return None
    found = _statuses().get(fold(raw))
    return found if found is not None else Problem.of("transfer.row.bad_status", raw=shown(raw))


def read_source(cell: Cell) -> str | Problem | None:
    raw = text_of(cell)
    if not raw:
        return None
    found = _sources().get(fold(raw))
    return found if found is not None else Problem.of("transfer.row.unknown_source", raw=shown(raw))


@lru_cache(maxsize=1)
def _sources() -> dict[str, str]:
    found: dict[str, str] = {}
    for lang in LANGS:
        for value in LEAD_SOURCES:
            found.setdefault(fold(catalog(lang)[f"lead_source.{value}"]), value)
    return found | {fold(value): value for value in LEAD_SOURCES}


def read_probability(cell: Cell, funnel: Funnel, lang: str) -> Stage | Problem | None:
    if cell is None:
        return None
    if isinstance(cell, int | float | Decimal) and not isinstance(cell, bool):
        number = Decimal(str(cell)) * (100 if cell <= 1 else 1)
        found = funnel.find(f"{number:.0f}%", lang)
    else:
        raw = text_of(cell).replace(" ", "")
        found = funnel.find(raw if raw.endswith("%") else f"{raw}%", lang)
    return found if found is not None else Problem.of("transfer.row.unknown_stage", raw=shown(text_of(cell)))
