"""Mark a deal lost with the lost report (丢失客户报告表) as data: 001's three questions (our
reason, theirs, the lesson), then the reason's category from a short list and the competitor's
name when a competitor won it, so the rep classifies what they just wrote; the deal is named
and the rep confirms before anything is written."""
from __future__ import annotations

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow, Option
from assistant.chat.flows.stage_move import cancelled, confirm_field, confirmed, finish_move
from assistant.events import Reply
from assistant.method.deals import mark_lost
from assistant.method.model import LOST_CATEGORIES, JsonDict
from assistant.method.results import Problem

COMPETITOR_MAX = 200


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    if not confirmed(ctx, values):
        return cancelled(ctx)
    return finish_move(ctx, values["deal"], lambda deal: mark_lost(deal, values, ctx.user, ctx.now), "mark_lost.done")


FLOW: Flow[Ctx] = Flow("mark_lost", finish=finish, form=True, fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    Field("lost_reason_ours", parse=answers.text(answers.NOTE_MAX)),
    Field("lost_reason_customer", parse=answers.text(answers.NOTE_MAX)),
    Field("lost_prevention", parse=answers.text(answers.NOTE_MAX)),
    Field("lost_category", options=lambda ctx, values: [Option(c, f"lost_category.{c}") for c in LOST_CATEGORIES]),
    Field("lost_competitor", parse=answers.text(COMPETITOR_MAX),
          when=lambda ctx, values: values.get("lost_category") == "competitor"),
    confirm_field(),
))
