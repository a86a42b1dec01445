"""Correct a deal's title, amount or expected close date (the funnel must stay honest)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from assistant.context import Ctx
from assistant.flows import fields
from assistant.flows.base import Field, Flow, Option
from assistant.results import Problem
from assistant.views import deal_card

EDITABLE = ("amount", "close_date", "title")
_PARSERS = {"amount": fields.amount, "close_date": fields.future_date, "title": fields.text(fields.TITLE_MAX)}


def value(raw: str, ctx: Ctx, values: dict):
    """The new value, read by the parser of the field being corrected."""
    return _PARSERS[values["what"]](raw, ctx, values)


def finish(ctx: Ctx, values: dict) -> list | Problem:
    deal = fields.load_own_deal(ctx, values["deal"])
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



FLOW = Flow("edit_deal", finish=finish, fields=(
    Field("deal", parse=fields.deal, options=fields.deal_options),
    Field("what", options=lambda ctx, values: [Option(name, f"edit_deal.field.{name}") for name in EDITABLE]),
    Field("value", parse=value, prompt=lambda ctx, values: {"what": values["what"]}),
))
