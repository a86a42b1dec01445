"""Deal rules without a database: permissions, stage moves and what they record."""
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from assistant.method.deals import advance, apply_visit, back_off, can_edit, can_view, is_overdue, mark_lost, mark_won
from assistant.method.funnel_config import preset
from assistant.method.model import Deal, DealStatus, Role, User, Visit
from assistant.method.results import Problem

NOW = datetime(2026, 11, 18, 2, tzinfo=UTC)
FUNNEL = preset("project")
REP = User(1, 10, "王伟", Role.REP, "zh")
OTHER_REP = User(2, 10, "李娜", Role.REP, "zh")
MANAGER = User(3, 10, "张强", Role.MANAGER, "zh")
OTHER_TEAM_MANAGER = User(4, 20, "外人", Role.MANAGER, "zh")


def a_deal(stage="target", status=DealStatus.OPEN) -> Deal:
    return Deal(7, 10, REP.id, 1, "华为技术有限公司", "数据中心扩容", Decimal("1200000"), "CNY",
                date(2026, 12, 31), stage, status)


@pytest.mark.parametrize("user, view, edit", [
    (REP, True, True), (OTHER_REP, False, False), (MANAGER, True, False), (OTHER_TEAM_MANAGER, False, False)])
def test_who_sees_and_changes_a_deal(user, view, edit):
    assert (can_view(user, a_deal()), can_edit(user, a_deal())) == (view, edit)


def test_advance_records_the_checklist():
    moved, change = advance(a_deal(), FUNNEL, REP, NOW, {"ticked": ["a"], "unticked": ["b"]})
    assert moved.stage_key == "qualified" and moved.last_activity_at == NOW
    assert (change.kind, change.from_stage, change.to_stage, change.checklist_complete, change.unticked) == (
        "advance", "target", "qualified", False, ("b",))
    _, complete = advance(a_deal(), FUNNEL, REP, NOW, {"ticked": ["a", "b"], "unticked": []})
    assert complete.checklist_complete


def test_advance_stops_at_the_last_stage_and_on_closed_deals():
    assert advance(a_deal("near_win"), FUNNEL, REP, NOW, {}) == Problem.of("advance.at_last_stage")
    assert advance(a_deal(status=DealStatus.WON), FUNNEL, REP, NOW, {}) == Problem.of("deal.closed")


def test_back_off_only_to_an_earlier_stage():
    moved, change = back_off(a_deal("intent"), FUNNEL, "qualified", REP, NOW, "不回电话")
    assert moved.stage_key == "qualified" and (change.kind, change.note) == ("back_off", "不回电话")
    assert back_off(a_deal("qualified"), FUNNEL, "intent", REP, NOW) == Problem.of("back_off.not_earlier")
    assert back_off(a_deal("qualified"), FUNNEL, "nowhere", REP, NOW) == Problem.of("back_off.not_earlier")


def test_lost_needs_all_three_report_answers():
    report = {"lost_reason_ours": "价格", "lost_reason_customer": "预算", "lost_prevention": " "}
    assert mark_lost(a_deal(), report, REP, NOW) == Problem.of("lost.report_incomplete")
    report |= {"lost_prevention": "早做价值呈现"}
    assert mark_lost(a_deal(), report, REP, NOW) == Problem.of("lost.no_category")
    assert mark_lost(a_deal(), report | {"lost_category": "cheap"}, REP, NOW) == Problem.of("lost.no_category")
    lost, change = mark_lost(a_deal(), report | {"lost_category": "price"}, REP, NOW)
    assert lost.status == DealStatus.LOST and lost.lost_prevention == "早做价值呈现" and change.kind == "lost"
    assert (lost.lost_category, lost.lost_competitor) == ("price", None)


def test_won_closes_and_clears_the_due_date():
    deal = a_deal()
    deal.next_due = date(2026, 11, 20)
    won, change = mark_won(deal, REP, NOW)
    assert (won.status, won.closed_at, won.next_due, change.to_stage) == (DealStatus.WON, NOW, None, "won")


def test_a_visit_sets_next_step_and_due():
    visit = Visit(7, "follow_up", date(2026, 11, 18), "", "", next_steps=("提交方案", "安排测试"),
                  next_due=date(2026, 11, 19))
    updated = apply_visit(a_deal(), visit, NOW)
    assert (updated.next_step, updated.next_due, updated.last_activity_at) == ("提交方案", date(2026, 11, 19), NOW)
    assert is_overdue(updated, date(2026, 11, 20)) and not is_overdue(updated, date(2026, 11, 19))
