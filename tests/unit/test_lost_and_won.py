"""The lost report as data (category, competitor), reopening a lost deal, and a win recorded
with what was signed."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from assistant.method.deals import mark_lost, mark_won, reopen
from assistant.method.funnel_config import preset
from assistant.method.model import LOST_CATEGORIES, Deal, DealStatus, Role, StageChange, User
from assistant.method.results import Problem
from assistant.method.weekly_digest import lost_reasons

FUNNEL = preset("project")
REP = User(1, 1, "王伟", Role.REP, "zh")
NOW = datetime(2026, 11, 18, 2, tzinfo=UTC)
REPORT = {"lost_reason_ours": "报价偏高", "lost_reason_customer": "预算削减", "lost_prevention": "早做价值呈现"}


def a_deal(stage: str = "shortlisted") -> Deal:
    return Deal(7, 1, 1, 1, "华为", "扩容", Decimal(1_000_000), "CNY", date(2026, 12, 31), stage)


def test_the_short_list_of_reasons():
    assert LOST_CATEGORIES == ("price", "product_fit", "relationship", "timing", "budget", "competitor",
                               "no_decision", "other")


@pytest.mark.parametrize(("extra", "outcome"), [
    ({"lost_category": "price"}, ("price", None)),
    ({"lost_category": "competitor", "lost_competitor": " 某竞品 "}, ("competitor", "某竞品")),
    ({"lost_category": "competitor"}, Problem.of("lost.no_competitor")),
    ({"lost_category": "timing", "lost_competitor": "某竞品"}, ("timing", "某竞品")),
    ({}, Problem.of("lost.no_category")),
])
def test_the_category_and_competitor_are_kept(extra, outcome):
    result = mark_lost(a_deal(), REPORT | extra, REP, NOW)
    if isinstance(outcome, Problem):
        assert result == outcome
    else:
        lost, _ = result
        assert (lost.lost_category, lost.lost_competitor) == outcome


def test_reopen_goes_back_to_the_stage_it_was_lost_from():
    lost, change = mark_lost(a_deal("intent"), REPORT | {"lost_category": "budget"}, REP, NOW)
    opened, back = reopen(lost, [change], FUNNEL, REP, NOW)
    assert (opened.status, opened.stage_key, opened.closed_at, opened.lost_category) == (
        DealStatus.OPEN, "intent", None, None)
    assert (back.kind, back.from_stage, back.to_stage, back.note) == ("reopen", "lost", "intent", "budget")
    assert reopen(opened, [change, back], FUNNEL, REP, NOW) == Problem.of("reopen_deal.not_lost")
    gone = StageChange(7, "retired", "lost", "lost", NOW, 1, True)
    assert reopen(replace(lost, stage_key="retired"), [gone], FUNNEL, REP, NOW)[0].stage_key == "target"


def test_a_win_records_the_signed_amount_and_date():
    won, change = mark_won(a_deal(), REP, NOW, Decimal(980_000), date(2026, 11, 16))
    assert (won.status, won.amount, won.close_date, change.kind) == (DealStatus.WON, 980_000, date(2026, 11, 16),
                                                                      "won")
    assert mark_won(a_deal(), REP, NOW, signed_on=date(2026, 12, 1)) == Problem.of(
        "mark_won.signed_on.future", date=date(2026, 12, 1))
    assert isinstance(mark_won(a_deal(), REP, NOW, Decimal(0)), Problem)
    kept, _ = mark_won(a_deal(), REP, NOW)
    assert (kept.amount, kept.close_date) == (1_000_000, date(2026, 12, 31))


def test_the_digest_counts_losses_by_category_most_first():
    pairs = (("price", ""), ("competitor", "甲公司"), ("competitor", "乙公司"), ("competitor", "甲公司"), ("other", ""))
    refs = [{"category": c, "competitor": n} for c, n in pairs]
    assert lost_reasons(refs) == [{"category": "competitor", "count": 3, "competitors": ["甲公司", "乙公司"]},
                                  {"category": "price", "count": 1, "competitors": []},
                                  {"category": "other", "count": 1, "competitors": []}]
