"""The weekly funnel self-check (domain §7): pushed to each rep on Monday morning, a nudge the
next day if it is not finished, and next week's plan drafted in the method's priority order.

Weekly pushes are found by the same scan as reminders, from the team's local wall clock: the
key names the ISO week, so a week has one push whatever the scan frequency, a daylight saving
change or a restart; a push missed while the bot was down goes out late within GRACE.
"""
from __future__ import annotations

from datetime import timedelta

from assistant.chat.agenda import AGENDA_KIND
from assistant.chat.context import Ctx
from assistant.chat.routes import RunCommand, button
from assistant.clock import Clock
from assistant.events import Reply
from assistant.method.cadence import SELF_CHECK_INVITE, cadence, next_allowed, week_label, weekly_due
from assistant.method.model import DealStatus, OutboxItem, Role, Team
from assistant.unit_of_work import UnitOfWork

SELF_CHECK, NUDGE = SELF_CHECK_INVITE, "self_check_nudge"
GRACE = timedelta(days=2)
NUDGE_AFTER = timedelta(days=1)


def enqueue(uow: UnitOfWork, clock: Clock) -> int:
    """The Monday invitations and next-day nudges due now, for every team."""
    return sum(enqueue_team(uow, team, clock) for team in uow.teams.all())


def enqueue_team(uow: UnitOfWork, team: Team, clock: Clock) -> int:
    """This week's invitations once due (keyed by the ISO week they are due in), and a nudge a
    day after an invite was sent, whenever that was (quiet hours or a weekend may have carried it
    into the next week), while it is not answered."""
    now = clock.now()
    plan = cadence(team)
    due = weekly_due(now, team.timezone, plan.self_check_day, plan.self_check_at)
    week = week_label(due.date())
    inviting = due <= now < due + GRACE
    points = uow.users.contact_points(team.id)
    added = 0
    for member in uow.users.members(team.id):
        point = points.get(member.id)
        if member.role != Role.REP or point is None:
            continue
        if inviting and not uow.self_checks.done(member.id, week):
            item = OutboxItem(f"{SELF_CHECK}:{member.id}:{week}", SELF_CHECK, member.id, point.platform, week,
                              next_allowed(now, plan))
            added += uow.outbox.add(item, now)
        invited = uow.outbox.last_sent(member.id, SELF_CHECK, now - NUDGE_AFTER - GRACE)
        if (invited is not None and invited.sent_at is not None and now - invited.sent_at >= NUDGE_AFTER
                and not uow.self_checks.done(member.id, invited.subject)):
            nudge = OutboxItem(f"{NUDGE}:{member.id}:{invited.subject}", NUDGE, member.id, point.platform,
                               invited.subject, next_allowed(now, plan))
            added += uow.outbox.add(nudge, now)
    return added


def build(ctx: Ctx, item: OutboxItem) -> list[Reply]:
    """The Monday invitation, or the next day's nudge; nothing once the check is done."""
    user, team = ctx.user, ctx.team
    if ctx.uow.self_checks.done(user.id, item.subject):
        return []
    if item.kind == NUDGE and _carried_by_agenda(ctx, item):
        return []
    count = len(ctx.uow.deals.find(team.id, owner_id=user.id, status=DealStatus.OPEN))
    key = "weekly_check.invite" if item.kind == SELF_CHECK else "weekly_check.nudge"
    return [Reply(key, ctx.lang, {"count": count, "week": item.subject},
                  (button(RunCommand("check"), "weekly_check.start_button"),))]


def _carried_by_agenda(ctx: Ctx, nudge: OutboxItem) -> bool:
    """A morning agenda went out after the invite: it named the pending self-check, with its
    button, so the nudge would say it a second time."""
    invite = ctx.uow.outbox.by_key(f"{SELF_CHECK}:{nudge.user_id}:{nudge.subject}")
    if invite is None or invite.sent_at is None:
        return False
    return ctx.uow.outbox.last_sent(ctx.user.id, AGENDA_KIND, invite.sent_at) is not None
