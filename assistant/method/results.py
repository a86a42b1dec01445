"""What a parser or a domain rule answers: a value, or a problem the user can fix.

A user mistake is never an exception: it is a `Problem` whose key names a message in
the catalogs (`templates/<lang>/*.toml`) and whose params fill it in.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """A refused input or rule, rendered to the user as `render(lang, key, **params)`."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, key: str, **params: Any) -> Problem:
        return cls(key, dict(params))


@dataclass(frozen=True)
class Ok(Generic[T]):
    """An accepted value; `warning` is shown to the user but does not stop the flow."""

    value: T
    warning: Problem | None = None
