"""Typed deal references, expired steps and commands typed in the middle of a flow, through the
terminal chat: a reading that could be wrong is asked back, never guessed."""
from datetime import timedelta

from assistant.chat.router import FLOW_TIMEOUT
from assistant.events import ChatKey
from assistant.method.model import DealStatus

REP = ChatKey("console", "王伟", "王伟")


def deal(make_uow, deal_id):
    with make_uow() as uow:
        return uow.deals.get(deal_id)


def visits(make_uow, deal_id):
    with make_uow() as uow:
        return uow.deals.visits(deal_id)


def finish_guided_visit(rep, result: str) -> str:
    rep.say("今天")
    rep.press("跟进拜访")
    for answer in ("跳过", "跳过", "跳过", result, "跳过", "跳过"):
        rep.say(answer)
    return rep.say("跳过")


# ---- deal references --------------------------------------------------------------------------

def test_in_the_console_hash_names_the_deal_and_a_bare_number_presses_the_button(demo, chat):
    rep = chat("王伟")
    prompt = rep.say("/visit")
    assert "[2] #5 美的集团股份有限公司" in prompt and "#编号" in prompt
    rep.say("#2")
    assert "#2 北京小米科技有限责任公司" in finish_guided_visit(rep, "谈了报价")
    assert [v.result for v in visits(demo, 2)] == ["谈了报价"] and visits(demo, 5) == []
    rep.say("/visit")
    rep.say("2")
    assert "#5 美的集团股份有限公司" in finish_guided_visit(rep, "参与投标")
    assert [v.result for v in visits(demo, 5)] == ["参与投标"]


def test_a_hash_number_names_the_deal_at_every_deal_prompt(demo, chat):
    rep = chat("王伟")
    for command in ("/advance", "/back", "/won", "/lost", "/qualify", "/edit", "/next"):
        rep.say(command)
        rep.say("#2")
        with demo() as uow:
            assert uow.flow_states.get(REP).values["deal"] == 2, command
        rep.say("/cancel")


def test_a_deal_is_found_by_customer_department_or_part_of_the_title(demo, chat):
    rep = chat("王伟")
    assert "宁德时代新能源科技股份有限公司 · 安全监控平台" in rep.say("/won 宁德")
    rep.say("/cancel")
    assert "比亚迪股份有限公司 · 工厂MES系统" in rep.say("/won MES")
    rep.say("/cancel")
    reply = rep.say("/won 科技")
    assert "“科技”对应多个商机" in reply and "#2 北京小米" in reply and "#4 宁德时代" in reply
    assert "北京小米科技有限责任公司 · 办公网络改造" in rep.press("#2")
    li = chat("李娜")
    assert "腾讯科技（深圳）有限公司-采购部 · 会议系统" in li.say("/won 采购部")


def test_deal_by_customer_name_and_several_matches_asked_back(demo, chat):
    rep = chat("王伟")
    assert "#4 宁德时代新能源科技股份有限公司 · 安全监控平台" in rep.say("/deal 宁德")
    reply = rep.say("/deal 科技")
    assert "“科技”对应多个商机" in reply
    assert "阶段记录" in rep.press("#4 宁德时代")
    assert "找不到商机“会议系统”" in rep.say("/deal 会议系统"), "another rep's deal is not shown"
    assert "#7 腾讯科技" in chat("张强").say("/deal 会议系统"), "a manager sees the team's deals"


def test_find_shows_my_deals_and_who_follows_a_customer_without_their_deals(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/find 腾讯")
    assert "腾讯科技（深圳）有限公司-采购部：李娜 在跟进" in reply
    assert "会议系统" not in reply and "15万" not in reply
    reply = rep.say("搜索 华为")
    assert "#1 华为技术有限公司 · 数据中心扩容｜¥120万｜目标客户" in reply and "华为技术有限公司：王伟 在跟进" in reply
    assert "阶段记录" in rep.press("#1 华为")
    assert "没有找到和“顺丰快递”有关的" not in rep.say("/find 顺丰")
    assert "没有找到和“苹果”有关的商机或客户" in rep.say("/find 苹果")
    assert "找什么" in rep.say("/find")
    reply = chat("张强").say("/find 腾讯")
    assert "#7 腾讯科技（深圳）有限公司-采购部 · 会议系统" in reply and "李娜" in reply


def test_find_and_deal_by_name_in_english(demo, chat):
    rep = chat("王伟")
    rep.say("/lang en")
    reply = rep.say("search 腾讯")
    assert "Found for “腾讯”" in reply and "followed by 李娜" in reply and "会议系统" not in reply
    assert "Nothing found for “apple”" in rep.say("/find apple")
    assert "Find what?" in rep.say("find")
    assert "#4 宁德时代新能源科技股份有限公司" in rep.say("/deal 宁德")
    assert "#number" in rep.say("/visit")


# ---- open steps expire ------------------------------------------------------------------------

def test_a_step_left_open_expires_and_the_next_message_is_read_fresh(demo, chat, clock):
    rep = chat("王伟")
    rep.say("/lost 美的")
    clock.at += timedelta(days=3)
    reply = rep.say("客户说下周再谈")
    assert "你之前的「标记丢单：美的集团股份有限公司」已过期取消" in reply
    assert "这句话我没看出要做什么操作：“客户说下周再谈”" in reply, "read fresh, as any sentence"
    lost = deal(demo, 5)
    assert lost.status == DealStatus.OPEN and lost.lost_reason_ours is None
    assert "已取消，什么都没有保存" in rep.say("/cancel")


def test_an_expired_step_is_dropped_before_a_new_command_runs(demo, chat, clock):
    rep = chat("王伟")
    rep.say("/lost 美的")
    rep.say("报价高")
    clock.at += FLOW_TIMEOUT + timedelta(minutes=1)
    reply = rep.say("/visit 华为 明天 提交方案")
    assert "已过期取消" in reply and "拜访已记录" in reply and "还没完成" not in reply


def test_a_step_answered_within_the_quiet_period_goes_on(demo, chat, clock):
    rep = chat("王伟")
    rep.say("/lost 美的")
    clock.at += FLOW_TIMEOUT - timedelta(minutes=1)
    assert "客户说的原因" in rep.say("报价高")
    clock.at += FLOW_TIMEOUT - timedelta(minutes=1)
    assert "如何避免" in rep.say("选了本地厂商"), "each answer starts the quiet period again"


def test_expiry_in_english_and_its_stale_buttons(demo, chat, clock):
    rep = chat("王伟")
    rep.say("/lang en")
    rep.say("/won 美的")
    clock.at += timedelta(hours=4)
    reply = rep.say("1")
    assert "Your earlier “Mark won: 美的集团股份有限公司” expired and was cancelled" in reply
    assert deal(demo, 5).status == DealStatus.OPEN


# ---- a command during an open step ------------------------------------------------------------

def test_a_command_over_a_half_filled_flow_asks_first(demo, chat):
    rep = chat("王伟")
    rep.say("/lost 美的")
    rep.say("报价高")
    reply = rep.say("/visit 华为 明天 提交方案")
    assert "「标记丢单：美的集团股份有限公司」还没完成" in reply
    assert "[1] 继续「标记丢单」" in reply and "[2] 开始「记录拜访」" in reply
    assert "丢单报告 2/3" in rep.press("继续")
    rep.say("/visit 华为 明天 提交方案")
    assert "拜访已记录" in rep.press("开始")
    rep.press("提交方案")
    assert deal(demo, 1).next_step == "提交方案" and deal(demo, 5).status == DealStatus.OPEN
    assert "没有进行中的操作" in rep.say("/cancel")


def test_an_alias_word_in_a_flow_is_asked_and_can_be_the_answer(demo, chat):
    rep = chat("王伟")
    rep.say("/lost 美的")
    reply = rep.say("丢单 比亚迪")
    assert "还没完成" in reply and "开始「标记丢单」" in reply
    assert "客户说的原因" in rep.press("继续"), "kept: the text was the answer"
    assert "已取消" in rep.say("取消"), "a bare 取消 cancels at once"
    rep.say("/lost 美的")
    rep.say("拜访 比亚迪")
    assert "哪天拜访" in rep.press("开始「记录拜访」")
    with demo() as uow:
        assert uow.flow_states.get(REP).values["deal"] == 3
    assert deal(demo, 5).lost_reason_ours is None


def test_an_english_alias_word_that_reads_as_a_date_is_an_answer(demo, chat):
    rep = chat("王伟")
    rep.say("/lang en")
    rep.say("/next 1")
    reply = rep.say("visit the CTO")
    assert "isn't finished" in reply and "Go on with “Set the next step”" in reply
    assert "When is it due" in rep.press("Go on")
    assert "Next step updated" in rep.say("next Tue")
    saved = deal(demo, 1)
    assert saved.next_step == "visit the CTO" and saved.next_due is not None


def test_a_look_up_in_a_flow_leaves_it_waiting_and_cancel_is_immediate(demo, chat):
    rep = chat("王伟")
    rep.say("/lost 美的")
    rep.say("报价高")
    reply = rep.say("/funnel")
    assert "还没完成" not in reply and "客户说的原因" in reply
    assert "已取消" in rep.say("/cancel")


def test_a_card_button_over_a_half_filled_flow_asks_first(demo, chat):
    rep = chat("王伟")
    rep.say("/lost 美的")
    rep.say("报价高")
    rep.say("/deal 1")
    assert "还没完成" in rep.press("推进") and "开始「推进阶段」" in rep.last
    assert "推进到“有效客户”前" in rep.press("开始")


# ---- won and lost are confirmed with the deal named ------------------------------------------

def test_won_and_lost_can_be_cancelled_at_the_confirmation(demo, chat):
    rep = chat("王伟")
    rep.say("/won 美的")
    rep.press("和预计一样")
    assert "确认“美的集团股份有限公司 · 呼叫中心升级”已于 2026年11月18日（周三） 签约，金额 ¥45万" in rep.press("今天")
    assert "已取消" in rep.press("取消")
    for answer in ("/lost 美的", "价格", "预算", "早沟通", "1"):
        reply = rep.say(answer)
    assert "确认把“美的集团股份有限公司 · 呼叫中心升级”（¥45万）标记为丢单" in reply
    assert "已取消" in rep.say("取消")
    kept = deal(demo, 5)
    assert kept.status == DealStatus.OPEN and kept.lost_reason_ours is None


def test_won_confirmation_in_english(demo, chat):
    rep = chat("王伟")
    rep.say("/lang en")
    assert "“美的集团股份有限公司 · 呼叫中心升级” won: what was the signed amount?" in rep.say("/won 美的")
    assert "When was it signed?" in rep.press("As estimated: CN¥450,000")
    reply = rep.press("Today")
    assert "Mark “美的集团股份有限公司 · 呼叫中心升级” won, signed on Wed 18 Nov 2026 for CN¥450,000?" in reply
    assert "✖ Cancel" in reply
    rep.press("Confirm")
    assert deal(demo, 5).status == DealStatus.WON
