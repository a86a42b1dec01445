"""`/currency`: the team's reporting currency and the rates other currencies count at.

`/currency` shows both; `/currency USD 7.1` sets 1 USD = 7.1 of the reporting currency;
`/currency USD` makes USD the reporting currency, re-basing the rates and converting the
team's targets, which needs the rate of USD first (otherwise nothing could be converted)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from assistant.chat.context import Ctx
from assistant.events import Reply
from assistant.method.currency import CURRENCIES, currency_code, parse_rate, rates_of, rebase, with_rate
from assistant.method.model import DealStatus
from assistant.method.numbers import shown
from assistant.method.results import Problem


def currency_command(ctx: Ctx, args: str) -> list[Reply]:
    words = args.split()
    if not words:
        return [_view(ctx)]
    code = currency_code(words[0])
    if code is None or len(words) > 2:
        return [Reply("currency.unknown", ctx.lang, {"raw": shown(args), "known": ", ".join(CURRENCIES)})]
    if len(words) == 2:
        return [_set_rate(ctx, code, words[1])]
    return [_set_reporting(ctx, code)]


def _view(ctx: Ctx) -> Reply:
    rates = rates_of(ctx.team.settings)
    return Reply("currency.view", ctx.lang, {"reporting": ctx.team.currency,
                                             "rates": [{"code": c, "rate": r} for c, r in sorted(rates.items())]})


def _set_rate(ctx: Ctx, code: str, raw: str) -> Reply:
    if code == ctx.team.currency:
        return Reply("currency.rate_for_reporting", ctx.lang, {"code": code})
    rate = parse_rate(raw)
    if isinstance(rate, Problem):
        return Reply(rate.key, ctx.lang, dict(rate.params))
    ctx.uow.teams.set_settings(ctx.team.id, with_rate(ctx.team.settings, code, rate.value))
    count = sum(1 for d in ctx.uow.deals.find(ctx.team.id, status=DealStatus.OPEN) if d.currency == code)
    return Reply("currency.rate_set", ctx.lang, {"code": code, "rate": rate.value, "reporting": ctx.team.currency,
                                                 "count": count})


def _set_reporting(ctx: Ctx, code: str) -> Reply:
    old = ctx.team.currency
    if code == old:
        return Reply("currency.already", ctx.lang, {"reporting": old})
    rebased = rebase(rates_of(ctx.team.settings), old, code)
    if rebased is None:
        return Reply("currency.needs_rate", ctx.lang, {"new": code, "reporting": old})
    settings = dict(ctx.team.settings or {}) | {"rates": {c: str(r) for c, r in rebased.items()}}
    pivot = rates_of(ctx.team.settings)[code]
    targets = ctx.uow.targets.of_team(ctx.team.id)
    for period, amount in targets.items():
        converted = (amount / pivot).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        ctx.uow.targets.set(ctx.team.id, None, period, converted, code)
    ctx.uow.teams.set_settings(ctx.team.id, settings)
    ctx.uow.teams.set_currency(ctx.team.id, code)
    return Reply("currency.reporting_set", ctx.lang, {
        "reporting": code, "old": old, "targets": len(targets),
        "rates": [{"code": c, "rate": r} for c, r in sorted(rebased.items())]})
