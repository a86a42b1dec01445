"""The weekly funnel self-check (domain §7): pushed to each rep on Monday morning, a nudge the
next day if it is not finished, and next week's plan drafted in the method's priority order.

Weekly pushes are found by the same scan as reminders, from the team's local wall clock: the
key names the ISO week, so a week has one push whatever the scan frequency, a daylight saving
change or a restart; a push missed while the bot was down goes out late within GRACE.
"""
from __future__ import annotations

from datetime import timedelta

from assistant.clock import Clock
from assistant.context import Ctx
from assistant.events import Choice, Reply
from assistant.model import DealStatus, OutboxItem, Role
from assistant.schedule import cadence, next_allowed, week_label, weekly_due

SELF_CHECK, NUDGE = "self_check", "self_check_nudge"
GRACE = timedelta(days=2)
NUDGE_AFTER = timedelta(days=1)
PLAN_SIZE = 12


def enqueue(uow, clock: Clock) -> int:
    """The Monday invitations and next-day nudges due now, for every team."""
    return sum(enqueue_team(uow, team, clock) for team in uow.teams.all())


def enqueue_team(uow, team, clock: Clock) -> int:
    now = clock.now()
    added = 0
    plan = cadence(team)
    due = weekly_due(now, team.timezone, plan.self_check_day, plan.self_check_at)
    week = week_label(due.date())
    if not due <= now < due + GRACE:
        return added
    points = uow.users.contact_points(team.id)
    for member in uow.users.members(team.id):
        point = points.get(member.id)
        if member.role != Role.REP or point is None or uow.self_checks.done(member.id, week):
            continue
        item = OutboxItem(f"{SELF_CHECK}:{member.id}:{week}", SELF_CHECK, member.id, point.platform, week,
                          next_allowed(now, plan))
        added += uow.outbox.add(item, now)
        invited = uow.outbox.by_key(item.key)
        if invited.sent_at is not None and now - invited.sent_at >= NUDGE_AFTER:
            nudge = OutboxItem(f"{NUDGE}:{member.id}:{week}", NUDGE, member.id, point.platform, week,
                               next_allowed(now, plan))
            added += uow.outbox.add(nudge, now)
    return added


def build(ctx: Ctx, item: OutboxItem) -> list[Reply]:
    """The Monday invitation, or the next day's nudge; nothing once the check is done."""
    if ctx.uow.self_checks.done(ctx.user.id, item.subject):
        return []
    count = len(ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.OPEN))
    key = "weekly_check.invite" if item.kind == SELF_CHECK else "weekly_check.nudge"
    return [Reply(key, ctx.lang, {"count": count, "week": item.subject},
                  (Choice("cmd.check", "weekly_check.start_button"),))]


def draft_plan(ctx: Ctx, deals: list, backed_off: set[int]) -> list[dict]:
    """Next week's plan in 003's priority order: new leads, first meetings, then moving deals up
    the ladder closest to closing first, then backed-off contacts. Each item names its deal."""
    funnel = ctx.team.funnel
    week_ago = ctx.now - timedelta(days=7)
    items = []
    for deal in deals:
        if deal.status != DealStatus.OPEN or funnel.stage(deal.stage_key) is None:
            continue
        index = funnel.index(deal.stage_key)
        if deal.id in backed_off:
            rank, kind = 7, "revive"
        elif index == 0 and deal.created_at and deal.created_at >= week_ago:
            rank, kind = 1, "new_lead"
        elif index == 0:
            rank, kind = 2, "first_meeting"
        else:
            rank, kind = 3 + (len(funnel.stages) - 1 - index), "advance"
        items.append((rank, -deal.amount, {"kind": kind, "id": deal.id, "customer": deal.customer_name,
                                           "title": deal.title, "stage": funnel.stage(deal.stage_key).name(ctx.lang),
                                           "next_step": deal.next_step or ""}))
    return [item for _, _, item in sorted(items, key=lambda entry: (entry[0], entry[1]))][:PLAN_SIZE]
