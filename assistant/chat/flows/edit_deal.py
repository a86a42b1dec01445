"""Correct a deal's title, amount, expected close date, customer, currency or lead source (the
funnel must stay honest)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from assistant.chat import edits
from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Ask, Field, Flow, Option
from assistant.chat.views import deal_card
from assistant.events import Reply
from assistant.i18n import render
from assistant.method.currency import CURRENCIES, currency_code, rates_of
from assistant.method.model import LEAD_SOURCES, Deal, JsonDict
from assistant.method.numbers import shown
from assistant.method.results import Ok, Problem

EDITABLE = ("amount", "close_date", "title", "customer", "currency", "lead_source")


def _currency(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    """Another currency for the same number (a deal typed ¥5万 that is $5万): only one the
    team's totals can count, so a currency without a rate is refused with the way to set one."""
    code = currency_code(raw)
    if code is None:
        return Problem.of("currency.unknown", raw=shown(raw), known=", ".join(CURRENCIES))
    deal = answers.load_own_deal(ctx, values["deal"])
    if isinstance(deal, Problem):
        return deal
    counted = answers.counted_in_funnel(ctx, deal.amount, code)
    if isinstance(counted, Problem):
        return counted
    return Ok(code, counted.warning)


def _source(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    """A lead source typed as its label (the buttons are the usual way)."""
    for option in _sources(ctx, values):
        if raw.strip().casefold() == render(ctx.lang, option.key).casefold():
            return Ok(option.value)
    return Problem.of("common.pick_a_button")


def _sources(ctx: Ctx, values: JsonDict) -> list[Option]:
    return [Option(s, f"lead_source.{s}") for s in LEAD_SOURCES] if values.get("what") == "lead_source" else []


_PARSERS = {"amount": answers.deal_amount, "close_date": answers.future_date, "title": answers.text(answers.TITLE_MAX),
            "customer": answers.customer, "currency": _currency, "lead_source": _source}


def value(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem | Ask:
    """The new value, read by the parser of the field being corrected."""
    return _PARSERS[values["what"]](raw, ctx, values)


def _value_options(ctx: Ctx, values: JsonDict) -> list[Option]:
    """The currencies the deal could be in and still count: the team's and those with a rate
    (a button is taken as it is, so none is offered that the parser would refuse)."""
    if values.get("what") == "lead_source":
        return _sources(ctx, values)
    if values.get("what") != "currency":
        return []
    deal = answers.load_own_deal(ctx, values["deal"])
    current = deal.currency if isinstance(deal, Deal) else ""
    counted = [ctx.team.currency, *sorted(rates_of(ctx.team.settings))]
    return [Option(code, "currency.option", {"code": code}) for code in counted if code != current]


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    deal = answers.load_own_deal(ctx, values["deal"])
    if isinstance(deal, Problem):
        return deal
    new = values["value"]
    if values["what"] == "amount":
        updated = replace(deal, amount=Decimal(new["amount"]), currency=new["currency"])
    elif values["what"] == "close_date":
        updated = replace(deal, close_date=date.fromisoformat(new))
    elif values["what"] == "customer":
        updated = replace(deal, customer_id=answers.resolve_customer(ctx, new),
                          customer_name=new.get("name") or new["new"])
    elif values["what"] == "currency":
        updated = replace(deal, currency=new)
    elif values["what"] == "lead_source":
        updated = replace(deal, lead_source=new)
    else:
        updated = replace(deal, title=new)
    updated = replace(updated, last_activity_at=ctx.now)
    ctx.uow.deals.save(updated)
    edits.record(ctx, "edit", deal, updated)
    return [deal_card(ctx, updated, "edit_deal.saved")]


FLOW: Flow[Ctx] = Flow("edit_deal", finish=finish, fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    Field("what", options=lambda ctx, values: [Option(name, f"edit_deal.field.{name}") for name in EDITABLE]),
    Field("value", parse=value, options=_value_options, prompt=lambda ctx, values: {"what": values["what"]}),
))
