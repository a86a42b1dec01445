"""Next week's plan, drafted from the funnel in the method's priority order (003)."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from assistant.method.model import Deal, DealStatus, Params
from assistant.method.stages import Funnel

PLAN_SIZE = 12


def draft_plan(funnel: Funnel, deals: list[Deal], backed_off: set[int], now: datetime, lang: str) -> list[Params]:
    """Next week's plan in 003's priority order: new leads, first meetings, then moving deals up
    the ladder closest to closing first, then backed-off contacts. Each item names its deal."""
    week_ago = now - timedelta(days=7)
    items: list[tuple[int, Decimal, Params]] = []
    for deal in deals:
        stage = funnel.stage(deal.stage_key)
        if deal.status != DealStatus.OPEN or stage is None:
            continue
        index = funnel.index(deal.stage_key)
        if deal.id in backed_off:
            rank, kind = 7, "revive"
        elif index == 0 and deal.created_at and deal.created_at >= week_ago:
            rank, kind = 1, "new_lead"
        elif index == 0:
            rank, kind = 2, "first_meeting"
        else:
            rank, kind = 3 + (len(funnel.stages) - 1 - index), "advance"
        items.append((rank, -deal.amount, {"kind": kind, "id": deal.id, "customer": deal.customer_name,
                                           "title": deal.title, "stage": stage.name(lang),
                                           "next_step": deal.next_step or ""}))
    return [item for _, _, item in sorted(items, key=lambda entry: (entry[0], entry[1]))][:PLAN_SIZE]
