"""The manager's weekly digest: pushed Monday 09:30 team time with the funnel chart, and on
demand with /digest (managers only)."""
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from assistant import draw_charts
from assistant.push import team_digest
from assistant.push.delivery import deliver_due
from handlers.console import ConsoleDeliverer


def local(*args):
    return datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def test_digest_on_demand_for_managers_only(demo, chat):
    assert "你的角色不能" in chat("王伟").say("/digest")
    reply = chat("张强").say("/digest")
    # 王伟 1,200,000 + 350,000 + 2,800,000 + 960,000 + 450,000; 李娜 680,000 + 150,000 + 1,500,000
    assert "在手商机 8 个，金额 ¥809万，加权 ¥325.05万" in reply
    assert "下一步已逾期：#2 北京小米科技有限责任公司" in reply and "图表已保存" in reply


def test_monday_push_to_each_manager_once_with_the_chart(demo, chat, make_uow, clock):
    people = {name: chat(name) for name in ("张强", "陈静", "王伟")}
    for person in people.values():
        person.say("/help")
    pushed = []
    deliverer = ConsoleDeliverer({name: p.console for name, p in people.items()})
    deliverer.send = lambda to, replies: pushed.append((to.user, draw_charts(replies))) or "sent"
    clock.at = local(2026, 11, 23, 9, 29)
    with make_uow() as uow:
        assert team_digest.enqueue(uow, clock) == 0
    clock.at = local(2026, 11, 23, 9, 30)
    for _ in range(2):
        with make_uow() as uow:
            team_digest.enqueue(uow, clock)
            uow.commit()
    assert deliver_due(make_uow, clock, deliverer, "w").sent == 2
    assert sorted(user for user, _ in pushed) == ["张强", "陈静"]
    reply = pushed[0][1][0]
    assert reply.key == "digest.weekly" and reply.image.startswith(b"\x89PNG")
    assert reply.params["week_start"].isoformat() == "2026-11-16"


def test_a_team_group_gets_the_digest_when_a_manager_registers_it(demo, make_uow, clock):
    from assistant.chat.engine import handle
    from assistant.events import ChatKey, Inbound
    from assistant.i18n import render

    def in_group(user, text, n):
        replies = handle(Inbound(ChatKey("console", "group-9", user), f"gd{n}", text=text, private=False),
                         make_uow(), clock)
        return "\n".join(render(r.lang, r.key, **r.params) for r in replies)

    assert "你的角色不能" in in_group("王伟", "/groupdigest", 1)
    assert "也会发到这个群" in in_group("张强", "/groupdigest", 2)
    clock.at = local(2026, 11, 23, 9, 30)
    with make_uow() as uow:
        team_digest.enqueue(uow, clock)
        uow.commit()
    sent = []

    class Recorder:
        platform = "console"

        def send(self, to, replies):
            sent.append((to, replies[0].key))
            return "sent"
    deliver_due(make_uow, clock, Recorder(), "w")
    assert ("group-9", "digest.weekly") in [(to.chat, key) for to, key in sent]
    assert "不再接收" in in_group("张强", "/groupdigest", 3)


def test_manager_sets_the_cadence_and_the_push_follows_it(demo, chat, make_uow, clock):
    manager = chat("张强")
    assert "免打扰：20:00–08:00，周末不提醒" in manager.say("/schedule")
    assert "没看懂" in manager.say("/schedule quiet 25:00-07:00")
    assert "经理周报：周五 17:00" in manager.say("/schedule digest fri 17:00")
    assert "免打扰：21:30–07:00" in manager.say("/schedule quiet 21:30-07:00")
    assert "周末也提醒" in manager.say("/schedule weekends on")
    assert ("目标客户 30，有效客户 20，入围客户 10，意向客户 5，接近赢单客户 5"
            in manager.say("/schedule stall 30,20,10,5"))
    assert "（Europe/Berlin）" in manager.say("/schedule timezone Europe/Berlin")
    assert "你的角色不能" in chat("王伟").say("/schedule weekends off")
    berlin = ZoneInfo("Europe/Berlin")
    clock.at = datetime(2026, 11, 27, 16, 59, tzinfo=berlin).astimezone(UTC)
    with make_uow() as uow:
        assert team_digest.enqueue(uow, clock) == 0
    clock.at = datetime(2026, 11, 27, 17, 0, tzinfo=berlin).astimezone(UTC)
    with make_uow() as uow:
        assert team_digest.enqueue(uow, clock) == 2


def test_the_terminal_names_the_reps_who_skipped_their_self_check_as_mentions(demo, chat):
    from tests.invites import invites_sent
    with demo() as uow:
        invites_sent(demo, [uow.users.by_name("王伟").id, uow.users.by_name("李娜").id])
    digest = chat("张强").say("/digest")
    line = next(line for line in digest.splitlines() if "自查未完成" in line)
    assert "@王伟" in line and "@李娜" in line


def test_on_demand_the_digest_is_this_week_so_far_with_todays_win(demo, chat):
    rep = chat("王伟")
    rep.say("/won 美的")
    rep.press("和预计一样")
    rep.press("今天")
    assert "恭喜赢单" in rep.say("1")
    manager = chat("张强")
    lines = manager.say("/digest").splitlines()
    # Wednesday 18 November: Monday to today, said so, and today's win in it
    assert "本周至今：2026年11月16日（周一） 至 2026年11月18日（周三）" in lines
    assert "本周赢单 1 个，¥45万；丢单 0 个，¥0" in lines
    for heading in ("一、漏斗不满", "二、转化率低", "三、检查不力"):
        assert heading in lines
    assert ("· 下一步已逾期：#2 北京小米科技有限责任公司·办公网络改造（王伟）逾期 1 天；"
            "#7 腾讯科技（深圳）有限公司-采购部·会议系统（李娜）逾期 3 天") in lines
    manager.say("/lang en")
    lines = manager.say("/digest").splitlines()
    assert "This week so far: Mon 16 Nov 2026 to Wed 18 Nov 2026" in lines
    assert "This week: 1 won (CN¥450,000), 0 lost (CN¥0)" in lines
    for heading in ("1. Pipeline not full", "2. Low conversion", "3. Weak inspection"):
        assert heading in lines


def test_the_monday_push_reports_last_week_with_its_dates(demo, chat, make_uow, clock):
    from assistant.chat.context import Ctx
    from assistant.chat.views import digest_replies
    from assistant.events import ChatKey
    from assistant.i18n import render
    clock.at = local(2026, 11, 23, 9, 30)
    with make_uow() as uow:
        manager = next(m for m in uow.users.members(1) if m.name == "张强")
        ctx = Ctx(uow=uow, clock=clock, who=ChatKey("console", "张强", "张强"), lang="zh", user=manager,
                  team=uow.teams.get(1))
        pushed, asked = digest_replies(ctx, pushed=True)[0], digest_replies(ctx)[0]
    week = (pushed.params["week_start"].isoformat(), pushed.params["week_end"].isoformat())
    assert week == ("2026-11-16", "2026-11-22")
    assert "上周：2026年11月16日（周一） 至 2026年11月22日（周日）" in render("zh", pushed.key, **pushed.params)
    assert "本周至今：2026年11月23日（周一） 至 2026年11月23日（周一）" in render("zh", asked.key, **asked.params)


def test_the_digest_chart_is_its_own_picture_not_the_team_funnel(demo, make_uow, clock):
    from assistant.chat.context import Ctx
    from assistant.chat.views import digest_replies
    from assistant.events import ChatKey
    with make_uow() as uow:
        manager = next(m for m in uow.users.members(1) if m.name == "张强")
        uow.targets.set(1, None, "2027-Q1", Decimal(8_000_000), "CNY")
        for lang in ("zh", "en"):
            ctx = Ctx(uow=uow, clock=clock, who=ChatKey("console", "张强", "张强"), lang=lang, user=manager,
                      team=uow.teams.get(1))
            spec = digest_replies(ctx)[0].chart
            assert spec["kind"] == "digest" and spec["lang"] == lang
            title = {"zh": "华东大区销售部 销售漏斗周报 · 本周至今 2026年11月16日（周一） 至 2026年11月18日（周三）",
                     "en": "华东大区销售部 weekly pipeline · this week so far, Mon 16 Nov 2026 to Wed 18 Nov 2026"}
            assert spec["title"] == title[lang]
            assert [s["count"] for s in spec["stages"]] == [2, 2, 2, 1, 1]          # every stage, in order
            assert [r["name"] for r in spec["reps"]] == ["王伟", "李娜"]
            assert (spec["target"], spec["target_label"]) == (Decimal(8_000_000), "2027-Q1")
