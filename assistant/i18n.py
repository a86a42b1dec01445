"""Every text a user reads: `render(lang, key, **params)`.

Texts live in keyed catalogs, `templates/<lang>/*.toml` (nested tables flattened to dotted
keys, each value a Jinja2 template), and long texts in `templates/<lang>/**/*.j2` (key = the
path without suffix, dots for slashes). zh is the first language; en mirrors its keys.
Amounts, dates and percentages go through the Babel filters defined here, never f-strings.
"""
from __future__ import annotations

import tomllib
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_compact_currency, format_currency, format_percent
from jinja2 import Environment, FunctionLoader, StrictUndefined, Template

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
_LOCALES = {"zh": "zh_CN", "en": "en_US"}
_WAN = Decimal(10000)


def normalise_lang(value: str | None) -> str:
    """Map a platform language code ("zh-hans", "en-GB", None) to one of LANGS."""
    if not value:
        return DEFAULT_LANG
    head = value.lower().replace("_", "-").split("-")[0]
    return head if head in LANGS else ("en" if head.isalpha() else DEFAULT_LANG)


def money(value: Any, lang: str, currency: str = "CNY") -> str:
    """¥120万 in zh for amounts from 万 up (how Chinese reps say it); CN¥1,200,000 in en."""
    if hasattr(value, "currency"):
        value, currency = value.amount, value.currency
    amount = Decimal(value)
    locale = _LOCALES[lang]
    if lang == "zh" and abs(amount) >= _WAN:
        return format_compact_currency(amount, currency, locale=locale, fraction_digits=2)
    return format_currency(amount, currency, locale=locale, format="¤#,##0.##", currency_digits=False)


def day(value: date | datetime | str | None, lang: str) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    pattern = "yyyy年M月d日（EEE）" if lang == "zh" else "EEE d MMM yyyy"
    return format_date(value, pattern, locale=_LOCALES[lang])


def moment(value: datetime | None, lang: str) -> str:
    if value is None:
        return "—"
    pattern = "yyyy年M月d日 HH:mm" if lang == "zh" else "d MMM yyyy HH:mm"
    return format_datetime(value, pattern, tzinfo=value.tzinfo, locale=_LOCALES[lang])


def percent(value: Any, lang: str) -> str:
    return format_percent(Decimal(value), "#,##0.#%", locale=_LOCALES[lang])


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = value
    return flat


@cache
def catalog(lang: str) -> dict[str, str]:
    """All keys of one language: the toml catalogs, then the .j2 files."""
    root = TEMPLATES / lang
    entries: dict[str, str] = {}
    for path in sorted(root.glob("*.toml")):
        for key, text in _flatten(tomllib.loads(path.read_text("utf-8"))).items():
            if key in entries:
                raise ValueError(f"catalog key {key} defined twice ({path.name})")
            entries[key] = text
    for path in sorted(root.rglob("*.j2")):
        key = ".".join(path.relative_to(root).with_suffix("").parts)
        entries[key] = path.read_text("utf-8")
    return entries


@cache
def _environment(lang: str) -> Environment:
    env = Environment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=False, loader=FunctionLoader(lambda key: catalog(lang).get(key)))
    env.filters["money"] = lambda value, currency="CNY": money(value, lang, currency)
    env.filters["date"] = lambda value: day(value, lang)
    env.filters["datetime"] = lambda value: moment(value, lang)
    env.filters["percent"] = lambda value: percent(value, lang)
    env.globals["t"] = lambda key, **params: render(lang, key, **params)
    env.globals["lang"] = lang
    return env


@cache
def _template(lang: str, key: str) -> Template:
    return _environment(lang).from_string(catalog(lang)[key])


def has_key(lang: str, key: str) -> bool:
    return key in catalog(normalise_lang(lang))


def render(lang: str, key: str, **params: Any) -> str:
    """The text of `key` in `lang`, filled with `params` (plain text: adapters escape it
    for their markup). A key missing in `lang` falls back to zh, then to the key itself."""
    lang = normalise_lang(lang)
    if key not in catalog(lang):
        lang = DEFAULT_LANG
        if key not in catalog(lang):
            return key
    return _template(lang, key).render(**params).strip()
