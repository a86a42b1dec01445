"""Advance a deal one stage, ticking the target stage's check points on the way."""
from __future__ import annotations

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow
from assistant.chat.flows.next_step import ask_after_update
from assistant.chat.flows.stage_move import finish_move
from assistant.events import Reply
from assistant.method.deals import advance
from assistant.method.model import JsonDict
from assistant.method.results import Problem


def _target(ctx: Ctx, values: JsonDict) -> str | None:
    deal = ctx.uow.deals.get(values["deal"])
    following = ctx.team.funnel.next_stage(deal.stage_key) if deal else None
    return following.key if following else None


def _target_name(ctx: Ctx, values: JsonDict) -> str:
    key = _target(ctx, values)
    stage = ctx.team.funnel.stage(key) if key else None
    return stage.name(ctx.lang) if stage else ""


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    checklist = values.get("checklist") or {"ticked": [], "unticked": []}
    return finish_move(ctx, values["deal"], lambda deal: advance(deal, ctx.team.funnel, ctx.user, ctx.now, checklist),
                       lambda change: "advance_deal.done" if change.checklist_complete else "advance_deal.done_anyway")


FLOW: Flow[Ctx] = Flow("advance_deal", then=ask_after_update, finish=finish, fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    Field("checklist", multi=True, checklist=True, options=answers.checklist_options(_target),
          when=answers.has_checklist(_target),
          prompt=lambda ctx, values: {"stage": _target_name(ctx, values)}),
))
