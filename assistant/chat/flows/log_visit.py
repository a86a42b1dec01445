"""Log a visit (客户访谈报告), guided or in one line: `/visit 华为 明天 提交方案`."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from assistant.chat import edits
from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow, Option
from assistant.chat.flows.next_step import AFTER, ask_after_update
from assistant.chat.flows.next_step import FLOW as NEXT_STEP
from assistant.chat.views import deal_card
from assistant.events import DATE, Reply
from assistant.method.dates import parse_date
from assistant.method.day_phrases import date_inside
from assistant.method.deals import apply_visit
from assistant.method.model import VISIT_KINDS, JsonDict, Params, Visit
from assistant.method.one_line import read_visit_line
from assistant.method.results import Ok, Problem

# "1. 提交方案 2. 安排测试", "提交方案；安排测试" or one per line: a numbered list either way.
_STEP_SPLIT = re.compile(r"(?:^|[\s;；,，。])\s*\d+\s*[.、)）]\s*|[;；\n]+")


def split_steps(raw: str) -> list[str]:
    return [part.strip(" ,，。") for part in _STEP_SPLIT.split(raw) if part.strip(" ,，。")]


def next_steps(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    checked = answers.text(answers.NOTE_MAX)(raw, ctx, values)
    return checked if isinstance(checked, Problem) else Ok(split_steps(checked.value))


def shortcut(args: str, ctx: Ctx) -> Params:
    """Customer first (a known name of several words too); then what happened, which is the
    visit's result. A date of today or earlier is when the visit happened; a later one, apart or
    inside the text ("客户同意下周二看方案"), is when the next step is due, and the next step is
    asked after the visit is saved, with the text offered as its wording."""
    line = read_visit_line(args, ctx.today, [d.customer_name for d in answers.own_open_deals(ctx)])
    typed: dict[str, str] = {"deal": line.customer}
    read = parse_date(line.when, ctx.today) if line.when else None
    values: Params = {}
    if line.when and isinstance(read, Ok) and read.value > ctx.today:
        values["_next_due"] = read.value.isoformat()
    elif line.when:  # today or earlier; unreadable with its neighbours: asked again, never part of the text
        typed["visited_on"] = line.when
    if line.rest:
        typed["result"] = line.rest
        inside = date_inside(line.rest, ctx.today)
        if "_next_due" not in values and inside is not None:
            values["_next_due"] = inside.isoformat()
    return values | {"_typed": typed, "_quick": len(typed) > 1 or bool(values), "_line": True}


def then(ctx: Ctx, values: JsonDict) -> tuple[Flow[Ctx], JsonDict] | None:
    """After a one-line visit the next step is asked, its date already read from the line and
    the line's text offered as its wording; after a guided one, only when the deal has no step
    ahead."""
    if not values.get("_line") or not (values.get("result") or values.get("_next_due")):
        return ask_after_update(ctx, values)
    start: JsonDict = {"deal": values["deal"], AFTER: True}
    if values.get("result"):
        start["_default"] = values["result"]
    if values.get("_next_due"):
        start["next_due"] = values["_next_due"]
    return NEXT_STEP, start


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    deal = answers.load_own_deal(ctx, values["deal"])
    if isinstance(deal, Problem):
        return deal
    visit = Visit(
        deal_id=deal.id, kind=values["kind"], visited_on=date.fromisoformat(values["visited_on"]),
        objective=values.get("objective") or "", result=values.get("result") or "",
        customer_participants=values.get("customer_participants") or "",
        our_participants=values.get("our_participants") or "", next_steps=tuple(values.get("next_steps") or ()),
        issues_customer=values.get("issues_customer") or "", issues_ours=values.get("issues_ours") or "",
        next_due=date.fromisoformat(values["next_due"]) if values.get("next_due") else None, by_user_id=ctx.user.id)
    visit_id = ctx.uow.deals.add_visit(visit, ctx.now)
    updated = apply_visit(deal, visit, ctx.now)
    ctx.uow.deals.save(updated)
    edits.record(ctx, "visit", deal, updated, visit_id=visit_id)
    return [deal_card(ctx, updated, "log_visit.saved")]


def _optional_text(name: str) -> Field[Ctx]:
    return Field(name, parse=answers.text(answers.NOTE_MAX), optional=True)


FLOW: Flow[Ctx] = Flow("log_visit", shortcut=shortcut, quick=True, read_ahead=True, finish=finish, form=True, then=then,
                       fields=(
    Field("deal", parse=answers.deal, options=answers.deal_options),
    Field("visited_on", kind=DATE, parse=answers.any_date, default=lambda ctx, values: ctx.today.isoformat()),
    Field("kind", default=lambda ctx, values: "follow_up",
          options=lambda ctx, values: [Option(k, f"visit_kind.{k}") for k in VISIT_KINDS]),
    _optional_text("objective"),
    _optional_text("customer_participants"),
    _optional_text("our_participants"),
    Field("result", parse=answers.text(answers.NOTE_MAX), default=lambda ctx, values: ""),
    Field("next_steps", parse=next_steps, optional=True),
    Field("next_due", parse=answers.future_date, when=lambda ctx, values: bool(values.get("next_steps")),
          optional=True),
    _optional_text("issues_customer"),
    _optional_text("issues_ours"),
))
