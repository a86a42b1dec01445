"""Correct a deal's title, amount, expected close date or lead source (the funnel must stay
honest)."""
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
from assistant.i18n import render
from assistant.method.model import LEAD_SOURCES, JsonDict
from assistant.method.results import Ok, Problem

EDITABLE = ("amount", "close_date", "title", "lead_source")


def _source(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    """A lead source typed as its label (the buttons are the usual way)."""
    for option in _sources(ctx, values):
        if raw.strip().casefold() == render(ctx.lang, option.key).casefold():
            return Ok(option.value)
    return Problem.of("common.pick_a_button")


def _sources(ctx: Ctx, values: JsonDict) -> list[Option]:
    return [Option(s, f"lead_source.{s}") for s in LEAD_SOURCES] if values.get("what") == "lead_source" else []


_PARSERS = {"amount": answers.amount, "close_date": answers.future_date, "title": answers.text(answers.TITLE_MAX),
            "lead_source": _source}


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
    elif values["what"] == "lead_source":
        updated = replace(deal, lead_source=new)
    else:
        updated = replace(deal, title=new)
    ctx.uow.deals.save(replace(updated, last_activity_at=ctx.now))
    return [deal_card(ctx, updated, "edit_deal.saved")]



FLOW: Flow[Ctx] = Flow("edit_deal", finish=finish, fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    Field("what", options=lambda ctx, values: [Option(name, f"edit_deal.field.{name}") for name in EDITABLE]),
    Field("value", parse=value, options=_sources, prompt=lambda ctx, values: {"what": values["what"]}),
))
