"""A team's cadence: quiet hours, weekends, and when weekly pushes go out, in its timezone.

Every time is computed in the team's timezone with zoneinfo and stored in UTC, so a daylight
saving change moves nothing: 09:00 stays 09:00 local.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.method.model import Deal, DealStatus, JsonDict, Team
from assistant.method.results import Problem

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
    self_check_day: int = 0          # Monday
    self_check_at: time = time(9, 0)
    digest_day: int = 0
    digest_at: time = time(9, 30)
    agenda_at: time = time(8, 30)    # each working morning's agenda (product decision: before the day's first call)


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
        self_check_day=int(settings.get("self_check_day", base.self_check_day)),
        self_check_at=time.fromisoformat(settings.get("self_check_at", base.self_check_at.isoformat())),
        digest_day=int(settings.get("digest_day", base.digest_day)),
        digest_at=time.fromisoformat(settings.get("digest_at", base.digest_at.isoformat())),
        agenda_at=time.fromisoformat(settings.get("agenda_at", base.agenda_at.isoformat())),
    )


def weekly_due(now: datetime, tz: str, weekday: int, at: time) -> datetime:
    """This ISO week's `weekday` at `at`, local wall time (so 09:00 stays 09:00 across DST)."""
    local = now.astimezone(ZoneInfo(tz))
    day = local.date() - timedelta(days=local.weekday()) + timedelta(days=weekday)
    return datetime.combine(day, at, ZoneInfo(tz))


SELF_CHECK_INVITE = "self_check"
"""The outbox kind of the weekly self-check invite: the flow records an answer under the week of
the invite it answers, and the digest names those whose invite went unanswered."""


def week_label(day: date) -> str:
    """An ISO week ("2026-W48"): weekly pushes are keyed by it, so a week has one of each."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def change(team: Team, name: str, value: str) -> JsonDict | Problem:
    """The team's settings with one changed, from what a manager types (`/schedule quiet
    21:00-07:00`, `weekends on`, `selfcheck mon 09:00`, `digest fri 17:00`, `revisit 60`, and
    `agenda 08:30`: each working morning's agenda, and `stall 21,21,14,10,7`: days without
    activity before a nudge, per stage from the top)."""
    settings = dict(team.settings or {})
    words = value.lower().split()
    if any("+" in word or word.endswith("z") for word in words):
        return Problem.of("schedule.bad_setting", name=name, value=value)
    try:
        if name == "quiet" and len(words) == 1 and "-" in words[0]:
            start, end = (time.fromisoformat(part) for part in words[0].split("-"))
            return settings | {"quiet_start": start.isoformat("minutes"), "quiet_end": end.isoformat("minutes")}
        if name == "weekends" and words in (["on"], ["off"]):
            return settings | {"weekends": words == ["on"]}
        if name in ("selfcheck", "digest") and len(words) == 2 and words[0][:3] in WEEKDAYS:
            prefix = "self_check" if name == "selfcheck" else "digest"
            at = time.fromisoformat(words[1])
            return settings | {f"{prefix}_day": WEEKDAYS.index(words[0][:3]), f"{prefix}_at": at.isoformat("minutes")}
        if name == "agenda" and len(words) == 1:
            return settings | {"agenda_at": time.fromisoformat(words[0]).isoformat("minutes")}
        if name == "stall" and len(words) == 1 and all(p.isdigit() and 1 <= int(p) <= 365 for p in words[0].split(",")):
            return settings | {"stall_days": [int(p) for p in words[0].split(",")]}
        if name == "revisit" and len(words) == 1 and words[0].isdigit() and 7 <= int(words[0]) <= 730:
            return settings | {"revisit_days": int(words[0])}
    except ValueError:
        pass
    return Problem.of("schedule.bad_setting", name=name, value=value)


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


def is_working_day(day: date, plan: Cadence) -> bool:
    """A day the team is written to at all: weekdays, and weekends when the team asked for them."""
    return plan.weekends or day.weekday() < 5


def agenda_due(day: date, plan: Cadence) -> datetime | None:
    """When the agenda of `day` goes out: the team's agenda time, moved out of the morning's
    quiet hours; None when that falls on another day (no working day, or a time that is quiet
    until the evening)."""
    zone = ZoneInfo(plan.timezone)
    if not is_working_day(day, plan):
        return None
    due = next_allowed(datetime.combine(day, plan.agenda_at, zone), plan)
    return due if due.astimezone(zone).date() == day else None


def stalled_since(deal: Deal, team: Team, plan: Cadence) -> datetime | None:
    """When a deal went quiet for longer than its stage allows; None for a closed deal or one
    with no stamp to count from."""
    start = deal.last_activity_at or deal.created_at
    if deal.status != DealStatus.OPEN or start is None:
        return None
    stage_index = team.funnel.index(deal.stage_key) if team.funnel.stage(deal.stage_key) else 0
    return start + timedelta(days=stall_days(plan, stage_index))
