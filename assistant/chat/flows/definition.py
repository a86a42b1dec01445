"""What a flow is made of: fields with parsers or options, asked one at a time in chat or all
at once as a form. A flow holds no strings: every prompt is a catalog key derived from names."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.chat.context import Ctx
from assistant.events import TEXT, Reply
from assistant.method.results import Ok, Problem

SKIP, DONE, ANYWAY = "skip", "done", "anyway"


@dataclass(frozen=True)
class Option:
    """One answer on offer: `value` is stored (JSON-safe), the label is a catalog key."""

    value: Any
    key: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Ask:
    """A parser's question back: the input matched several things, the user picks one."""

    key: str
    options: tuple[Option, ...]
    params: dict = field(default_factory=dict)


Parser = Callable[[str, Ctx, dict], "Ok | Problem | Ask"]


@dataclass(frozen=True)
class Field:
    name: str
    parse: Parser | None = None
    options: Callable[[Ctx, dict], Sequence[Option]] | None = None
    multi: bool = False
    checklist: bool = False
    optional: bool = False
    when: Callable[[Ctx, dict], bool] | None = None
    default: Callable[[Ctx, dict], Any] | None = None
    prompt: Callable[[Ctx, dict], dict] | None = None
    ticked: Callable[[Ctx, dict], list] | None = None  # a multi field's boxes ticked at first
    key: str | None = None  # the prompt's catalog key when several fields share one
    kind: str = TEXT  # a form's input for a typed field (DATE); fields with options are choices


@dataclass(frozen=True)
class Flow:
    name: str
    fields: tuple[Field, ...]
    finish: Callable[[Ctx, dict], list[Reply] | Problem]
    shortcut: Callable[[str, Ctx], dict | Problem] | None = None
    quick: bool = False  # a one-liner fills optional fields with their defaults instead of asking
    form: bool = False  # may be opened as a form (a Slack modal): no form field reads another's answer

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)
