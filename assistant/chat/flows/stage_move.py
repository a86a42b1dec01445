"""The shared end of every flow that moves a deal: load it (owner only), apply the rule,
save the deal and its stage change together, show the card."""
from __future__ import annotations

from collections.abc import Callable

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.views import deal_card
from assistant.events import Reply
from assistant.method.model import Deal, StageChange
from assistant.method.results import Problem

Move = Callable[[Deal], "tuple[Deal, StageChange] | Problem"]


def finish_move(ctx: Ctx, deal_id: int, move: Move,
                done_key: Callable[[StageChange], str] | str) -> list[Reply] | Problem:
    deal = answers.load_own_deal(ctx, deal_id)
    if isinstance(deal, Problem):
        return deal
    moved = move(deal)
    if isinstance(moved, Problem):
        return moved
    updated, change = moved
    ctx.uow.deals.save(updated)
    ctx.uow.deals.add_change(change)
    return [deal_card(ctx, updated, done_key(change) if callable(done_key) else done_key)]
