"""How many target customers a year's target needs (004, 销售漏斗的平衡计算).

Product decision: the figures are shown exactly, to one decimal (004: 1000 ÷ 12 = 83.3 a
month), never rounded up line by line (which turned 83.3 deals into 84 and then 840 target
customers); where a figure is not whole, the whole number to plan with is added ("约 84").
The target and the average deal are money ("300万", "3万") or, as 004 does it too, a number
of units ("200台", "2台"); both must be in the same currency or the same unit.
"""
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
from assistant.method.quantities import parse_quantity
from assistant.method.results import Ok, Problem


def figure(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    """Money ({"amount", "currency"}) or a number of units ({"amount", "unit"})."""
    money = answers.amount(raw, ctx, values)
    if isinstance(money, Ok):
        return money
    units = parse_quantity(raw)
    if isinstance(units, Problem):
        return money
    return Ok({"amount": str(units.value.value), "unit": units.value.unit})


def average_deal(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    result = figure(raw, ctx, values)
    target = values["annual_target"]
    if isinstance(result, Ok) and "unit" in target and result.value.get("unit") != target["unit"]:
        return Problem.of("plan_prospects.unit", unit=target["unit"])
    if isinstance(result, Ok) and "currency" in target and result.value.get("currency") != target["currency"]:
        return Problem.of("plan_prospects.currency", currency=target["currency"])
    return result


def win_rate(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    result = parse_percent(raw)
    return result if isinstance(result, Problem) else Ok(str(result.value))


def shortcut(args: str, ctx: Ctx) -> Params:
    """`/prospects 300万 3万 10%`: target, average deal, win rate, in that order."""
    return {"_typed": dict(zip(("annual_target", "average_deal", "win_rate"), args.split(), strict=False))}


def finish(ctx: Ctx, values: JsonDict) -> list[Reply]:
    target_value, average_value = values["annual_target"], values["average_deal"]
    target, average = Decimal(target_value["amount"]), Decimal(average_value["amount"])
    rate = Decimal(values["win_rate"])
    need = required_prospects(target, average, rate)
    return [Reply("plan_prospects.result", ctx.lang, {
        "target": target, "average": average, "currency": target_value.get("currency"),
        "unit": target_value.get("unit"), "win_rate": rate,
        "deals": need.deals_needed, "per_year": need.prospects_per_year, "per_month": need.prospects_per_month})]


FLOW: Flow[Ctx] = Flow("plan_prospects", finish=finish, shortcut=shortcut, fields=(
    Field("annual_target", parse=figure),
    Field("average_deal", parse=average_deal),
    Field("win_rate", parse=win_rate),
))
