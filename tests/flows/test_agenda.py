"""The morning agenda: one push per rep per working day, never in quiet hours, built when sent;
each item's actions act once; /today on demand; the outbox's guarantees hold for it."""
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from assistant.events import Choice
from assistant.method.model import OutboxItem
from assistant.push import agenda
from assistant.push.delivery import deliver_due
from handlers.console import ConsoleDeliverer

SHANGHAI = timezone(timedelta(hours=8))


def at(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture
def office(demo, chat, make_uow, clock):
    """王伟, 李娜 and 张强 at their terminals; a deliverer that shows them what the bot pushes."""
    people = {name: chat(name) for name in ("王伟", "李娜", "张强")}
    for person in people.values():
        person.say("/help")
    deliverer = ConsoleDeliverer({name: person.console for name, person in people.items()})
    return people, deliverer


def run_cycle(make_uow, clock, deliverer, worker="w1"):
    with make_uow() as uow:
        added = agenda.enqueue(uow, clock)
        uow.commit()
    return added, deliver_due(make_uow, clock, deliverer, worker)


def outbox(make_uow, user_name):
    with make_uow() as uow:
        return uow.outbox.of_user(uow.users.by_name(user_name).id)


def pushed_to(people, deliverer):
    """Make the deliverer keep what each person was shown; the texts per person."""
    sent = {}

    def send(to, replies):
        texts = people[to.user].console.receive(replies)
        sent.setdefault(to.user, []).append("\n\n".join(texts))
        people[to.user].last = sent[to.user][-1]
        return "sent"
    deliverer.send = send
    return sent


def shown_again(person, text, buttons):
    """The person scrolls back to an earlier message and presses one of its buttons."""
    person.last, person.console.buttons = text, list(buttons)


def test_one_agenda_per_rep_per_day_at_the_agenda_time(office, make_uow, clock):
    _people, deliverer = office
    clock.at = at(2026, 11, 18, 8, 29)
    assert run_cycle(make_uow, clock, deliverer)[0] == 0
    clock.at = at(2026, 11, 18, 8, 30)
    added, tally = run_cycle(make_uow, clock, deliverer)
    assert added == 2 and tally.sent == 2  # 王伟 and 李娜; the manager owns no deal
    [row] = outbox(make_uow, "王伟")
    assert row.key == f"agenda:{row.user_id}:2026-11-18"
    assert outbox(make_uow, "张强") == []
    clock.at = at(2026, 11, 18, 15)
    assert run_cycle(make_uow, clock, deliverer) == (0, type(tally)())
    clock.at = at(2026, 11, 19, 10)
    added, tally = run_cycle(make_uow, clock, deliverer)
    assert added == 2 and tally.sent == 2
    assert [i.subject for i in outbox(make_uow, "王伟")] == ["2026-11-18", "2026-11-19"]


def test_the_agenda_names_each_deal_once_with_its_actions(office, make_uow, clock):
    people, deliverer = office
    sent = pushed_to(people, deliverer)
    clock.at = at(2026, 12, 2, 9)  # every next step of 王伟's is late; #3 #4 #5 have also gone quiet
    run_cycle(make_uow, clock, deliverer)
    [text] = sent["王伟"]
    assert text.startswith("☀️ 王伟，今天（2026年12月2日（周三））的待办，共 5 项：")
    assert "1. 北京小米科技有限责任公司 · 办公网络改造：约技术负责人交流（2026年11月17日（周二），逾期 15 天）" in text
    assert "停滞的商机" not in text  # a quiet deal with a late step is named once, under the late step
    for title in ("办公网络改造", "呼叫中心升级", "数据中心扩容", "安全监控平台", "工厂MES系统"):
        assert text.count(title) == 2  # its line and its button
    assert "随时发 /today 再看" in text
    card = people["王伟"].press("1. 办公网络改造")
    assert card.startswith("⏰ 已逾期 15 天：约技术负责人交流") and "#2 北京小米科技有限责任公司" in card
    assert all(label in card for label in ("✔ 已完成", "⏭ 明天再做", "📅 改日期", "📝 记拜访"))


def test_tomorrow_acts_once_and_means_tomorrow(office, make_uow, clock):
    """"Snooze 1 day" on Wednesday used to come back on Friday: the day after is due that day, and
    only an overdue step was reminded. Now it is on Thursday's agenda, due today."""
    people, deliverer = office
    sent = pushed_to(people, deliverer)
    rep = people["王伟"]
    run_cycle(make_uow, clock, deliverer)
    rep.press("1. 办公网络改造")
    card, buttons = rep.last, rep.console.buttons
    assert "⏭ 已推迟到明天（2026年11月19日（周四）），明天的待办里会有它。" in rep.press("明天再做")
    shown_again(rep, card, buttons)
    assert "已经处理过了" in rep.press("明天再做")
    with make_uow() as uow:
        assert uow.deals.get(2).next_due == date(2026, 11, 19)
    clock.at = at(2026, 11, 19, 8, 30)
    run_cycle(make_uow, clock, deliverer)
    thursday = sent["王伟"][-1]
    assert "📌 今天到期\n" in thursday and "北京小米科技有限责任公司 · 办公网络改造：约技术负责人交流\n" in thursday


def test_done_asks_for_the_next_step(office, make_uow, clock):
    people, deliverer = office
    pushed_to(people, deliverer)
    rep = people["李娜"]
    run_cycle(make_uow, clock, deliverer)
    rep.press("1. 会议系统")
    assert "下一步做什么" in rep.press("已完成")
    assert "什么时候完成" in rep.say("提交二次报价")
    assert "下一步已更新" in rep.say("下周一")
    with make_uow() as uow:
        deal = uow.deals.get(7)
    assert (deal.next_step, deal.next_due) == ("提交二次报价", date(2026, 11, 23))
    clock.at = at(2026, 11, 19, 10)
    sent = pushed_to(people, deliverer)
    run_cycle(make_uow, clock, deliverer)
    assert "李娜" not in sent  # nothing left due: no agenda


def test_new_date_keeps_the_step_and_log_visit_starts_the_visit(office, make_uow, clock):
    people, deliverer = office
    pushed_to(people, deliverer)
    rep = people["王伟"]
    run_cycle(make_uow, clock, deliverer)
    rep.press("1. 办公网络改造")
    card, buttons = rep.last, rep.console.buttons
    assert "什么时候完成" in rep.press("改日期")
    assert "下一步已更新" in rep.say("11月25日")
    with make_uow() as uow:
        assert (uow.deals.get(2).next_step, uow.deals.get(2).next_due) == ("约技术负责人交流", date(2026, 11, 25))
    shown_again(rep, card, buttons)
    assert "已经处理过了" in rep.press("改日期")


def test_quiet_hours_and_weekends_hold_the_agenda(office, make_uow, clock):
    _, deliverer = office
    clock.at = at(2026, 11, 20, 21)  # Friday evening: that day's agenda time is long past, and it is quiet now
    assert run_cycle(make_uow, clock, deliverer)[0] == 0
    clock.at = at(2026, 11, 21, 9)  # Saturday: no agenda at weekends
    assert run_cycle(make_uow, clock, deliverer)[0] == 0
    clock.at = at(2026, 11, 23, 8, 30)
    added, tally = run_cycle(make_uow, clock, deliverer)
    assert added == 2 and tally.sent == 2


def test_the_team_sets_the_agenda_time_and_quiet_hours_move_it(office, make_uow, clock):
    people, deliverer = office
    manager = people["张强"]
    assert "每日待办：09:15" in manager.say("/schedule agenda 09:15")
    clock.at = at(2026, 11, 18, 9, 0)
    assert run_cycle(make_uow, clock, deliverer)[0] == 0
    clock.at = at(2026, 11, 18, 9, 15)
    assert run_cycle(make_uow, clock, deliverer)[0] == 2
    manager.say("/schedule agenda 07:00")  # inside the quiet hours (20:00-08:00): it waits for 08:00
    clock.at = at(2026, 11, 19, 7, 30)
    assert run_cycle(make_uow, clock, deliverer)[0] == 0
    clock.at = at(2026, 11, 19, 8, 0)
    assert run_cycle(make_uow, clock, deliverer)[1].sent == 2
    assert "没看懂" in manager.say("/schedule agenda soon")


def test_nothing_to_do_sends_nothing(office, make_uow, clock):
    _, deliverer = office
    with make_uow() as uow:
        for deal in uow.deals.find(1, status="open"):
            uow.deals.save(replace(deal, next_due=date(2026, 12, 1), last_activity_at=clock.now()))
        uow.commit()
    added, tally = run_cycle(make_uow, clock, deliverer)
    assert added == 2 and tally.sent == 0 and tally.skipped == 2


def test_today_on_demand_in_both_languages(office, chat, make_uow, clock):
    people, _ = office
    text = people["王伟"].say("/today")
    assert text.startswith("☀️ 王伟，今天（2026年11月18日（周三））的待办，共 1 项：") and "/today 再看" not in text
    english = chat("李娜")
    english.say("/lang en")
    text = english.say("/today")
    assert text.startswith("☀️ 李娜, your day (Wed 18 Nov 2026): 1 item(s).")
    assert "⏰ Overdue\n1. 腾讯科技（深圳）有限公司-采购部 · 会议系统: 提交方案 (Sun 15 Nov 2026, 3 day(s) late)" \
        in text
    assert "⏰ 3 day(s) overdue: 提交方案" in english.press("1. 会议系统")
    assert "Tomorrow" in english.last
    assert people["张强"].say("/today") == "☀️ 张强，今天（2026年11月18日（周三））没有到期的下一步，也没有停滞的商机。"


def test_a_crashed_sender_loses_and_duplicates_nothing(office, make_uow, clock):
    _, deliverer = office
    with make_uow() as uow:
        agenda.enqueue(uow, clock)
        uow.commit()
    with make_uow() as uow:
        claimed = uow.outbox.claim("dead-worker", ("console",), clock.now(), clock.now() + timedelta(minutes=5), 10)
        uow.commit()
    assert len(claimed) == 2
    assert deliver_due(make_uow, clock, deliverer, "w2").sent == 0
    clock.at += timedelta(minutes=6)
    assert deliver_due(make_uow, clock, deliverer, "w2").sent == 2
    assert deliver_due(make_uow, clock, deliverer, "w2").sent == 0
    assert [i.status for i in outbox(make_uow, "王伟") + outbox(make_uow, "李娜")] == ["sent", "sent"]


def test_blocked_user_is_marked_and_skipped(office, make_uow, clock):
    _, deliverer = office
    deliverer.send = lambda to, replies: "blocked"
    _, tally = run_cycle(make_uow, clock, deliverer)
    assert tally.skipped == 2
    with make_uow() as uow:
        assert not uow.users.is_reachable("console", "", "王伟")
    clock.at = at(2026, 11, 19, 10)
    assert run_cycle(make_uow, clock, deliverer)[0] == 0


def test_a_deal_gone_quiet_is_named_once_a_week(office, make_uow, clock):
    people, deliverer = office
    sent = pushed_to(people, deliverer)
    with make_uow() as uow:  # next steps far ahead: only the silence counts
        for deal in uow.deals.find(1, status="open"):
            uow.deals.save(replace(deal, next_due=date(2027, 1, 30)))
        uow.commit()
    days = [at(2026, 12, d, 9) for d in (2, 3, 4, 7, 8, 9, 10)]
    for moment in days:
        clock.at = moment
        run_cycle(make_uow, clock, deliverer)
    named = [[line.split("：")[0].split(" · ")[1] for line in text.splitlines() if "没有进展" in line]
             for text in sent["王伟"]]
    # quiet since Nov 13-17: shortlisted after 14 days, intent 10, near-win 7, the first two stages 21;
    # named on the first agenda after they go quiet, then once each week (ISO week), never daily
    assert named == [["工厂MES系统", "安全监控平台", "呼叫中心升级"],  # Wed Dec 2
                     ["工厂MES系统", "安全监控平台", "呼叫中心升级"],  # Mon Dec 7: a new week
                     ["数据中心扩容"],  # Tue Dec 8: 21 days since Nov 16
                     ["办公网络改造"]]  # Wed Dec 9: 21 days since Nov 17
    assert "工厂MES系统：18 天没有进展（入围客户）" in sent["王伟"][0]
    assert "工厂MES系统" in people["王伟"].say("/today")  # on demand, everything


def test_forged_agenda_button_changes_nothing(office, make_uow, clock):
    people, _ = office
    intruder = people["李娜"]
    intruder.console.buttons = [Choice("aga.tomorrow.2.20261117", "x"), Choice("agi.2", "x")]
    assert "找不到商机“2”" in intruder.say("1")
    intruder.console.buttons = [Choice("agi.2", "x")]
    assert "找不到商机“2”" in intruder.say("1")
    with make_uow() as uow:
        assert uow.deals.get(2).next_due == date(2026, 11, 17)


def test_an_old_reminder_button_still_acts_once(office, make_uow, clock):
    """Reminders sent before the agenda are still in people's chats: their buttons keep working."""
    people, _ = office
    rep = people["王伟"]
    with make_uow() as uow:
        user = uow.users.by_name("王伟")
        uow.outbox.add(OutboxItem("overdue:2:2026-11-17", "overdue", user.id, "console", "2", clock.now()), clock.now())
        item = uow.outbox.by_key("overdue:2:2026-11-17")
        uow.commit()
    rep.console.buttons = [Choice(f"rem.snooze.{item.id}", "x")]
    assert "推迟到 2026年11月19日" in rep.say("1")
    rep.console.buttons = [Choice(f"rem.snooze.{item.id}", "x")]
    assert "已经处理过了" in rep.say("1")


def test_the_background_jobs_queue_and_send(office, make_uow, clock):
    import time

    from assistant.push import jobs

    _, deliverer = office
    scheduler = jobs.start(make_uow, clock, [deliverer])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len([i for u in ("王伟", "李娜") for i in outbox(make_uow, u)
                                                   if i.status == "sent"]) < 2:
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    assert [i.status for i in outbox(make_uow, "王伟") + outbox(make_uow, "李娜")] == ["sent", "sent"]


def test_won_customer_silent_for_90_days_is_on_the_agenda_once(office, make_uow, clock):
    people, deliverer = office
    rep = people["王伟"]
    rep.say("/won 美的")
    rep.press("和预计一样")
    rep.press("今天")
    rep.press("确认")
    sent = pushed_to(people, deliverer)
    clock.at = at(2027, 2, 15, 10)
    run_cycle(make_uow, clock, deliverer)
    assert not any("成交后回访" in text for text in sent.get("王伟", []))
    clock.at = at(2027, 2, 16, 10)
    run_cycle(make_uow, clock, deliverer)
    text, buttons = sent["王伟"][-1], rep.console.buttons
    assert "🤝 成交后回访" in text and "美的集团股份有限公司 · 呼叫中心升级：成交后 90 天没联系了" in text
    clock.at = at(2027, 2, 17, 10)
    run_cycle(make_uow, clock, deliverer)
    assert "成交后回访" not in sent["王伟"][-1]
    shown_again(rep, text, buttons)
    assert "哪天拜访" in rep.press("呼叫中心升级")
    for answer in ("今天", "5", "回访", "跳过", "跳过", "客户满意", "跳过", "跳过", "跳过"):
        rep.say(answer)
    clock.at = at(2027, 5, 18, 10)
    run_cycle(make_uow, clock, deliverer)
    assert "美的集团股份有限公司 · 呼叫中心升级：成交后 90 天没联系了" in sent["王伟"][-1]


def test_a_sender_whose_lease_ran_out_does_not_send_again(office, make_uow, clock):
    from assistant.push.delivery import Tally, _deliver_one
    _, deliverer = office
    sent = []
    deliverer.send = lambda to, replies: sent.append(to.user) or "sent"
    with make_uow() as uow:
        agenda.enqueue(uow, clock)
        uow.commit()
    with make_uow() as uow:
        slow = uow.outbox.claim("slow", ("console",), clock.now(), clock.now() + timedelta(minutes=5), 10)
        uow.commit()
    clock.at += timedelta(minutes=6)
    assert deliver_due(make_uow, clock, deliverer, "fast").sent == 2
    for item in slow:
        _deliver_one(make_uow, clock, deliverer, "slow", item, Tally())
    assert sorted(sent) == ["李娜", "王伟"]


def test_a_retry_that_falls_in_quiet_hours_waits_and_the_next_days_agenda_replaces_it(office, make_uow, clock):
    _, deliverer = office
    outcomes = iter(["retry", "retry"])
    sent_at = []
    deliverer.send = lambda to, replies: next(outcomes, None) or sent_at.append(clock.now()) or "sent"
    clock.at = at(2026, 11, 18, 19, 59)
    run_cycle(make_uow, clock, deliverer)
    clock.at = at(2026, 11, 18, 20, 1)
    assert deliver_due(make_uow, clock, deliverer, "w1").sent == 0
    clock.at = at(2026, 11, 19, 8, 0)  # yesterday's agenda is not sent on a new day
    assert deliver_due(make_uow, clock, deliverer, "w1").sent == 0
    clock.at = at(2026, 11, 19, 8, 30)
    assert run_cycle(make_uow, clock, deliverer)[1].sent == 2
    assert sent_at == [at(2026, 11, 19, 8, 30)] * 2


def test_one_teams_broken_settings_do_not_stop_the_others(office, make_uow, clock, chat):
    from assistant.method.funnel_config import preset
    from assistant.push import jobs

    assert "没看懂" in chat("张强").say("/schedule quiet 21:00+08:00-07:00")
    with make_uow() as uow:
        broken = uow.teams.add("坏设置团队", preset("project"), clock.now())
        uow.teams.set_settings(broken.id, {"quiet_start": "not a time"})
        uow.commit()
    jobs.scan(make_uow, clock)
    assert [i.kind for i in outbox(make_uow, "王伟")] == ["agenda"]
