"""`/undo`: reverse my last change to a deal within ten minutes, named and confirmed first.

The change is recorded as undone (its record stays); the visit or stage change it added is
removed, so the funnel's history and conversion read as if the slip never happened, and a
deal created by mistake goes altogether."""
from __future__ import annotations

from assistant.chat.context import Ctx
from assistant.chat.flows.definition import Field, Flow, Option
from assistant.chat.views import deal_card
from assistant.events import Reply
from assistant.method.deal_edits import restore, undo_problem
from assistant.method.model import DealEdit, JsonDict, Params
from assistant.method.numbers import shown
from assistant.method.results import Problem


def start_values(ctx: Ctx) -> JsonDict | Problem:
    """The change `/undo` would reverse, or why there is none."""
    edit = ctx.uow.deal_edits.last_of(ctx.user.id)
    if edit is None:
        return Problem.of("undo.nothing")
    problem = undo_problem(edit, ctx.uow.deals.get(edit.deal_id), ctx.now)
    if problem is not None:
        return problem
    return {"edit": edit.id}


def _named(ctx: Ctx, values: JsonDict) -> Params:
    edit = ctx.uow.deal_edits.get(values["edit"])
    if edit is None:
        return {"kind": "", "id": 0, "customer": "", "title": "", "minutes": 0, "from": "", "to": ""}
    fields = edit.after
    names = {s.key: s.name(ctx.lang) for s in ctx.team.funnel.stages}
    before = edit.before or {}
    return {"kind": edit.kind, "id": edit.deal_id, "customer": shown(fields["customer_name"]),
            "title": shown(fields["title"]), "minutes": max(1, int((ctx.now - edit.at).total_seconds() // 60)),
            "from": names.get(before.get("stage_key") or "", ""), "to": names.get(fields["stage_key"], "")}


def _undo(ctx: Ctx, edit: DealEdit) -> list[Reply]:
    current = ctx.uow.deals.get(edit.deal_id)
    if current is None or not ctx.uow.deal_edits.mark_undone(edit.id, ctx.now):
        return [Reply("undo.already", ctx.lang)]
    if edit.visit_id is not None:
        ctx.uow.deals.remove_visit(edit.visit_id)
    if edit.stage_change_id is not None:
        ctx.uow.deals.remove_change(edit.stage_change_id)
    if edit.before is None:
        ctx.uow.deals.remove(edit.deal_id)
        return [Reply("undo.removed", ctx.lang, {"id": edit.deal_id, "customer": current.customer_name,
                                                 "title": current.title})]
    restored = restore(current, edit.before)
    ctx.uow.deals.save(restored)
    return [deal_card(ctx, restored, "undo.done")]


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    if values.get("confirm") is not True:
        return [Reply("common.cancelled", ctx.lang)]
    edit = ctx.uow.deal_edits.get(values["edit"])
    if edit is None or edit.user_id != ctx.user.id:
        return Problem.of("undo.nothing")
    problem = undo_problem(edit, ctx.uow.deals.get(edit.deal_id), ctx.now)
    return problem if problem is not None else _undo(ctx, edit)


FLOW: Flow[Ctx] = Flow("undo_change", finish=finish, fields=(
    Field("confirm", options=lambda ctx, values: [Option(True, "undo.confirm_button"),
                                                  Option(False, "common.cancel_button")], prompt=_named),
))
