"""The weekly self-check: pushed Monday 09:00 local, walked deal by deal, a plan at the end,
one nudge the next day, once per week whatever the clock does."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.push import self_check
from assistant.push.delivery import deliver_due
from handlers.console import ConsoleDeliverer

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year, month, day, hour, minute=0, zone=SHANGHAI):
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def scan(make_uow, clock):
    with make_uow() as uow:
        added = self_check.enqueue(uow, clock)
        uow.commit()
    return added


def items(make_uow, kind):
    with make_uow() as uow:
        return [i for u in uow.users.members(1) for i in uow.outbox.of_user(u.id) if i.kind == kind]


def office(chat):
    people = {name: chat(name) for name in ("王伟", "李娜", "张强")}
    for person in people.values():
        person.say("/help")
    return people, ConsoleDeliverer({name: person.console for name, person in people.items()})


def test_monday_push_walkthrough_and_plan(demo, chat, make_uow, clock):
    people, deliverer = office(chat)
    clock.at = local(2026, 11, 23, 8, 59)
    assert scan(make_uow, clock) == 0
    clock.at = local(2026, 11, 23, 9, 0)
    assert scan(make_uow, clock) == 2 and scan(make_uow, clock) == 0
    sent = {}
    deliverer.send = lambda to, replies: sent.setdefault(to.user, people[to.user].console.receive(replies)) and "sent"
    assert deliver_due(make_uow, clock, deliverer, "w").sent == 2
    assert "每周漏斗自检" in sent["王伟"][0] and "5 个进行中的商机" in sent["王伟"][0] and "张强" not in sent
    rep = people["王伟"]
    rep.last = sent["王伟"][0]
    reply = rep.press("开始自检")
    assert "自检 1/5" in reply and "美的集团" in reply and "本阶段检查点：" in reply
    assert "自检 2/5" in rep.press("照旧") and "宁德时代" in rep.last
    assert "自检 3/5" in rep.press("不回电话") and "比亚迪" in rep.last
    assert "自检 4/5" in rep.say("提交方案 下周三")
    rep.press("照旧")
    reply = rep.press("照旧")
    assert "下周计划草稿" in reply and "首次会晤：#1 华为技术有限公司" in reply
    assert reply.index("首次会晤") < reply.index("推进（接近赢单客户）") < reply.index("推进（入围客户）")
    assert "重新会晤后退客户：#4" in reply
    reply = rep.say("周五前整理周报")
    assert "自检完成：确认了 5 个商机，后退 1 个，更新下一步 1 个" in reply and "补充：周五前整理周报" in reply
    with make_uow() as uow:
        assert uow.deals.get(4).stage_key == "shortlisted"
        assert uow.deals.changes(4)[-1].note == "no_reply"
        byd = uow.deals.get(3)
        assert (byd.next_step, byd.next_due) == ("提交方案", date(2026, 12, 2))
        assert uow.self_checks.done(uow.users.by_name("王伟").id, "2026-W48")


def test_one_nudge_the_next_day_for_those_not_done(demo, chat, make_uow, clock):
    people, deliverer = office(chat)
    clock.at = local(2026, 11, 23, 9, 0)
    scan(make_uow, clock)
    deliver_due(make_uow, clock, deliverer, "w")
    people["王伟"].say("/check")
    for _ in range(5):
        people["王伟"].press("照旧")
    people["王伟"].press("跳过")
    clock.at = local(2026, 11, 24, 9, 30)
    assert scan(make_uow, clock) == 1 and scan(make_uow, clock) == 0
    assert [i.user_id for i in items(make_uow, "self_check_nudge")] == [2]
    assert deliver_due(make_uow, clock, deliverer, "w").sent == 1


def test_missed_monday_is_caught_up_within_two_days_then_skipped(demo, chat, make_uow, clock):
    office(chat)
    clock.at = local(2026, 11, 24, 15, 0)
    assert scan(make_uow, clock) == 2
    assert items(make_uow, "self_check_nudge") == []
    clock.at = local(2026, 12, 2, 9, 1)
    assert scan(make_uow, clock) == 0


def test_each_weekly_push_once_across_a_dst_change(demo, chat, make_uow, clock):
    office(chat)
    new_york = ZoneInfo("America/New_York")
    with make_uow() as uow:
        uow.session.execute(__import__("sqlalchemy").text("UPDATE teams SET timezone = 'America/New_York'"))
        uow.commit()
    clock.at = local(2026, 10, 26, 0, 0, new_york)
    end = local(2026, 11, 10, 0, 0, new_york)
    while clock.at < end:
        scan(make_uow, clock)
        clock.at += timedelta(minutes=30)
    pushed = items(make_uow, "self_check")
    weeks = sorted({i.subject for i in pushed})
    assert weeks == ["2026-W44", "2026-W45", "2026-W46"] and len(pushed) == 6
    assert {i.due_at.astimezone(new_york).strftime("%a %H:%M") for i in pushed} == {"Mon 09:00"}
