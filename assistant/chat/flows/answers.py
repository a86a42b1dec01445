"""Field parsers and option lists shared by the flows (one place for each kind of answer)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from assistant.chat.context import Ctx, Visitor
from assistant.chat.flows.definition import Ask, Option
from assistant.chat.limits import date_spans
from assistant.i18n import render
from assistant.method.amounts import Money, looks_too_small, parse_amount
from assistant.method.currency import convert, rates_of
from assistant.method.customer_names import NameMatch, match_names, normalise_name
from assistant.method.dates import parse_date, warn_if_past
from assistant.method.deals import can_edit
from assistant.method.model import Customer, Deal, DealStatus, JsonDict
from assistant.method.numbers import parse_id, shown
from assistant.method.results import Ok, Problem

TITLE_MAX, NOTE_MAX, NAME_MAX = 200, 1000, 100
DEAL_BUTTONS = 8


def text(max_len: int = NOTE_MAX) -> Callable[[str, Visitor, JsonDict], Ok[str] | Problem]:
    """Free text: not empty, not longer than `max_len`; stored as typed (escaped on display)."""
    def parse(raw: str, ctx: Visitor, values: JsonDict) -> Ok[str] | Problem:
        value = raw.strip()
        if not value:
            return Problem.of("text.empty")
        if len(value) > max_len:
            return Problem.of("text.too_long", limit=max_len, length=len(value))
        return Ok(value)
    return parse


def amount(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    """An amount; one that names no currency is in the team's reporting currency."""
    result = parse_amount(raw, ctx.team.currency)
    if isinstance(result, Problem):
        return result
    return Ok({"amount": str(result.value.amount), "currency": result.value.currency})


# What a forgotten magnitude most likely was: 万 in yuan, k in the other currencies.
_LOST_MAGNITUDE = {"CNY": Decimal(10_000)}


def deal_amount(raw: str, ctx: Ctx, values: JsonDict) -> Ok[JsonDict] | Problem | Ask:
    """A deal's amount; one under about ¥1,000 is confirmed ("120": ¥120 or ¥120万?). One in
    another currency than the team's counts at the manager's rate (the rep is shown both) or,
    without a rate, is asked again in the team's currency: no deal leaves the funnel."""
    result = amount(raw, ctx, values)
    if isinstance(result, Problem):
        return result
    value, currency = money_of(result.value)
    counted = counted_in_funnel(ctx, value, currency)
    if isinstance(counted, Problem):
        return counted
    if not looks_too_small(Money(value, currency)):
        return Ok(result.value, counted.warning)
    scaled = value * _LOST_MAGNITUDE.get(currency, Decimal(1000))
    options = tuple(Option({"amount": str(v), "currency": currency}, "new_deal.amount.confirm_as",
                           {"amount": str(v), "currency": currency}) for v in (value, scaled))
    return Ask("new_deal.amount.small", options, {"amount": str(value), "currency": currency})


def counted_in_funnel(ctx: Ctx, value: Decimal, currency: str) -> Ok[None] | Problem:
    """Whether an amount in `currency` can count in the team's totals: as it is, converted at
    the manager's rate (the warning shows both amounts), or not at all (a problem)."""
    if currency == ctx.team.currency:
        return Ok(None)
    rates = rates_of(ctx.team.settings)
    converted = convert(value, currency, ctx.team.currency, rates)
    if converted is None:
        return Problem.of("currency.no_rate", currency=currency, reporting=ctx.team.currency,
                          manager=ctx.user.is_manager)
    return Ok(None, Problem.of("currency.converted", amount=value, currency=currency, converted=converted,
                               reporting=ctx.team.currency, rate=rates[currency]))


def future_date(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem | Ask:
    """A due or close date. A past one is asked back: keep it, or type another."""
    result = parse_date(raw, ctx.today)
    if isinstance(result, Problem):
        return result
    warning = warn_if_past(result.value, ctx.today)
    if warning is None:
        return Ok(result.value.isoformat(), result.warning)
    iso = result.value.isoformat()
    return Ask(warning.key, (Option(iso, "date.keep_past", {"date": iso}),), dict(warning.params))


PAST_YEARS = 5  # a visit dated earlier is a typo (1900), not a record


def any_date(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    result = parse_date(raw, ctx.today)
    if isinstance(result, Problem):
        return result
    earliest = ctx.today.replace(year=ctx.today.year - PAST_YEARS, day=min(ctx.today.day, 28))
    if result.value < earliest:
        return Problem.of("date.too_old", raw=shown(raw), limit=earliest)
    return Ok(result.value.isoformat(), result.warning)


def take_date(words: list[str], today: date) -> tuple[str | None, list[str]]:
    """Find the words of a one-liner that read as a date ("end of next month" is four
    words, "下月底" one): the longest span wins, the other words are returned."""
    for start, length in date_spans(words):  # bounded: assistant.chat.limits
        span = " ".join(words[start:start + length])
        if not isinstance(parse_date(span, today), Problem):
            return span, words[:start] + words[start + length:]
    return None, words


def money_of(value: JsonDict) -> tuple[Decimal, str]:
    return Decimal(value["amount"]), value["currency"]


def customer(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem | Ask:
    """The team's customer this name means; a close match is asked back, never guessed."""
    checked = text(NAME_MAX)(raw, ctx, values)
    if isinstance(checked, Problem):
        return checked
    name = checked.value
    matches = customer_matches(ctx, name)
    same = [m for m in matches if m.verdict == "same"]
    if same:
        return Ok({"id": same[0].id, "name": same[0].name})
    if matches:
        options = [Option({"id": m.id, "name": m.name}, "customer.use_existing", {"name": m.name}) for m in matches]
        options.append(Option({"new": name}, "customer.create_new", {"name": name}))
        return Ask("customer.did_you_mean", tuple(options), {"name": name})
    return Ok({"new": name}, Problem.of("customer.will_create", name=name))


def customer_matches(ctx: Ctx, name: str, search: bool = False, limit: int = 5) -> list[NameMatch]:
    """The team's customers whose names are the same as or close to `name`, best first: the
    one comparison of a typed name with the customers (new deals, /customer, /contact, /find)."""
    return match_names(name, [(c.id, c.name) for c in ctx.uow.customers.of_team(ctx.team.id)], limit, search)


def matching_customers(ctx: Ctx, query: str) -> list[Customer]:
    """The team's customers a search finds: a close name, or the text inside the name."""
    customers = ctx.uow.customers.of_team(ctx.team.id)
    wanted = query.casefold()
    close = {m.id for m in customer_matches(ctx, query, limit=len(customers) or 1)}
    return [c for c in customers if c.id in close or wanted in c.name.casefold()]


def resolve_customer(ctx: Ctx, value: JsonDict) -> int:
    """The id of the chosen customer, creating the new one now (at the flow's end)."""
    if "id" in value:
        return int(value["id"])
    name = value["new"]
    existing = {c.id: c for c in ctx.uow.customers.of_team(ctx.team.id)}
    key = normalise_name(name)
    for found in existing.values():
        if normalise_name(found.name) == key:
            return found.id
    return ctx.uow.customers.add(ctx.team.id, ctx.user.id, name, key, ctx.now).id


def own_open_deals(ctx: Ctx) -> list[Deal]:
    deals = ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.OPEN)
    return sorted(deals, key=lambda d: d.last_activity_at or d.created_at or datetime.min.replace(tzinfo=UTC),
                  reverse=True)


def deal_options(ctx: Ctx, values: JsonDict) -> list[Option]:
    return [deal_option(d) for d in own_open_deals(ctx)[:DEAL_BUTTONS]]


def deal_option(deal: Deal) -> Option:
    return Option(deal.id, "deal.option", {"id": deal.id, "customer": deal.customer_name, "title": deal.title})


def deal(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem | Ask:
    """One of the rep's open deals, by number ("12" or "#12") or by customer, department or
    title. Another rep's deal number answers exactly like a number that does not exist."""
    query = raw.strip().lstrip("#＃")
    deals = own_open_deals(ctx)
    deal_id = parse_id(query)
    if deal_id is not None:
        found = [d for d in deals if d.id == deal_id]
        if found:
            return Ok(found[0].id)
        closed = ctx.uow.deals.get(deal_id)
        if closed is not None and closed.team_id == ctx.team.id and can_edit(ctx.user, closed):
            return Problem.of("deal.closed_one", id=closed.id, title=closed.title, status=str(closed.status))
        return Problem.of("deal.not_found", ref=shown(raw))
    if not query:
        return Problem.of("text.empty")
    hits = matching_deals(query, deals)
    if len(hits) == 1 and _surely(query, hits[0]):
        return Ok(hits[0].id)
    if len(hits) == 1:
        return Ask("deal.maybe", (deal_option(hits[0]),), {"query": shown(query)})
    if not hits:
        return Problem.of("deal.no_match", query=shown(query))
    return Ask("deal.which", tuple(deal_option(d) for d in hits[:DEAL_BUTTONS]), {"query": shown(query)})


def matching_deals(query: str, deals: Sequence[Deal]) -> list[Deal]:
    """The deals a typed name points at: a customer name close to it (华为 / 华为技术有限公司),
    or the text inside the customer's name (its department: 采购部) or the deal's title."""
    wanted = query.strip().casefold()
    if not wanted:
        return []
    close = {m.id for m in match_names(query, [(d.id, d.customer_name) for d in deals], limit=len(deals) or 1)}
    return [d for d in deals
            if d.id in close or wanted in d.customer_name.casefold() or wanted in d.title.casefold()]


def _surely(query: str, deal: Deal) -> bool:
    """One deal found by the same name or by text inside its name or title is taken; one found
    only through a name that may mean it (an abbreviation such as BYD or 建行) is asked back."""
    wanted = query.strip().casefold()
    if wanted in deal.customer_name.casefold() or wanted in deal.title.casefold():
        return True
    return any(m.verdict == "same" for m in match_names(query, [(deal.id, deal.customer_name)]))


def load_own_deal(ctx: Ctx, deal_id: int) -> Deal | Problem:
    """The deal if this user may change it; otherwise the same answer as a missing deal."""
    found = ctx.uow.deals.get(int(deal_id))
    if found is None or found.team_id != ctx.team.id or not can_edit(ctx.user, found):
        return Problem.of("deal.not_found", ref=str(deal_id))
    return found


MAN_FLAGS = ("need", "money", "authority", "urgent")


def man_options(ctx: Ctx, values: JsonDict) -> list[Option]:
    """Need, money, authority and urgency as toggles: they give the 3S/2S/1S/A/B class."""
    return [Option(flag, f"man.{flag}", {"label": render(ctx.lang, f"man.{flag}")}) for flag in MAN_FLAGS]


def checklist_options(stage_key_of: Callable[[Ctx, JsonDict], str | None]) -> Callable[[Ctx, JsonDict], list[Option]]:
    """The entry check points of the stage a deal is about to enter, as toggles."""
    def options(ctx: Ctx, values: JsonDict) -> list[Option]:
        stage = ctx.team.funnel.stage(stage_key_of(ctx, values) or "")
        if stage is None:
            return []
        return [Option(p.key, "checklist.item", {"label": p.label(ctx.lang)}) for p in stage.checklist]
    return options


def has_checklist(stage_key_of: Callable[[Ctx, JsonDict], str | None]) -> Callable[[Ctx, JsonDict], bool]:
    def when(ctx: Ctx, values: JsonDict) -> bool:
        stage = ctx.team.funnel.stage(stage_key_of(ctx, values) or "")
        return bool(stage and stage.checklist)
    return when
