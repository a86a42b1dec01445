"""The weekly digest's delivery: loaded from the database, pushed to each manager on Monday
09:30 in the team's timezone (once per ISO week, caught up within two days), and on demand
with /digest. The figures themselves are computed in `assistant.digest`."""
from __future__ import annotations

from datetime import date, timedelta

from assistant.clock import Clock
from assistant.context import Ctx
from assistant.digest import DIGEST_KEY, TeamData, weekly_digest
from assistant.events import ChatKey, Reply
from assistant.i18n import render
from assistant.model import OutboxItem, Role
from assistant.schedule import cadence, next_allowed, week_label, weekly_due
from assistant.self_check import GRACE
from assistant.views import funnel_chart_spec

DIGEST = "digest"


def load(uow, team, today: date) -> TeamData:
    members = uow.users.members(team.id)
    last_week = week_label(today - timedelta(days=7))
    skipped = [m.id for m in members if m.role == Role.REP and not uow.self_checks.done(m.id, last_week)]
    return TeamData(team=team, members=members, deals=uow.deals.find(team.id), changes=uow.deals.changes_of_team(team.id),
                    targets=uow.targets.of_team(team.id), skipped_self_check=skipped,
                    snapshots=uow.snapshots.of_users([m.id for m in members]))


def digest_replies(ctx: Ctx) -> list[Reply]:
    """The digest as the reader's language renders it, with the team funnel chart."""
    params = weekly_digest(load(ctx.uow, ctx.team, ctx.today), ctx.today, ctx.lang)
    chart = funnel_chart_spec(ctx, params["funnel"] | {"currency": params["currency"]},
                              render(ctx.lang, "chart.team_title", team=ctx.team.name))
    return [Reply(DIGEST_KEY, ctx.lang, params, chart=chart)]


def enqueue(uow, clock: Clock) -> int:
    """The managers' digests due now, for every team."""
    return sum(enqueue_team(uow, team, clock) for team in uow.teams.all())


def enqueue_team(uow, team, clock: Clock) -> int:
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
    return digest_replies(ctx)


GROUP_DIGEST = "group_digest"


def group_chats(team) -> list[dict]:
    return list(team.settings.get("digest_chats", []))


def toggle_group(ctx: Ctx) -> list[Reply]:
    """/groupdigest in a team group: the weekly digest also goes to this chat (or stops)."""
    if ctx.private:
        return [Reply("team.group_digest_in_group", ctx.lang)]
    chats = group_chats(ctx.team)
    here = {"platform": ctx.who.platform, "chat": ctx.who.chat}
    kept = [c for c in chats if (c["platform"], c["chat"]) != (here["platform"], here["chat"])]
    on = len(kept) == len(chats)
    ctx.uow.teams.set_settings(ctx.team.id, ctx.team.settings | {
        "digest_chats": kept + ([here | {"by": ctx.user.id}] if on else [])})
    return [Reply("team.group_digest_on" if on else "team.group_digest_off", ctx.lang, {"team": ctx.team.name})]


def enqueue_groups(uow, team, now, week: str) -> int:
    added = 0
    for chat in group_chats(team):
        item = OutboxItem(f"{GROUP_DIGEST}:{chat['platform']}:{chat['chat']}:{week}", GROUP_DIGEST, chat["by"],
                          chat["platform"], chat["chat"], next_allowed(now, cadence(team)))
        added += uow.outbox.add(item, now)
    return added


def group_target(item: OutboxItem) -> ChatKey | None:
    """Where a group digest goes: the group itself, not the manager who registered it."""
    return ChatKey(item.platform, item.subject, item.subject) if item.kind == GROUP_DIGEST else None
