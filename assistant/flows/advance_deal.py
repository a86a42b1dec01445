"""Advance a deal one stage, ticking the target stage's check points on the way."""
from __future__ import annotations

from assistant.context import Ctx
from assistant.deals import advance
from assistant.flows import fields
from assistant.flows.base import Field, Flow
from assistant.flows.stage_move import finish_move
from assistant.results import Problem


def _target(ctx: Ctx, values: dict) -> str | None:
    deal = ctx.uow.deals.get(values["deal"])
    following = ctx.team.funnel.next_stage(deal.stage_key) if deal else None
    return following.key if following else None


def finish(ctx: Ctx, values: dict) -> list | Problem:
    checklist = values.get("checklist") or {"ticked": [], "unticked": []}
    return finish_move(ctx, values["deal"], lambda deal: advance(deal, ctx.team.funnel, ctx.user, ctx.now, checklist),
                       lambda change: "advance_deal.done" if change.checklist_complete else "advance_deal.done_anyway")


FLOW = Flow("advance_deal", finish=finish, fields=(
    Field("deal", parse=fields.deal, options=fields.deal_options),
    Field("checklist", multi=True, checklist=True, options=fields.checklist_options(_target),
          when=fields.has_checklist(_target),
          prompt=lambda ctx, values: {"stage": ctx.team.funnel.stage(_target(ctx, values)).name(ctx.lang)}),
))
