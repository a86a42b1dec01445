"""Visits, advance with the checklist, back-off, won and lost, through the terminal chat."""
from datetime import date
from decimal import Decimal

import pytest

from assistant.method.model import DealStatus


def deal(make_uow, deal_id):
    with make_uow() as uow:
        return uow.deals.get(deal_id)


def history(make_uow, deal_id):
    with make_uow() as uow:
        return uow.deals.changes(deal_id), uow.deals.visits(deal_id)


def test_one_line_visit_sets_next_step_and_due(demo, chat):
    rep = chat("王伟")
    assert "拜访已记录" in rep.say("/visit 华为 明天 提交方案")
    reply = rep.press("提交方案")
    assert "下一步：提交方案（2026年11月19日" in reply
    saved = deal(demo, 1)
    assert saved.next_step == "提交方案" and saved.next_due == date(2026, 11, 19)
    _, visits = history(demo, 1)
    assert [(v.visited_on, v.kind, v.result) for v in visits] == [(date(2026, 11, 18), "follow_up", "提交方案")]


def test_guided_visit_report(demo, chat):
    rep = chat("王伟")
    assert "哪个商机" in rep.say("/visit")
    assert "哪天拜访" in rep.say("比亚迪")
    assert "拜访类型" in rep.say("昨天")
    assert "目的" in rep.say("1")
    assert "客户方参加人" in rep.say("了解MES需求")
    assert "我方参加人" in rep.say("刘总（CIO）、陈工（IT经理）")
    assert "拜访结果" in rep.say("跳过")
    assert "下一步计划" in rep.say("客户认可我们的技术方案")
    assert "什么时候完成" in rep.say("1. 提交报价 2. 安排测试")
    assert "客户方遗留问题" in rep.say("下周五")
    assert "我方遗留问题" in rep.say("预算审批流程未明")
    reply = rep.say("skip")
    assert "拜访已记录" in reply and "提交报价" in reply
    _, visits = history(demo, 3)
    visit = visits[-1]
    assert visit.kind == "cold" and visit.visited_on == date(2026, 11, 17) and visit.our_participants == ""
    assert visit.customer_participants == "刘总（CIO）、陈工（IT经理）"
    assert visit.next_steps == ("提交报价", "安排测试") and visit.next_due == date(2026, 11, 27)
    assert visit.issues_customer == "预算审批流程未明"
    assert deal(demo, 3).next_step == "提交报价"


def test_ambiguous_deal_is_asked_back(demo, chat):
    rep = chat("王伟")
    rep.say("/new 华为技术有限公司 机房搬迁 30万 月底")
    reply = rep.say("/visit 华为 明天 提交方案")
    assert "对应多个商机" in reply and "数据中心扩容" in reply and "机房搬迁" in reply
    reply = rep.press("机房搬迁")
    assert "拜访已记录" in reply and "机房搬迁" in reply


def test_advance_with_full_checklist(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/advance 1")
    assert "推进到“有效客户”前" in reply
    for number in ("1", "2", "3"):
        rep.say(number)
    reply = rep.press("确认")
    assert "已推进" in reply and "有效客户（25%）" in reply and "未确认" not in reply
    assert deal(demo, 1).stage_key == "qualified"
    changes, _ = history(demo, 1)
    assert (changes[-1].kind, changes[-1].from_stage, changes[-1].to_stage, changes[-1].checklist_complete) == (
        "advance", "target", "qualified", True)


def test_advance_anyway_is_recorded(demo, chat):
    rep = chat("王伟")
    rep.say("/advance 比亚迪")
    rep.say("1")
    reply = rep.press("仍然推进")
    assert "有检查点未确认，已记录" in reply
    changes, _ = history(demo, 3)
    assert changes[-1].to_stage == "intent" and not changes[-1].checklist_complete
    assert len(changes[-1].ticked) == 1 and len(changes[-1].unticked) == 6
    detail = rep.say("/deal 3")
    assert "入围客户 → 意向客户（6 项检查点未确认）" in detail


def test_advance_at_last_stage_points_to_won(demo, chat):
    rep = chat("王伟")
    rep.say("/advance 5")
    assert "最后一个阶段" in rep.last
    assert deal(demo, 5).stage_key == "near_win"


def test_back_off_with_signal(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/back 宁德时代")
    assert "退回到哪个阶段" in reply and "入围客户" in reply
    assert "没有“第九阶段”这个阶段" in rep.say("第九阶段")
    assert "原因" in rep.say("有效客户")
    reply = rep.say("1")
    assert "已后退" in reply and "有效客户（25%）" in reply
    changes, _ = history(demo, 4)
    assert (changes[-1].kind, changes[-1].from_stage, changes[-1].to_stage, changes[-1].note) == (
        "back_off", "intent", "qualified", "不回电话/消息")


def test_won_needs_confirmation(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/won 美的")
    assert "“美的集团股份有限公司 · 呼叫中心升级”赢单：签约金额是多少" in reply and "和预计一样：¥45万" in reply
    assert "哪天签约的" in rep.say("42万")
    assert "还没到" in rep.say("明天"), "a signing date to come is refused"
    reply = rep.say("昨天")
    assert "确认“美的集团股份有限公司 · 呼叫中心升级”已于 2026年11月17日（周二） 签约，金额 ¥42万" in reply
    assert "[2] ✖ 取消" in reply and deal(demo, 5).status == DealStatus.OPEN
    reply = rep.say("1")
    assert "恭喜赢单" in reply and "¥42万，签约日期 2026年11月17日（周二）" in reply
    won = deal(demo, 5)
    assert won.status == DealStatus.WON and won.closed_at is not None
    assert (won.amount, won.close_date) == (Decimal("420000"), date(2026, 11, 17))
    assert "#5“呼叫中心升级”已经赢单，不能再变更" in rep.say("/advance 5")


def test_lost_requires_the_three_answers(demo, chat):
    rep = chat("王伟")
    assert "我方的原因" in rep.say("/lost 2")
    assert "不能为空" in rep.say("   ")
    assert "客户说的原因" in rep.say("报价偏高")
    assert "如何避免" in rep.say("选了本地厂商")
    reply = rep.say("提前做价值呈现")
    assert "主要原因属于哪一类" in reply and "[6] 竞争对手" in reply and "[8] 其他" in reply
    assert "哪家竞争对手" in rep.press("竞争对手")
    assert "确认把“北京小米科技有限责任公司 · 办公网络改造”（¥35万）标记为丢单" in rep.say("深圳某本地厂商")
    assert deal(demo, 2).status == DealStatus.OPEN, "nothing is written before the confirmation"
    reply = rep.press("确认")
    assert "已标记丢单" in reply and "报价偏高" in reply and "原因类别：竞争对手（深圳某本地厂商）" in reply
    lost = deal(demo, 2)
    assert (lost.status, lost.lost_reason_ours, lost.lost_reason_customer, lost.lost_prevention) == (
        DealStatus.LOST, "报价偏高", "选了本地厂商", "提前做价值呈现")
    assert (lost.lost_category, lost.lost_competitor) == ("competitor", "深圳某本地厂商")
    changes, _ = history(demo, 2)
    assert changes[-1].kind == "lost"


def test_buttons_on_a_deal_card_start_the_flow(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/deal 1")
    assert "阶段记录" in reply and "[2] ⏩ 推进" in reply
    assert "推进到“有效客户”前" in rep.say("2")


def test_stale_button_changes_nothing(demo, chat):
    rep = chat("王伟")
    rep.say("/won 美的")
    old_buttons = list(rep.console.buttons)
    rep.say("/cancel")
    rep.say("/won 美的")
    rep.console.buttons = old_buttons
    assert "过期" in rep.say("1")
    assert deal(demo, 5).status == DealStatus.OPEN


def test_qualify_sets_the_man_class(demo, chat):
    rep = chat("王伟")
    assert "未评估" in rep.say("/new 华为技术有限公司 试点 5万 月底")
    new_id = max(d.id for d in _open(demo))
    rep.press("🎯")
    for flag in ("有需求", "有预算", "能拍板"):
        rep.press(flag)
    reply = rep.press("确认")
    assert "分类已更新" in reply and "2S 金矿型" in reply
    updated = deal(demo, new_id)
    assert (updated.need, updated.money, updated.authority, updated.urgent) == (True, True, True, False)


@pytest.mark.parametrize(("lang", "unassessed", "burden"), [
    ("zh", "客户分类 未评估", "客户分类 B 包袱型"), ("en", "Class not assessed", "Class B burden")])
def test_a_deal_assessed_with_no_need_and_no_money_shows_class_b(demo, chat, lang, unassessed, burden):
    rep = chat("王伟")
    rep.say(f"/lang {lang}")
    assert unassessed in rep.say("/new 华为技术有限公司 试点 5万 月底")
    new_id = max(d.id for d in _open(demo))
    reply = rep.say(f"/qualify {new_id}")
    reply = rep.press("确认" if lang == "zh" else "Confirm")
    assert burden in reply and unassessed not in reply
    assert deal(demo, new_id).assessed_at is not None
    assert burden in rep.say(f"/deal {new_id}")


def _open(make_uow):
    with make_uow() as uow:
        return uow.deals.find(1, status="open")


def test_edit_amount_and_close_date(demo, chat):
    rep = chat("王伟")
    assert "改哪一项" in rep.say("/edit 3")
    assert "新的金额" in rep.press("金额")
    assert "金额要大于 0" in rep.say("-1")
    assert "已修改" in rep.say("320万") and "¥320万" in rep.last
    rep.say("/edit 比亚迪")
    rep.press("预计成交日期")
    assert "2027年3月31日" in rep.say("明年3月")
    updated = deal(demo, 3)
    assert (updated.amount, updated.close_date) == (Decimal("3200000"), date(2027, 3, 31))
