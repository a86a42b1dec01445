"""Mark a deal won: one confirmation, so a stray tap never closes a deal."""
from __future__ import annotations

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow
from assistant.chat.flows.next_step import ask_after_update
from assistant.chat.flows.stage_move import cancelled, confirm_field, confirmed, finish_move
from assistant.events import Reply
from assistant.method.deals import mark_won
from assistant.method.model import JsonDict
from assistant.method.results import Problem


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    if not confirmed(ctx, values):
        return cancelled(ctx)
    return finish_move(ctx, values["deal"], lambda deal: mark_won(deal, ctx.user, ctx.now), "mark_won.done")


def then(ctx: Ctx, values: JsonDict) -> tuple[Flow[Ctx], JsonDict] | None:
    """Won: the after-sale follow-up is asked for (kick-off, satisfaction, referrals)."""
    return ask_after_update(ctx, values) if confirmed(ctx, values) else None


FLOW: Flow[Ctx] = Flow("mark_won", then=then, finish=finish, fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    confirm_field(),
))
