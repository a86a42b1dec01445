"""A rep's day in one message: overdue next steps, what is due today, deals gone quiet,
after-sale revisits, and the weekly self-check while it is pending.

Pushed each working morning (`assistant.push.agenda`) and shown on demand with /today. A deal
appears once per agenda, under the most pressing of its reasons. Each item's button shows its
actions (done / tomorrow / new date / log a visit); an action is taken only while the deal's
next step is still the one it was offered for, so every action acts once.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from assistant.chat.context import Ctx
from assistant.chat.flows import runner
from assistant.chat.flows.answers import load_own_deal
from assistant.chat.flows.registry import FLOWS
from assistant.chat.routes import AgendaAct, AgendaItem, DealAction, RunCommand, button
from assistant.chat.views import deal_params
from assistant.events import Choice, Reply
from assistant.method.cadence import SELF_CHECK_INVITE, Cadence, cadence, stalled_since
from assistant.method.model import Deal, DealStatus
from assistant.method.results import Problem

AGENDA_KIND = "agenda"
ITEMS_PER_MESSAGE = 20
"""Items (each a button) in one message: within every platform's limits (Slack's 25 elements of
an actions block, Telegram's 4096 characters); a longer agenda goes out as a few messages."""
PREVIOUS_AGENDA = timedelta(days=31)


@dataclass
class Day:
    """What one rep has on today, each deal in one list only."""

    overdue: list[Deal] = field(default_factory=list)
    due_today: list[Deal] = field(default_factory=list)
    quiet: list[Deal] = field(default_factory=list)
    revisits: list[tuple[Deal, date]] = field(default_factory=list)
    self_check: str | None = None  # the week of a pending self-check invite

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_today or self.quiet or self.revisits or self.self_check)


def collect(ctx: Ctx, since: datetime | None = None) -> Day:
    """Today's agenda for the user. `since`: when the previous pushed agenda went out; a deal
    gone quiet that was already named this week, or a customer due a revisit already named for
    this silence, is left out (one nudge a week, one prompt per silence). None shows everything
    (/today)."""
    plan = cadence(ctx.team)
    day = Day()
    followed = [d for d in ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.WON)
                if d.next_due is not None and d.next_due <= ctx.today]  # an after-sale follow-up set at the win
    mine = sorted(ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.OPEN) + followed,
                  key=lambda d: (d.next_due or date.max, d.id))
    for deal in mine:
        if deal.next_due is not None and deal.next_due < ctx.today:
            day.overdue.append(deal)
        elif deal.next_due == ctx.today:
            day.due_today.append(deal)
        elif _quiet_to_name(ctx, deal, plan, since):
            day.quiet.append(deal)
    listed = {deal.id for deal in day.overdue + day.due_today}
    day.revisits = [(deal, last) for deal, last in _revisits(ctx, plan, _local_day(ctx, since) if since else None)
                    if deal.id not in listed]
    invite = ctx.uow.outbox.last_sent(ctx.user.id, SELF_CHECK_INVITE, ctx.now - timedelta(days=7))
    if invite is not None and not ctx.uow.self_checks.done(ctx.user.id, invite.subject):
        day.self_check = invite.subject
    return day


def _local_day(ctx: Ctx, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(ctx.team.timezone)).date()


def _quiet_to_name(ctx: Ctx, deal: Deal, plan: Cadence, since: datetime | None) -> bool:
    """Gone quiet, and not yet named this week: the previous agenda went out before this week
    began, or before the deal went quiet (as the stalled nudges always were: once per ISO week)."""
    start = stalled_since(deal, ctx.team, plan)
    if start is None or start > ctx.now:
        return False
    zone = ZoneInfo(ctx.team.timezone)
    monday = datetime.combine(ctx.today - timedelta(days=ctx.today.weekday()), time(0), zone)
    return since is None or since < max(start, monday)


def _revisits(ctx: Ctx, plan: Cadence, since: date | None) -> list[tuple[Deal, date]]:
    """Won customers with no contact for `revisit_days` (domain §7: after-sale visits keep the
    relationship and bring referrals), named once per silence: with the deal won last, and the
    day of the last contact. `since`: the day of the previous pushed agenda."""
    last_visits = ctx.uow.deals.last_visits(ctx.team.id)
    latest: dict[int, Deal] = {}
    for deal in ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.WON):
        if deal.closed_at is not None and (deal.customer_id not in latest
                                           or deal.closed_at > (latest[deal.customer_id].closed_at or deal.closed_at)):
            latest[deal.customer_id] = deal
    found = []
    for customer_id, deal in latest.items():
        closed_on = _local_day(ctx, deal.closed_at or ctx.now)
        last = max(filter(None, (last_visits.get(customer_id), closed_on)))
        crossed = last + timedelta(days=plan.revisit_days)
        if crossed <= ctx.today and (since is None or crossed > since):
            found.append((deal, last))
    return found


def agenda_replies(ctx: Ctx, day: Day, pushed: bool) -> list[Reply]:
    """The agenda as one message, or a few when it holds more items than one message can carry
    buttons for; the greeting heads the first, the self-check closes the last."""
    items: list[tuple[str, dict[str, Any], Choice]] = []
    for section, deals in (("overdue", day.overdue), ("due_today", day.due_today), ("quiet", day.quiet)):
        for deal in deals:
            params = _item_params(ctx, deal) | {"section": section}
            items.append((section, params, button(AgendaItem(deal.id), "agenda.item_button", params)))
    for deal, since in day.revisits:
        params = _item_params(ctx, deal) | {"section": "revisit", "since": since, "days": (ctx.today - since).days}
        items.append(("revisit", params, button(DealAction("log_visit", deal.id), "agenda.item_button", params)))
    for number, (_, params, _) in enumerate(items, 1):
        params["n"] = number
    chunks = [items[start:start + ITEMS_PER_MESSAGE] for start in range(0, len(items), ITEMS_PER_MESSAGE)] or [[]]
    replies = []
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        choices = tuple(choice for _, _, choice in chunk)
        if last and day.self_check:
            choices += (button(RunCommand("check"), "weekly_check.start_button"),)
        replies.append(Reply("agenda.view", ctx.lang, {
            "name": ctx.user.name, "today": ctx.today, "pushed": pushed, "first": index == 0, "empty": day.empty,
            "items": [params for _, params, _ in chunk], "total": len(items),
            "self_check": day.self_check if last else None}, choices))
    return replies


def _item_params(ctx: Ctx, deal: Deal) -> dict[str, Any]:
    params = deal_params(ctx, deal)
    overdue_days = (ctx.today - deal.next_due).days if deal.next_due else 0
    idle = (ctx.now - (deal.last_activity_at or deal.created_at or ctx.now)).days
    return params | {"days": overdue_days, "idle_days": idle}


def item_actions(ctx: Ctx, deal_id: int) -> list[Reply]:
    """An agenda item pressed: the deal and what can be done about it now."""
    deal = load_own_deal(ctx, deal_id)
    if isinstance(deal, Problem):
        return [Reply(deal.key, ctx.lang, dict(deal.params))]
    params = _item_params(ctx, deal)
    if deal.next_due is not None and deal.next_due <= ctx.today and deal.status != DealStatus.LOST:
        due = _stamp(deal.next_due)
        return [Reply("agenda.step", ctx.lang, params, (
            button(AgendaAct("done", deal.id, due), "reminder.done"),
            button(AgendaAct("tomorrow", deal.id, due), "agenda.tomorrow"),
            button(AgendaAct("date", deal.id, due), "reminder.new_date"),
            button(DealAction("log_visit", deal.id), "action.log_visit")))]
    if deal.status != DealStatus.OPEN:
        return [Reply("agenda.closed", ctx.lang, params)]
    return [Reply("agenda.quiet_deal", ctx.lang, params, (
        button(DealAction("log_visit", deal.id), "action.log_visit"),
        button(DealAction("next_step", deal.id), "action.next_step"),
        button(DealAction("back_off", deal.id), "action.back_off")))]


def act(ctx: Ctx, action: str, deal_id: int, due: int) -> list[Reply]:
    """Done (then the next step is asked), tomorrow, or a new date, for the step offered."""
    deal = load_own_deal(ctx, deal_id)
    if isinstance(deal, Problem):
        return [Reply(deal.key, ctx.lang, dict(deal.params))]
    if deal.status == DealStatus.LOST or deal.next_due is None or _stamp(deal.next_due) != due:
        return [Reply("agenda.already_handled", ctx.lang, {"title": deal.title, "customer": deal.customer_name})]
    if action == "tomorrow":  # tomorrow's agenda has it, due that day
        moved = replace(deal, next_due=ctx.today + timedelta(days=1))
        ctx.uow.deals.save(moved)
        return [Reply("agenda.moved", ctx.lang, _item_params(ctx, moved), replace=True)]
    values: dict[str, Any] = {"deal": deal.id} | ({"next_step": deal.next_step} if action == "date" else {})
    step = runner.start(FLOWS["next_step"], ctx, "", values)
    ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
    return step.replies


def _stamp(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day
