"""New deal, guided or in one line: `/new 华为 数据中心扩容 120万 下月底`."""
from __future__ import annotations

from datetime import date

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow, Option
from assistant.chat.views import deal_card
from assistant.events import DATE
from assistant.method.deals import record_creation
from assistant.method.model import LEAD_SOURCES, Deal, DealStatus, JsonDict, Params


def _stage_options(ctx: Ctx, values: JsonDict) -> list[Option]:
    return [Option(s.key, "stage.option", {"name": s.name(ctx.lang), "probability": str(s.probability)})
            for s in ctx.team.funnel.stages]


def _stage_of(ctx: Ctx, values: JsonDict) -> str | None:
    return values.get("stage")


def shortcut(args: str, ctx: Ctx) -> Params:
    """Split the one-liner: first word the customer, then what reads as an amount and as a
    date; the rest is the title."""
    words = args.split()
    typed: dict[str, str] = {"customer": words[0]}
    amount, rest = answers.take_amount(words[1:])
    close_date, rest = answers.take_date(rest, ctx.today)
    for name, value in (("amount", amount), ("close_date", close_date), ("title", " ".join(rest))):
        if value:
            typed[name] = value
    return {"_typed": typed}


def finish(ctx: Ctx, values: JsonDict) -> list:
    amount, currency = answers.money_of(values["amount"])
    deal = Deal(
        id=0, team_id=ctx.team.id, owner_id=ctx.user.id, customer_id=answers.resolve_customer(ctx, values["customer"]),
        customer_name=values["customer"].get("name") or values["customer"]["new"], title=values["title"],
        amount=amount, currency=currency, close_date=date.fromisoformat(values["close_date"]),
        stage_key=values["stage"], status=DealStatus.OPEN, lead_source=values.get("lead_source"),
        next_step=values.get("next_step"),
        next_due=date.fromisoformat(values["next_due"]) if values.get("next_due") else None,
        created_at=ctx.now, last_activity_at=ctx.now,
        **{flag: flag in (values.get("man") or {}).get("ticked", ()) for flag in answers.MAN_FLAGS})
    ctx.uow.deals.add(deal)
    ctx.uow.deals.add_change(record_creation(deal, ctx.user, ctx.now, _checklist_record(ctx, values)))
    return [deal_card(ctx, deal, "new_deal.created")]


def _checklist_record(ctx: Ctx, values: JsonDict) -> Params:
    """A checklist the rep never saw (one-line shortcut) is recorded as not confirmed."""
    if values.get("checklist"):
        return values["checklist"]
    stage = ctx.team.funnel.stage(values["stage"])
    return {"ticked": [], "unticked": [p.key for p in stage.checklist]}


FLOW = Flow("new_deal", shortcut=shortcut, quick=True, finish=finish, form=True, fields=(
    Field("customer", parse=answers.customer),
    Field("title", parse=answers.text(answers.TITLE_MAX)),
    Field("amount", parse=answers.amount),
    Field("close_date", kind=DATE, parse=answers.future_date),
    Field("stage", options=_stage_options, default=lambda ctx, values: ctx.team.funnel.stages[0].key),
    Field("checklist", multi=True, checklist=True, options=answers.checklist_options(_stage_of),
          when=answers.has_checklist(_stage_of), default=lambda ctx, values: None,
          prompt=lambda ctx, values: {"stage": ctx.team.funnel.stage(values["stage"]).name(ctx.lang)}),
    Field("lead_source", optional=True,
          options=lambda ctx, values: [Option(s, f"lead_source.{s}") for s in LEAD_SOURCES]),
    Field("man", multi=True, default=lambda ctx, values: None, options=answers.man_options),
    Field("next_step", parse=answers.text(answers.NOTE_MAX), optional=True),
    Field("next_due", parse=answers.future_date, optional=True, when=lambda ctx, values: bool(values.get("next_step"))),
))
