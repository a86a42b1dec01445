"""Funnel stages: a team's ordered open stages, each with a win probability (domain §1).

Stages, names, probabilities and checklists are team configuration: presets ship in
`presets.py`, and `funnel_config.py` reads them or a team's own file. Won and lost are
deal statuses, not stages: only the label of the won state belongs to the funnel.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


def _is_zh(lang: str) -> bool:
    """"zh", "zh-CN", "zh_Hans" read Chinese; anything else reads English."""
    return lang.lower().startswith("zh")


def fold(text: str) -> str:
    """What a typed stage name is compared by: width, case, spaces, - and _ do not matter."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s_\-]+", "", folded)


@dataclass(frozen=True)
class CheckPoint:
    key: str
    zh: str
    en: str

    def label(self, lang: str) -> str:
        return self.zh if _is_zh(lang) else self.en


@dataclass(frozen=True)
class Stage:
    key: str
    zh: str
    en: str
    probability: Decimal
    checklist: tuple[CheckPoint, ...] = ()
    actions_zh: str = ""
    actions_en: str = ""

    def name(self, lang: str) -> str:
        return self.zh if _is_zh(lang) else self.en

    def actions(self, lang: str) -> str:
        """Typical sales actions at this stage: the next-step suggestion, may be empty."""
        return self.actions_zh if _is_zh(lang) else self.actions_en


@dataclass(frozen=True)
class Funnel:
    preset: str
    stages: tuple[Stage, ...]
    won_zh: str = "赢单"
    won_en: str = "Won"

    def stage(self, key: str) -> Stage | None:
        return next((s for s in self.stages if s.key == key), None)

    def index(self, key: str) -> int:
        for position, stage in enumerate(self.stages):
            if stage.key == key:
                return position
        raise KeyError(key)

    def next_stage(self, key: str) -> Stage | None:
        position = self.index(key) + 1
        return self.stages[position] if position < len(self.stages) else None

    def previous_stage(self, key: str) -> Stage | None:
        position = self.index(key)
        return self.stages[position - 1] if position > 0 else None

    def won_name(self, lang: str) -> str:
        return self.won_zh if _is_zh(lang) else self.won_en

    def find(self, text: str, lang: str) -> Stage | None:
        """A stage as a rep types it: "3" (1-based), "25%", its key, or its zh/en name.

        Names in the rep's language are tried before the other language's.
        """
        wanted = fold(text)
        if wanted.isascii() and wanted.isdigit():
            number = int(wanted)
            return self.stages[number - 1] if 1 <= number <= len(self.stages) else None
        if wanted.endswith("%"):
            return self._at_percent(wanted[:-1])
        other = "en" if _is_zh(lang) else "zh"
        readers: tuple[Callable[[Stage], str], ...] = (
            lambda s: s.key, lambda s: s.name(lang), lambda s: s.name(other))
        for read in readers:
            found = next((s for s in self.stages if fold(read(s)) == wanted), None)
            if found is not None:
                return found
        return None

    def _at_percent(self, number: str) -> Stage | None:
        try:
            probability = Decimal(number) / 100
        except InvalidOperation:
            return None
        return next((s for s in self.stages if s.probability == probability), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe, and in the shape of a funnel file: a stored funnel can be exported."""
        return {
            "preset": self.preset,
            "won": {"zh": self.won_zh, "en": self.won_en},
            "stages": [_stage_to_dict(s) for s in self.stages],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Funnel:
        """Inverse of `to_dict`; the data is ours (the DB), so it is trusted, not validated."""
        won = data.get("won") or {}
        return cls(
            preset=data.get("preset", "custom"),
            stages=tuple(_stage_from_dict(s) for s in data["stages"]),
            won_zh=won.get("zh", cls.won_zh),
            won_en=won.get("en", cls.won_en),
        )


def _stage_to_dict(stage: Stage) -> dict[str, Any]:
    return {
        "key": stage.key,
        "zh": stage.zh,
        "en": stage.en,
        "probability": str(stage.probability),
        "checklist": [{"key": c.key, "zh": c.zh, "en": c.en} for c in stage.checklist],
        "actions": {"zh": stage.actions_zh, "en": stage.actions_en},
    }


def _stage_from_dict(data: dict[str, Any]) -> Stage:
    actions = data.get("actions") or {}
    return Stage(
        key=data["key"],
        zh=data["zh"],
        en=data["en"],
        probability=Decimal(str(data["probability"])),
        checklist=tuple(CheckPoint(c["key"], c["zh"], c["en"]) for c in data.get("checklist", ())),
        actions_zh=actions.get("zh", ""),
        actions_en=actions.get("en", ""),
    )
