"""Joining, roles and permissions, lists, funnel, forecast and manager views."""
from datetime import timedelta

import pytest

from assistant.method.model import DealStatus


def invite_code(reply: str) -> str:
    return reply.split("邀请码：")[1].split("（")[0].strip()


def test_stranger_gets_only_the_join_prompt(demo, chat):
    stranger = chat("陌生人")
    assert "邀请码" in stranger.say("/deals")
    assert "邀请码" in stranger.say("/team")
    assert "不存在" in stranger.say("ABCDEFGH")
    with demo() as uow:
        assert uow.users.by_identity("console", "", "陌生人") is None


def test_invite_join_and_single_use(demo, chat, clock):
    manager = chat("张强")
    code = invite_code(manager.say("/invite"))
    newcomer = chat("赵敏")
    reply = newcomer.say(f"/start {code}")
    assert "欢迎 赵敏 加入“华东大区销售部”，你的角色是销售" in reply and "/new" in reply
    assert "还没有进行中的商机" in newcomer.say("/deals")
    late = chat("钱多多")
    assert "已经用过了" in late.say(f"/start {code}")
    expiring = invite_code(manager.say("/invite"))
    clock.at += timedelta(days=8)
    assert "已过期" in late.say(f"/start {expiring}")
    with demo() as uow:
        joined = uow.users.by_identity("console", "", "赵敏")
        assert joined.team_id == 1 and joined.role == "rep"
        assert uow.users.by_identity("console", "", "钱多多") is None


def test_rep_cannot_use_manager_commands(demo, chat):
    rep = chat("王伟")
    for command in ("/team", "/rep 李娜", "/invite", "/target"):
        assert "你的角色不能" in rep.say(command)


def test_another_reps_deal_is_refused_like_a_missing_one(demo, chat):
    rep = chat("李娜")
    assert "找不到商机“999”" in rep.say("/deal 999")
    assert "找不到商机“1”" in rep.say("/deal 1")
    assert "华为" not in rep.last
    assert "找不到商机“1”" in rep.say("/advance 1")
    rep.say("/cancel")


def test_forged_buttons_change_nothing(demo, chat):
    from assistant.events import Choice

    rep = chat("李娜")
    forged = {"act.mark_won.1": "找不到商机“1”", "deal.1": "找不到商机“1”", "rep.1.1": "过期",
              "act.set_target.1": "过期", "cmd.team": "你的角色不能", "x" * 64: "过期"}
    for value, answer in forged.items():
        rep.console.buttons = [Choice(value, "common.confirm")]
        assert answer in rep.say("1"), value
        assert "华为" not in rep.last
    with demo() as uow:
        assert uow.deals.get(1).status == DealStatus.OPEN
        assert uow.flow_states.get(rep.console.who) is None


def test_my_deals_pages(demo, chat):
    rep = chat("王伟")
    for n in range(3):
        rep.say(f"/new 华为技术有限公司 项目{n} 1万 月底")
    reply = rep.say("/deals")
    assert "进行中的商机 8 个（第 1/2 页）" in reply and "下一页 ▶" in reply
    reply = rep.press("下一页")
    assert "第 2/2 页" in reply and "项目2" in reply and "◀ 上一页" in reply
    assert "第 1/2 页" in rep.press("上一页")


def test_funnel_and_forecast_equal_hand_computed_figures(demo, chat, clock):
    rep = chat("王伟")
    reply = rep.say("/funnel")
    # demo: 1,200,000 x 10%, 350,000 x 25%, 2,800,000 x 50%, 960,000 x 75%, 450,000 x 90%
    assert "目标客户（10%）：1 个，¥120万，加权 ¥12万" in reply
    assert "合计：5 个，¥576万，加权 ¥273.25万" in reply
    reply = rep.say("/forecast")
    # next month (2026-12): Xiaomi (Dec 8) 87,500 + CATL (Dec 18) 720,000 + Huawei (Dec 28) 120,000
    # = 927,500; Midea closes Nov 30, this month
    assert "下月（2026-12）：¥92.75万，3 个商机" in reply
    # this month: Midea (Nov 30) 450,000 x 90%
    assert "本月（2026-11）：¥40.5万，1 个商机" in reply
    # next quarter (2027-Q1): BYD (Feb 1) 1,400,000
    assert "下季度（2027-Q1）：¥140万，1 个商机" in reply


def test_manager_team_funnel_rep_deals_and_target(demo, chat):
    manager = chat("张强")
    assert "整个团队（华东大区销售部）" in manager.say("/target")
    assert "2026-12" in manager.press("整个团队")
    assert "目标金额" in manager.press("2026-12")
    assert "已设定 2026-12 的团队目标：¥100万" in manager.say("100万")
    reply = manager.say("/team")
    assert "“华东大区销售部”团队漏斗" in reply
    assert "王伟：5 个，¥576万" in reply and "李娜：3 个，¥233万" in reply
    assert "合计：8 个，¥809万" in reply
    # team next month: 927,500 (王伟) + 150,000 x 50% (李娜, Dec 13) = 1,002,500 against 1,000,000
    assert "¥100.25万，4 个商机，目标 ¥100万，覆盖率 100.2%" in reply
    reply = manager.press("李娜")
    assert "李娜的商机" in reply and "顺丰速运有限公司" in reply and "华为" not in reply
    assert "李娜的商机" in manager.say("/rep 李娜")
    assert "阶段记录" in manager.say("/deal 1")
    assert "⏩ 推进" not in manager.last


def test_help_cancel_and_language(demo, chat):
    rep = chat("王伟")
    assert "/new 新建商机" in rep.say("/help")
    assert "当前没有进行中的操作" in rep.say("/cancel")
    assert "想做什么" in rep.say("你好")
    assert "English" in rep.say("/lang")
    reply = rep.press("English")
    assert "English" in reply or "english" in reply.lower()
    reply = rep.say("/help")
    assert "/new" in reply and "新建商机" not in reply
    reply = rep.say("/new Huawei DC expansion 1.2m end of next month")
    assert "Huawei" in reply
    with demo() as uow:
        assert uow.users.by_name("王伟").lang == "en"


def test_chinese_alias_words_start_commands(demo, chat):
    rep = chat("王伟")
    assert "商机已创建" in rep.say("新商机 华为技术有限公司 二期 50万 下个月15号")
    assert "进行中的商机 6 个" in rep.say("我的商机")
    assert "合计" in rep.say("漏斗")


def test_redelivered_event_is_handled_once(demo, make_uow, clock):
    from assistant.chat.engine import handle
    from assistant.events import ChatKey, Inbound

    event = Inbound(ChatKey("console", "王伟", "王伟"), "evt-1", text="/new 华为技术有限公司 三期 20万 月底")
    first = handle(event, make_uow(), clock)
    again = handle(event, make_uow(), clock)
    assert first and again == []
    with make_uow() as uow:
        assert [d.title for d in uow.deals.find(1)].count("三期") == 1


def test_duplicate_customer_refused_close_one_asked(demo, chat):
    rep = chat("王伟")
    assert "已经存在" in rep.say("/customer 华为技术有限公司 ")
    assert "已经存在" in rep.say("中国石油(北京)有限公司")
    rep.say("/cancel")
    reply = rep.say("/customer 北京小米科技")
    assert "相近的客户" in reply and "北京小米科技有限责任公司" in reply
    assert "沿用已有客户" in rep.press("是，就是")
    assert "已建档" in rep.say("/customer 腾讯科技（深圳）有限公司-研发部")
    with demo() as uow:
        names = [c.name for c in uow.customers.of_team(1)]
    assert names.count("北京小米科技有限责任公司") == 1 and "北京小米科技" not in names
    assert "腾讯科技（深圳）有限公司-研发部" in names and len(names) == 9


def test_contacts_with_roles(demo, chat):
    rep = chat("王伟")
    assert "指的是哪个客户" in rep.say("/contact 比亚迪")
    assert "联系人姓名" in rep.press("比亚迪股份有限公司")
    rep.say("刘总")
    rep.say("CIO")
    reply = rep.press("决策者")
    assert "刘总（CIO）：决策者" in reply
    assert "没有叫“不存在公司”的客户" in rep.say("/contact 不存在公司")
    rep.say("/cancel")
    reply = rep.say("/contact 比亚迪股份有限公司 王芳 采购经理")
    assert "在采购中的角色" in reply
    assert "王芳（采购经理）：购买者" in rep.press("购买者")
    with demo() as uow:
        contacts = uow.customers.contacts(3)
    assert [(c.name, c.title, c.role) for c in contacts] == [("刘总", "CIO", "decision_maker"),
                                                             ("王芳", "采购经理", "buyer")]


@pytest.mark.parametrize(("typed", "lines"), [
    # 004 in money: 3,000,000 / 30,000 = 100 deals; / 10% = 1,000 a year; / 12 = 83.3 a month
    ("300万 3万 10%", ["年度目标 ¥300万 ÷ 平均单额 ¥3万 = 需要成交 100 单",
                       "÷ 目标客户赢单率 10% = 每年需要 1000 个目标客户",
                       "÷ 12 = 每月需要 83.3 个新目标客户（约 84 个）"]),
    # 004 in units: 200 台 at 2 台 a deal, the same chain
    ("200台 2台 10%", ["年度目标 200台 ÷ 平均单额 2台 = 需要成交 100 单",
                       "÷ 目标客户赢单率 10% = 每年需要 1000 个目标客户",
                       "÷ 12 = 每月需要 83.3 个新目标客户（约 84 个）"]),
    # not whole: 83.3 deals ÷ 10% is 833.3 a year, not 84 ÷ 10% = 840 (or 834)
    ("250万 3万 10%", ["年度目标 ¥250万 ÷ 平均单额 ¥3万 = 需要成交 83.3 单（约 84 单）",
                       "÷ 目标客户赢单率 10% = 每年需要 833.3 个目标客户（约 834 个）",
                       "÷ 12 = 每月需要 69.4 个新目标客户（约 70 个）"]),
])
def test_required_prospects_from_the_seed_example(demo, chat, typed, lines):
    reply = chat("张强").say(f"/prospects {typed}")
    for line in lines:
        assert line in reply.splitlines()


def test_required_prospects_in_english_and_refusals(demo, chat):
    manager = chat("张强")
    manager.say("/lang en")
    reply = manager.say("/prospects 300万 3万 10%").splitlines()
    assert "annual target CN¥3,000,000 ÷ average deal CN¥30,000 = 100 deals to win" in reply
    assert "÷ 12 = 83.3 new target customers a month (about 84)" in reply
    assert "annual target 200 台 ÷ average deal 2 台 = 100 deals to win" in manager.say("/prospects 200台 2台 10%")
    assert "same unit as the target (台)" in manager.say("/prospects 200台 3万 10%")
    assert "没看懂比例" in chat("王伟").say("/prospects 300万 3万 很高")
    chat("王伟").say("/cancel")
    assert "同一单位（台）" in chat("王伟").say("/prospects 200台 2套 10%")


def test_admin_creates_a_team_and_its_manager_joins_it(demo, chat):
    assert "你的角色不能" in chat("张强").say("/newteam 华南销售部")
    admin = chat("陈静")
    reply = admin.say("/newteam 华南销售部")
    assert "加入“华南销售部”" in reply and "经理" in reply
    assert "已经有名为“华南销售部”的团队" in admin.say("/newteam 华南销售部")
    assert "华南销售部：0 人" in admin.say("/teams")
    reply = chat("周杰").say(f"/start {invite_code(reply)}")
    assert "欢迎 周杰 加入“华南销售部”，你的角色是经理" in reply
    newcomer = chat("周杰")
    assert "团队漏斗" in newcomer.say("/team") and "王伟" not in newcomer.last


def test_group_chats_answer_members_only_and_hide_deals_unless_shared(demo, make_uow, clock, chat):
    from assistant.chat.engine import handle
    from assistant.events import ChatKey, Inbound
    from assistant.i18n import render

    def in_group(user, text, n):
        replies = handle(Inbound(ChatKey("console", "group-1", user), f"g{n}", text=text, private=False),
                         make_uow(), clock)
        return "\n".join(render(r.lang, r.key, **r.params) for r in replies)

    assert in_group("路人", "/start ABC", 1) == ""
    assert in_group("王伟", "大家好", 2) == ""
    assert "只在私聊里显示" in in_group("王伟", "/deals", 3)
    manager = chat("张强")
    manager.say("/share")
    assert "团队群里的成员现在可以" in manager.press("允许群里显示")
    assert "进行中的商机 5 个" in in_group("王伟", "/deals", 4)
    assert in_group("路人", "/deals", 5) == ""


def test_a_user_who_blocked_the_bot_is_unreachable_until_they_write(demo, make_uow, chat):
    from assistant.chat.engine import mark_unreachable

    rep = chat("王伟")
    mark_unreachable(rep.console.who, make_uow())
    with make_uow() as uow:
        assert not uow.users.is_reachable("console", "", "王伟")
        assert uow.users.is_reachable("console", "", "李娜")
    rep.say("/help")
    with make_uow() as uow:
        assert uow.users.is_reachable("console", "", "王伟")


def test_invites_never_go_to_a_group_even_when_sharing(demo, make_uow, clock, chat):
    from assistant.chat.engine import handle
    from assistant.events import ChatKey, Inbound

    chat("张强").say("/share on")
    replies = handle(Inbound(ChatKey("console", "group-1", "张强"), "g-inv", text="/invite", private=False),
                     make_uow(), clock)
    assert [r.key for r in replies] == ["common.private_only"]


def test_funnel_comes_with_a_chart(demo, chat):
    reply = chat("王伟").say("/funnel")
    path = reply.split("图表已保存：")[1].split()[0]
    with open(path, "rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
