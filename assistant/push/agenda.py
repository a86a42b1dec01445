"""The morning agenda's delivery: one push per rep per working day at the team's agenda time
(default 08:30, never in quiet hours), built at send time from the deals as they are then.

It replaces the separate overdue, stalled and revisit pushes: a rep with eight overdue steps and
eight idle deals gets one message, not sixteen. The key names the day, so a day has one agenda
whatever the scan frequency; after downtime only the newest day's goes (`Outbox.superseded`).
"""
from __future__ import annotations

from assistant.chat.agenda import AGENDA_KIND, PREVIOUS_AGENDA, agenda_replies, collect
from assistant.chat.context import Ctx
from assistant.clock import Clock, local_today
from assistant.events import Reply
from assistant.method.cadence import agenda_due, cadence, is_quiet
from assistant.method.model import DealStatus, OutboxItem, Role, Team
from assistant.unit_of_work import UnitOfWork

AGENDA = AGENDA_KIND


def enqueue(uow: UnitOfWork, clock: Clock) -> int:
    """Today's agendas due now, for every team; running it again adds nothing."""
    return sum(enqueue_team(uow, team, clock) for team in uow.teams.all())


def enqueue_team(uow: UnitOfWork, team: Team, clock: Clock) -> int:
    """An agenda for each rep, and each member who owns open deals, once the agenda time has come
    and while the day's sending hours last (a day the bot was down until the evening has none:
    the next morning's covers it)."""
    now = clock.now()
    plan = cadence(team)
    today = local_today(clock, team.timezone)
    due = agenda_due(today, plan)
    if due is None or now < due or is_quiet(now, plan):
        return 0
    owners = {deal.owner_id for deal in uow.deals.find(team.id, status=DealStatus.OPEN)}
    points = uow.users.contact_points(team.id)
    added = 0
    for member in uow.users.members(team.id):
        point = points.get(member.id)
        if point is None or not (member.role == Role.REP or member.id in owners):
            continue
        item = OutboxItem(f"{AGENDA}:{member.id}:{today.isoformat()}", AGENDA, member.id, point.platform,
                          today.isoformat(), now)
        added += uow.outbox.add(item, now)
    return added


def build(ctx: Ctx, item: OutboxItem) -> list[Reply]:
    """The agenda as it stands now; nothing when there is nothing to do (no empty greeting), or
    when the row is of a day gone by."""
    if item.subject != ctx.today.isoformat():
        return []
    previous = ctx.uow.outbox.last_sent(ctx.user.id, AGENDA, ctx.now - PREVIOUS_AGENDA)
    day = collect(ctx, previous.sent_at if previous else None)
    return [] if day.empty else agenda_replies(ctx, day, pushed=True)

