"""Conversion analysis from the stage history (domain §4): how many deals move from each
stage to the next, how long they sit in a stage, which moves skipped a stage, and which
wins never went through the funnel (domain §3, 000).

Everything is read from `StageChange` rows (kinds created, advance, back_off, won, lost,
reopen), never from a deal's current stage: the history is the record the funnel keeps.

Definitions (shared by the weekly digest and any later report):

- A deal *reached* a stage when its history shows it in that stage: the stage a change
  moved it to (created, advance, back_off, reopen) or the stage a change moved it from.
  A deal created at a later stage reached that stage, not the earlier ones. A forward move
  that skips stages (an advance two steps up, a win from a middle stage) passes through
  the skipped stages: the deal counts as having reached them, with no stay recorded there.
  Winning is position n (after the last open stage); losing is reached by no stage.
- Conversion from stage i to stage i+1 = of the deals that ever reached i, the share that
  ever reached i+1. Each deal counts once per stage, however often it backed off and came
  back. Deals still open in stage i count as not (yet) converted. A deal created at i+1 or
  later is not in the base of i (so no rate can exceed 100%). The last conversion is
  won ÷ reached the last open stage.
- Days in stage = the average, over completed stays, of the time from the change that
  moved a deal into the stage to the deal's next change (any kind), in days with
  fractions. A stay still going on (an open deal's current stage) is not counted.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

from assistant.method.model import StageChange
from assistant.method.stages import Funnel

# The won state in the analytics' stage keys; ":" cannot occur in a stage key.
WON = ":won"
_FORWARD = ("advance", "won")
_CLOSING = ("won", "lost")
_SECONDS_A_DAY = Decimal(86400)
OFF_FUNNEL_FAST_WIN = timedelta(days=1)


@dataclass(frozen=True)
class Conversion:
    """From `from_key` to `to_key` (a stage key or WON): `converted` of `base` deals."""

    from_key: str
    to_key: str
    base: int
    converted: int

    @property
    def rate(self) -> Decimal | None:
        """converted ÷ base; None when no deal reached `from_key`."""
        return Decimal(self.converted) / self.base if self.base else None


@dataclass(frozen=True)
class StageTime:
    stage_key: str
    stays: int
    days: Decimal | None  # average over completed stays; None without any


def position(funnel: Funnel, key: str | None) -> int | None:
    """A stage's 0-based index, len(stages) for WON, None for lost or an unknown key."""
    if key == WON:
        return len(funnel.stages)
    return funnel.index(key) if key and funnel.stage(key) else None


def _target(change: StageChange) -> str:
    return WON if change.kind == "won" else change.to_stage


def reached(funnel: Funnel, history: Iterable[StageChange]) -> set[str]:
    """The stage keys (and WON) one deal ever reached, by the module's definition."""
    keys: set[str] = set()
    for change in history:
        start, end = position(funnel, change.from_stage), position(funnel, _target(change))
        if start is not None and change.from_stage is not None:
            keys.add(change.from_stage)
        if end is None:
            continue
        keys.add(_target(change))
        if change.kind in _FORWARD and start is not None:
            keys |= {stage.key for stage in funnel.stages[start + 1:end]}
    return keys


def conversions(funnel: Funnel, histories: Iterable[Sequence[StageChange]]) -> list[Conversion]:
    """One `Conversion` per consecutive pair of stages, the last one to WON."""
    reach = [reached(funnel, history) for history in histories]
    keys = [stage.key for stage in funnel.stages] + [WON]
    result = []
    for before, after in pairwise(keys):
        base = [keys_of_deal for keys_of_deal in reach if before in keys_of_deal]
        result.append(Conversion(before, after, len(base), sum(after in keys_of_deal for keys_of_deal in base)))
    return result


def _days(spans: list[timedelta]) -> Decimal | None:
    if not spans:
        return None
    seconds = sum((Decimal(str(span.total_seconds())) for span in spans), Decimal(0))
    return seconds / len(spans) / _SECONDS_A_DAY


def days_in_stage(funnel: Funnel, histories: Iterable[Sequence[StageChange]]) -> list[StageTime]:
    """Average days per stage over completed stays, in funnel order (zero-stay stages too)."""
    spans: dict[str, list[timedelta]] = defaultdict(list)
    for history in histories:
        ordered = sorted(history, key=lambda change: change.at)
        for entry, following in pairwise(ordered):
            if entry.kind not in _CLOSING and funnel.stage(entry.to_stage):
                spans[entry.to_stage].append(following.at - entry.at)
    return [StageTime(stage.key, len(spans[stage.key]), _days(spans[stage.key])) for stage in funnel.stages]


def is_jump(funnel: Funnel, change: StageChange) -> bool:
    """An advance that moved a deal up more than one stage. Winning from any stage is
    allowed by the product (the rep closes when the customer signs), so it is no jump."""
    start, end = position(funnel, change.from_stage), position(funnel, change.to_stage)
    return change.kind == "advance" and start is not None and end is not None and end - start > 1


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The date of an instant in the team's timezone (a naive instant is read as UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone).date()


def is_off_funnel(history: Sequence[StageChange], win: StageChange, funnel_last: str, week_start: date,
                  zone: ZoneInfo) -> bool:
    """Won without ever being in the funnel (000). Product decision: before its win the deal has
    no stage change but (at most) its creation, and either it has no creation at all, or it was
    created in the reported week (so no weekly review ever showed it), or it was created straight
    into the last open stage at most OFF_FUNNEL_FAST_WIN (one day) before the win."""
    before = [change for change in history if change.at < win.at]
    if any(change.kind != "created" for change in before):
        return False
    if not before:
        return True
    created = before[0]
    return (local_date(created.at, zone) >= week_start
            or (created.to_stage == funnel_last and win.at - created.at <= OFF_FUNNEL_FAST_WIN))
