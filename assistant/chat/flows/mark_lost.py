"""Mark a deal lost with the lost report (丢失客户报告表): our reason, theirs, and the lesson;
then the deal is named and the rep confirms before anything is written."""
from __future__ import annotations

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow
from assistant.chat.flows.stage_move import cancelled, confirm_field, confirmed, finish_move
from assistant.events import Reply
from assistant.method.deals import mark_lost
from assistant.method.model import JsonDict
from assistant.method.results import Problem


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    if not confirmed(ctx, values):
        return cancelled(ctx)
    return finish_move(ctx, values["deal"], lambda deal: mark_lost(deal, values, ctx.user, ctx.now), "mark_lost.done")


FLOW: Flow[Ctx] = Flow("mark_lost", finish=finish, form=True, fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    Field("lost_reason_ours", parse=answers.text(answers.NOTE_MAX)),
    Field("lost_reason_customer", parse=answers.text(answers.NOTE_MAX)),
    Field("lost_prevention", parse=answers.text(answers.NOTE_MAX)),
    confirm_field(),
))
