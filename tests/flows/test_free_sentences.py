"""Free sentences through the terminal chat: read for an action, a deal, a date and an amount,
echoed as a proposed change with Confirm / Change / Cancel, and written only after Confirm; a
sentence nothing is read from is kept and offered as a visit note on a deal the rep picks."""
from datetime import date
from decimal import Decimal

import pytest

from assistant.events import ChatKey

REP = ChatKey("console", "王伟", "王伟")


def deal(make_uow, deal_id):
    with make_uow() as uow:
        return uow.deals.get(deal_id)


def visits(make_uow, deal_id):
    with make_uow() as uow:
        return uow.deals.visits(deal_id)


def test_a_visit_with_its_next_step_is_proposed_and_written_on_confirm(demo, chat):
    rep = chat("王伟")
    proposal = rep.say("刚见完美的的李总，他们下个月招标")
    assert "我理解的是：\n📝 记拜访：#5 美的集团股份有限公司 · 呼叫中心升级" in proposal
    assert "拜访日期：2026年11月18日（周三）" in proposal
    assert "下一步：他们下个月招标（2026年12月31日（周四））" in proposal
    assert "[1] ✔ 确认" in proposal and "[2] ✏️ 改一下" in proposal and "[3] ✖ 取消" in proposal
    assert visits(demo, 5) == [], "nothing is written before Confirm"
    saved = rep.press("确认")
    assert "✅ 拜访已记录" in saved
    [visit] = visits(demo, 5)
    assert (visit.visited_on, visit.result, visit.next_due) == (date(2026, 11, 18), "刚见完美的的李总，他们下个月招标",
                                                                 date(2026, 12, 31))
    assert deal(demo, 5).next_step == "他们下个月招标"


def test_a_lost_deal_is_proposed_and_the_report_completed_after_confirm(demo, chat):
    rep = chat("王伟")
    proposal = rep.say("小米那单黄了，对方选了本地厂商")
    assert "❌ 丢单：#2 北京小米科技有限责任公司 · 办公网络改造" in proposal
    assert deal(demo, 2).status == "open"
    assert "丢单报告 1/3：我方的原因是什么？" in rep.press("确认")
    assert deal(demo, 2).status == "open", "still nothing written while the report is being filled"
    rep.say("价格没谈拢")
    assert "属于哪一类" in rep.say("早点摸清竞争对手")
    assert "输给了哪家竞争对手" in rep.press("竞争对手")
    assert "已标记丢单" in rep.say("本地厂商")
    lost = deal(demo, 2)
    assert (lost.status, lost.lost_reason_customer, lost.lost_reason_ours) == (
        "lost", "小米那单黄了，对方选了本地厂商", "价格没谈拢")
    assert (lost.lost_category, lost.lost_competitor) == ("competitor", "本地厂商")


def test_cancel_writes_nothing_and_change_offers_the_deals_actions(demo, chat):
    rep = chat("王伟")
    rep.say("比亚迪签了！")
    assert "好的，这句话没有保存任何内容。" in rep.press("取消")
    assert deal(demo, 3).status == "open"
    assert "🏆 赢单：#3 比亚迪股份有限公司 · 工厂MES系统" in rep.say("比亚迪签了！")
    changing = rep.press("改一下")
    assert "请选要做的操作" in changing and "⏩ 推进" in changing and "🏆 赢单" in changing
    assert deal(demo, 3).status == "open"
    with demo() as uow:
        assert uow.flow_states.get(REP) is None


def test_a_win_is_written_on_confirm(demo, chat):
    rep = chat("王伟")
    rep.say("宁德时代拿下了，合同下午寄过来")
    assert "🏆" in rep.press("确认") and deal(demo, 4).status == "won"


def test_an_advance_asks_the_check_points_after_confirm(demo, chat):
    rep = chat("王伟")
    proposal = rep.say("宁德那边技术通过了，下周进入商务谈判")
    assert "⏩ 推进：#4 宁德时代新能源科技股份有限公司 · 安全监控平台" in proposal
    checklist = rep.press("确认")
    assert "接近赢单客户" in checklist and deal(demo, 4).stage_key == "intent"
    rep.press("仍然推进")
    assert deal(demo, 4).stage_key == "near_win"


def test_an_amount_in_the_sentence_is_part_of_the_proposal(demo, chat):
    rep = chat("王伟")
    proposal = rep.say("昨天和华为王总吃了饭，预算大概150万")
    assert "拜访日期：2026年11月17日（周二）" in proposal
    assert "金额改为：¥150万（原来 ¥120万）" in proposal
    rep.press("确认")
    assert deal(demo, 1).amount == Decimal(1500000)
    assert visits(demo, 1)[0].visited_on == date(2026, 11, 17)


def test_nothing_understood_is_kept_as_a_visit_note_on_a_deal_the_rep_picks(demo, chat):
    rep = chat("王伟")
    offered = rep.say("今天的会开得不太顺利，对方有点犹豫")
    assert "这句话我没看出要做什么操作：“今天的会开得不太顺利，对方有点犹豫”" in offered
    assert "#3 比亚迪股份有限公司 · 工厂MES系统" in offered
    proposal = rep.press("比亚迪")
    assert "拜访记录：今天的会开得不太顺利，对方有点犹豫" in proposal and visits(demo, 3) == []
    rep.press("确认")
    assert [v.result for v in visits(demo, 3)] == ["今天的会开得不太顺利，对方有点犹豫"]


def test_a_deal_several_deals_could_be_is_asked(demo, chat):
    rep = chat("王伟")
    rep.say("/new 美的集团股份有限公司 智慧工厂 300万 明年3月")
    asked = rep.say("美的那边见了采购")
    assert "说的是哪个商机？" in asked and "呼叫中心升级" in asked and "智慧工厂" in asked
    assert "#5 美的集团股份有限公司 · 呼叫中心升级" in rep.press("呼叫中心升级")


def test_a_negated_action_is_not_proposed(demo, chat):
    rep = chat("王伟")
    reply = rep.say("华为那单还没签")
    assert "🏆" not in reply and "📝 记拜访：#1 华为技术有限公司" in reply


def test_a_word_or_two_still_gets_the_menu(demo, chat):
    assert "想做什么？" in chat("王伟").say("你好")


@pytest.mark.parametrize(("sentence", "action", "deal_id"), [
    ("和比亚迪张工打了电话，下周三去做演示", "📝 记拜访", 3),
    ("拜访了华为，对方周五要方案", "📝 记拜访", 1),
    ("美的选了别家", "❌ 丢单", 5),
    ("小米签约了", "🏆 赢单", 2),
    ("宁德时代立项了", "⏩ 推进", 4),
    ("比亚迪下一步：月底前提交测试报告", "📌 设下一步", 3),
])
def test_many_chinese_phrasings(demo, chat, sentence, action, deal_id):
    reply = chat("王伟").say(sentence)
    assert f"{action}：#{deal_id} " in reply, reply


def test_english_sentences(demo, chat):
    rep = chat("王伟")
    rep.say("/lang en")
    rep.say("/new Acme Corp, Cloud move, 500k, next month")
    acme = max(d.id for d in (deal(demo, i) for i in range(1, 12)) if d)
    proposal = rep.say("met Acme today, they want a quote by Friday")
    assert f"📝 Log visit: #{acme} Acme Corp · Cloud move" in proposal
    assert "Next step: they want a quote by Friday (" in proposal
    assert "Nothing is saved until you confirm." in proposal
    rep.press("Confirm")
    assert deal(demo, acme).next_due == date(2026, 11, 20)
    assert "❌ Lost" in rep.say("Acme went with a local vendor")
    rep.press("Cancel")
    assert "🏆 Won" in rep.say("we won the Acme deal!")
    rep.press("Cancel")
    assert "🏆 Won" not in rep.say("Acme didn't sign yet, they won't decide before March")
