"""Every change a person makes to a deal is recorded with the deal before and after it, so
`/undo` can reverse the last one; this is the one place that writes those records."""
from __future__ import annotations

from assistant.chat.context import Ctx
from assistant.method.deal_edits import snapshot
from assistant.method.model import Deal, DealEdit


def record(ctx: Ctx, kind: str, before: Deal | None, after: Deal, visit_id: int | None = None,
           change_id: int | None = None) -> None:
    ctx.uow.deal_edits.add(DealEdit(after.id, ctx.user.id, kind, ctx.now, snapshot(before) if before else None,
                                    snapshot(after), visit_id, change_id))
