"""How many target customers a year's target needs (004, 销售漏斗的平衡计算)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow
from assistant.events import Reply
from assistant.method.amounts import parse_percent
from assistant.method.forecast import required_prospects
from assistant.method.model import JsonDict, Params
from assistant.method.results import Ok, Problem


def average_deal(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    result = answers.amount(raw, ctx, values)
    target_currency = values["annual_target"]["currency"]
    if isinstance(result, Ok) and result.value["currency"] != target_currency:
        return Problem.of("plan_prospects.currency", currency=target_currency)
    return result


def win_rate(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    result = parse_percent(raw)
    return result if isinstance(result, Problem) else Ok(str(result.value))


def shortcut(args: str, ctx: Ctx) -> Params:
    """`/prospects 300万 3万 10%`: target, average deal, win rate, in that order."""
    return {"_typed": dict(zip(("annual_target", "average_deal", "win_rate"), args.split(), strict=False))}


def finish(ctx: Ctx, values: JsonDict) -> list[Reply]:
    target, currency = answers.money_of(values["annual_target"])
    average, _ = answers.money_of(values["average_deal"])
    rate = Decimal(values["win_rate"])
    need = required_prospects(target, average, rate)
    return [Reply("plan_prospects.result", ctx.lang, {
        "target": target, "average": average, "currency": currency, "win_rate": rate,
        "deals": need.deals_needed, "per_year": need.prospects_per_year, "per_month": need.prospects_per_month})]


FLOW: Flow[Ctx] = Flow("plan_prospects", finish=finish, shortcut=shortcut, fields=(
    Field("annual_target", parse=answers.amount),
    Field("average_deal", parse=average_deal),
    Field("win_rate", parse=win_rate),
))
