"""Mark a deal won: one confirmation, so a stray tap never closes a deal."""
from __future__ import annotations

from assistant.context import Ctx
from assistant.deals import mark_won
from assistant.flows import fields
from assistant.flows.base import Field, Flow, Option
from assistant.flows.stage_move import finish_move
from assistant.results import Problem


def finish(ctx: Ctx, values: dict) -> list | Problem:
    return finish_move(ctx, values["deal"], lambda deal: mark_won(deal, ctx.user, ctx.now), "mark_won.done")


FLOW = Flow("mark_won", finish=finish, fields=(
    Field("deal", parse=fields.deal, options=fields.deal_options),
    Field("confirm", options=lambda ctx, values: [Option(True, "common.confirm")],
          prompt=lambda ctx, values: {"title": ctx.uow.deals.get(values["deal"]).title}),
))
