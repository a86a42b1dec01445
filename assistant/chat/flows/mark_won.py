"""Mark a deal won: one confirmation, so a stray tap never closes a deal."""
from __future__ import annotations

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow, Option
from assistant.chat.flows.stage_move import finish_move
from assistant.method.deals import mark_won
from assistant.method.model import JsonDict
from assistant.method.results import Problem


def finish(ctx: Ctx, values: JsonDict) -> list | Problem:
    return finish_move(ctx, values["deal"], lambda deal: mark_won(deal, ctx.user, ctx.now), "mark_won.done")


FLOW = Flow("mark_won", finish=finish, fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    Field("confirm", options=lambda ctx, values: [Option(True, "common.confirm")],
          prompt=lambda ctx, values: {"title": ctx.uow.deals.get(values["deal"]).title}),
))
