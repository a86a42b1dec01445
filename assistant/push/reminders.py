"""What the assistant pushes by itself about deals: overdue next steps and stalled deals.

`enqueue` decides what is due and writes outbox rows with unique keys (at most one overdue
reminder per deal per day, one stalled nudge per deal per week); `build` turns a row into the
message at send time, from the deal as it is then. The buttons act once per message.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.chat.context import Ctx
from assistant.chat.routes import DealAction, ReminderAction, RunCommand, button
from assistant.chat.views import deal_params
from assistant.clock import Clock, local_today
from assistant.events import Choice, Reply
from assistant.method.cadence import Cadence, cadence, next_allowed, stall_days, week_label
from assistant.method.model import Deal, DealStatus, OutboxItem, Team
from assistant.unit_of_work import UnitOfWork

OVERDUE, STALLED, REVISIT = "overdue", "stalled", "revisit"


def enqueue(uow: UnitOfWork, clock: Clock) -> int:
    """Write the reminders due now for every team; running it again adds nothing."""
    return sum(enqueue_team(uow, team, clock) for team in uow.teams.all())


def enqueue_team(uow: UnitOfWork, team: Team, clock: Clock) -> int:
    now = clock.now()
    added = 0
    plan = cadence(team)
    today = local_today(clock, team.timezone)
    send_at = next_allowed(now, plan)
    # Keyed by the day it goes out: what a weekend holds back is one reminder on Monday.
    send_day = send_at.astimezone(ZoneInfo(team.timezone)).date()
    points = uow.users.contact_points(team.id)
    for deal in uow.deals.find(team.id, status=DealStatus.OPEN):
        point = points.get(deal.owner_id)
        if point is None:
            continue
        for kind, period in _due_kinds(deal, team, plan, today, send_day, now):
            item = OutboxItem(f"{kind}:{deal.id}:{period}", kind, deal.owner_id, point.platform, str(deal.id), send_at)
            added += uow.outbox.add(item, now)
    added += _enqueue_revisits(uow, team, plan, today, now, send_at)
    return added


def _enqueue_revisits(uow: UnitOfWork, team: Team, plan: Cadence, today: date, now: datetime,
                      send_at: datetime) -> int:
    """A won customer with no contact for `revisit_days` (domain §7: after-sale visits keep the
    relationship and bring referrals). One prompt per silence: the key names the last contact."""
    last_visits = uow.deals.last_visits(team.id)
    points = uow.users.contact_points(team.id)
    latest_win: dict[int, tuple[datetime, Deal]] = {}
    for deal in uow.deals.find(team.id, status=DealStatus.WON):
        if deal.closed_at is None:  # won with no close stamp: nothing to count the silence from
            continue
        if deal.customer_id not in latest_win or deal.closed_at > latest_win[deal.customer_id][0]:
            latest_win[deal.customer_id] = (deal.closed_at, deal)
    added = 0
    for customer_id, (closed_at, deal) in latest_win.items():
        closed_on = closed_at.astimezone(ZoneInfo(team.timezone)).date()
        last = max(filter(None, (last_visits.get(customer_id), closed_on)))
        point = points.get(deal.owner_id)
        if point is None or (today - last).days < plan.revisit_days:
            continue
        item = OutboxItem(f"{REVISIT}:{customer_id}:{last.isoformat()}", REVISIT, deal.owner_id, point.platform,
                          str(deal.id), send_at)
        added += uow.outbox.add(item, now)
    return added


def _due_kinds(deal: Deal, team: Team, plan: Cadence, today: date, send_day: date,
               now: datetime) -> list[tuple[str, str]]:
    kinds = []
    if deal.next_due is not None and deal.next_due < today:
        kinds.append((OVERDUE, send_day.isoformat()))
    if _stalled(deal, team, plan, now):
        kinds.append((STALLED, week_label(send_day)))
    return kinds


def _stalled(deal: Deal, team: Team, plan: Cadence, now: datetime) -> bool:
    """No activity for longer than the deal's stage allows."""
    stage_index = team.funnel.index(deal.stage_key) if team.funnel.stage(deal.stage_key) else 0
    quiet_for = now - (deal.last_activity_at or deal.created_at or now)
    return quiet_for > timedelta(days=stall_days(plan, stage_index))


def build(ctx: Ctx, item: OutboxItem) -> list[Reply]:
    """The message for a reminder row, or nothing if the deal no longer needs it: its condition is
    checked again now (a rep who logged a visit since the row was queued gets no stalled nudge)."""
    deal = ctx.uow.deals.get(int(item.subject))
    if item.kind == REVISIT:
        return _revisit(ctx, deal, item)
    if deal is None or deal.status != DealStatus.OPEN:
        return []
    if item.kind == OVERDUE and (deal.next_due is None or deal.next_due >= ctx.today):
        return []
    if item.kind == STALLED and not _stalled(deal, ctx.team, cadence(ctx.team), ctx.now):
        return []
    params = deal_params(ctx, deal) | {"days": (ctx.today - deal.next_due).days if deal.next_due else 0,
                                       "idle_days": (ctx.now - (deal.last_activity_at or ctx.now)).days}
    choices: tuple[Choice, ...] = (button(ReminderAction("done", item.id), "reminder.done"),
               button(ReminderAction("snooze", item.id), "reminder.snooze"),
               button(ReminderAction("date", item.id), "reminder.new_date"),
               button(DealAction("log_visit", deal.id), "action.log_visit"))
    if item.kind == STALLED:
        choices = (button(DealAction("log_visit", deal.id), "action.log_visit"),
                   button(DealAction("back_off", deal.id), "action.back_off"),
                   button(RunCommand("deal", str(deal.id)), "reminder.open"))
    return [Reply(f"reminder.{item.kind}", ctx.lang, params, choices)]


def _revisit(ctx: Ctx, deal: Deal | None, item: OutboxItem) -> list[Reply]:
    if deal is None or deal.status != DealStatus.WON:
        return []
    since = date.fromisoformat(item.key.rsplit(":", 1)[1])
    last_visit = ctx.uow.deals.last_visits(ctx.team.id).get(deal.customer_id)
    if last_visit is not None and last_visit > since:  # visited since the row was queued
        return []
    params = {"customer": deal.customer_name, "title": deal.title, "since": since, "days": (ctx.today - since).days}
    return [Reply("reminder.revisit", ctx.lang, params,
                  (button(DealAction("log_visit", deal.id), "action.log_visit"),))]
