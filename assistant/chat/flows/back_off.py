"""Move a deal back (后退): no action or commitment from the customer."""
from __future__ import annotations

from typing import Any

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow, Option
from assistant.chat.flows.next_step import ask_after_update
from assistant.chat.flows.stage_move import finish_move
from assistant.events import Reply
from assistant.i18n import render
from assistant.method.deals import back_off
from assistant.method.model import JsonDict
from assistant.method.numbers import shown
from assistant.method.results import Ok, Problem

# Domain §1 (seed 003): do not wait to hear "no"; these are the signals to move back on.
BACK_OFF_SIGNALS = ("no_reply", "call_later", "postponed", "no_budget", "no_commitment")


def _earlier_stages(ctx: Ctx, values: JsonDict) -> list[Option]:
    deal = ctx.uow.deals.get(values["deal"])
    funnel = ctx.team.funnel
    if deal is None or funnel.stage(deal.stage_key) is None:
        return []
    earlier = funnel.stages[:funnel.index(deal.stage_key)]
    return [Option(s.key, "stage.option", {"name": s.name(ctx.lang), "probability": str(s.probability)})
            for s in reversed(earlier)]


def _stage(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    found = ctx.team.funnel.find(raw, ctx.lang)
    return Problem.of("stage.unknown", name=shown(raw)) if found is None else Ok(found.key)


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    return finish_move(ctx, values["deal"], lambda deal: back_off(
        deal, ctx.team.funnel, values["to_stage"], ctx.user, ctx.now, values.get("reason") or ""), "back_off.done")


FLOW: Flow[Ctx] = Flow("back_off", then=ask_after_update, finish=finish, fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    Field("to_stage", parse=_stage, options=_earlier_stages),
    Field("reason", parse=answers.text(answers.NOTE_MAX), optional=True, options=lambda ctx, values: [
        Option(render(ctx.lang, f"back_off.signal.{s}"), f"back_off.signal.{s}") for s in BACK_OFF_SIGNALS]),
))
