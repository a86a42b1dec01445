"""A manager sets the team's target for a month or quarter (forecast coverage reads it)."""
from __future__ import annotations

from typing import Any

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow, Option
from assistant.events import Reply
from assistant.method.forecast import current_month, current_quarter, next_month, next_quarter, period_from_label
from assistant.method.model import JsonDict, Params
from assistant.method.numbers import shown
from assistant.method.results import Ok, Problem


def _periods(ctx: Ctx, values: JsonDict) -> list[Option]:
    periods = (next_month(ctx.today), next_quarter(ctx.today), current_month(ctx.today), current_quarter(ctx.today))
    return [Option(p.label, f"period.{p.kind}", {"label": p.label}) for p in periods]


def period(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    found = period_from_label(raw.strip().upper())
    return Ok(found.label) if found else Problem.of("set_target.bad_period", raw=shown(raw))


def target_amount(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    """Coverage compares the target with the funnel, so both are in the team's currency."""
    result = answers.amount(raw, ctx, values)
    if isinstance(result, Ok) and result.value["currency"] != ctx.team.currency:
        return Problem.of("set_target.currency", currency=ctx.team.currency)
    return result


def shortcut(args: str, ctx: Ctx) -> Params:
    """`/target 2027-Q1 500万`."""
    return {"_typed": dict(zip(("period", "amount"), args.split(maxsplit=1), strict=False))}


def finish(ctx: Ctx, values: JsonDict) -> list[Reply]:
    amount, currency = answers.money_of(values["amount"])
    ctx.uow.targets.set(ctx.team.id, None, values["period"], amount, currency)
    return [Reply("set_target.done", ctx.lang, {"period": values["period"], "amount": amount, "currency": currency})]


FLOW: Flow[Ctx] = Flow("set_target", finish=finish, form=True, shortcut=shortcut, fields=(
    Field("period", parse=period, options=_periods),
    Field("amount", parse=target_amount),
))
