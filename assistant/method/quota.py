"""Targets per rep as well as per team (000: a rep's quota is the weighted sum over their
territory; 001: the forecast per rep against their target).

For each rep: next month's and next quarter's forecast (Σ amount × probability of their open
deals closing in the period, team currency), the rep's own target for that period and the
coverage (forecast ÷ target), and what they have won to date. Product decision: "won to
date" is the current quarter so far (deals marked won since the quarter began, in the team
currency), beside the rep's target for the current quarter when one is set.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from assistant.method.conversion import local_date
from assistant.method.forecast import Period, current_quarter, forecast, next_month, next_quarter
from assistant.method.model import Deal, DealStatus, Params, User
from assistant.method.stages import Funnel

Targets = Mapping[tuple[int | None, str], Decimal]
"""(user id, or None for the team; period label) -> target amount in the team currency."""


@dataclass(frozen=True)
class Outlook:
    """One period's forecast against a target; coverage None without a (positive) target."""

    label: str
    weighted: Decimal
    count: int
    target: Decimal | None

    @property
    def coverage(self) -> Decimal | None:
        return self.weighted / self.target if self.target else None

    @property
    def gap(self) -> Decimal | None:
        """How much weighted forecast is still missing to reach the target (0 when covered)."""
        return None if not self.target else max(self.target - self.weighted, Decimal(0))

    def params(self) -> Params:
        return {"label": self.label, "weighted": self.weighted, "count": self.count, "target": self.target,
                "coverage": self.coverage, "gap": self.gap}


def outlook(deals: Iterable[Deal], funnel: Funnel, period: Period, currency: str, target: Decimal | None) -> Outlook:
    result = forecast([d for d in deals if d.status == DealStatus.OPEN], funnel, period, currency)
    return Outlook(period.label, result.total_weighted, result.count, target)


def won_in(deals: Iterable[Deal], period: Period, currency: str, zone: ZoneInfo) -> Decimal:
    """The amount won in the period (by the day it was marked won, team timezone)."""
    return sum((d.amount for d in deals if d.status == DealStatus.WON and d.closed_at is not None
                and d.currency.upper() == currency.upper() and period.contains(local_date(d.closed_at, zone))),
               Decimal(0))


def rep_outlooks(reps: Iterable[User], deals: list[Deal], funnel: Funnel, currency: str, targets: Targets,
                 today: date, zone: ZoneInfo) -> list[Params]:
    """Per rep, in the order given: next month and next quarter against the rep's targets, and
    won this quarter to date against the rep's target for this quarter."""
    months, quarters, now = next_month(today), next_quarter(today), current_quarter(today)
    quarter_so_far = Period(now.kind, now.start, today, now.label)
    rows = []
    for rep in reps:
        own = [d for d in deals if d.owner_id == rep.id]
        rows.append({"id": rep.id, "name": rep.name,
                     "next_month": outlook(own, funnel, months, currency, targets.get((rep.id, months.label))).params(),
                     "next_quarter": outlook(own, funnel, quarters, currency,
                                             targets.get((rep.id, quarters.label))).params(),
                     "won": won_in(own, quarter_so_far, currency, zone), "won_label": now.label,
                     "won_target": targets.get((rep.id, now.label))})
    return rows
