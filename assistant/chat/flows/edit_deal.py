"""Correct a deal's title, amount or expected close date (the funnel must stay honest)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Ask, Field, Flow, Option
from assistant.chat.views import deal_card
from assistant.events import Reply
from assistant.method.model import JsonDict
from assistant.method.results import Ok, Problem

EDITABLE = ("amount", "close_date", "title")
_PARSERS = {"amount": answers.amount, "close_date": answers.future_date, "title": answers.text(answers.TITLE_MAX)}


def value(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem | Ask:
    """The new value, read by the parser of the field being corrected."""
    return _PARSERS[values["what"]](raw, ctx, values)


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    deal = answers.load_own_deal(ctx, values["deal"])
    if isinstance(deal, Problem):
        return deal
    new = values["value"]
    if values["what"] == "amount":
        updated = replace(deal, amount=Decimal(new["amount"]), currency=new["currency"])
    elif values["what"] == "close_date":
        updated = replace(deal, close_date=date.fromisoformat(new))
    else:
        updated = replace(deal, title=new)
    ctx.uow.deals.save(replace(updated, last_activity_at=ctx.now))
    return [deal_card(ctx, updated, "edit_deal.saved")]



FLOW: Flow[Ctx] = Flow("edit_deal", finish=finish, fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    Field("what", options=lambda ctx, values: [Option(name, f"edit_deal.field.{name}") for name in EDITABLE]),
    Field("value", parse=value, prompt=lambda ctx, values: {"what": values["what"]}),
))
