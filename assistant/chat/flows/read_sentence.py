"""A free sentence, read as a proposed change and written only after Confirm.

`刚见完美的的李总，他们下个月招标` proposes a visit on 美的's deal today with its next step due
next month; `小米那单黄了，对方选了本地厂商` a loss (the lost report's other two answers are then
asked, the customer's reason is the sentence); `met Acme today, they want a quote by Friday` a
visit with a next step. The rep sees the reading with Confirm / Change / Cancel. A sentence
nothing could be read from is kept and offered as a visit note for a deal the rep picks.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from assistant.chat import edits
from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow, Option
from assistant.chat.flows.mark_lost import COMPETITOR_MAX
from assistant.chat.flows.stage_move import finish_move
from assistant.chat.views import deal_actions, deal_card
from assistant.events import Reply
from assistant.i18n import LANGS, catalog
from assistant.method.deals import advance, apply_visit, mark_lost, mark_won
from assistant.method.model import LOST_CATEGORIES, Deal, JsonDict, Params, Visit
from assistant.method.numbers import shown
from assistant.method.results import Problem
from assistant.method.sentences import ACTIONS, DealName, read_sentence

NOTE = "note"  # nothing understood: the sentence as a visit note on a deal the rep picks
CHANGE = "change"


def _phrases() -> dict[str, list[str]]:
    """The phrase table of both catalogs (`sentence.phrase.*`): reps mix languages."""
    table: dict[str, list[str]] = {action: [] for action in ACTIONS}
    for lang in LANGS:
        for action in ACTIONS:
            table[action] += [p for p in catalog(lang).get(f"sentence.phrase.{action}", "").split("|") if p.strip()]
    return table


def start_values(ctx: Ctx, text: str) -> JsonDict:
    deals = answers.own_open_deals(ctx)
    reading = read_sentence(text, ctx.today, [DealName(d.id, d.customer_name, d.title) for d in deals], _phrases())
    values: JsonDict = {"text": text, "action": reading.action or NOTE, "candidates": list(reading.deals),
                        "when": reading.when.isoformat() if reading.when else None, "clause": reading.clause}
    if reading.amount:
        money = answers.amount(reading.amount, ctx, values)
        if not isinstance(money, Problem) and not isinstance(answers.counted_in_funnel(
                ctx, *answers.money_of(money.value)), Problem):
            values["amount"] = money.value
    if len(reading.deals) == 1:
        values["deal"] = reading.deals[0]
    if reading.action == "lost":
        values["lost_reason_customer"] = text  # "对方选了本地厂商": the customer's side, as the rep wrote it
    return values


def _deal_options(ctx: Ctx, values: JsonDict) -> list[Option]:
    wanted = set(values.get("candidates") or ())
    deals = [d for d in answers.own_open_deals(ctx) if not wanted or d.id in wanted]
    return [answers.deal_option(d) for d in deals[:answers.DEAL_BUTTONS]]


def _deal_prompt(ctx: Ctx, values: JsonDict) -> Params:
    return {"action": values["action"], "text": shown(values["text"]), "several": bool(values.get("candidates"))}


def _confirm_options(ctx: Ctx, values: JsonDict) -> list[Option]:
    return [Option(True, "common.confirm"), Option(CHANGE, "sentence.change"), Option(False, "common.cancel_button")]


def _visit_dates(ctx: Ctx, values: JsonDict) -> tuple[date, date | None]:
    """A date today or earlier is when the visit was; a later one is when its next step is due."""
    when = date.fromisoformat(values["when"]) if values.get("when") else None
    if when is not None and when > ctx.today:
        return ctx.today, when
    return when or ctx.today, None


def _proposal(ctx: Ctx, values: JsonDict) -> Params:
    deal = answers.load_own_deal(ctx, values["deal"])
    visited, due = _visit_dates(ctx, values)
    amount = values.get("amount")
    return {"action": values["action"], "id": values["deal"], "text": shown(values["text"]),
            "customer": deal.customer_name if isinstance(deal, Deal) else "",
            "title": deal.title if isinstance(deal, Deal) else "",
            "visited": visited, "due": due, "step": shown(values.get("clause") or values["text"]),
            "amount": Decimal(amount["amount"]) if amount else None, "currency": amount["currency"] if amount else "",
            "old_amount": deal.amount if isinstance(deal, Deal) else 0,
            "old_currency": deal.currency if isinstance(deal, Deal) else ""}


def _confirmed(action: str) -> Any:
    return lambda ctx, values: values.get("confirm") is True and values["action"] == action


def _advance_target(ctx: Ctx, values: JsonDict) -> str | None:
    deal = ctx.uow.deals.get(values["deal"])
    following = ctx.team.funnel.next_stage(deal.stage_key) if deal else None
    return following.key if following else None


def _with_amount(deal: Deal, values: JsonDict) -> Deal:
    amount = values.get("amount")
    return replace(deal, amount=Decimal(amount["amount"]), currency=amount["currency"]) if amount else deal


def _write_visit(ctx: Ctx, deal: Deal, values: JsonDict) -> list[Reply]:
    visited, due = _visit_dates(ctx, values)
    steps = (values.get("clause") or values["text"],) if due else ()
    visit = Visit(deal_id=deal.id, kind="follow_up", visited_on=visited, objective="", result=values["text"],
                  next_steps=steps, next_due=due, by_user_id=ctx.user.id)
    visit_id = ctx.uow.deals.add_visit(visit, ctx.now)
    updated = _with_amount(apply_visit(deal, visit, ctx.now), values)
    ctx.uow.deals.save(updated)
    edits.record(ctx, "visit", deal, updated, visit_id=visit_id)
    return [deal_card(ctx, updated, "log_visit.saved")]


def _write_next_step(ctx: Ctx, deal: Deal, values: JsonDict) -> list[Reply]:
    _, due = _visit_dates(ctx, values)
    updated = _with_amount(replace(deal, next_step=values.get("clause") or values["text"], next_due=due,
                                   last_activity_at=ctx.now), values)
    ctx.uow.deals.save(updated)
    edits.record(ctx, "next_step", deal, updated)
    return [deal_card(ctx, updated, "next_step.saved")]


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    confirm = values.get("confirm")
    deal = answers.load_own_deal(ctx, values["deal"])
    if isinstance(deal, Problem):
        return deal
    if confirm == CHANGE:
        return [Reply("sentence.changing", ctx.lang, {"text": shown(values["text"])}, deal_actions(ctx, deal))]
    if confirm is not True:
        return [Reply("sentence.dropped", ctx.lang)]
    action = values["action"]
    if action == "won":
        return finish_move(ctx, deal.id, lambda d: mark_won(d, ctx.user, ctx.now), "mark_won.done")
    if action == "lost":
        return finish_move(ctx, deal.id, lambda d: mark_lost(d, values, ctx.user, ctx.now), "mark_lost.done")
    if action == "advance":
        checklist = values.get("checklist") or {"ticked": [], "unticked": []}
        return finish_move(ctx, deal.id, lambda d: advance(d, ctx.team.funnel, ctx.user, ctx.now, checklist),
                           lambda change: "advance_deal.done" if change.checklist_complete
                           else "advance_deal.done_anyway")
    if action == "next_step":
        return _write_next_step(ctx, deal, values)
    return _write_visit(ctx, deal, values)


FLOW: Flow[Ctx] = Flow("read_sentence", finish=finish, fields=(
    Field("deal", parse=answers.deal, options=_deal_options, prompt=_deal_prompt),
    Field("confirm", options=_confirm_options, prompt=_proposal),
    Field("lost_reason_ours", parse=answers.text(answers.NOTE_MAX), when=_confirmed("lost"),
          key="mark_lost.lost_reason_ours.ask"),
    Field("lost_reason_customer", parse=answers.text(answers.NOTE_MAX), when=_confirmed("lost"),
          key="mark_lost.lost_reason_customer.ask"),
    Field("lost_prevention", parse=answers.text(answers.NOTE_MAX), when=_confirmed("lost"),
          key="mark_lost.lost_prevention.ask"),
    Field("lost_category", options=lambda ctx, values: [Option(c, f"lost_category.{c}") for c in LOST_CATEGORIES],
          when=_confirmed("lost"), key="mark_lost.lost_category.ask"),
    Field("lost_competitor", parse=answers.text(COMPETITOR_MAX), key="mark_lost.lost_competitor.ask",
          when=lambda ctx, values: _confirmed("lost")(ctx, values) and values.get("lost_category") == "competitor"),
    Field("checklist", multi=True, checklist=True, options=answers.checklist_options(_advance_target),
          when=lambda ctx, values: _confirmed("advance")(ctx, values) and answers.has_checklist(_advance_target)(
              ctx, values), key="advance_deal.checklist.ask",
          prompt=lambda ctx, values: {"stage": _stage_name(ctx, values)}),
))


def _stage_name(ctx: Ctx, values: JsonDict) -> str:
    key = _advance_target(ctx, values)
    stage = ctx.team.funnel.stage(key) if key else None
    return stage.name(ctx.lang) if stage else ""
