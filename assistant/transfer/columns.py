"""Which column holds what: header names in Chinese and English (客户名称 / 客户, 商机 / 项目名称,
金额 / 预计金额 …, Customer, Deal, Amount …), from both catalogs (`transfer.header.*`), so an
exported file reads back and a team's own sheet is recognised.

The header need not be on the first row (a title or notes may come first) and may span two rows
(merged cells: "客户信息" over "客户名称 | 联系人"): the row whose headers, each completed from the
row above where it is empty, name the most fields is the header. A unit in a header ("金额（万元）",
"Amount (k)") scales that column's numbers.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from assistant.i18n import LANGS, catalog
from assistant.transfer.tables import Cell, Sheet

# The fields an import reads, each with the catalog key of its header names.
FIELDS = {
    "id": "transfer.header.id", "customer": "transfer.header.customer", "title": "transfer.header.title",
    "amount": "transfer.header.amount", "currency": "transfer.header.currency", "stage": "transfer.header.stage",
    "probability": "transfer.header.probability", "status": "transfer.header.status",
    "close_date": "transfer.header.close_date", "owner": "transfer.header.owner", "source": "transfer.header.source",
    "next_step": "transfer.header.next_step", "next_due": "transfer.header.next_due",
}
# Columns an export writes that an import knows and leaves alone (they are computed or kept by us).
IGNORED = {"weighted": "transfer.header.weighted", "created_at": "transfer.header.created_at",
           "last_activity": "transfer.header.last_activity"}

SCAN_ROWS = 20  # the header is looked for in the first rows

_UNITS = (("百万", Decimal(1_000_000)), ("万元", Decimal(10_000)), ("万", Decimal(10_000)),
          ("千元", Decimal(1000)), ("千", Decimal(1000)), ("亿", Decimal(100_000_000)), ("元", Decimal(1)),
          ("million", Decimal(1_000_000)), ("mn", Decimal(1_000_000)), ("m", Decimal(1_000_000)),
          ("thousand", Decimal(1000)), ("k", Decimal(1000)))
_CURRENCIES = (("人民币", "CNY"), ("rmb", "CNY"), ("cny", "CNY"), ("¥", "CNY"), ("美元", "USD"), ("usd", "USD"),
               ("$", "USD"), ("欧元", "EUR"), ("eur", "EUR"), ("€", "EUR"), ("港币", "HKD"), ("港元", "HKD"),
               ("hkd", "HKD"))
_BRACKETED = re.compile(r"^(?P<head>.*?)[(\[（【](?P<unit>[^)\]）】]*)[)\]）】]$")


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    field: str | None  # None: a column we do not know
    scale: Decimal = Decimal(1)
    currency: str | None = None


@dataclass(frozen=True)
class Layout:
    """Where the header is and what each column holds."""

    sheet: str
    header_row: int  # as numbered in the file
    columns: tuple[Column, ...]

    def of(self, field: str) -> Column | None:
        return next((c for c in self.columns if c.field == field), None)

    @property
    def recognised(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.field is not None and c.field not in IGNORED)

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns if c.field is None)


def fold_header(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s*:_\-/]+", "", folded)


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Folded header name -> field, from both languages."""
    found: dict[str, str] = {}
    for lang in LANGS:
        for field, key in (FIELDS | IGNORED).items():
            for name in catalog(lang)[key].split("|"):
                found.setdefault(fold_header(name), field)
    return found


def export_header(lang: str, field: str) -> str:
    """The header an export writes: the first name of the field in that language."""
    return catalog(lang)[(FIELDS | IGNORED)[field]].split("|")[0]


def read_header(text: str) -> tuple[str | None, Decimal, str | None]:
    """(field, scale, currency) of one header cell: "预计金额（万元）" -> amount × 10,000."""
    folded = fold_header(text)
    if folded in _names():
        return _names()[folded], Decimal(1), None
    bracketed = _BRACKETED.match(folded)
    if bracketed is None:
        return None, Decimal(1), None
    field = _names().get(bracketed["head"])
    if field is None:
        return None, Decimal(1), None
    unit = bracketed["unit"]
    currency = next((code for word, code in _CURRENCIES if word in unit), None)
    for word, _ in _CURRENCIES:
        unit = unit.replace(word, "")
    unit = re.sub(r"[,，、;；]", "", unit)
    scale = next((value for word, value in _UNITS if unit == word), Decimal(1))
    return field, scale, currency


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell).strip()


def find_layout(sheets: list[Sheet]) -> Layout | None:
    """The sheet and row that name the most fields (at least the customer, or an id): None when
    no sheet has a header we recognise."""
    best: tuple[int, Layout] | None = None
    for sheet in sheets:
        previous: tuple[Cell, ...] = ()
        for number, cells in sheet.rows[:SCAN_ROWS]:
            headers = [_text(cell) or (_text(previous[i]) if i < len(previous) else "") for i, cell in
                       enumerate(cells)]
            columns = []
            for index, header in enumerate(headers):
                if not header:
                    continue
                field, scale, currency = read_header(header)
                columns.append(Column(index, header, field, scale, currency))
            fields = {c.field for c in columns if c.field is not None}
            score = len(fields)
            if ("customer" in fields or "id" in fields) and score >= 2 and (best is None or score > best[0]):
                best = (score, Layout(sheet.name, number, tuple(_first_of_each(columns))))
            previous = cells
    return best[1] if best else None


def _first_of_each(columns: list[Column]) -> list[Column]:
    """A field named by two columns is read from the first; the second is listed as unknown."""
    seen: set[str] = set()
    kept = []
    for column in columns:
        if column.field is not None and column.field in seen:
            column = Column(column.index, column.header, None)
        elif column.field is not None:
            seen.add(column.field)
        kept.append(column)
    return kept
