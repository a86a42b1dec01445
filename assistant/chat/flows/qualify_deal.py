"""Re-assess a deal's MAN flags and urgency (the 3S/2S/1S/A/B class), as the method asks
reps to do periodically. The moment of the assessment is recorded (`Deal.assessed_at`), so a
deal assessed with no need and no money shows as class B, the one the method says to drop,
and not as "not assessed"."""
from __future__ import annotations

from dataclasses import replace

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
    ticked = values["man"]["ticked"]
    updated = replace(deal, last_activity_at=ctx.now, assessed_at=ctx.now, need="need" in ticked,
                      money="money" in ticked, authority="authority" in ticked, urgent="urgent" in ticked)
    ctx.uow.deals.save(updated)
    edits.record(ctx, "qualify", deal, updated)
    return [deal_card(ctx, updated, "qualify_deal.done")]


FLOW: Flow[Ctx] = Flow("qualify_deal", finish=finish, fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    Field("man", multi=True, options=answers.man_options, ticked=lambda ctx, values: [
        flag for flag in answers.MAN_FLAGS if getattr(ctx.uow.deals.get(values["deal"]), flag)]),
))
