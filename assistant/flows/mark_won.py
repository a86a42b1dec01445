"""Mark a deal won: one confirmation, so a stray tap never closes a deal."""
from __future__ import annotations

from assistant.context import Ctx
from assistant.deals import mark_won
from assistant.flows import fields
from assistant.flows.base import Field, Flow, Option
from assistant.results import Problem
from assistant.views import deal_card


def finish(ctx: Ctx, values: dict) -> list | Problem:
    deal = fields.load_own_deal(ctx, values["deal"])
    if isinstance(deal, Problem):
        return deal
    closed = mark_won(deal, ctx.user, ctx.now)
    if isinstance(closed, Problem):
        return closed
    updated, change = closed
    ctx.uow.deals.save(updated)
    ctx.uow.deals.add_change(change)
    return [deal_card(ctx, updated, "mark_won.done")]


FLOW = Flow("mark_won", finish=finish, fields=(
    Field("deal", parse=fields.deal, options=fields.deal_options),
    Field("confirm", options=lambda ctx, values: [Option(True, "common.confirm")],
          prompt=lambda ctx, values: {"title": ctx.uow.deals.get(values["deal"]).title}),
))
