"""A team's cadence: quiet hours, weekends, and when weekly pushes go out, in its timezone.

Every time is computed in the team's timezone with zoneinfo and stored in UTC, so a daylight
saving change moves nothing: 09:00 stays 09:00 local.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.model import Team

# Days a deal may sit in a stage with no activity before the rep is nudged (product decision:
# early stages move slower than late ones). Keys are stage positions, counted from 0.
DEFAULT_STALL_DAYS = (21, 21, 14, 10, 7, 7, 7, 7, 7, 7, 7, 7)


@dataclass(frozen=True)
class Cadence:
    timezone: str = "Asia/Shanghai"
    quiet_start: time = time(20, 0)
    quiet_end: time = time(8, 0)
    weekends: bool = False
    stall_days: tuple[int, ...] = field(default=DEFAULT_STALL_DAYS)
    revisit_days: int = 90


def cadence(team: Team) -> Cadence:
    """The team's settings over the defaults ("quiet_start": "20:00", "weekends": true, ...)."""
    settings = team.settings or {}
    base = Cadence(timezone=team.timezone)
    return Cadence(
        timezone=team.timezone,
        quiet_start=time.fromisoformat(settings.get("quiet_start", base.quiet_start.isoformat())),
        quiet_end=time.fromisoformat(settings.get("quiet_end", base.quiet_end.isoformat())),
        weekends=bool(settings.get("weekends", base.weekends)),
        stall_days=tuple(settings.get("stall_days", base.stall_days)),
        revisit_days=int(settings.get("revisit_days", base.revisit_days)),
    )


def is_quiet(moment: datetime, plan: Cadence) -> bool:
    local = moment.astimezone(ZoneInfo(plan.timezone))
    if not plan.weekends and local.weekday() >= 5:
        return True
    clock = local.time()
    if plan.quiet_start > plan.quiet_end:
        return clock >= plan.quiet_start or clock < plan.quiet_end
    return plan.quiet_start <= clock < plan.quiet_end


def next_allowed(moment: datetime, plan: Cadence) -> datetime:
    """`moment` if a message may go out then, else when the quiet time ends (the next
    working morning at quiet_end, local)."""
    if not is_quiet(moment, plan):
        return moment
    zone = ZoneInfo(plan.timezone)
    local = moment.astimezone(zone)
    day = local.date() if local.time() < plan.quiet_end else local.date() + timedelta(days=1)
    while True:
        candidate = datetime.combine(day, plan.quiet_end, zone)
        if not is_quiet(candidate, plan):
            return candidate.astimezone(moment.tzinfo)
        day += timedelta(days=1)


def stall_days(plan: Cadence, stage_index: int) -> int:
    return plan.stall_days[min(stage_index, len(plan.stall_days) - 1)]
