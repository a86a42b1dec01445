"""The rep's weekly self-check, deal by deal: still alive and in the right stage? next step?
A back-off signal moves the deal back one stage; a typed answer is the new next step ("提交方案
下周三"). It ends with next week's plan, drafted in the method's priority order."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.back_off import BACK_OFF_SIGNALS
from assistant.chat.flows.definition import Field, Flow, Option
from assistant.chat.self_checks import answering_week
from assistant.chat.views import deal_params
from assistant.events import Reply
from assistant.method.dates import parse_date
from assistant.method.deals import back_off
from assistant.method.model import Deal, DealStatus, JsonDict, Params
from assistant.method.results import Ok, Problem
from assistant.method.weekly_plan import draft_plan

MAX_DEALS = 30
KEEP = "keep"


def open_deals(ctx: Ctx) -> list[Deal]:
    """The rep's open deals, closest to closing first (the ones that matter most this week)."""
    deals = ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.OPEN)
    funnel = ctx.team.funnel
    order = {stage.key: index for index, stage in enumerate(funnel.stages)}
    return sorted(deals, key=lambda d: (-order.get(d.stage_key, 0), d.close_date))[:MAX_DEALS]


def start_values(ctx: Ctx) -> Params:
    return {"queue": [deal.id for deal in open_deals(ctx)], "week": answering_week(ctx)}


def _review_options(ctx: Ctx, values: JsonDict) -> list[Option]:
    return [Option(KEEP, "weekly_check.keep")] + [
        Option(f"signal:{signal}", f"back_off.signal.{signal}") for signal in BACK_OFF_SIGNALS]


def review_text(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem:
    """A typed answer is the next step, with its date if one is in the text."""
    checked = answers.text(answers.NOTE_MAX)(raw, ctx, values)
    if isinstance(checked, Problem):
        return checked
    when, rest = answers.take_date(checked.value.split(), ctx.today)
    parsed = parse_date(when, ctx.today) if when else None
    due = parsed.value.isoformat() if isinstance(parsed, Ok) else None
    return Ok({"next_step": " ".join(rest) or checked.value, "next_due": due})


def _review_field(position: int) -> Field[Ctx]:
    def shows(ctx: Ctx, values: JsonDict) -> bool:
        return position < len(values["queue"])

    def prompt(ctx: Ctx, values: JsonDict) -> Params:
        deal = ctx.uow.deals.get(values["queue"][position])
        if deal is None:
            return {"position": position + 1, "total": len(values["queue"]), "points": []}
        stage = ctx.team.funnel.stage(deal.stage_key)
        points = [point.label(ctx.lang) for point in stage.checklist] if stage else []
        return deal_params(ctx, deal) | {"position": position + 1, "total": len(values["queue"]), "points": points}
    return Field(f"d{position}", parse=review_text, options=_review_options, when=shows, prompt=prompt,
                 key="weekly_check.deal.ask")


def _plan_prompt(ctx: Ctx, values: JsonDict) -> Params:
    backed = {values["queue"][i] for i in range(len(values["queue"]))
              if str(values.get(f"d{i}", "")).startswith("signal:")}
    deals = [deal for deal in map(ctx.uow.deals.get, values["queue"]) if deal is not None]
    return {"plan": draft_plan(ctx.team.funnel, deals, backed, ctx.now, ctx.lang)}


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    moved, steps = 0, 0
    for position, deal_id in enumerate(values["queue"]):
        answer = values.get(f"d{position}")
        deal = answers.load_own_deal(ctx, deal_id)
        if isinstance(deal, Problem) or deal.status != DealStatus.OPEN or answer in (None, KEEP):
            continue
        if isinstance(answer, dict):
            due = date.fromisoformat(answer["next_due"]) if answer["next_due"] else deal.next_due
            ctx.uow.deals.save(replace(deal, next_step=answer["next_step"], next_due=due, last_activity_at=ctx.now))
            steps += 1
            continue
        earlier = ctx.team.funnel.previous_stage(deal.stage_key)
        if earlier is not None:
            result = back_off(deal, ctx.team.funnel, earlier.key, ctx.user, ctx.now, answer.removeprefix("signal:"))
            if isinstance(result, Problem):
                continue
            ctx.uow.deals.save(result[0])
            ctx.uow.deals.add_change(result[1])
            moved += 1
    plan = _plan_prompt(ctx, values)["plan"]
    ctx.uow.self_checks.complete(ctx.user.id, values["week"], ctx.now, plan, values.get("plan") or "")
    return [Reply("weekly_check.done", ctx.lang, {"reviewed": len(values["queue"]), "moved": moved, "steps": steps,
                                                  "plan": plan, "note": values.get("plan") or ""})]


FLOW: Flow[Ctx] = Flow("weekly_check", finish=finish, fields=tuple(_review_field(i) for i in range(MAX_DEALS)) + (
    Field("plan", parse=answers.text(answers.NOTE_MAX), optional=True, prompt=_plan_prompt),
))
