"""A person's home page (Slack's App Home): their summary at a glance, as one neutral reply.

A rep sees their open deals and weighted funnel, next month's forecast, their overdue next
steps and whether this week's self-check is done (with a button to start it); a manager sees
the same for the whole team, with one line per rep. Someone not in a team sees how to join.
The figures come from the same views as `/funnel`, `/forecast` and the reminders, so the home
page never disagrees with what the chat says.
"""
from __future__ import annotations

from typing import Any

from assistant.chat import views
from assistant.chat.context import Ctx
from assistant.chat.routes import RunCommand, button
from assistant.chat.self_checks import week_to_answer
from assistant.clock import Clock
from assistant.events import ChatKey, Choice, Reply
from assistant.i18n import normalise_lang
from assistant.method.deals import is_overdue
from assistant.method.model import Deal, DealStatus, Role, User
from assistant.unit_of_work import UnitOfWork

OVERDUE_SHOWN = 10  # overdue next steps listed; the rest are counted


def home(who: ChatKey, uow: UnitOfWork, clock: Clock, lang_hint: str | None = None) -> Reply:
    """The home page of the person behind `who`, read in one unit of work that writes nothing."""
    with uow:
        user = uow.users.by_identity(who.platform, who.tenant, who.user)
        team = uow.teams.get(user.team_id) if user and user.team_id else None
        if user is None or team is None:
            return Reply("home.stranger", user.lang if user else normalise_lang(lang_hint))
        ctx = Ctx(uow=uow, clock=clock, who=who, lang=user.lang, user=user, team=team)
        return _manager_home(ctx) if user.is_manager else _rep_home(ctx)


def _rep_home(ctx: Ctx) -> Reply:
    deals = ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.OPEN)
    done = _self_check_done(ctx, ctx.user)
    params = _summary(ctx, deals, ctx.user) | {"self_check": {"week": week_to_answer(
        ctx.uow, ctx.user.id, ctx.now, ctx.today), "done": done}}
    check = (button(RunCommand("check"), "weekly_check.start_button"),) if not done else ()
    return Reply("home.rep", ctx.lang, params, check + _actions())


def _manager_home(ctx: Ctx) -> Reply:
    deals = ctx.uow.deals.find(ctx.team.id, status=DealStatus.OPEN)
    reps = []
    for member in ctx.uow.users.members(ctx.team.id):
        own = [d for d in deals if d.owner_id == member.id]
        if member.role != Role.REP and not own:
            continue
        figures = views.funnel_params(ctx, own)
        reps.append({"name": member.name, "count": figures["count"], "weighted": figures["weighted"],
                     "next_month": _next_month(ctx, own, member)["weighted"],
                     "overdue": sum(1 for d in own if is_overdue(d, ctx.today)),
                     "self_check": _self_check_done(ctx, member) if member.role == Role.REP else None})
    params = _summary(ctx, deals, None) | {"reps": reps}
    return Reply("home.manager", ctx.lang, params, (button(RunCommand("team"), "home.team_button"),) + _actions())


def _summary(ctx: Ctx, deals: list[Deal], owner: User | None) -> dict[str, Any]:
    people = {u.id: u.name for u in ctx.uow.users.members(ctx.team.id)} if owner is None else {}
    overdue = sorted((d for d in deals if is_overdue(d, ctx.today)), key=lambda d: (d.next_due, d.id))
    return views.funnel_params(ctx, deals) | {
            "name": ctx.user.name, "team": ctx.team.name, "next_month": _next_month(ctx, deals, owner),
            "overdue_steps": [{"id": d.id, "customer": d.customer_name, "title": d.title,
                               "next_step": d.next_step or "", "due": d.next_due, "owner": people.get(d.owner_id, "")}
                              for d in overdue[:OVERDUE_SHOWN]],
            "more_overdue": max(0, len(overdue) - OVERDUE_SHOWN)}


def _next_month(ctx: Ctx, deals: list[Deal], owner: User | None) -> dict[str, Any]:
    periods: list[dict[str, Any]] = views.forecast_params(ctx, deals, owner)["periods"]
    return next(p for p in periods if p["name"] == "next_month")


def _self_check_done(ctx: Ctx, member: User) -> bool:
    return ctx.uow.self_checks.done(member.id, week_to_answer(ctx.uow, member.id, ctx.now, ctx.today))


def _actions() -> tuple[Choice, ...]:
    return tuple(button(RunCommand(name), f"menu.{name}") for name in ("new", "visit", "deals"))
