"""Deal rules: who may see or change a deal, and what each stage move records.

The flows collect answers; these functions decide. Every move writes a `StageChange`, the
history conversion and time-in-stage analytics read, so no move bypasses them.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from assistant.method.model import LOST_CATEGORIES, Deal, DealStatus, StageChange, User, Visit
from assistant.method.results import Problem
from assistant.method.stages import CheckPoint, Funnel, Stage

LOST_REPORT_FIELDS = ("lost_reason_ours", "lost_reason_customer", "lost_prevention")


def can_view(user: User, deal: Deal) -> bool:
    """A rep sees their own deals; a manager or admin sees their team's."""
    if deal.owner_id == user.id:
        return True
    return user.is_manager and deal.team_id == user.team_id


def can_edit(user: User, deal: Deal) -> bool:
    """Only the owner moves a deal: the funnel is the rep's own account of it."""
    return deal.owner_id == user.id


Checklist = Mapping[str, Iterable[str]]
"""Which entry check points were ticked and which not: {"ticked": [...], "unticked": [...]}."""


def creation_points(funnel: Funnel, stage_key: str) -> list[tuple[Stage, CheckPoint]]:
    """The check points a deal created at `stage_key` is asked to confirm (domain §8): a deal
    created past the first stage skips the stages before it, so their points are asked with
    its own, first stage first. Creation at the first stage asks none: it is no breach, and
    that stage's points are offered as ticks on the card instead (`tick`)."""
    if funnel.stage(stage_key) is None or funnel.index(stage_key) == 0:
        return []
    return [(stage, point) for stage in funnel.stages[:funnel.index(stage_key) + 1] for point in stage.checklist]


def point_key(stage: Stage, point: CheckPoint, entered: str) -> str:
    """How a check point is recorded: its own key for the stage entered, prefixed with its
    stage's key ("target:need") for a stage skipped on the way."""
    return point.key if stage.key == entered else f"{stage.key}:{point.key}"


def record_creation(deal: Deal, by: User, at: datetime, checklist: Checklist | None) -> StageChange:
    return _change(deal, None, deal.stage_key, "created", by, at, checklist)


def is_breach(change: StageChange, funnel: Funnel) -> bool:
    """A move made with check points unticked: an "advance anyway", or a creation past the
    first stage with points left unconfirmed (reported the same way). Creating a deal at the
    first stage is where every deal starts, so it is never one."""
    if change.kind not in ("advance", "created") or change.checklist_complete or not change.unticked:
        return False
    return not (change.kind == "created" and funnel.stages and change.to_stage == funnel.stages[0].key)


def tick(deal: Deal, funnel: Funnel, point: str) -> Deal | Problem:
    """Tick or untick one of the current stage's entry check points on the card."""
    if deal.status != DealStatus.OPEN:
        return Problem.of("deal.closed")
    stage = funnel.stage(deal.stage_key)
    if stage is None or point not in {p.key for p in stage.checklist}:
        return Problem.of("common.stale_button")
    checked = tuple(k for k in deal.checked if k != point) if point in deal.checked else (*deal.checked, point)
    return replace(deal, checked=checked)


def advance(deal: Deal, funnel: Funnel, by: User, at: datetime,
            checklist: Checklist) -> tuple[Deal, StageChange] | Problem:
    """Move to the next stage; `checklist` says which entry points were ticked and whether
    the rep chose "advance anyway" with some unticked (recorded, never blocked)."""
    if deal.status != DealStatus.OPEN:
        return Problem.of("deal.closed")
    target = funnel.next_stage(deal.stage_key)
    if target is None:
        return Problem.of("advance.at_last_stage")
    moved = replace(deal, stage_key=target.key, last_activity_at=at, checked=tuple(checklist.get("ticked", ())))
    return moved, _change(deal, deal.stage_key, target.key, "advance", by, at, checklist)


def back_off(deal: Deal, funnel: Funnel, to_stage: str, by: User, at: datetime,
             reason: str = "") -> tuple[Deal, StageChange] | Problem:
    """Move back to an earlier stage (后退): a deal with no action or commitment."""
    if deal.status != DealStatus.OPEN:
        return Problem.of("deal.closed")
    if funnel.stage(to_stage) is None or funnel.index(to_stage) >= funnel.index(deal.stage_key):
        return Problem.of("back_off.not_earlier")
    moved = replace(deal, stage_key=to_stage, last_activity_at=at, checked=())
    return moved, replace(_change(deal, deal.stage_key, to_stage, "back_off", by, at, None), note=reason)


def mark_won(deal: Deal, by: User, at: datetime, signed_amount: Decimal | None = None,
             signed_on: date | None = None) -> tuple[Deal, StageChange] | Problem:
    """Close as won with what was signed: the signed amount replaces the estimate and the
    signing date the expected close date (what won-to-date and forecast accuracy read). A
    signing date after today is refused: a deal is won once it is signed."""
    if deal.status != DealStatus.OPEN:
        return Problem.of("deal.closed")
    if signed_amount is not None and signed_amount <= 0:
        return Problem.of("amount.not_positive", raw=str(signed_amount))
    if signed_on is not None and signed_on > at.date() + timedelta(days=1):
        return Problem.of("mark_won.signed_on.future", date=signed_on)
    won = replace(deal, status=DealStatus.WON, closed_at=at, last_activity_at=at, next_due=None,
                  amount=deal.amount if signed_amount is None else signed_amount,
                  close_date=signed_on or deal.close_date)
    return won, _change(deal, deal.stage_key, "won", "won", by, at, None)


def mark_lost(deal: Deal, report: Mapping[str, str | None], by: User,
              at: datetime) -> tuple[Deal, StageChange] | Problem:
    """Losing a deal requires the lost report (product decision, domain §1): the reason's
    category from a short list (LOST_CATEGORIES), the competitor's name when a competitor
    won it, and the three answers of 001's form."""
    if deal.status != DealStatus.OPEN:
        return Problem.of("deal.closed")
    answers = {name: (report.get(name) or "").strip() for name in LOST_REPORT_FIELDS}
    if not all(answers.values()):
        return Problem.of("lost.report_incomplete")
    category = (report.get("lost_category") or "").strip()
    if category not in LOST_CATEGORIES:
        return Problem.of("lost.no_category")
    competitor = (report.get("lost_competitor") or "").strip() or None
    if category == "competitor" and competitor is None:
        return Problem.of("lost.no_competitor")
    lost = replace(deal, status=DealStatus.LOST, closed_at=at, last_activity_at=at, next_due=None,
                   lost_reason_ours=answers["lost_reason_ours"], lost_reason_customer=answers["lost_reason_customer"],
                   lost_prevention=answers["lost_prevention"], lost_category=category, lost_competitor=competitor)
    return lost, _change(deal, deal.stage_key, "lost", "lost", by, at, None)


def reopen(deal: Deal, history: Iterable[StageChange], funnel: Funnel, by: User,
           at: datetime) -> tuple[Deal, StageChange] | Problem:
    """A lost deal comes back (the customer called again): open, at the stage it was lost
    from (the first stage when that stage is gone from the funnel). The reopening is a stage
    change of its own, its note the lost report's category, so the history keeps both."""
    if deal.status != DealStatus.LOST:
        return Problem.of("reopen_deal.not_lost")
    lost = [c for c in history if c.kind == "lost"]
    stage = lost[-1].from_stage if lost and lost[-1].from_stage else deal.stage_key
    if funnel.stage(stage) is None:
        stage = funnel.stages[0].key
    opened = replace(deal, status=DealStatus.OPEN, stage_key=stage, closed_at=None, last_activity_at=at,
                     lost_reason_ours=None, lost_reason_customer=None, lost_prevention=None, lost_category=None,
                     lost_competitor=None)
    change = _change(deal, "lost", stage, "reopen", by, at, None)
    return opened, replace(change, note=deal.lost_category or "")


def apply_visit(deal: Deal, visit: Visit, at: datetime) -> Deal:
    """A logged visit sets the deal's next step (the first numbered one) and its due date."""
    next_step = visit.next_steps[0] if visit.next_steps else deal.next_step
    return replace(deal, next_step=next_step, next_due=visit.next_due or deal.next_due, last_activity_at=at)


def is_overdue(deal: Deal, today: date) -> bool:
    return deal.status == DealStatus.OPEN and deal.next_due is not None and deal.next_due < today


def _change(deal: Deal, from_stage: str | None, to_stage: str, kind: str, by: User, at: datetime,
            checklist: Checklist | None) -> StageChange:
    ticked = tuple((checklist or {}).get("ticked", ()))
    unticked = tuple((checklist or {}).get("unticked", ()))
    return StageChange(deal.id, from_stage, to_stage, kind, at, by.id, not unticked, ticked, unticked)
