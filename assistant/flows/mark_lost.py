"""Mark a deal lost with the lost report (丢失客户报告表): our reason, theirs, and the lesson."""
from __future__ import annotations

from assistant.context import Ctx
from assistant.deals import mark_lost
from assistant.flows import fields
from assistant.flows.base import Field, Flow
from assistant.flows.stage_move import finish_move
from assistant.results import Problem


def finish(ctx: Ctx, values: dict) -> list | Problem:
    return finish_move(ctx, values["deal"], lambda deal: mark_lost(deal, values, ctx.user, ctx.now), "mark_lost.done")


FLOW = Flow("mark_lost", finish=finish, form=True, fields=(
    Field("deal", parse=fields.deal, options=fields.deal_options),
    Field("lost_reason_ours", parse=fields.text(fields.NOTE_MAX)),
    Field("lost_reason_customer", parse=fields.text(fields.NOTE_MAX)),
    Field("lost_prevention", parse=fields.text(fields.NOTE_MAX)),
))
