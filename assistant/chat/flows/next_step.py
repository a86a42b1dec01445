"""Set a deal's next step and its due date: from /next or the card's button, after an agenda
item is done or gets a new date, and asked after every update that leaves the deal without a
next step ahead (a visit, an advance, a back-off, a win), with the stage's typical actions as
one-tap suggestions and a skip that leaves the deal as it was."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from assistant.chat import edits
from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow, Option
from assistant.chat.views import deal_card
from assistant.events import Reply
from assistant.i18n import render
from assistant.method.model import DealStatus, JsonDict
from assistant.method.results import Problem

AFTER = "_after"  # the flow was started by an update: a skip changes nothing
AFTER_SALE = ("kickoff", "satisfaction", "referral")  # after a win (domain §7: revisits bring referrals)
SUGGESTIONS = 3
_ACTION_SPLIT = re.compile(r"[；;]")


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    deal = answers.load_own_deal(ctx, values["deal"])
    if isinstance(deal, Problem):
        return deal
    if values.get(AFTER) and not values.get("next_step"):
        return [Reply("next_step.skipped", ctx.lang, {"title": deal.title, "customer": deal.customer_name})]
    due = date.fromisoformat(values["next_due"]) if values.get("next_due") else None
    updated = replace(deal, next_step=values.get("next_step"), next_due=due, last_activity_at=ctx.now)
    ctx.uow.deals.save(updated)
    edits.record(ctx, "next_step", deal, updated)
    return [deal_card(ctx, updated, "next_step.saved")]


def ask_after_update(ctx: Ctx, values: JsonDict, default: str | None = None) -> tuple[Flow[Ctx], JsonDict] | None:
    """The next step is asked when the updated deal has none ahead of today (Pipedrive asks for
    the next activity when one is done); a lost deal needs none. `default`: a text to offer
    first (a one-line visit's own words)."""
    deal = ctx.uow.deals.get(int(values["deal"])) if values.get("deal") else None
    if deal is None or deal.status == DealStatus.LOST:
        return None
    if deal.next_step and deal.next_due is not None and deal.next_due > ctx.today:
        return None
    start: JsonDict = {"deal": deal.id, AFTER: True}
    if default:
        start["_default"] = default
    return FLOW, start


def suggestions(ctx: Ctx, values: JsonDict) -> list[Option]:
    """One-tap next steps: the text the rep just wrote, then the typical actions of the deal's
    stage (domain §1), or after a win the after-sale ones."""
    if not values.get(AFTER):
        return []
    deal = ctx.uow.deals.get(int(values["deal"]))
    if deal is None:
        return []
    if deal.status == DealStatus.WON:
        texts = [render(ctx.lang, f"next_step.after_sale.{key}") for key in AFTER_SALE]
    else:
        stage = ctx.team.funnel.stage(deal.stage_key)
        texts = [part.strip() for part in _ACTION_SPLIT.split(stage.actions(ctx.lang) if stage else "") if part.strip()]
    default = values.get("_default")
    offered = ([default] if default else []) + [text for text in texts if text != default]
    return [Option(text, "next_step.suggestion", {"text": text}) for text in offered[:SUGGESTIONS]]


def _prompt(ctx: Ctx, values: JsonDict) -> dict[str, Any]:
    deal = ctx.uow.deals.get(int(values["deal"])) if values.get("deal") else None
    return {"after": bool(values.get(AFTER)) and deal is not None,
            "customer": deal.customer_name if deal else "", "title": deal.title if deal else "",
            "won": deal is not None and deal.status == DealStatus.WON, "due": values.get("next_due") or ""}


FLOW: Flow[Ctx] = Flow("next_step", finish=finish, fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    Field("next_step", parse=answers.text(answers.NOTE_MAX), optional=True, options=suggestions, prompt=_prompt),
    Field("next_due", parse=answers.future_date, optional=True, when=lambda ctx, values: bool(values.get("next_step"))),
))
