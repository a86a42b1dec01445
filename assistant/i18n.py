"""Every text a user reads: `render(lang, key, **params)`.

Texts live in keyed catalogs, `templates/<lang>/*.toml` (nested tables flattened to dotted
keys, each value a Jinja2 template), and long texts in `templates/<lang>/**/*.j2` (key = the
path without suffix, dots for slashes). zh is the first language; en mirrors its keys.
Amounts, dates and percentages go through the Babel filters defined here, never f-strings.
Commands are never written out in a text: `{{ cmd('new') }}` names one the way the reader's
platform types it (its `Vocabulary`, which the adapter passes to `render`).
"""
from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_compact_currency, format_currency, format_percent
from jinja2 import Environment, FunctionLoader, StrictUndefined, Template, pass_context
from jinja2.runtime import Context

from assistant.events import Reply, UserRef, map_user_refs

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


@dataclass(frozen=True)
class Vocabulary:
    """How a platform's users type a command, so that a text names it the way it can be typed.

    - "slash": `/new` (Telegram, the terminal chat);
    - "subcommand": one slash command of the app with the command as its first word,
      `/sales new` (Slack, where generic names such as `/invite` collide across apps);
    - "words": the command's first alias word (`alias.<command>`) in the reader's language,
      `新商机` / `new`, for a direct chat where no slash commands exist.
    """

    style: str = "slash"
    command: str = ""  # the app's one slash command, for "subcommand"

    def __post_init__(self) -> None:
        if self.style not in ("slash", "subcommand", "words"):
            raise ValueError(f"unknown vocabulary style {self.style!r}")
        if (self.style == "subcommand") != bool(self.command):
            raise ValueError("a subcommand vocabulary needs its slash command, and only it")

    @classmethod
    def subcommand(cls, command: str) -> Vocabulary:
        return cls("subcommand", command.lstrip("/"))

    @property
    def slash(self) -> bool:
        """Commands are typed after a slash: the platform has a command form besides plain words."""
        return self.style != "words"

    def write(self, lang: str, name: str, *args: Any) -> str:
        """Command `name` with its arguments, as the user would type it."""
        tail = [str(arg) for arg in args if str(arg)]
        if self.style == "slash":
            return " ".join([f"/{name}", *tail])
        if self.style == "subcommand":
            return " ".join([f"/{self.command}", name, *tail])
        return render(lang, "vocabulary.word", text=" ".join([alias_word(lang, name), *tail]))


SLASH = Vocabulary()
WORDS = Vocabulary("words")


def alias_word(lang: str, name: str) -> str:
    """The first word that starts command `name` without a slash in `lang` (`alias.*`)."""
    words = catalog(normalise_lang(lang)).get(f"alias.{name}") or catalog(DEFAULT_LANG).get(f"alias.{name}") or name
    return words.split("|")[0].strip()


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

    @pass_context
    def t(context: Context, key: str, **params: Any) -> str:
        return render(lang, key, vocabulary=context.get("vocabulary", SLASH), **params)

    @pass_context
    def cmd(context: Context, name: str, *args: Any) -> str:
        vocabulary: Vocabulary = context.get("vocabulary", SLASH)
        return vocabulary.write(lang, name, *args)

    env.globals["t"] = t
    env.globals["cmd"] = cmd
    env.globals["lang"] = lang
    return env


@cache
def _template(lang: str, key: str) -> Template:
    return _environment(lang).from_string(catalog(lang)[key])


def has_key(lang: str, key: str) -> bool:
    return key in catalog(normalise_lang(lang))


def render(lang: str, key: str, *, vocabulary: Vocabulary = SLASH, **params: Any) -> str:
    """The text of `key` in `lang`, filled with `params` (plain text: adapters escape it
    for their markup), its commands written in the reader's platform's `vocabulary`.
    A key missing in `lang` falls back to zh, then to the key itself."""
    lang = normalise_lang(lang)
    if key not in catalog(lang):
        lang = DEFAULT_LANG
        if key not in catalog(lang):
            return key
    return _template(lang, key).render(vocabulary=vocabulary, **params).strip()


def render_reply(reply: Reply, vocabulary: Vocabulary = SLASH, escape: Callable[[str], str] = str,
                 mention: Callable[[UserRef], str] = lambda ref: ref.name) -> str:
    """A reply's text in an adapter's markup: the rendered text passed through `escape`, each
    `UserRef` in it as `mention(ref)`. People are held as placeholders while the text is
    escaped, so a name is escaped once (by `mention`) and a mention's markup never."""
    refs: list[UserRef] = []

    def hold(ref: UserRef) -> str:
        refs.append(ref)
        return f"\ue000{len(refs) - 1}\ue001"
    text = escape(render(reply.lang, reply.key, vocabulary=vocabulary, **map_user_refs(reply.params, hold)))
    for index, ref in enumerate(refs):
        text = text.replace(f"\ue000{index}\ue001", mention(ref))
    return text
