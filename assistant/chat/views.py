"""Read-only answers: deal cards, lists, funnels and forecasts, as neutral replies."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from assistant.chat import self_checks
from assistant.chat.context import Ctx
from assistant.chat.routes import DealAction, DealTick, Route, RunCommand, button
from assistant.events import Choice, Reply, UserRef
from assistant.i18n import render
from assistant.method.currency import convert, in_reporting, missing_rates, rates_of
from assistant.method.customer_class import assessed_class, timeframe_class
from assistant.method.deals import can_edit, is_overdue
from assistant.method.forecast import ALL_TIME, Period, current_month, forecast, next_month, next_quarter
from assistant.method.model import Deal, DealStatus, Team, User
from assistant.method.quota import rep_outlooks
from assistant.method.weekly_digest import DIGEST_KEY, TeamData, skipped_members, weekly_digest

PAGE_SIZE = 5


def deal_params(ctx: Ctx, deal: Deal) -> dict[str, Any]:
    """What every deal text may show, already in the reader's language."""
    funnel = ctx.team.funnel
    stage = funnel.stage(deal.stage_key)
    status_label = funnel.won_name(ctx.lang) if deal.status == DealStatus.WON else ""
    probability = stage.probability if stage else Decimal(0)
    converted = convert(deal.amount, deal.currency, ctx.team.currency, rates_of(ctx.team.settings))
    return {
        "id": deal.id, "customer": deal.customer_name, "title": deal.title,
        "amount": deal.amount, "currency": deal.currency, "close_date": deal.close_date,
        "stage": stage.name(ctx.lang) if stage else deal.stage_key, "probability": probability,
        "weighted": deal.amount * probability, "status": str(deal.status), "won_label": status_label,
        "man_class": assessed_class(deal.need, deal.money, deal.authority, deal.urgent, deal.assessed_at is not None),
        "timeframe": timeframe_class(deal.close_date, ctx.today),
        "next_step": deal.next_step, "next_due": deal.next_due, "overdue": is_overdue(deal, ctx.today),
        "lead_source": deal.lead_source, "suggestion": stage.actions(ctx.lang) if stage else "",
        "lost_reason_ours": deal.lost_reason_ours, "lost_reason_customer": deal.lost_reason_customer,
        "lost_prevention": deal.lost_prevention, "checkpoints": None, "reporting": ctx.team.currency,
        "lost_category": deal.lost_category, "lost_competitor": deal.lost_competitor,
        "converted": converted if deal.currency != ctx.team.currency else None,
        "no_rate": converted is None,
    }


def deal_actions(ctx: Ctx, deal: Deal) -> tuple[Choice, ...]:
    if deal.status == DealStatus.LOST and can_edit(ctx.user, deal):
        return (button(DealAction("reopen_deal", deal.id), "action.reopen_deal"),)
    if deal.status != DealStatus.OPEN or not can_edit(ctx.user, deal):
        return ()
    return tuple(button(DealAction(action, deal.id), f"action.{action}")
                 for action in ("log_visit", "advance_deal", "back_off", "qualify_deal", "edit_deal", "mark_won",
                                "mark_lost", "next_step"))


def deal_card(ctx: Ctx, deal: Deal, key: str = "deal.card", ticks: bool = False) -> Reply:
    """The deal's card; with `ticks`, its stage's entry check points as buttons above the
    actions (a deal just created at the first stage, whose points were not asked)."""
    if not ticks or not _tickable(ctx, deal):
        return Reply(key, ctx.lang, deal_params(ctx, deal), deal_actions(ctx, deal))
    stage = ctx.team.funnel.stage(deal.stage_key)
    points = stage.checklist if stage else ()
    boxes = tuple(button(DealTick(deal.id, number), "checklist.tick" if point.key in deal.checked
                         else "checklist.untick", {"label": point.label(ctx.lang)})
                  for number, point in enumerate(points, 1))
    shown = {"stage": stage.name(ctx.lang) if stage else "", "total": len(points),
             "ticked": sum(1 for p in points if p.key in deal.checked)}
    params = deal_params(ctx, deal) | {"checkpoints": shown}
    return Reply(key, ctx.lang, params, boxes + deal_actions(ctx, deal))


def _tickable(ctx: Ctx, deal: Deal) -> bool:
    stage = ctx.team.funnel.stage(deal.stage_key)
    return bool(stage and stage.checklist) and deal.status == DealStatus.OPEN and can_edit(ctx.user, deal)


def deal_detail(ctx: Ctx, deal: Deal) -> Reply:
    """The card with its stage history and visits: what a manager reviews one-on-one."""
    funnel = ctx.team.funnel
    names = {s.key: s.name(ctx.lang) for s in funnel.stages} | {"won": funnel.won_name(ctx.lang)}
    people = {u.id: u.name for u in ctx.uow.users.members(ctx.team.id)}
    history = [{"kind": c.kind, "from": names.get(c.from_stage or "", c.from_stage),
                "to": names.get(c.to_stage, c.to_stage), "at": c.at.astimezone(ZoneInfo(ctx.team.timezone)),
                "by": people.get(c.by_user_id, "?"), "complete": c.checklist_complete,
                "unticked": len(c.unticked), "note": c.note} for c in ctx.uow.deals.changes(deal.id)]
    visits = [{"on": v.visited_on, "kind": v.kind, "objective": v.objective, "result": v.result,
               "next_steps": list(v.next_steps), "customer_participants": v.customer_participants,
               "our_participants": v.our_participants, "issues_customer": v.issues_customer,
               "issues_ours": v.issues_ours} for v in ctx.uow.deals.visits(deal.id)]
    contacts = [{"name": c.name, "title": c.title, "role": c.role}
                for c in ctx.uow.customers.contacts(deal.customer_id)]
    params = deal_params(ctx, deal) | {"history": history, "visits": visits, "contacts": contacts,
                                       "owner": people.get(deal.owner_id, "?")}
    return Reply("deal.detail", ctx.lang, params, deal_actions(ctx, deal))


def deal_list(ctx: Ctx, deals: list[Deal], page: int, key: str, page_route: Callable[[int], Route],
              extra: dict[str, Any] | None = None) -> Reply:
    """One page of deals with a button per deal and ◀ ▶ between pages (`page_route` gives a page's button)."""
    pages = max(1, -(-len(deals) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = deals[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    choices = [button(RunCommand("deal", str(d.id)), "deal.option",
                      {"id": d.id, "customer": d.customer_name, "title": d.title}) for d in shown]
    if page > 1:
        choices.append(button(page_route(page - 1), "common.previous"))
    if page < pages:
        choices.append(button(page_route(page + 1), "common.next"))
    params = {"items": [deal_params(ctx, d) for d in shown], "page": page, "pages": pages, "total": len(deals),
              **(extra or {})}
    return Reply(key, ctx.lang, params, tuple(choices))


def funnel_params(ctx: Ctx, deals: list[Deal], period: Period = ALL_TIME) -> dict[str, Any]:
    """Count, amount and weighted amount per stage (team currency, other currencies converted
    at the manager's rates), top of the funnel first."""
    rates = rates_of(ctx.team.settings)
    deals = in_reporting(deals, ctx.team.currency, rates)
    result = forecast(deals, ctx.team.funnel, period, ctx.team.currency)
    names = {s.key: s for s in ctx.team.funnel.stages}
    lines = [{"stage": names[line.stage_key].name(ctx.lang), "probability": names[line.stage_key].probability,
              "count": line.count, "amount": line.amount, "weighted": line.weighted} for line in result.lines]
    other = [d for d in deals if d.status == DealStatus.OPEN and d.currency != ctx.team.currency
             and period.start <= d.close_date <= period.end]
    return {"lines": lines, "count": result.count, "amount": result.total_amount, "weighted": result.total_weighted,
            "currency": ctx.team.currency, "other_currency": len(other), "period": period.label,
            "missing_rates": missing_rates(other, ctx.team.currency, rates)}


def funnel_chart_spec(ctx: Ctx, params: dict[str, Any], title: str) -> dict[str, Any] | None:
    """What the funnel chart shows; None for an empty funnel (no picture of nothing)."""
    if not params["count"]:
        return None
    return {"lang": ctx.lang, "title": title, "lines": params["lines"], "currency": params["currency"]}


def forecast_params(ctx: Ctx, deals: list[Deal], owner: User | None) -> dict[str, Any]:
    """This month, next month and next quarter, each against its target where one is set.
    This month includes overdue close dates: a deal past its date still counts until moved."""
    periods = {"this_month": current_month(ctx.today), "next_month": next_month(ctx.today),
               "next_quarter": next_quarter(ctx.today)}
    rows = []
    for name, period in periods.items():
        if name == "this_month":
            period = replace(period, start=date.min)
        figures = funnel_params(ctx, deals, period)
        target = ctx.uow.targets.get(ctx.team.id, owner.id if owner else None, period.label)
        coverage = figures["weighted"] / target if target else None
        rows.append(figures | {"name": name, "label": period.label, "target": target, "coverage": coverage})
    missing = missing_rates(deals, ctx.team.currency, rates_of(ctx.team.settings))
    other = sum(1 for d in deals if d.status == DealStatus.OPEN and d.currency in missing)
    return {"periods": rows, "currency": ctx.team.currency, "who": owner.name if owner else ctx.team.name,
            "other_currency": other, "missing_rates": missing}


def rep_outlook(ctx: Ctx, rep: User) -> dict[str, Any]:
    """One rep's next month and next quarter against their own targets, and won to date."""
    deals = ctx.uow.deals.find(ctx.team.id, owner_id=rep.id)
    return rep_outlooks([rep], deals, ctx.team.funnel, ctx.team.currency, ctx.uow.targets.all_of_team(ctx.team.id),
                        ctx.today, ZoneInfo(ctx.team.timezone))[0]


def load_team_data(uow: Any, team: Team, today: date) -> TeamData:
    members = uow.users.members(team.id)
    skipped = self_checks.skipped(uow, team, today)
    deals = in_reporting(uow.deals.find(team.id), team.currency, rates_of(team.settings))
    return TeamData(team=team, members=members, deals=deals,
                    changes=uow.deals.changes_of_team(team.id),
                    targets=uow.targets.of_team(team.id), skipped_self_check=skipped,
                    snapshots=uow.snapshots.of_users([m.id for m in members]),
                    rep_targets=uow.targets.all_of_team(team.id))


def user_refs(ctx: Ctx, users: list[User]) -> list[UserRef]:
    """People as named in a reply, with their ids on the platform the reply goes out on."""
    ids = ctx.uow.users.external_ids([u.id for u in users], ctx.who.platform, ctx.who.tenant)
    return [UserRef(user.id, user.name, ids.get(user.id)) for user in users]


def digest_replies(ctx: Ctx, pushed: bool = False) -> list[Reply]:
    """The digest as the reader's language renders it, with the team funnel chart. On demand it
    reports this week so far, pushed on a Monday last week (`report_window`). The reps who
    skipped their self-check are named as people, so a group digest can mention them."""
    data = load_team_data(ctx.uow, ctx.team, ctx.today)
    params = weekly_digest(data, ctx.today, ctx.lang, pushed)
    params |= {"skipped_self_check": user_refs(ctx, skipped_members(data))}
    return [Reply(DIGEST_KEY, ctx.lang, params, chart=digest_chart_spec(ctx, params))]


def digest_chart_spec(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any] | None:
    """The digest's own picture (not `/team`'s): the funnel per stage, the weighted amount per
    stage against next quarter's target (the one "funnel not full" reads), per-rep bars, and
    the team and the period in the title. None for an empty funnel."""
    funnel = params["funnel"]
    if not funnel["count"]:
        return None
    quarter = params["forecasts"][1]
    title = render(ctx.lang, "chart.digest_title", team=params["team"], so_far=params["so_far"],
                   start=params["week_start"], end=params["week_end"])
    return {"kind": "digest", "lang": ctx.lang, "title": title, "currency": params["currency"],
            "stages": [{key: line[key] for key in ("stage", "count", "amount", "weighted")}
                       for line in funnel["lines"]],
            "reps": params["reps"], "target": quarter["target"], "target_label": quarter["label"]}
