"""The button codec: every button value the assistant sends is built here from a typed route,
and every pressed value is read back here into one, or into nothing.

A value is short text (Telegram allows 64 bytes of callback data): a prefix, then the route's
fields joined by dots. Decoding checks the prefix, the number of parts and each part's type, so
a typo in a builder fails in the tests that press the button, and a forged or truncated value
reads as `None` (the user is told the button has expired). Whether the route is still allowed
(the deal is the user's, the reminder still open) is the router's business, not the codec's.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar

from assistant.events import Choice
from assistant.method.numbers import MAX_ID

_WORD = re.compile(r"[a-z0-9_]{1,24}")
_NONCE = re.compile(r"[0-9a-f]{6}")
_ID = re.compile(r"[0-9]{1,10}")


@dataclass(frozen=True)
class RunCommand:
    """A menu or list button that runs a command, with at most one argument (`deals` page 2,
    `deal` 12, `lang` en, `share` on)."""

    name: str
    arg: str = ""
    prefix: ClassVar[str] = "cmd"


@dataclass(frozen=True)
class RepDeals:
    """A manager looks through one rep's open deals, one page at a time."""

    user_id: int
    page: int = 1
    prefix: ClassVar[str] = "rep"


@dataclass(frozen=True)
class DealAction:
    """Start a flow on one deal (a card's buttons: visit, advance, lost …)."""

    flow: str
    deal_id: int
    prefix: ClassVar[str] = "act"


@dataclass(frozen=True)
class DealTick:
    """Tick or untick one entry check point of the deal's stage on its card (the point's
    place in the stage's checklist, from 1)."""

    deal_id: int
    point: int
    prefix: ClassVar[str] = "tick"


@dataclass(frozen=True)
class ReminderAction:
    """A follow-up reminder's buttons act on the outbox item that carried them."""

    action: str
    item_id: int
    prefix: ClassVar[str] = "rem"
    ACTIONS: ClassVar[tuple[str, ...]] = ("done", "snooze", "date")


@dataclass(frozen=True)
class AgendaItem:
    """An item of the day's agenda: its actions, shown for that deal."""

    deal_id: int
    prefix: ClassVar[str] = "agi"


@dataclass(frozen=True)
class AgendaAct:
    """An action on an agenda item's next step. `due` is the step's date as shown (yyyymmdd):
    the action is taken only while the deal still has it, so a second press, or a press after
    the step moved some other way, changes nothing."""

    action: str
    deal_id: int
    due: int
    prefix: ClassVar[str] = "aga"
    ACTIONS: ClassVar[tuple[str, ...]] = ("done", "tomorrow", "date")


@dataclass(frozen=True)
class FlowPick:
    """An answer to the question a flow is waiting on: the nonce ties it to the prompt that
    offered it (an older prompt's buttons are refused); `pick` is an option's index or a
    control word (skip, done, anyway)."""

    nonce: str
    pick: str


Route = RunCommand | RepDeals | DealAction | DealTick | ReminderAction | AgendaItem | AgendaAct | FlowPick
_ROUTES: dict[str, type[RunCommand | RepDeals | DealAction | DealTick | ReminderAction | AgendaItem | AgendaAct]] = {
    cls.prefix: cls for cls in (RunCommand, RepDeals, DealAction, DealTick, ReminderAction, AgendaItem, AgendaAct)}


def encode(route: Route) -> str:
    if isinstance(route, FlowPick):
        return f"{route.nonce}.{route.pick}"
    parts = [str(getattr(route, f.name)) for f in fields(route)]
    if isinstance(route, RunCommand) and not route.arg:
        parts = parts[:1]
    return ".".join([route.prefix, *parts])


# Values sent before the codec existed, still on buttons in users' chats: they keep working.
_LEGACY = {"deal": "cmd.deal", "deals": "cmd.deals", "lang": "cmd.lang", "cmd.share_on": "cmd.share.on",
           "cmd.share_off": "cmd.share.off"}


def decode(value: str) -> Route | None:
    """The route a pressed value stands for; None for anything this codec never built."""
    head, _, rest = value.partition(".")
    if value in _LEGACY:
        head, _, rest = _LEGACY[value].partition(".")
    elif head in _LEGACY:
        head, _, rest = f"{_LEGACY[head]}.{rest}".partition(".")
    parts = rest.split(".") if rest else []
    if _NONCE.fullmatch(head) and len(parts) == 1 and _WORD.fullmatch(parts[0]):
        return FlowPick(head, parts[0])
    cls = _ROUTES.get(head)
    if cls is None:
        return None
    wanted = fields(cls)
    required = sum(1 for f in wanted if f.default is MISSING)
    if not required <= len(parts) <= len(wanted):
        return None
    values: list[str | int] = []
    for spec, part in zip(wanted, parts, strict=False):
        if spec.type == "int":
            if not _ID.fullmatch(part) or not 0 < int(part) <= MAX_ID:
                return None
            values.append(int(part))
        elif _WORD.fullmatch(part):
            values.append(part)
        else:
            return None
    route = cls(*values)  # type: ignore[arg-type]  # each part was checked against its field's type above
    if isinstance(route, ReminderAction | AgendaAct) and route.action not in route.ACTIONS:
        return None
    return route


def button(route: Route, key: str, params: Mapping[str, Any] | None = None) -> Choice:
    """A button that comes back as `route`; its label is the catalog key `key`."""
    return Choice(encode(route), key, params or {})
