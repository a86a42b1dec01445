"""Per lead source (001's four sources, 004 by source): deals, amount, won, win rate, cycle."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from assistant.method.funnel_config import preset
from assistant.method.model import Deal, DealStatus, Role, Team, User
from assistant.method.weekly_digest import TeamData, by_lead_source

TEAM = Team(1, "华东大区销售部", "zh", "Asia/Shanghai", "CNY", preset("project"))
WAN = Decimal(10000)


def deal(source: str | None, wan: int, status: str = DealStatus.OPEN, days: int | None = None) -> Deal:
    created = datetime(2026, 10, 1, 2, tzinfo=UTC)
    closed = datetime(2026, 10, 1 + days, 2, tzinfo=UTC) if days is not None else None
    return Deal(0, 1, 1, 1, "客户", "项目", wan * WAN, "CNY", date(2026, 12, 31), "target", status,
                lead_source=source, created_at=created, closed_at=closed)


def test_per_source_deals_amount_won_win_rate_and_cycle():
    deals = [deal("referral", 100, DealStatus.WON, 20), deal("referral", 50, DealStatus.WON, 10),
             deal("referral", 30, DealStatus.LOST, 5), deal("referral", 20),
             deal("campaign", 80, DealStatus.LOST, 3), deal(None, 10)]
    rows = by_lead_source(TeamData(TEAM, [User(1, 1, "王伟", Role.REP, "zh")], deals, {}, {}))
    assert [(r["source"], r["count"], r["amount"], r["won"], r["won_amount"], r["conversion"], r["cycle"])
            for r in rows] == [
        ("referral", 4, 200 * WAN, 2, 150 * WAN, Decimal(2) / 3, Decimal(15)),
        ("campaign", 1, 80 * WAN, 0, 0, Decimal(0), None),
        ("none", 1, 10 * WAN, 0, 0, None, None)]
