"""The manager's weekly funnel digest (domain §3, §4, §7): pure functions over domain objects.

The caller loads a `TeamData`, calls `weekly_digest` when it goes out (pushed) or is asked
for (on demand) and renders `render(lang, DIGEST_KEY, **params)`. The period reported is
given by `report_window`, in dates of the team's timezone. Open-deal figures (funnel, forecast,
balance) are in the team currency only; counts of deals are currency-free. Each product
decision is stated in the docstring of the function that takes it.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from assistant.method.cadence import cadence, stall_days
from assistant.method.conversion import (
    WON,
    conversions,
    days_in_stage,
    is_jump,
    is_off_funnel,
    local_date,
    off_funnel_count,
    rates_between,
    through,
)
from assistant.method.deals import is_breach
from assistant.method.forecast import (
    ALL_TIME,
    ALLOWED_ERROR,
    Period,
    forecast,
    forecast_error,
    month_period,
    next_month,
    next_quarter,
)
from assistant.method.model import (
    LEAD_SOURCES,
    LOST_CATEGORIES,
    Deal,
    DealStatus,
    Params,
    Role,
    StageChange,
    Team,
    User,
)
from assistant.method.quota import rep_outlooks

DIGEST_KEY = "digest.weekly"
TOP_STAGES = 2             # "the first two stages" of the funnel-not-full rule
TREND_WEEKS = 4            # a step's own rate is read over this many weeks before the report
MIN_TREND_NOW, MIN_TREND_BEFORE = 2, 4   # decided deals needed, in the report and the weeks before
IDLE_DAYS = 30             # weak inspection: no activity for this many days or more
BALANCE_LOW, BALANCE_HIGH = Decimal("0.5"), Decimal(2)
_PRECISION_ROLE = {Role.REP: "rep", Role.MANAGER: "manager", Role.ADMIN: "manager"}


@dataclass(frozen=True)
class TeamData:
    """Everything the digest reads, loaded by the caller."""

    team: Team
    members: list[User]
    deals: list[Deal]                       # all deals of the team, any status
    changes: dict[int, list[StageChange]]   # deal id -> its stage history, oldest first
    targets: dict[str, Decimal]             # period label ("2026-12", "2027-Q1") -> team target
    skipped_self_check: Sequence[int] = ()  # user ids who did not finish last week's self-check
    snapshots: dict[tuple[int, str], Decimal] = field(default_factory=dict)  # (user id, period) -> forecast
    rep_targets: dict[tuple[int | None, str], Decimal] = field(default_factory=dict)  # (rep id, period) -> target


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    so_far: bool   # this week so far (Monday to today), else the whole of last week


def report_window(today: date, pushed: bool = False) -> Window:
    """The period a digest reports, both ends included. Product decision: on demand, this week
    so far, Monday to today (today's wins, losses and moves included); the push on a Monday
    (the default digest day) reports last week, Monday to Sunday. A push the team scheduled
    on another weekday reports its week so far, like the digest on demand."""
    monday = today - timedelta(days=today.weekday())
    if pushed and today.weekday() == 0:
        return Window(monday - timedelta(days=7), monday - timedelta(days=1), False)
    return Window(monday, today, True)


def _zone(data: TeamData) -> ZoneInfo:
    return ZoneInfo(data.team.timezone)


def _names(data: TeamData) -> dict[int, str]:
    return {member.id: member.name for member in data.members}


def _open(data: TeamData) -> list[Deal]:
    return [deal for deal in data.deals if deal.status == DealStatus.OPEN]


def _stage_name(data: TeamData, key: str, lang: str) -> str:
    if key == WON:
        return data.team.funnel.won_name(lang)
    stage = data.team.funnel.stage(key)
    return stage.name(lang) if stage else key


def deal_ref(data: TeamData, deal: Deal, lang: str) -> Params:
    """How every list in the digest names a deal: number, customer, title, owner, amount, stage."""
    return {"id": deal.id, "customer": deal.customer_name, "title": deal.title,
            "owner": _names(data).get(deal.owner_id, ""), "amount": deal.amount, "currency": deal.currency,
            "stage": _stage_name(data, deal.stage_key, lang)}


def _changes_in_week(data: TeamData, window: Window, kinds: tuple[str, ...]) -> Iterator[tuple[Deal, StageChange]]:
    zone = _zone(data)
    for deal in data.deals:
        for change in data.changes.get(deal.id, ()):
            if change.kind in kinds and window.start <= local_date(change.at, zone) <= window.end:
                yield deal, change


def _figures(deals: list[Deal], data: TeamData) -> Params:
    result = forecast(deals, data.team.funnel, ALL_TIME, data.team.currency)
    return {"count": result.count, "amount": result.total_amount, "weighted": result.total_weighted}


def team_funnel(data: TeamData, lang: str) -> Params:
    """Open deals per stage in the team currency: count, amount, weighted = amount × probability."""
    funnel = data.team.funnel
    result = forecast(_open(data), funnel, ALL_TIME, data.team.currency)
    lines = [{"key": line.stage_key, "stage": _stage_name(data, line.stage_key, lang),
              "probability": _probability(data, line.stage_key), "count": line.count,
              "amount": line.amount, "weighted": line.weighted} for line in result.lines]
    other = [deal.currency for deal in _open(data) if deal.currency.upper() != data.team.currency.upper()]
    return {"lines": lines, "other_currency": len(other), "missing_rates": sorted(set(other)),
            **_figures(_open(data), data)}


def _probability(data: TeamData, key: str) -> Decimal | None:
    stage = data.team.funnel.stage(key)
    return stage.probability if stage else None


def _reps(data: TeamData) -> list[User]:
    """Active reps, and any other member who owns open deals."""
    owners = {deal.owner_id for deal in _open(data)}
    return [m for m in data.members if (m.role == Role.REP and m.active) or m.id in owners]


def rep_funnels(data: TeamData) -> list[Params]:
    """Per rep: count, amount and weighted amount of their open deals (team currency)."""
    return [{"name": rep.name, **_figures([d for d in _open(data) if d.owner_id == rep.id], data)}
            for rep in _reps(data)]


def rep_rows(data: TeamData, today: date) -> list[Params]:
    """Per rep, the funnel figures with the outlook against the rep's own targets (`quota`)."""
    outlooks = rep_outlooks(_reps(data), data.deals, data.team.funnel, data.team.currency, data.rep_targets,
                            today, _zone(data))
    return [row | {"outlook": outlook} for row, outlook in zip(rep_funnels(data), outlooks, strict=True)]


def forecasts(data: TeamData, today: date) -> list[Params]:
    """Next month and next quarter against the team targets; coverage = weighted ÷ target,
    None without a (positive) target."""
    rows = []
    for name, period in (("next_month", next_month(today)), ("next_quarter", next_quarter(today))):
        result = forecast(_open(data), data.team.funnel, period, data.team.currency)
        target = data.targets.get(period.label)
        coverage = result.total_weighted / target if target else None
        rows.append({"name": name, "label": period.label, "count": result.count,
                     "weighted": result.total_weighted, "target": target, "coverage": coverage})
    return rows


def not_full(data: TeamData, weighted: Decimal, quarter: Params) -> Params:
    """Funnel not full (漏斗不满, 001, 003). Product decision: the funnel is not full when fewer
    open deals sit in the first TOP_STAGES stages than in all later ones, or when the weighted
    total of all open deals, whatever their close date (001's reading: the funnel as it stands
    must carry the next period), is below next quarter's target (when one is set); the text
    says so, and shows beside it next quarter's own coverage (open deals closing in that
    quarter only). Reps are named whose first TOP_STAGES stages hold no open deal: a rep who
    just closed a batch, or a new one, has stopped prospecting (003)."""
    quarter_target = quarter["target"]
    top_keys = {stage.key for stage in data.team.funnel.stages[:TOP_STAGES]}
    top = [deal for deal in _open(data) if deal.stage_key in top_keys]
    rest = len(_open(data)) - len(top)
    below = quarter_target is not None and weighted < quarter_target
    empty = [rep.name for rep in _reps(data) if rep.role == Role.REP and not any(d.owner_id == rep.id for d in top)]
    return {"top": len(top), "rest": rest, "top_short": len(top) < rest, "below_target": below,
            "weighted": weighted, "target": quarter_target, "empty_top_reps": empty,
            "quarter": quarter["label"], "quarter_weighted": quarter["weighted"],
            "quarter_coverage": quarter["coverage"]}


def _histories(data: TeamData) -> list[list[StageChange]]:
    return [data.changes.get(deal.id, []) for deal in data.deals]


def conversion_rows(data: TeamData, lang: str) -> list[Params]:
    """Stage-to-stage conversion over the deals' whole history (see conversion.py): deals that
    skipped the next stage are counted apart (`skipped`), never as converted."""
    return [{"from": _stage_name(data, c.from_key, lang), "to": _stage_name(data, c.to_key, lang),
             "base": c.base, "converted": c.converted, "rate": c.rate, "skipped": c.skipped}
            for c in conversions(data.team.funnel, _histories(data))]


def stage_day_rows(data: TeamData, lang: str) -> list[Params]:
    """Average days in each stage over completed stays (see conversion.py)."""
    return [{"stage": _stage_name(data, s.stage_key, lang), "stays": s.stays, "days": s.days}
            for s in days_in_stage(data.team.funnel, _histories(data))]


def low_conversion(data: TeamData, rows: list[Params], funnel_lines: list[Params], window: Window,
                   lang: str) -> Params:
    """Low conversion (转化率低, 001). Product decision (domain §8), as 000's weekly report does
    ("潜在客户转化率较低", "报价洽谈阶段客户数量较少"): the digest always names
    - `overall`: of the deals that sat in the first stage, the share won (000's prospect rate);
    - `weakest`: the step with the lowest rate (a base of at least one deal; on a tie the
      earliest, as a weak upper step starves every later one);
    - `thinnest`: the stage holding the fewest open deals (on a tie the earliest), when the
      funnel holds any;
    and flags in `dropped` each step whose rate over the outcomes decided in the report period
    (at least MIN_TREND_NOW) fell below its own rate over the TREND_WEEKS weeks before (at
    least MIN_TREND_BEFORE decided), see `conversion.decided`."""
    rated = [row for row in rows if row["rate"] is not None]
    weakest = min(rated, key=lambda row: row["rate"]) if rated else None
    whole = through(data.team.funnel, _histories(data))
    overall = None if not whole.base else {"stage": _stage_name(data, whole.from_key, lang),
                                           "to": _stage_name(data, WON, lang), "base": whole.base,
                                           "converted": whole.converted, "rate": whole.rate}
    thinnest = None
    if any(line["count"] for line in funnel_lines):
        thin = min(funnel_lines, key=lambda line: line["count"])
        thinnest = {"stage": thin["stage"], "count": thin["count"]}
    zone, funnel, histories = _zone(data), data.team.funnel, _histories(data)
    now = rates_between(funnel, histories, window.start, window.end, zone)
    before = rates_between(funnel, histories, window.start - timedelta(weeks=TREND_WEEKS),
                           window.start - timedelta(days=1), zone)
    dropped = [{"from": _stage_name(data, n.from_key, lang), "to": _stage_name(data, n.to_key, lang),
                "rate": n.rate, "base": n.base, "converted": n.converted, "before": b.rate, "before_base": b.base}
               for n, b in zip(now, before, strict=True)
               if n.base >= MIN_TREND_NOW and b.base >= MIN_TREND_BEFORE and n.rate is not None
               and b.rate is not None and n.rate < b.rate]
    return {"overall": overall, "weakest": weakest, "thinnest": thinnest, "dropped": dropped}


def imbalance(lines: list[Params]) -> Params | None:
    """Balance (001: "weighted amount roughly equal in every stage"), as one finding. Product
    decision: against the average weighted amount over all stages (empty ones included), a
    stage above BALANCE_HIGH (twice) the average is `heavy` (with its ratio, shown in words:
    "about 2.5 times"), one with deals below BALANCE_LOW (half) is `thin`, one with none is
    `empty`. None when no stage is off, or for an empty funnel (no balance to judge)."""
    total = sum((line["weighted"] for line in lines), Decimal(0))
    if not lines or not total:
        return None
    average = total / len(lines)
    heavy = [{"stage": line["stage"], "weighted": line["weighted"], "ratio": line["weighted"] / average}
             for line in lines if line["weighted"] / average > BALANCE_HIGH]
    thin = [line["stage"] for line in lines if line["weighted"] and line["weighted"] / average < BALANCE_LOW]
    empty = [line["stage"] for line in lines if not line["weighted"]]
    if not (heavy or thin or empty):
        return None
    return {"heavy": heavy, "thin": thin, "empty": empty, "average": average}


def idle_days(deal: Deal, today: date, zone: ZoneInfo) -> int | None:
    """Whole days since the deal's last activity (or creation); None when neither is known."""
    moment = deal.last_activity_at or deal.created_at
    return None if moment is None else (today - local_date(moment, zone)).days


def weak_inspection(data: TeamData, today: date, window: Window, lang: str) -> Params:
    """Weak inspection (检查不力, 001: funnel data of poor quality). Product decision (domain §3
    and §8): open deals with no next step, with a next step past due, or with no activity for
    IDLE_DAYS days or more; stage jumps, advances in the period that skipped a stage (any deal
    status). The digest lists under the same heading the period's moves with check points
    unticked (`advanced_anyway`, creation included), wins that never were in the funnel
    (`off_funnel_wins`, 000: a breach of the process) and last week's skipped self-checks
    (the rep's own inspection, 001)."""
    zone = _zone(data)
    result: dict[str, list[Params]] = {"no_next_step": [], "overdue": [], "idle": [], "jumps": []}
    for deal in _open(data):
        ref = deal_ref(data, deal, lang)
        idle = idle_days(deal, today, zone)
        if not (deal.next_step or "").strip():
            result["no_next_step"].append(ref)
        if deal.next_due is not None and deal.next_due < today:
            result["overdue"].append(ref | {"next_due": deal.next_due, "days": (today - deal.next_due).days})
        if idle is not None and idle >= IDLE_DAYS:
            result["idle"].append(ref | {"days": idle})
    for deal, change in _changes_in_week(data, window, ("advance",)):
        if is_jump(data.team.funnel, change):
            result["jumps"].append(deal_ref(data, deal, lang) | {
                "from": _stage_name(data, change.from_stage or "", lang),
                "to": _stage_name(data, change.to_stage, lang)})
    return result


def closed_this_week(data: TeamData, window: Window, lang: str) -> Params:
    """Deals whose won or lost change falls in the period (and that are still won or lost), with
    the lost report's reasons; totals in the team currency."""
    won: list[Params] = []
    lost: list[Params] = []
    for deal, change in _changes_in_week(data, window, ("won", "lost")):
        if deal.status != change.kind:
            continue
        ref = deal_ref(data, deal, lang) | {"reason_ours": deal.lost_reason_ours or "",
                                            "reason_customer": deal.lost_reason_customer or "",
                                            "category": deal.lost_category or "other",
                                            "competitor": deal.lost_competitor or ""}
        (won if change.kind == "won" else lost).append(ref)
    return {"won": won, "lost": lost, "won_amount": _total(won, data), "lost_amount": _total(lost, data),
            "lost_reasons": lost_reasons(lost)}


def by_lead_source(data: TeamData) -> list[Params]:
    """Per lead source (001's four, then deals with none recorded): every deal of the team, any
    status: count, amount (team currency), won count and amount, conversion and cycle. Ours to
    decide: conversion = won ÷ decided (won + lost), None while nothing is decided; cycle =
    average whole days from creation to the win. Sources with no deal are left out."""
    zone, currency = _zone(data), data.team.currency.upper()
    rows = []
    for source in (*LEAD_SOURCES, None):
        deals = [d for d in data.deals if d.lead_source == source and d.currency.upper() == currency]
        if not deals:
            continue
        won = [d for d in deals if d.status == DealStatus.WON]
        decided = len(won) + sum(1 for d in deals if d.status == DealStatus.LOST)
        cycles = [(local_date(d.closed_at, zone) - local_date(d.created_at, zone)).days
                  for d in won if d.closed_at and d.created_at]
        rows.append({"source": source or "none", "count": len(deals), "amount": sum((d.amount for d in deals),
                                                                                      Decimal(0)),
                     "won": len(won), "won_amount": sum((d.amount for d in won), Decimal(0)),
                     "conversion": Decimal(len(won)) / decided if decided else None,
                     "cycle": Decimal(sum(cycles)) / len(cycles) if cycles else None})
    return rows


def lost_reasons(lost: list[Params]) -> list[Params]:
    """The period's losses counted by the lost report's category, most frequent first (ties in
    the list's order, LOST_CATEGORIES), with the competitors named where one won. A deal lost
    before categories were asked counts as "other"."""
    rows = []
    for category in LOST_CATEGORIES:
        mine = [ref for ref in lost if ref["category"] == category]
        if mine:
            rows.append({"category": category, "count": len(mine),
                         "competitors": list(dict.fromkeys(ref["competitor"] for ref in mine if ref["competitor"]))})
    return sorted(rows, key=lambda row: -row["count"])


def _total(refs: list[Params], data: TeamData) -> Decimal:
    currency = data.team.currency.upper()
    return sum((ref["amount"] for ref in refs if ref["currency"].upper() == currency), Decimal(0))


def follow_up_by_rep(data: TeamData, today: date, lang: str) -> list[Params]:
    """Per rep, open deals overdue (next step due before today) and stalled: idle for more days
    than the team cadence allows in the deal's stage (`schedule.stall_days`, as the weekly
    nudge uses). Reps with neither are left out."""
    plan, zone, funnel = cadence(data.team), _zone(data), data.team.funnel
    rows = []
    for rep in _reps(data):
        overdue, stalled = [], []
        for deal in (d for d in _open(data) if d.owner_id == rep.id):
            ref = deal_ref(data, deal, lang) | {"next_step": deal.next_step or "", "next_due": deal.next_due}
            if deal.next_due is not None and deal.next_due < today:
                overdue.append(ref)
            idle = idle_days(deal, today, zone)
            index = funnel.index(deal.stage_key) if funnel.stage(deal.stage_key) else 0
            if idle is not None and idle > stall_days(plan, index):
                stalled.append(ref | {"days": idle})
        if overdue or stalled:
            rows.append({"name": rep.name, "overdue": overdue, "stalled": stalled})
    return rows


def advanced_anyway(data: TeamData, window: Window, lang: str) -> list[Params]:
    """Advances in the period made with check points unticked ("advance anyway"), and deals
    created past the first stage with check points of that stage or of the stages it skipped
    unticked (`created`, domain §8), and who did it (`deals.is_breach`). A deal created at the
    first stage is not listed: every deal starts there, its points are ticked on the card."""
    names = _names(data)
    return [deal_ref(data, deal, lang) | {"to": _stage_name(data, change.to_stage, lang),
                                          "created": change.kind == "created",
                                          "by": names.get(change.by_user_id, ""), "missing": len(change.unticked)}
            for deal, change in _changes_in_week(data, window, ("created", "advance"))
            if is_breach(change, data.team.funnel)]


def off_funnel_wins(data: TeamData, window: Window, lang: str) -> list[Params]:
    """Deals won in the period that never appeared in the funnel: paid normally, flagged (000)."""
    last = data.team.funnel.stages[-1].key
    return [deal_ref(data, deal, lang) for deal, win in _changes_in_week(data, window, ("won",))
            if is_off_funnel(data.changes.get(deal.id, []), win, last, window.start, _zone(data))]


def skipped_members(data: TeamData) -> list[User]:
    """The members who did not finish last week's self-check, in team order."""
    skipped = set(data.skipped_self_check)
    return [member for member in data.members if member.id in skipped]


def skipped_self_check(data: TeamData) -> list[str]:
    return [member.name for member in skipped_members(data)]


def accuracy_period(today: date) -> Period | None:
    """The month just ended when today is in the first seven days of a month, else None."""
    if today.day > 7:
        return None
    last_day = today.replace(day=1) - timedelta(days=1)
    return month_period(last_day.year, last_day.month)


def forecast_accuracy(data: TeamData, today: date) -> Params:
    """Forecast precision (001, domain §2): for members with a snapshot of the period just ended,
    |forecast − won| ÷ won against the allowed error of their role (rep 35%, manager 25%). Won =
    team-currency deals won with their close date in the period. Product decision: a forecast
    above zero with nothing won is outside (error undefined, shown as None); nothing forecast and
    nothing won is fine. Only the members outside are listed."""
    period = accuracy_period(today)
    if period is None:
        return {"period": None, "reps": []}
    zone, currency = _zone(data), data.team.currency.upper()
    rows = []
    for member in data.members:
        snapshot = data.snapshots.get((member.id, period.label))
        if snapshot is None:
            continue
        won = sum((d.amount for d in data.deals if d.owner_id == member.id and d.status == DealStatus.WON
                   and d.currency.upper() == currency and d.closed_at
                   and period.contains(local_date(d.closed_at, zone))), Decimal(0))
        error, allowed = forecast_error(snapshot, won), ALLOWED_ERROR[_PRECISION_ROLE[member.role]]
        if (error is None and snapshot > 0) or (error is not None and error > allowed):
            rows.append({"name": member.name, "forecast": snapshot, "won": won, "error": error, "allowed": allowed})
    return {"period": period.label, "reps": rows}


def weekly_digest(data: TeamData, today: date, lang: str, pushed: bool = False) -> Params:
    """The params of `digest.weekly`: headline figures, the three big problems of 001 by name
    (漏斗不满, 转化率低, 检查不力) each with its symptoms, other findings, then details."""
    window = report_window(today, pushed)
    funnel = team_funnel(data, lang)
    outlook = forecasts(data, today)
    conversion = conversion_rows(data, lang)
    health = {"not_full": not_full(data, funnel["weighted"], outlook[1]),
              "low_conversion": low_conversion(data, conversion, funnel["lines"], window, lang),
              "imbalance": imbalance(funnel["lines"]), "inspection": weak_inspection(data, today, window, lang)}
    params = {"team": data.team.name, "currency": data.team.currency, "week_start": window.start,
              "week_end": window.end, "so_far": window.so_far,
              "funnel": funnel, "forecasts": outlook, "health": health,
              "conversions": conversion, "off_funnel_total": off_funnel_count(_histories(data)),
              "stage_days": stage_day_rows(data, lang),
              **closed_this_week(data, window, lang), "follow_up": follow_up_by_rep(data, today, lang),
              "anyway": advanced_anyway(data, window, lang), "off_funnel": off_funnel_wins(data, window, lang),
              "skipped_self_check": skipped_self_check(data), "accuracy": forecast_accuracy(data, today),
              "reps": rep_rows(data, today), "sources": by_lead_source(data)}
    return params | {"problems": problem_count(params)}


def inspection_count(params: Params) -> int:
    """How many weak-inspection symptoms the digest lists."""
    return (sum(len(items) for items in params["health"]["inspection"].values()) + len(params["anyway"])
            + len(params["off_funnel"]) + len(params["skipped_self_check"]))


def problem_count(params: Params) -> int:
    """How many problem lines the digest names (zero: the template says all is well). The weakest
    step and the thinnest stage, always named, are not problems by themselves."""
    health = params["health"]
    full = health["not_full"]
    return (int(full["top_short"] or full["below_target"]) + int(bool(full["empty_top_reps"]))
            + len(health["low_conversion"]["dropped"]) + int(health["imbalance"] is not None)
            + inspection_count(params) + len(params["accuracy"]["reps"]))
