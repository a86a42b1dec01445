"""Mark a deal lost with the lost report (丢失客户报告表): our reason, theirs, and the lesson."""
from __future__ import annotations

from assistant.context import Ctx
from assistant.deals import mark_lost
from assistant.flows import fields
from assistant.flows.base import Field, Flow
from assistant.results import Problem
from assistant.views import deal_card


def finish(ctx: Ctx, values: dict) -> list | Problem:
    deal = fields.load_own_deal(ctx, values["deal"])
    if isinstance(deal, Problem):
        return deal
    closed = mark_lost(deal, values, ctx.user, ctx.now)
    if isinstance(closed, Problem):
        return closed
    updated, change = closed
    ctx.uow.deals.save(updated)
    ctx.uow.deals.add_change(change)
    return [deal_card(ctx, updated, "mark_lost.done")]


FLOW = Flow("mark_lost", finish=finish, fields=(
    Field("deal", parse=fields.deal, options=fields.deal_options),
    Field("lost_reason_ours", parse=fields.text(fields.NOTE_MAX)),
    Field("lost_reason_customer", parse=fields.text(fields.NOTE_MAX)),
    Field("lost_prevention", parse=fields.text(fields.NOTE_MAX)),
))
