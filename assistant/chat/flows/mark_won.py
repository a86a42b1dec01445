"""Mark a deal won with what was signed: the amount (the estimate is one tap) and the date
(today is one tap), then one confirmation, so a stray tap never closes a deal."""
from __future__ import annotations

from datetime import date
from typing import Any

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow, Option
from assistant.chat.flows.next_step import ask_after_update
from assistant.chat.flows.stage_move import cancelled, confirmed, finish_move
from assistant.events import Reply
from assistant.method.deals import mark_won
from assistant.method.model import JsonDict
from assistant.method.results import Ok, Problem


def _estimate(ctx: Ctx, values: JsonDict) -> list[Option]:
    deal = answers.load_own_deal(ctx, values["deal"])
    if isinstance(deal, Problem):
        return []
    money = {"amount": str(deal.amount), "currency": deal.currency}
    return [Option(money, "mark_won.signed_amount.as_estimated", money)]


def _today(ctx: Ctx, values: JsonDict) -> list[Option]:
    return [Option(ctx.today.isoformat(), "mark_won.signed_on.today", {"date": ctx.today.isoformat()})]


def signed_on(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    """The signing date: today or earlier (a deal is won once it is signed)."""
    result = answers.any_date(raw, ctx, values)
    if isinstance(result, Ok) and date.fromisoformat(result.value) > ctx.today:
        return Problem.of("mark_won.signed_on.future", date=date.fromisoformat(result.value))
    return result


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    if not confirmed(ctx, values):
        return cancelled(ctx)
    amount, _ = answers.money_of(values["signed_amount"]) if values.get("signed_amount") else (None, None)
    signed = date.fromisoformat(values["signed_on"]) if values.get("signed_on") else None
    return finish_move(ctx, values["deal"], lambda deal: mark_won(deal, ctx.user, ctx.now, amount, signed),
                       "mark_won.done")


def then(ctx: Ctx, values: JsonDict) -> tuple[Flow[Ctx], JsonDict] | None:
    """Won: the after-sale follow-up is asked for (kick-off, satisfaction, referrals)."""
    return ask_after_update(ctx, values) if confirmed(ctx, values) else None


FLOW: Flow[Ctx] = Flow("mark_won", then=then, finish=finish, fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    Field("signed_amount", parse=answers.deal_amount, options=_estimate, when=lambda ctx, values: True,
          prompt=lambda ctx, values: _deal_named(ctx, values)),
    Field("signed_on", parse=signed_on, options=_today, when=lambda ctx, values: True),
    Field("confirm", when=lambda ctx, values: True, prompt=lambda ctx, values: _signed(ctx, values),
          options=lambda ctx, values: [Option(True, "common.confirm"), Option(False, "common.cancel_button")]),
))


def _deal_named(ctx: Ctx, values: JsonDict) -> dict[str, object]:
    deal = answers.load_own_deal(ctx, values["deal"])
    return {"customer": "", "title": ""} if isinstance(deal, Problem) else {"customer": deal.customer_name,
                                                                             "title": deal.title}


def _signed(ctx: Ctx, values: JsonDict) -> dict[str, object]:
    """The deal named with what was signed, as the confirmation shows it."""
    deal = answers.load_own_deal(ctx, values["deal"])
    amount, currency = answers.money_of(values["signed_amount"])
    return {"customer": "" if isinstance(deal, Problem) else deal.customer_name,
            "title": "" if isinstance(deal, Problem) else deal.title, "amount": amount, "currency": currency,
            "signed_on": values["signed_on"]}
