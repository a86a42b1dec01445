"""A manager sets a target for a month or quarter, the team's or one rep's (forecast coverage
reads it): `/target 2027-Q1 500万` for the team, `/target 王伟 2027-Q1 200万` for a rep."""
from __future__ import annotations

from typing import Any

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow, Option
from assistant.events import Reply
from assistant.method.forecast import current_month, current_quarter, next_month, next_quarter, period_from_label
from assistant.method.model import JsonDict, Params, Role
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


TEAM = 0  # the "who" of the team's own target


def _people(ctx: Ctx, values: JsonDict) -> list[Option]:
    reps = [m for m in ctx.uow.users.members(ctx.team.id) if m.role == Role.REP and m.active]
    return [Option(TEAM, "set_target.who.team", {"team": ctx.team.name})] + [
        Option(m.id, "set_target.who.rep", {"name": m.name}) for m in reps]


def who(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    """A rep named by (part of) their name; several or none are refused with the names."""
    wanted = raw.strip().casefold()
    reps = [o for o in _people(ctx, values)[1:] if wanted and wanted in str(o.params["name"]).casefold()]
    exact = [o for o in reps if str(o.params["name"]).casefold() == wanted]
    if len(exact) == 1 or len(reps) == 1:
        return Ok((exact or reps)[0].value)
    return Problem.of("set_target.no_such_rep", raw=shown(raw))


def shortcut(args: str, ctx: Ctx) -> Params:
    """`/target 2027-Q1 500万` (the team), `/target 王伟 2027-Q1 200万` (a rep)."""
    words = args.split(maxsplit=2)
    if words and period_from_label(words[0].upper()) is None:
        return {"_typed": dict(zip(("who", "period", "amount"), words, strict=False))}
    return {"who": TEAM, "_typed": dict(zip(("period", "amount"), args.split(maxsplit=1), strict=False))}


def finish(ctx: Ctx, values: JsonDict) -> list[Reply]:
    amount, currency = answers.money_of(values["amount"])
    rep = ctx.uow.users.get(values["who"]) if values.get("who") else None
    ctx.uow.targets.set(ctx.team.id, rep.id if rep else None, values["period"], amount, currency)
    return [Reply("set_target.done", ctx.lang, {"period": values["period"], "amount": amount, "currency": currency,
                                                "rep": rep.name if rep else ""})]


FLOW: Flow[Ctx] = Flow("set_target", finish=finish, form=True, shortcut=shortcut, fields=(
    Field("who", parse=who, options=_people, default=lambda ctx, values: TEAM),
    Field("period", parse=period, options=_periods),
    Field("amount", parse=target_amount),
))
