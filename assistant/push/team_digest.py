"""The weekly digest's delivery: loaded from the database, pushed to each manager on Monday
09:30 in the team's timezone (once per ISO week, caught up within two days), and on demand
with /digest. The figures themselves are computed in `assistant.method.weekly_digest`."""
from __future__ import annotations

from datetime import datetime

from assistant.chat.context import Ctx
from assistant.chat.teams import group_chats
from assistant.chat.views import digest_replies
from assistant.clock import Clock
from assistant.events import ChatKey, Reply
from assistant.method.cadence import cadence, next_allowed, week_label, weekly_due
from assistant.method.model import OutboxItem, Team
from assistant.push.self_check import GRACE
from assistant.unit_of_work import UnitOfWork

DIGEST = "digest"


def enqueue(uow: UnitOfWork, clock: Clock) -> int:
    """The managers' digests due now, for every team."""
    return sum(enqueue_team(uow, team, clock) for team in uow.teams.all())


def enqueue_team(uow: UnitOfWork, team: Team, clock: Clock) -> int:
    now = clock.now()
    added = 0
    plan = cadence(team)
    due = weekly_due(now, team.timezone, plan.digest_day, plan.digest_at)
    if not due <= now < due + GRACE:
        return added
    week = week_label(due.date())
    added += enqueue_groups(uow, team, now, week)
    points = uow.users.contact_points(team.id)
    for member in uow.users.members(team.id):
        point = points.get(member.id)
        if not member.is_manager or point is None:
            continue
        item = OutboxItem(f"{DIGEST}:{member.id}:{week}", DIGEST, member.id, point.platform, week,
                          next_allowed(now, cadence(team)))
        added += uow.outbox.add(item, now)
    return added


def build(ctx: Ctx, item: OutboxItem) -> list[Reply]:
    return digest_replies(ctx, pushed=True)


GROUP_DIGEST = "group_digest"


def enqueue_groups(uow: UnitOfWork, team: Team, now: datetime, week: str) -> int:
    added = 0
    for chat in group_chats(team):
        tenant = chat.get("tenant", "")
        where = ":".join(filter(None, (chat["platform"], tenant, chat["chat"])))  # keys from before tenants stand
        item = OutboxItem(f"{GROUP_DIGEST}:{where}:{week}", GROUP_DIGEST,
                          chat["by"], chat["platform"], chat["chat"], next_allowed(now, cadence(team)), tenant=tenant)
        added += uow.outbox.add(item, now)
    return added


def group_target(item: OutboxItem) -> ChatKey | None:
    """Where a group digest goes: the group itself, not the manager who registered it."""
    return ChatKey(item.platform, item.subject, item.subject, item.tenant) if item.kind == GROUP_DIGEST else None
