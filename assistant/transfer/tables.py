"""A spreadsheet file as rows of cells: .xlsx (openpyxl, read-only, cached formula values) or
.csv (any of the encodings Chinese Excel and WPS save: UTF-8 with or without BOM, GBK, GB18030).

Everything a file can do wrong is a `Problem` naming it (too big, not a spreadsheet, encrypted,
corrupt, too many rows), never an exception: nothing is read half.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from xml.etree.ElementTree import ParseError

from charset_normalizer import from_bytes
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from assistant.method.numbers import shown
from assistant.method.results import Problem

MAX_BYTES = 20 * 1024 * 1024  # what a chat platform hands a bot (Telegram's getFile limit)
MAX_ROWS = 100_000  # data rows of one import
MAX_COLUMNS = 200
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv")
OLD_SUFFIXES = (".xls", ".et", ".numbers", ".ods")  # spreadsheets in a format we do not read: save as .xlsx

Cell = str | int | float | Decimal | date | datetime | time | bool | None

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted .xlsx and an old .xls are both OLE files
_ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name and its non-empty rows as (row number in the file, cells)."""

    name: str
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]


def is_spreadsheet_name(name: str) -> bool:
    """Whether a file is one we try to import, by its name (what a chat shows before download)."""
    return name.lower().endswith(SPREADSHEET_SUFFIXES + OLD_SUFFIXES)


def read_sheets(name: str, data: bytes) -> list[Sheet] | Problem:
    """Every sheet of the file with its rows, or the reason the file can't be read."""
    lowered = name.lower()
    if len(data) > MAX_BYTES:
        return Problem.of("transfer.file.too_big", limit_mb=MAX_BYTES // (1024 * 1024))
    if not data:
        return Problem.of("transfer.file.empty", name=shown(name))
    if data.startswith(_OLE):
        key = "transfer.file.old_format" if lowered.endswith(".xls") else "transfer.file.encrypted"
        return Problem.of(key, name=shown(name))
    if lowered.endswith(OLD_SUFFIXES):
        return Problem.of("transfer.file.old_format", name=shown(name))
    if data.startswith(_ZIP):
        return _read_xlsx(name, data)
    if lowered.endswith(".csv") or lowered.endswith(".txt"):
        return _read_csv(name, data)
    return Problem.of("transfer.file.not_spreadsheet", name=shown(name))


def _read_xlsx(name: str, data: bytes) -> list[Sheet] | Problem:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, ParseError):
        return Problem.of("transfer.file.corrupt", name=shown(name))
    try:
        sheets = []
        total = 0
        for worksheet in workbook.worksheets:
            rows = []
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                cells = _trim(values)
                if cells is None:
                    continue
                total += 1
                if total > MAX_ROWS + _HEADER_ROOM:
                    return Problem.of("transfer.file.too_many_rows", limit=MAX_ROWS)
                if len(cells) > MAX_COLUMNS:
                    cells = cells[:MAX_COLUMNS]
                rows.append((number, cells))
            sheets.append(Sheet(worksheet.title, tuple(rows)))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, ParseError, AttributeError, IndexError):
        return Problem.of("transfer.file.corrupt", name=shown(name))
    finally:
        workbook.close()
    return sheets


_HEADER_ROOM = 30  # rows above the header (titles, notes) that do not count against MAX_ROWS


def _trim(values: tuple[object, ...]) -> tuple[Cell, ...] | None:
    """The row's cells without trailing empties; None for an empty row."""
    cells = [_cell(value) for value in values]
    while cells and cells[-1] is None:
        cells.pop()
    return tuple(cells) if cells else None


def _cell(value: object) -> Cell:
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, str | int | float | Decimal | date | datetime | time | bool) or value is None:
        return value
    return str(value)  # an error value such as #DIV/0! arrives as text


def _read_csv(name: str, data: bytes) -> list[Sheet] | Problem:
    text = decode_text(data)
    if text is None or "\x00" in text:
        return Problem.of("transfer.file.not_spreadsheet", name=shown(name))
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    total = 0
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
            cells = _trim(tuple(values))
            if cells is None:
                continue
            total += 1
            if total > MAX_ROWS + _HEADER_ROOM:
                return Problem.of("transfer.file.too_many_rows", limit=MAX_ROWS)
            rows.append((number, cells[:MAX_COLUMNS]))
    except csv.Error:
        return Problem.of("transfer.file.corrupt", name=shown(name))
    return [Sheet(name.rsplit(".", 1)[0], tuple(rows))]


def decode_text(data: bytes) -> str | None:
    """UTF-8 (a BOM or not) when it decodes as such; otherwise what charset-normalizer finds,
    read as GB18030 when it finds a Chinese GB encoding (GB18030 contains GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    if best is None:
        return None
    encoding = best.encoding.lower().replace("-", "_")
    if encoding in ("gbk", "gb2312", "gb18030", "cp936", "hz"):
        encoding = "gb18030"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
