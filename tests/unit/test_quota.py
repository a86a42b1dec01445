"""Targets per rep (000's quota, 001's forecast per rep): forecast, target, coverage, gap and
won to date, with the seeds' own figures."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from assistant.method.funnel_config import preset
from assistant.method.model import Deal, DealStatus, Role, User
from assistant.method.quota import rep_outlooks

TODAY = date(2026, 11, 18)            # next month 2026-12, next quarter 2027-Q1, this quarter 2026-Q4
ZONE = ZoneInfo("Asia/Shanghai")
WANG, LI = User(1, 1, "王伟", Role.REP, "zh"), User(2, 1, "李娜", Role.REP, "zh")
WAN = Decimal(10000)


def deal(owner: User, stage: str, wan: int, close: str, status: str = DealStatus.OPEN,
         closed: datetime | None = None) -> Deal:
    return Deal(0, 1, owner.id, 1, "客户", "项目", wan * WAN, "CNY", date.fromisoformat(close), stage, status,
                closed_at=closed)


def test_000_a_prospect_of_one_million_at_25_percent_carries_250_thousand():
    funnel = preset("quota_ladder")
    [row] = rep_outlooks([WANG], [deal(WANG, "candidate", 100, "2027-02-10")], funnel, "CNY",
                         {(1, "2027-Q1"): 50 * WAN}, TODAY, ZONE)
    quarter = row["next_quarter"]
    assert (quarter["weighted"], quarter["target"], quarter["coverage"], quarter["gap"]) == (
        25 * WAN, 50 * WAN, Decimal("0.5"), 25 * WAN)


@pytest.mark.parametrize(("stage", "share"), [("verify", "0.1"), ("develop", "0.3"), ("propose", "0.5"),
                                              ("close", "0.8")])
def test_001_next_months_forecast_per_rep_by_stage(stage, share):
    funnel = preset("four_stage")
    rows = rep_outlooks([WANG, LI], [deal(WANG, stage, 100, "2026-12-20"), deal(LI, "close", 100, "2027-01-05")],
                        funnel, "CNY", {}, TODAY, ZONE)
    assert rows[0]["next_month"]["weighted"] == 100 * WAN * Decimal(share)
    assert rows[0]["next_month"]["target"] is None and rows[0]["next_month"]["coverage"] is None
    assert rows[1]["next_month"]["weighted"] == 0 and rows[1]["next_quarter"]["weighted"] == 80 * WAN


def test_targets_are_per_rep_and_won_to_date_is_this_quarter():
    funnel = preset("project")
    deals = [deal(WANG, "near_win", 50, "2026-11-30", DealStatus.WON, datetime(2026, 10, 9, 3, tzinfo=UTC)),
             deal(WANG, "near_win", 30, "2026-09-30", DealStatus.WON, datetime(2026, 9, 30, 3, tzinfo=UTC)),
             deal(LI, "target", 100, "2026-12-31"),
             deal(WANG, "target", 100, "2026-12-31", DealStatus.LOST, datetime(2026, 11, 1, tzinfo=UTC))]
    targets = {(1, "2026-12"): 40 * WAN, (2, "2026-12"): 5 * WAN, (None, "2026-12"): 999 * WAN,
               (1, "2026-Q4"): 200 * WAN}
    wang, li = rep_outlooks([WANG, LI], deals, funnel, "CNY", targets, TODAY, ZONE)
    assert (wang["won"], wang["won_label"], wang["won_target"]) == (50 * WAN, "2026-Q4", 200 * WAN)
    assert (wang["next_month"]["weighted"], wang["next_month"]["coverage"], wang["next_month"]["gap"]) == (
        0, 0, 40 * WAN)
    assert (li["next_month"]["weighted"], li["next_month"]["coverage"], li["next_month"]["gap"]) == (
        10 * WAN, 2, 0)
    assert li["won"] == 0 and li["won_target"] is None
