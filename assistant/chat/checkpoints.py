"""Check points ticked on a deal's card: a deal created at the first stage was not asked its
stage's points (creating it there is no breach), so the card offers them as ticks."""
from __future__ import annotations

from dataclasses import replace

from assistant.chat.context import Ctx
from assistant.chat.flows.answers import load_own_deal
from assistant.chat.routes import DealTick
from assistant.chat.views import deal_card
from assistant.events import Reply
from assistant.method.deals import tick
from assistant.method.results import Problem


def tick_on_card(ctx: Ctx, pressed: DealTick) -> list[Reply]:
    """Toggle one point and show the card again in place; a closed deal, another's deal or a
    point no longer in the stage changes nothing."""
    deal = load_own_deal(ctx, pressed.deal_id)
    if isinstance(deal, Problem):
        return [Reply(deal.key, ctx.lang, dict(deal.params))]
    stage = ctx.team.funnel.stage(deal.stage_key)
    points = stage.checklist if stage else ()
    if not 0 < pressed.point <= len(points):
        return [Reply("common.stale_button", ctx.lang)]
    ticked = tick(deal, ctx.team.funnel, points[pressed.point - 1].key)
    if isinstance(ticked, Problem):
        return [Reply(ticked.key, ctx.lang, dict(ticked.params))]
    ctx.uow.deals.save(ticked)
    return [replace(deal_card(ctx, ticked, "deal.ticked", ticks=True), replace=True)]
