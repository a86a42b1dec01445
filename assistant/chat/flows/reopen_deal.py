"""Reopen a lost deal (the customer came back): it returns to the stage it was lost from, and
the reopening is recorded in its history. The deal is named and the rep confirms."""
from __future__ import annotations

from typing import Any

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow, Option
from assistant.chat.flows.stage_move import cancelled, confirmed, finish_move
from assistant.events import Reply
from assistant.method.deals import reopen
from assistant.method.model import DealStatus, JsonDict
from assistant.method.numbers import parse_id, shown
from assistant.method.results import Ok, Problem

LOST_BUTTONS = 8


def _lost_deals(ctx: Ctx) -> list[Any]:
    deals = ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.LOST)
    return sorted(deals, key=lambda d: d.closed_at or d.created_at, reverse=True)


def _options(ctx: Ctx, values: JsonDict) -> list[Option]:
    return [answers.deal_option(d) for d in _lost_deals(ctx)[:LOST_BUTTONS]]


def lost_deal(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    """One of the rep's lost deals, by number or by customer or title (one match only)."""
    query = raw.strip().lstrip("#＃")
    deals = _lost_deals(ctx)
    deal_id = parse_id(query)
    hits = [d for d in deals if d.id == deal_id] if deal_id is not None else answers.matching_deals(query, deals)
    if len(hits) == 1:
        return Ok(hits[0].id)
    return Problem.of("reopen_deal.no_match", query=shown(query))


def _named(ctx: Ctx, values: JsonDict) -> dict[str, object]:
    deal = answers.load_own_deal(ctx, values["deal"])
    if isinstance(deal, Problem):
        return {"customer": "", "title": "", "stage": ""}
    history = [c for c in ctx.uow.deals.changes(deal.id) if c.kind == "lost"]
    stage = ctx.team.funnel.stage(history[-1].from_stage or "") if history else None
    return {"customer": deal.customer_name, "title": deal.title,
            "stage": (stage or ctx.team.funnel.stages[0]).name(ctx.lang)}


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    if not confirmed(ctx, values):
        return cancelled(ctx)
    history = ctx.uow.deals.changes(values["deal"])
    return finish_move(ctx, values["deal"], lambda deal: reopen(deal, history, ctx.team.funnel, ctx.user, ctx.now),
                       "reopen_deal.done")


FLOW: Flow[Ctx] = Flow("reopen_deal", finish=finish, fields=(
    Field("deal", parse=lost_deal, options=_options),
    Field("confirm", when=lambda ctx, values: True, prompt=_named,
          options=lambda ctx, values: [Option(True, "common.confirm"), Option(False, "common.cancel_button")]),
))
