"""Set a deal's next step and its due date (after a reminder: done, or a new date)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from assistant.chat import edits
from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow
from assistant.chat.views import deal_card
from assistant.events import Reply
from assistant.method.model import JsonDict
from assistant.method.results import Problem


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    deal = answers.load_own_deal(ctx, values["deal"])
    if isinstance(deal, Problem):
        return deal
    due = date.fromisoformat(values["next_due"]) if values.get("next_due") else None
    updated = replace(deal, next_step=values.get("next_step"), next_due=due, last_activity_at=ctx.now)
    ctx.uow.deals.save(updated)
    edits.record(ctx, "next_step", deal, updated)
    return [deal_card(ctx, updated, "next_step.saved")]


FLOW: Flow[Ctx] = Flow("next_step", finish=finish, fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    Field("next_step", parse=answers.text(answers.NOTE_MAX), optional=True),
    Field("next_due", parse=answers.future_date, optional=True, when=lambda ctx, values: bool(values.get("next_step"))),
))
