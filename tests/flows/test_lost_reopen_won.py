"""Through the chat: the lost report's category and competitor, the digest counting losses by
category (zh and en), a lost deal reopened at its stage, and /won with the signed amount."""
from decimal import Decimal

from assistant.method.model import DealStatus


def lose(rep, ref, category, competitor=None):
    rep.say(f"/lost {ref}")
    for answer in ("报价偏高", "预算削减", "早做价值呈现"):
        reply = rep.say(answer)
    reply = rep.press(category)
    if competitor:
        reply = rep.say(competitor)
    assert "标记为丢单" in reply
    return rep.press("确认")


def test_lost_reasons_are_counted_in_the_digest(demo, chat):
    rep = chat("王伟")
    lose(rep, "#2", "竞争对手", "深圳某本地厂商")
    lose(rep, "#1", "价格")
    lose(chat("李娜"), "#7", "竞争对手", "深圳某本地厂商")
    manager = chat("张强")
    digest = manager.say("/digest")
    assert "· 丢单原因分类：竞争对手 2 个（深圳某本地厂商），价格 1 个" in digest
    assert "¥35万（竞争对手：深圳某本地厂商）：我方原因“报价偏高”" in digest
    manager.say("/lang en")
    assert "· Lost by reason: Competitor 2 (深圳某本地厂商), Price 1" in manager.say("/digest")


def test_a_lost_deal_is_reopened_at_the_stage_it_was_lost_from(demo, chat):
    rep = chat("王伟")
    card = lose(rep, "#4", "时机")
    assert "原因类别：时机" in card and "↩️ 重新打开" in card
    reply = rep.press("重新打开")
    assert "回到丢单前的阶段“意向客户”" in reply
    assert "商机已重新打开" in rep.press("确认")
    with demo() as uow:
        deal = uow.deals.get(4)
        kinds = [(c.kind, c.to_stage) for c in uow.deals.changes(4)][-2:]
    assert (deal.status, deal.stage_key, deal.lost_category) == (DealStatus.OPEN, "intent", None)
    assert kinds == [("lost", "lost"), ("reopen", "intent")]
    assert "重新打开，回到 意向客户" in rep.say("/deal 4")
    assert "本周赢单 0 个，¥0；丢单 0 个，¥0" in chat("张强").say("/digest"), "a reopened deal is no loss"
    assert "没有和“4”对得上的" in rep.say("/reopen 4")


def test_won_asks_the_signed_amount_in_english(demo, chat):
    rep = chat("王伟")
    rep.say("/lang en")
    rep.say("/won #5")
    assert "“美的集团股份有限公司 · 呼叫中心升级” won: what was the signed amount?" in rep.last
    reply = rep.say("120")
    assert "Is the amount CN¥120? That is under a thousand" in reply and "It is CN¥1,200,000" in reply
    assert "When was it signed?" in rep.press("It is CN¥1,200,000")
    assert "for CN¥1,200,000?" in rep.press("Today")
    assert "Deal won" in rep.press("Confirm")
    with demo() as uow:
        assert uow.deals.get(5).amount == Decimal(1_200_000)
