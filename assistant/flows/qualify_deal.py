"""Re-assess a deal's MAN flags and urgency (the 3S/2S/1S/A/B class), as the method asks
reps to do periodically."""
from __future__ import annotations

from dataclasses import replace

from assistant.context import Ctx
from assistant.flows import fields
from assistant.flows.base import Field, Flow
from assistant.results import Problem
from assistant.views import deal_card


def finish(ctx: Ctx, values: dict) -> list | Problem:
    deal = fields.load_own_deal(ctx, values["deal"])
    if isinstance(deal, Problem):
        return deal
    ticked = values["man"]["ticked"]
    updated = replace(deal, last_activity_at=ctx.now, **{flag: flag in ticked for flag in fields.MAN_FLAGS})
    ctx.uow.deals.save(updated)
    return [deal_card(ctx, updated, "qualify_deal.done")]


FLOW = Flow("qualify_deal", finish=finish, fields=(
    Field("deal", parse=fields.deal, options=fields.deal_options),
    Field("man", multi=True, options=fields.man_options, ticked=lambda ctx, values: [
        flag for flag in fields.MAN_FLAGS if getattr(ctx.uow.deals.get(values["deal"]), flag)]),
))
