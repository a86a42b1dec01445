"""A team's funnel from configuration: the shipped presets and a team's own YAML or TOML file.

Loading never raises on a user's mistake; it returns every `Problem` found, so the manager
fixes the file in one go.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from assistant.method.presets import PRESETS
from assistant.method.results import Problem
from assistant.method.stages import CheckPoint, Funnel, Stage, fold

_T = TypeVar("_T")

PRESET_NAMES: tuple[str, ...] = tuple(PRESETS)
DEFAULT_PRESET = "project"
MAX_STAGES = 12

# Keys are stored with deals and typed in commands: ASCII, starting with a letter, so a key
# can never be mistaken for a stage number ("3") in `Funnel.find`.
_KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_TOP_FIELDS = frozenset({"won", "stages"})
_STAGE_FIELDS = frozenset({"key", "zh", "en", "probability", "checklist", "actions"})
_TEXT_FIELDS = frozenset({"zh", "en"})
_CHECK_FIELDS = frozenset({"key", "zh", "en"})


@cache
def preset(name: str) -> Funnel:
    """A shipped preset, validated like a team's own file. KeyError for an unknown name."""
    parsed = parse_funnel(PRESETS[name])
    if isinstance(parsed, list):
        raise ValueError(f"preset {name!r} does not validate: {parsed}")
    return replace(parsed, preset=name)


def _read_yaml(path: Path) -> object:
    return yaml.safe_load(path.read_text(encoding="utf-8-sig"))


def _read_toml(path: Path) -> object:
    return tomllib.loads(path.read_text(encoding="utf-8-sig"))


_READERS: dict[str, Callable[[Path], object]] = {
    ".yaml": _read_yaml, ".yml": _read_yaml, ".toml": _read_toml}


def load_funnel_file(path: Path) -> Funnel | list[Problem]:
    """A team's funnel from a .yaml/.yml/.toml file (chosen by suffix), or its problems."""
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        return [Problem.of("funnel.unsupported_format", path=str(path))]
    try:
        data = reader(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        return [Problem.of("funnel.unreadable_file", path=str(path), error=_describe(exc))]
    return parse_funnel(data)


def _describe(exc: Exception) -> str:
    """One line for the user: YAML's own message spans several and quotes the text."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"{exc.problem} (line {mark.line + 1}, column {mark.column + 1})"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc).strip()


def parse_funnel(data: object) -> Funnel | list[Problem]:
    """Validate an already-loaded mapping: the funnel, or every problem found in it."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        return [Problem.of("funnel.not_a_mapping")]
    problems = _funnel_problems(data)
    return problems if problems else _build(data)


def _funnel_problems(data: Mapping[Any, Any]) -> list[Problem]:
    problems = [Problem.of("funnel.unknown_field", field=str(f)) for f in data if f not in _TOP_FIELDS]
    if "won" in data and _read_texts(data["won"]) is None:
        problems.append(Problem.of("funnel.bad_won_label"))
    raw_stages = data.get("stages")
    if not isinstance(raw_stages, list) or not raw_stages:
        return problems + [Problem.of("funnel.no_stages")]
    if len(raw_stages) > MAX_STAGES:
        problems.append(Problem.of("funnel.too_many_stages", max=MAX_STAGES, count=len(raw_stages)))
    for position, raw in enumerate(raw_stages, start=1):
        problems += _stage_problems(raw, position)
    return problems + _duplicate_problems(raw_stages) + _order_problems(raw_stages)


def _stage_label(raw: Mapping[Any, Any], position: int) -> str:
    """How a problem names a stage: as the user wrote it (key, else a name), else "#3"."""
    for field in ("key", "zh", "en"):
        if _read_text(raw.get(field)) is not None:
            return str(raw[field]).strip()
    return f"#{position}"


def _stage_problems(raw: object, position: int) -> list[Problem]:
    if not isinstance(raw, Mapping):
        return [Problem.of("funnel.stage_invalid", index=position)]
    stage = _stage_label(raw, position)
    problems = [Problem.of("funnel.unknown_stage_field", stage=stage, field=str(f))
                for f in raw if f not in _STAGE_FIELDS]
    problems += _key_problems(raw, position)
    problems += _name_problems(raw, position, stage)
    if _is_missing(raw.get("probability")):
        problems.append(Problem.of("funnel.stage_missing_field", index=position, field="probability"))
    elif _read_probability(raw["probability"]) is None:
        problems.append(Problem.of("funnel.bad_probability", stage=stage, value=str(raw["probability"])))
    if not _is_missing(raw.get("actions")) and _read_texts(raw["actions"]) is None:
        problems.append(Problem.of("funnel.stage_bad_text", stage=stage, field="actions"))
    return problems + _checklist_problems(raw.get("checklist"), stage)


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _key_problems(raw: Mapping[Any, Any], position: int) -> list[Problem]:
    key = raw.get("key")
    if _is_missing(key):
        return [Problem.of("funnel.stage_missing_field", index=position, field="key")]
    if not isinstance(key, str) or not _KEY_RE.match(key.strip()):
        return [Problem.of("funnel.bad_key", index=position, stage_key=str(key))]
    return []


def _name_problems(raw: Mapping[Any, Any], position: int, stage: str) -> list[Problem]:
    """A stage needs a name in at least one language; the other falls back to it."""
    given = [f for f in ("zh", "en") if not _is_missing(raw.get(f))]
    if not given:
        return [Problem.of("funnel.stage_missing_field", index=position, field="zh")]
    return [Problem.of("funnel.stage_bad_text", stage=stage, field=f)
            for f in given if _read_text(raw[f]) is None]


def _checklist_problems(checklist: object, stage: str) -> list[Problem]:
    if checklist is None:
        return []
    if not isinstance(checklist, list):
        return [Problem.of("funnel.checklist_invalid", stage=stage)]
    checks = [_read_check(item, position) for position, item in enumerate(checklist, start=1)]
    problems = [Problem.of("funnel.checklist_item_invalid", stage=stage, index=position)
                for position, check in enumerate(checks, start=1) if check is None]
    keys = [check.key for check in checks if check is not None]
    problems += [Problem.of("funnel.duplicate_checkpoint", stage=stage, check_key=k) for k in _repeated(keys)]
    return problems


def _repeated(values: list[str]) -> list[str]:
    """Each value that occurs more than once, in first-seen order, once."""
    seen: set[str] = set()
    repeated: list[str] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def _duplicate_problems(raw_stages: list[object]) -> list[Problem]:
    stages = [raw for raw in raw_stages if isinstance(raw, Mapping)]
    keys = [raw["key"].strip() for raw in stages if isinstance(raw.get("key"), str) and raw["key"].strip()]
    problems = [Problem.of("funnel.duplicate_key", stage_key=k) for k in _repeated(keys)]
    for lang in ("zh", "en"):
        names = [raw[lang].strip() for raw in stages if _read_text(raw.get(lang)) is not None]
        folded = {fold(n): n for n in reversed(names)}
        problems += [Problem.of("funnel.duplicate_name", name=folded[f])
                     for f in _repeated([fold(n) for n in names])]
    return problems


def _order_problems(raw_stages: list[object]) -> list[Problem]:
    """Open stages run from the lowest probability up: each must beat the one before.

    A stage is compared with the last stage that has a readable probability, so one
    misplaced stage is reported once, not together with every stage after it.
    """
    problems: list[Problem] = []
    previous: tuple[str, Decimal] | None = None
    for position, raw in enumerate(raw_stages, start=1):
        if not isinstance(raw, Mapping):
            continue
        probability = _read_probability(raw.get("probability"))
        if probability is None:
            continue
        stage = _stage_label(raw, position)
        if previous is not None and probability <= previous[1]:
            problems.append(
                Problem.of("funnel.probabilities_not_increasing", stage=stage, previous=previous[0]))
        previous = (stage, probability)
    return problems


def _read_text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _read_texts(value: object) -> tuple[str, str] | None:
    """(zh, en) from "same text" or {zh, en} with at least one given; None if unusable."""
    text = _read_text(value)
    if text is not None:
        return (text, text)
    if not isinstance(value, Mapping) or not value or set(value) - _TEXT_FIELDS:
        return None
    texts: dict[str, str] = {}
    for lang, raw in value.items():
        read = _read_text(raw)
        if read is None:
            return None
        texts[lang] = read
    zh = texts.get("zh") or texts["en"]
    return (zh, texts.get("en") or zh)


def _read_check(item: object, position: int) -> CheckPoint | None:
    """A check point from "text" or {key, zh, en}; without a key it is "check_<n>"."""
    default_key = f"check_{position}"
    if isinstance(item, Mapping):
        if set(item) - _CHECK_FIELDS:
            return None
        key = item.get("key", default_key)
        texts = _read_texts({f: item[f] for f in ("zh", "en") if f in item})
    else:
        key, texts = default_key, (_read_texts(item) if isinstance(item, str) else None)
    if texts is None or not isinstance(key, str) or not _KEY_RE.match(key.strip()):
        return None
    return CheckPoint(key.strip(), *texts)


def _read_probability(value: object) -> Decimal | None:
    """A win probability as written: "10%", 10 (a percent when above 1) or 0.1.

    An open stage lies strictly between 0 and 1: 100% is the won state, not a stage.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    percent = text.endswith("%")
    try:
        number = Decimal(text.removesuffix("%").strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    probability = number / 100 if percent or number > 1 else number
    return probability if 0 < probability < 1 else None


def _accepted(value: _T | None) -> _T:
    """A value `_funnel_problems` found readable, read again to build the funnel."""
    if value is None:
        raise ValueError("funnel data read differently when built than when checked")
    return value


def _build(data: Mapping[Any, Any]) -> Funnel:
    """The funnel from data `_funnel_problems` accepted."""
    won_zh, won_en = _accepted(_read_texts(data["won"])) if "won" in data else (Funnel.won_zh, Funnel.won_en)
    return Funnel(preset="custom", stages=tuple(_build_stage(raw) for raw in data["stages"]),
                  won_zh=won_zh, won_en=won_en)


def _build_stage(raw: Mapping[Any, Any]) -> Stage:
    zh, en = _accepted(_read_texts({f: raw[f] for f in ("zh", "en") if not _is_missing(raw.get(f))}))
    actions = _read_texts(raw.get("actions")) or ("", "")
    checklist = raw.get("checklist") or []
    return Stage(
        key=raw["key"].strip(), zh=zh, en=en, probability=_accepted(_read_probability(raw["probability"])),
        checklist=tuple(_accepted(_read_check(item, n)) for n, item in enumerate(checklist, start=1)),
        actions_zh=actions[0], actions_en=actions[1],
    )
