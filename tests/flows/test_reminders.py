"""Overdue and stalled reminders: created once, sent once, never in quiet hours, buttons act once."""
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from assistant.push import reminders
from assistant.push.delivery import deliver_due
from handlers.console import ConsoleDeliverer

SHANGHAI = timezone(timedelta(hours=8))


def at(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture
def office(demo, chat, make_uow, clock):
    """王伟 and 李娜 at their terminals; a deliverer that shows them what the bot pushes."""
    people = {name: chat(name) for name in ("王伟", "李娜", "张强")}
    for person in people.values():
        person.say("/help")
    deliverer = ConsoleDeliverer({name: person.console for name, person in people.items()})
    return people, deliverer


def run_cycle(make_uow, clock, deliverer, worker="w1"):
    with make_uow() as uow:
        added = reminders.enqueue(uow, clock)
        uow.commit()
    return added, deliver_due(make_uow, clock, deliverer, worker)


def outbox(make_uow, user_name):
    with make_uow() as uow:
        return uow.outbox.of_user(uow.users.by_name(user_name).id)


def test_overdue_next_steps_are_reminded_once_a_day(office, make_uow, clock):
    _people, deliverer = office
    added, tally = run_cycle(make_uow, clock, deliverer)
    assert added == 2 and tally.sent == 2
    assert [i.subject for i in outbox(make_uow, "王伟")] == ["2"]
    assert [i.subject for i in outbox(make_uow, "李娜")] == ["7"]
    assert run_cycle(make_uow, clock, deliverer) == (0, type(tally)())
    clock.at = at(2026, 11, 19, 10)
    added, tally = run_cycle(make_uow, clock, deliverer)
    assert added == 2 and tally.sent == 2
    assert [i.key for i in outbox(make_uow, "王伟")] == ["overdue:2:2026-11-18", "overdue:2:2026-11-19"]


def test_reminder_text_and_buttons_act_once(office, make_uow, clock):
    people, deliverer = office
    rep = people["王伟"]
    sent = {}
    deliverer.send = lambda to, replies: sent.setdefault(to.user, people[to.user].console.receive(replies)) and "sent"
    run_cycle(make_uow, clock, deliverer)
    text = sent["王伟"][0]
    assert "跟进逾期 1 天" in text and "办公网络改造" in text and "约技术负责人交流" in text
    buttons = list(rep.console.buttons)
    rep.last = text
    assert "推迟到 2026年11月19日" in rep.press("推迟 1 天")
    rep.last, rep.console.buttons = text, buttons
    assert "已经处理过了" in rep.press("推迟 1 天")
    with make_uow() as uow:
        assert uow.deals.get(2).next_due == date(2026, 11, 19)


def test_done_asks_for_the_next_step(office, make_uow, clock):
    people, deliverer = office
    rep = people["李娜"]
    run_cycle(make_uow, clock, deliverer)
    rep.last = "\n".join(f"[{i + 1}] x {c.key}" for i, c in enumerate(rep.console.buttons))
    assert "下一步做什么" in rep.press("reminder.done")
    assert "什么时候完成" in rep.say("提交二次报价")
    assert "下一步已更新" in rep.say("下周一")
    with make_uow() as uow:
        deal = uow.deals.get(7)
    assert (deal.next_step, deal.next_due) == ("提交二次报价", date(2026, 11, 23))
    clock.at = at(2026, 11, 19, 10)
    added, _ = run_cycle(make_uow, clock, deliverer)
    assert added == 1


def test_quiet_hours_and_weekends_hold_messages_until_morning(office, make_uow, clock):
    _, deliverer = office
    clock.at = at(2026, 11, 20, 21)
    added, tally = run_cycle(make_uow, clock, deliverer)
    # Friday evening: 小米 (due Nov 17), 腾讯 (Nov 15) and 美的 (Nov 19) are overdue
    assert added == 3 and tally.sent == 0
    clock.at = at(2026, 11, 21, 9)
    assert deliver_due(make_uow, clock, deliverer, "w1").sent == 0
    clock.at = at(2026, 11, 23, 7, 59)
    assert deliver_due(make_uow, clock, deliverer, "w1").sent == 0
    clock.at = at(2026, 11, 23, 8)
    assert deliver_due(make_uow, clock, deliverer, "w1").sent == 3
    items = outbox(make_uow, "王伟")
    assert items[0].due_at == at(2026, 11, 23, 8) and items[0].status == "sent"


def test_a_crashed_sender_loses_and_duplicates_nothing(office, make_uow, clock):
    _, deliverer = office
    with make_uow() as uow:
        reminders.enqueue(uow, clock)
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


def test_stalled_deal_nudged_once_a_week(office, make_uow, clock):
    _people, _deliverer = office
    clock.at = at(2026, 12, 2, 10)
    with make_uow() as uow:
        reminders.enqueue(uow, clock)
        uow.commit()
        stalled = [i for u in ("王伟", "李娜") for i in uow.outbox.of_user(uow.users.by_name(u).id)
                   if i.kind == "stalled"]
    # idle since Nov 13-17 against 14 days (shortlisted), 10 (intent), 7 (near-win); early stages wait 21
    assert {i.subject for i in stalled} == {"3", "4", "5", "7"}
    clock.at = at(2026, 12, 4, 10)
    with make_uow() as uow:
        reminders.enqueue(uow, clock)
        uow.commit()
        again = [i for u in ("王伟", "李娜") for i in uow.outbox.of_user(uow.users.by_name(u).id)
                 if i.kind == "stalled"]
    # same week: no second nudge; 顺丰 (idle since Nov 12) has now passed 21 days
    assert sorted(i.subject for i in again) == ["3", "4", "5", "7", "8"]


def test_forged_reminder_button_changes_nothing(office, make_uow, clock):
    from assistant.events import Choice
    people, deliverer = office
    run_cycle(make_uow, clock, deliverer)
    wang_item = outbox(make_uow, "王伟")[0]
    intruder = people["李娜"]
    intruder.console.buttons = [Choice(f"rem.snooze.{wang_item.id}", "x")]
    assert "过期" in intruder.say("1")
    with make_uow() as uow:
        assert uow.deals.get(2).next_due == date(2026, 11, 17)


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


def test_won_customer_silent_for_90_days_gets_one_revisit_prompt(office, make_uow, clock):
    people, deliverer = office
    rep = people["王伟"]
    rep.say("/won 美的")
    rep.press("和预计一样")
    rep.press("今天")
    rep.press("确认")
    clock.at = at(2027, 2, 15, 10)
    with make_uow() as uow:
        assert reminders.enqueue(uow, clock) >= 0
        uow.commit()
    assert [i for i in outbox(make_uow, "王伟") if i.kind == "revisit"] == []
    clock.at = at(2027, 2, 16, 10)
    sent = {}
    deliverer.send = lambda to, replies: (
        sent.setdefault(to.user, []).extend(people[to.user].console.receive(replies)) or "sent")
    run_cycle(make_uow, clock, deliverer)
    run_cycle(make_uow, clock, deliverer)
    revisits = [i for i in outbox(make_uow, "王伟") if i.kind == "revisit"]
    assert len(revisits) == 1 and revisits[0].key == "revisit:5:2026-11-18"
    text = next(t for t in sent["王伟"] if "售后回访" in t)
    assert "美的集团股份有限公司" in text and "90 天" in text
    rep.last = text
    assert "哪天拜访" in rep.press("记拜访")
    for answer in ("今天", "5", "回访", "跳过", "跳过", "客户满意", "跳过", "跳过", "跳过"):
        rep.say(answer)
    clock.at = at(2027, 6, 1, 10)
    with make_uow() as uow:
        reminders.enqueue(uow, clock)
        uow.commit()
    assert [i.key for i in outbox(make_uow, "王伟") if i.kind == "revisit"] == ["revisit:5:2026-11-18",
                                                                             "revisit:5:2027-02-16"]


def test_a_sender_whose_lease_ran_out_does_not_send_again(office, make_uow, clock):
    from assistant.push.delivery import Tally, _deliver_one
    _, deliverer = office
    sent = []
    deliverer.send = lambda to, replies: sent.append(to.user) or "sent"
    with make_uow() as uow:
        reminders.enqueue(uow, clock)
        uow.commit()
    with make_uow() as uow:
        slow = uow.outbox.claim("slow", ("console",), clock.now(), clock.now() + timedelta(minutes=5), 10)
        uow.commit()
    clock.at += timedelta(minutes=6)
    assert deliver_due(make_uow, clock, deliverer, "fast").sent == 2
    for item in slow:
        _deliver_one(make_uow, clock, deliverer, "slow", item, Tally())
    assert sorted(sent) == ["李娜", "王伟"]


def test_a_retry_that_falls_in_quiet_hours_waits_for_the_morning(office, make_uow, clock):
    _, deliverer = office
    outcomes = iter(["retry", "retry"])
    sent_at = []
    deliverer.send = lambda to, replies: next(outcomes, None) or sent_at.append(clock.now()) or "sent"
    clock.at = at(2026, 11, 18, 19, 59)
    run_cycle(make_uow, clock, deliverer)
    clock.at = at(2026, 11, 18, 20, 1)
    assert deliver_due(make_uow, clock, deliverer, "w1").sent == 0
    clock.at = at(2026, 11, 19, 7, 59)
    assert deliver_due(make_uow, clock, deliverer, "w1").sent == 0
    clock.at = at(2026, 11, 19, 8, 0)
    assert deliver_due(make_uow, clock, deliverer, "w1").sent == 2
    assert sent_at == [at(2026, 11, 19, 8, 0)] * 2


def test_one_teams_broken_settings_do_not_stop_the_others(office, make_uow, clock, chat):
    from assistant.method.funnel_config import preset
    from assistant.push import jobs

    assert "没看懂" in chat("张强").say("/schedule quiet 21:00+08:00-07:00")
    with make_uow() as uow:
        broken = uow.teams.add("坏设置团队", preset("project"), clock.now())
        uow.teams.set_settings(broken.id, {"quiet_start": "not a time"})
        uow.commit()
    jobs.scan(make_uow, clock)
    assert [i.kind for i in outbox(make_uow, "王伟")] == ["overdue"]


def test_an_old_snooze_button_does_not_undo_a_newer_date(office, make_uow, clock):
    people, deliverer = office
    rep = people["王伟"]
    run_cycle(make_uow, clock, deliverer)
    buttons = list(rep.console.buttons)
    rep.say("/next 2")
    rep.say("约技术负责人交流")
    rep.say("12月20日")
    rep.console.buttons = buttons
    rep.last = "\n".join(f"[{i + 1}] {c.key}" for i, c in enumerate(buttons))
    assert "不用处理了" in rep.press("reminder.snooze")
    with make_uow() as uow:
        assert uow.deals.get(2).next_due == date(2026, 12, 20)


def test_the_terminal_shows_the_reminder_updated_once_acted_upon(office, make_uow, clock):
    people, deliverer = office
    run_cycle(make_uow, clock, deliverer)
    rep = people["王伟"]
    snooze = next(n for n, c in enumerate(rep.console.buttons, 1) if c.value.startswith("rem.snooze"))
    update, answer = rep.say(str(snooze)).split("\n\n")
    assert update.startswith("↻ 之前的消息已更新") and "已推迟到 2026年11月19日" in update
    assert "推迟到 2026年11月19日" in answer
