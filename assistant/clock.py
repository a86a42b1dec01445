"""Time as the core sees it: injected, so flows and tests agree on what "today" is."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock tests set and move by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def local_today(clock: Clock, tz: str) -> date:
    """Today's date in a team's timezone: "明天" means tomorrow where the rep is."""
    return clock.now().astimezone(ZoneInfo(tz)).date()
