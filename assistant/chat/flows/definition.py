"""What a flow is made of: fields with parsers or options, asked one at a time in chat or all
at once as a form. A flow holds no strings: every prompt is a catalog key derived from names."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from assistant.chat.context import Visitor
from assistant.events import TEXT, Reply
from assistant.method.model import JsonDict, Params
from assistant.method.results import Ok, Problem

SKIP, DONE, ANYWAY = "skip", "done", "anyway"


@dataclass(frozen=True)
class Option:
    """One answer on offer: `value` is stored (JSON-safe), the label is a catalog key."""

    value: Any
    key: str
    params: Params = field(default_factory=dict)


@dataclass(frozen=True)
class Ask:
    """A parser's question back: the input matched several things, the user picks one."""

    key: str
    options: tuple[Option, ...]
    params: Params = field(default_factory=dict)


# Who a flow talks to: a team member (`Ctx`) for every flow but joining, which a `Visitor` runs.
C = TypeVar("C", bound=Visitor)
Parsed = Ok[Any] | Problem | Ask


@dataclass(frozen=True)
class Field(Generic[C]):
    name: str
    parse: Callable[[str, C, JsonDict], Parsed] | None = None
    options: Callable[[C, JsonDict], Sequence[Option]] | None = None
    multi: bool = False
    checklist: bool = False
    optional: bool = False
    when: Callable[[C, JsonDict], bool] | None = None
    default: Callable[[C, JsonDict], Any] | None = None
    prompt: Callable[[C, JsonDict], Params] | None = None
    ticked: Callable[[C, JsonDict], list[Any]] | None = None  # a multi field's boxes ticked at first
    key: str | None = None  # the prompt's catalog key when several fields share one
    kind: str = TEXT  # a form's input for a typed field (DATE); fields with options are choices


@dataclass(frozen=True)
class Flow(Generic[C]):
    name: str
    fields: tuple[Field[C], ...]
    finish: Callable[[C, JsonDict], list[Reply] | Problem]
    shortcut: Callable[[str, C], JsonDict | Problem] | None = None
    quick: bool = False  # a one-liner fills optional fields with their defaults instead of asking
    form: bool = False  # may be opened as a form (a Slack modal): no form field reads another's answer
    # Its shortcut reads a whole line (`method.one_line`, memoised): the engine reads it before
    # the event's write transaction opens, so the write lock is never held while a line is parsed.
    read_ahead: bool = False
    # What to ask once it has finished, if anything: another flow and its first values (a next
    # step after a visit, an advance, a back-off or a win).
    then: Callable[[C, JsonDict], tuple[Flow[C], JsonDict] | None] | None = None

    def field(self, name: str) -> Field[C]:
        return next(f for f in self.fields if f.name == name)
