"""The shared end of every flow that moves a deal: load it (owner only), apply the rule,
save the deal and its stage change together, show the card."""
from __future__ import annotations

from collections.abc import Callable

from assistant.chat import edits
from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Option
from assistant.chat.views import deal_card
from assistant.events import Reply
from assistant.method.model import Deal, JsonDict, StageChange
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
    edits.record(ctx, change.kind, deal, updated, change_id=ctx.uow.deals.add_change(change))
    return [deal_card(ctx, updated, done_key(change) if callable(done_key) else done_key)]


def confirm_field() -> Field[Ctx]:
    """Confirm / Cancel with the deal named (customer, title, amount): a deal is closed only
    on a reading the rep has seen. It follows a form in chat (it reads the deal's answer)."""
    return Field("confirm", when=lambda ctx, values: True,
                 options=lambda ctx, values: [Option(True, "common.confirm"), Option(False, "common.cancel_button")],
                 prompt=_named)


def _named(ctx: Ctx, values: JsonDict) -> dict[str, object]:
    deal = answers.load_own_deal(ctx, values["deal"])
    if isinstance(deal, Problem):
        return {"customer": "", "title": "", "amount": 0, "currency": "CNY"}
    return {"customer": deal.customer_name, "title": deal.title, "amount": deal.amount, "currency": deal.currency}


def confirmed(ctx: Ctx, values: JsonDict) -> bool:
    return values.get("confirm") is True


def cancelled(ctx: Ctx) -> list[Reply]:
    return [Reply("common.cancelled", ctx.lang)]
