"""New deal, guided or in one line: `/new 华为 数据中心扩容 120万 下月底`."""
from __future__ import annotations

from datetime import date, timedelta

from assistant.chat import edits
from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Ask, Field, Flow, Option
from assistant.chat.views import deal_card
from assistant.events import DATE, Reply
from assistant.i18n import render
from assistant.method.deals import creation_points, is_breach, point_key, record_creation
from assistant.method.model import LEAD_SOURCES, Deal, DealStatus, JsonDict, Params
from assistant.method.numbers import shown
from assistant.method.one_line import read_deal_line
from assistant.method.results import Ok, Problem


def _stage_options(ctx: Ctx, values: JsonDict) -> list[Option]:
    return [Option(s.key, "stage.option", {"name": s.name(ctx.lang), "probability": str(s.probability)})
            for s in ctx.team.funnel.stages]


def _points(ctx: Ctx, values: JsonDict) -> list[Option]:
    """The check points of the chosen stage and of the stages it skips (`creation_points`);
    a skipped stage's points are labelled with that stage's name."""
    stage_key = values.get("stage") or ""
    return [Option(point_key(stage, point, stage_key), "checklist.item", {"label": point.label(ctx.lang) if
                   stage.key == stage_key else render(ctx.lang, "new_deal.checklist.skipped_point",
                                                     stage=stage.name(ctx.lang), label=point.label(ctx.lang))})
            for stage, point in creation_points(ctx.team.funnel, stage_key)]


def shortcut(args: str, ctx: Ctx) -> Params:
    """Read the one-liner as a whole (`method.one_line`): the team's customer names are
    matched first, amounts and dates may span words. Where the customer's name could end
    after one word or several, the customer field asks which reading is meant."""
    line = read_deal_line(args, ctx.today, [c.name for c in ctx.uow.customers.of_team(ctx.team.id)])
    typed: dict[str, str] = {}
    extra: Params = {}
    if line.splits:
        typed |= {"customer": args, "title": ""}
        extra = {"_splits": [list(split) for split in line.splits], "_line": args}
    for name, value in (("customer", line.customer), ("amount", line.amount), ("close_date", line.close_date),
                        ("title", line.title)):
        if value:
            typed[name] = value
    return {"_typed": typed, **extra}


def _customer(raw: str, ctx: Ctx, values: JsonDict) -> Ok[JsonDict] | Problem | Ask:
    """The customer, or for an unclear one-liner ("Acme DC expansion …") its readings as
    buttons: each a customer (existing or new, close names included) and the title left."""
    if not values.get("_splits") or raw != values.get("_line"):
        return answers.customer(raw, ctx, values)
    options: list[Option] = []
    for name, title in values["_splits"]:
        found = answers.customer(name, ctx, values)
        if isinstance(found, Problem):
            continue
        choices = [o.value for o in found.options] if isinstance(found, Ask) else [found.value]
        for choice in choices:
            shown_name = choice.get("name") or choice["new"]
            if all(o.value != {**choice, "title": title} for o in options):
                options.append(Option({**choice, "title": title}, "new_deal.reading.option",
                                      {"customer": shown_name, "title": title, "new": "new" in choice}))
    return Ask("new_deal.reading.ask", tuple(options), {"line": shown(raw)})


def _title(raw: str, ctx: Ctx, values: JsonDict) -> Ok[str] | Problem:
    """The title typed, or the one that came with the reading of the line the rep chose."""
    chosen = values.get("customer") or {}
    return answers.text(answers.TITLE_MAX)(chosen.get("title") or raw, ctx, values)


REPEAT_WINDOW = timedelta(minutes=10)


def _recent_twin(ctx: Ctx, values: JsonDict) -> Deal | None:
    """The same one-line deal (customer, title, amount, close date) this rep created minutes
    ago: a retry after a lost confirmation, most likely, so it is asked back."""
    if not values.get("_quick"):
        return None
    customer = values["customer"].get("name") or values["customer"].get("new") or ""
    amount, currency = answers.money_of(values["amount"])
    twins = [d for d in ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id)
             if d.created_at is not None and d.created_at >= ctx.now - REPEAT_WINDOW
             and d.customer_name.casefold() == customer.casefold()
             and d.title == values["title"] and d.amount == amount and d.currency == currency
             and d.close_date.isoformat() == values["close_date"]]
    return twins[-1] if twins else None


def _again_options(ctx: Ctx, values: JsonDict) -> list[Option]:
    return [Option(True, "new_deal.again.yes"), Option(False, "new_deal.again.no")]


def _again_prompt(ctx: Ctx, values: JsonDict) -> Params:
    twin = _recent_twin(ctx, values)
    minutes = max(1, int((ctx.now - twin.created_at).total_seconds() // 60)) if twin and twin.created_at else 1
    return {"id": twin.id if twin else 0, "title": twin.title if twin else "", "minutes": minutes}


def _stage_name(ctx: Ctx, values: JsonDict) -> str:
    stage = ctx.team.funnel.stage(values["stage"])
    return stage.name(ctx.lang) if stage else str(values["stage"])


def finish(ctx: Ctx, values: JsonDict) -> list[Reply]:
    if values.get("again") is False:
        return [Reply("new_deal.again.dropped", ctx.lang)]
    amount, currency = answers.money_of(values["amount"])
    ticked = (values.get("man") or {}).get("ticked", ())
    deal = Deal(
        id=0, team_id=ctx.team.id, owner_id=ctx.user.id, customer_id=answers.resolve_customer(ctx, values["customer"]),
        customer_name=values["customer"].get("name") or values["customer"]["new"], title=values["title"],
        amount=amount, currency=currency, close_date=date.fromisoformat(values["close_date"]),
        stage_key=values["stage"], status=DealStatus.OPEN, lead_source=values.get("lead_source"),
        next_step=values.get("next_step"),
        next_due=date.fromisoformat(values["next_due"]) if values.get("next_due") else None,
        created_at=ctx.now, last_activity_at=ctx.now,
        need="need" in ticked, money="money" in ticked, authority="authority" in ticked, urgent="urgent" in ticked)
    checklist = _checklist_record(ctx, values)
    deal.checked = tuple(key for key in checklist["ticked"] if ":" not in key)
    ctx.uow.deals.add(deal)
    change = record_creation(deal, ctx.user, ctx.now, checklist)
    change_id = ctx.uow.deals.add_change(change)
    edits.record(ctx, "created", None, deal, change_id=change_id)
    if is_breach(change, ctx.team.funnel):
        return [deal_card(ctx, deal, "new_deal.created_anyway")]
    return [deal_card(ctx, deal, "new_deal.created", ticks=not creation_points(ctx.team.funnel, deal.stage_key))]


def _checklist_record(ctx: Ctx, values: JsonDict) -> Params:
    """What the creation records of the entry check points. Past the first stage: those the rep
    ticked and those left (the skipped stages' too). At the first stage none were asked: its
    points are recorded as not yet confirmed, and the card offers them as ticks."""
    if values.get("checklist"):
        return dict(values["checklist"])
    points = creation_points(ctx.team.funnel, values["stage"])
    if not points:
        stage = ctx.team.funnel.stage(values["stage"])
        return {"ticked": [], "unticked": [p.key for p in stage.checklist] if stage else []}
    return {"ticked": [], "unticked": [point_key(stage, point, values["stage"]) for stage, point in points]}


FLOW: Flow[Ctx] = Flow("new_deal", shortcut=shortcut, quick=True, read_ahead=True, finish=finish, form=True, fields=(
    Field("customer", parse=_customer),
    Field("title", parse=_title),
    Field("amount", parse=answers.deal_amount),
    Field("close_date", kind=DATE, parse=answers.future_date),
    Field("again", options=_again_options, when=lambda ctx, values: _recent_twin(ctx, values) is not None,
          prompt=_again_prompt),
    Field("stage", options=_stage_options, default=lambda ctx, values: ctx.team.funnel.stages[0].key),
    Field("checklist", multi=True, checklist=True, options=_points,
          when=lambda ctx, values: bool(creation_points(ctx.team.funnel, values.get("stage") or "")),
          default=lambda ctx, values: None,
          prompt=lambda ctx, values: {"stage": _stage_name(ctx, values)}),
    Field("lead_source", optional=True,
          options=lambda ctx, values: [Option(s, f"lead_source.{s}") for s in LEAD_SOURCES]),
    Field("man", multi=True, default=lambda ctx, values: None, options=answers.man_options),
    Field("next_step", parse=answers.text(answers.NOTE_MAX), optional=True),
    Field("next_due", parse=answers.future_date, optional=True, when=lambda ctx, values: bool(values.get("next_step"))),
))
