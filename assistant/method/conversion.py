"""Conversion analysis from the stage history (domain §4): how many deals move from each
stage to the next, how long they sit in a stage, which moves skipped a stage, and which
wins never went through the funnel (domain §3, 000).

Everything is read from `StageChange` rows (kinds created, advance, back_off, won, lost,
reopen), never from a deal's current stage: the history is the record the funnel keeps.

Definitions (shared by the weekly digest and any later report):

- A deal *sat in* a stage when its history shows it there: the stage a change moved it to
  (created, advance, back_off, reopen) or the stage a change moved it from. Winning is
  position n (after the last open stage); losing is sat in by no stage.
- Product decision (domain §8): conversion through a stage counts only deals that sat in
  it. A deal that skipped a stage (an advance two steps up, a win from a middle stage, a
  deal created past it) did not convert through it: for the step from stage i to i+1, a
  deal that sat in i and went beyond i+1 without sitting in it is *skipped*, left out of
  the base and shown apart. A win that never was in the funnel (before it, at most a
  creation less than OFF_FUNNEL_FAST_WIN earlier) is in no base at all, and counted apart.
- Conversion from stage i to stage i+1 = of the deals that sat in i (skipped ones
  excepted), the share that sat in i+1. Each deal counts once per stage, however often it
  backed off and came back. Deals still open in stage i count as not (yet) converted. The
  last conversion is won ÷ sat in the last open stage.
- A step's *decided* outcomes, for rates over a time window (the digest's trend): a deal
  that sat in i is decided converted when it first sits in i+1, decided not converted when
  it is lost without having sat in i+1; open deals in i are undecided, skipped ones apart.
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
_CLOSING = ("won", "lost")
_SECONDS_A_DAY = Decimal(86400)
OFF_FUNNEL_FAST_WIN = timedelta(days=1)


@dataclass(frozen=True)
class Conversion:
    """From `from_key` to `to_key` (a stage key or WON): `converted` of `base` deals;
    `skipped` deals sat in `from_key` and went beyond `to_key` without sitting in it."""

    from_key: str
    to_key: str
    base: int
    converted: int
    skipped: int = 0

    @property
    def rate(self) -> Decimal | None:
        """converted ÷ base; None when no deal is in the base."""
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
    """The stage keys one deal sat in, and WON when it was won (the module's definition)."""
    keys: set[str] = set()
    for change in history:
        for key in (change.from_stage, _target(change)):
            if key is not None and position(funnel, key) is not None:
                keys.add(key)
    return keys


def never_in_funnel(history: Sequence[StageChange]) -> bool:
    """Won, and before the win at most its creation, less than OFF_FUNNEL_FAST_WIN earlier."""
    ordered = sorted(history, key=lambda change: change.at)
    win = next((change for change in ordered if change.kind == "won"), None)
    if win is None:
        return False
    before = [change for change in ordered if change.at < win.at]
    return not before or (len(before) == 1 and before[0].kind == "created"
                          and win.at - before[0].at <= OFF_FUNNEL_FAST_WIN)


def _steps(funnel: Funnel) -> list[tuple[str, str]]:
    return list(pairwise([stage.key for stage in funnel.stages] + [WON]))


def _skipped(funnel: Funnel, sat: set[str], after: str) -> bool:
    """Sat beyond `after` without sitting in it."""
    limit = position(funnel, after)
    return after not in sat and limit is not None and any((position(funnel, key) or 0) > limit for key in sat)


def conversions(funnel: Funnel, histories: Iterable[Sequence[StageChange]]) -> list[Conversion]:
    """One `Conversion` per consecutive pair of stages, the last one to WON."""
    sat = [reached(funnel, history) for history in histories if not never_in_funnel(history)]
    result = []
    for before, after in _steps(funnel):
        came = [keys for keys in sat if before in keys]
        skipped = [keys for keys in came if _skipped(funnel, keys, after)]
        base = [keys for keys in came if not _skipped(funnel, keys, after)]
        result.append(Conversion(before, after, len(base), sum(after in keys for keys in base), len(skipped)))
    return result


def through(funnel: Funnel, histories: Iterable[Sequence[StageChange]]) -> Conversion:
    """From the first stage to WON: of the deals that sat in the first stage, how many were won
    (000's "潜在客户转化率"). Off-funnel wins are left out, as in `conversions`."""
    first = funnel.stages[0].key
    sat = [reached(funnel, history) for history in histories if not never_in_funnel(history)]
    base = [keys for keys in sat if first in keys]
    return Conversion(first, WON, len(base), sum(WON in keys for keys in base))


def off_funnel_count(histories: Iterable[Sequence[StageChange]]) -> int:
    """How many won deals never were in the funnel (left out of every conversion)."""
    return sum(1 for history in histories if never_in_funnel(history))


def decided(funnel: Funnel, history: Sequence[StageChange]) -> list[tuple[int, bool, datetime]]:
    """One deal's decided outcomes: (step index, converted, when), by the module's definition."""
    if never_in_funnel(history):
        return []
    ordered = sorted(history, key=lambda change: change.at)
    sat = reached(funnel, ordered)
    outcomes = []
    for index, (before, after) in enumerate(_steps(funnel)):
        if before not in sat or _skipped(funnel, sat, after):
            continue
        entered = next((c.at for c in ordered if c.from_stage == before or _target(c) == before), None)
        moved = next((c.at for c in ordered if _target(c) == after and entered is not None and c.at >= entered), None)
        lost = next((c.at for c in ordered if c.kind == "lost"), None)
        if moved is not None:
            outcomes.append((index, True, moved))
        elif lost is not None:
            outcomes.append((index, False, lost))
    return outcomes


def rates_between(funnel: Funnel, histories: Iterable[Sequence[StageChange]], start: date, end: date,
                  zone: ZoneInfo) -> list[Conversion]:
    """Per step, the outcomes decided between `start` and `end` (local dates, both included)."""
    counts = [[0, 0] for _ in _steps(funnel)]
    for history in histories:
        for index, converted, moment in decided(funnel, history):
            if start <= local_date(moment, zone) <= end:
                counts[index][0] += 1
                counts[index][1] += int(converted)
    return [Conversion(before, after, base, converted)
            for (before, after), (base, converted) in zip(_steps(funnel), counts, strict=True)]


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
