"""The outbox under faults: a row that breaks stalls no other, pushes follow the user to the
platform they use now, a process claims only what it can deliver, superseded pushes are dropped,
and each push's condition is checked again when it is built."""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.events import ChatKey
from assistant.push import agenda
from assistant.push.delivery import MAX_ATTEMPTS, SENT, deliver_due
from handlers.console import ConsoleDeliverer

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


class Recorder:
    """A platform's sender that records what it sends (the deals an agenda names); pushes to
    `broken` people make it raise (a chart that can't be drawn, a template error)."""

    def __init__(self, platform="console", broken=()):
        self.platform, self.broken, self.sent = platform, set(broken), []

    def send(self, to, replies):
        if to.user in self.broken:
            raise ValueError("chart could not be drawn")
        deals = tuple(item["id"] for reply in replies for item in reply.params.get("items", ()))
        self.sent.append((to.platform, to.user, replies[0].key, deals))
        return SENT


def all_rows(make_uow):
    with make_uow() as uow:
        return [item for user in uow.users.members(1) for item in uow.outbox.of_user(user.id)]


def overdue_everywhere(make_uow, clock):
    with make_uow() as uow:
        for deal in uow.deals.find(1, status="open"):
            uow.deals.save(replace(deal, next_due=date(2026, 11, 10)))
        added = agenda.enqueue(uow, clock)
        uow.commit()
    return added


def test_one_failing_row_stalls_no_other_and_fails_after_its_last_attempt(demo, make_uow, clock, caplog):
    assert overdue_everywhere(make_uow, clock) == 2  # 王伟's and 李娜's agendas, every deal on them
    sender = Recorder(broken={"王伟"})
    with caplog.at_level(logging.ERROR, logger="assistant.push.delivery"):
        tally = deliver_due(make_uow, clock, sender, "w1")
    assert tally.sent == 1 and [(user, deals) for _, user, _, deals in sender.sent] == [("李娜", (6, 7, 8))]
    with make_uow() as uow:
        bad = uow.users.by_name("王伟").id
    [failing] = [item for item in all_rows(make_uow) if item.user_id == bad]
    assert failing.status == "pending" and failing.attempts == 1 and "chart could not be drawn" in failing.last_error
    assert failing.due_at > clock.now()
    assert any(str(failing.id) in record.getMessage() for record in caplog.records)
    for _ in range(3 * MAX_ATTEMPTS):  # each retry when it is due (quiet hours move some to the morning)
        clock.at = max(clock.at, failing.due_at)
        deliver_due(make_uow, clock, sender, "w1")
        [failing] = [item for item in all_rows(make_uow) if item.user_id == bad]
    assert failing.status == "failed" and failing.attempts == MAX_ATTEMPTS
    assert len(sender.sent) == 1


def test_a_push_follows_the_user_to_the_platform_they_use_now(demo, make_uow, clock):
    with make_uow() as uow:
        agenda.enqueue(uow, clock)  # 王伟's and 李娜's agendas, queued for the terminal
        wang = uow.users.by_name("王伟")
        uow.users.link(wang.id, ChatKey("telegram", "555", "555"))
        uow.users.touch("telegram", "", "555", clock.now())  # 王伟 writes from Telegram now
        uow.commit()
    terminal, telegram = Recorder("console"), Recorder("telegram")
    assert deliver_due(make_uow, clock, terminal, "w1").sent == 1
    assert deliver_due(make_uow, clock, telegram, "w1").sent == 1
    assert [(platform, user) for platform, user, *_ in terminal.sent] == [("console", "李娜")]
    assert [(platform, user, key) for platform, user, key, _ in telegram.sent] == [
        ("telegram", "555", "agenda.view")]
    assert {(item.platform, item.status) for item in all_rows(make_uow)} == {("console", "sent"), ("telegram", "sent")}


def test_a_user_who_moves_after_the_claim_is_handed_over_not_skipped(demo, make_uow, clock):
    with make_uow() as uow:
        agenda.enqueue(uow, clock)
        uow.commit()
    with make_uow() as uow:
        claimed = uow.outbox.claim("w1", ("console",), clock.now(), clock.now() + timedelta(minutes=5), 10)
        wang = uow.users.by_name("王伟")
        uow.users.link(wang.id, ChatKey("telegram", "555", "555"))
        uow.users.touch("telegram", "", "555", clock.now())
        uow.commit()
    assert len(claimed) == 2
    clock.at += timedelta(minutes=6)  # the claiming sender died; another takes over
    assert deliver_due(make_uow, clock, Recorder("console"), "w2").sent == 1
    telegram = Recorder("telegram")
    assert deliver_due(make_uow, clock, telegram, "w3").sent == 1 and telegram.sent[0][1] == "555"


def test_a_terminal_claims_only_the_pushes_of_the_people_at_it(demo, chat, make_uow, clock):
    wang, li = chat("王伟"), chat("李娜")
    wang.say("/help")
    li.say("/help")
    with make_uow() as uow:
        agenda.enqueue(uow, clock)
        uow.commit()
    wangs_terminal = ConsoleDeliverer({"王伟": wang.console})
    for _ in range(12):  # an hour of sender runs at 王伟's terminal
        deliver_due(make_uow, clock, wangs_terminal, "terminal-1")
        clock.at += timedelta(minutes=5)
    [waiting] = [item for item in all_rows(make_uow) if item.status != "sent"]
    assert (waiting.status, waiting.attempts) == ("pending", 0)
    lis_terminal = ConsoleDeliverer({"李娜": li.console})
    assert deliver_due(make_uow, clock, lis_terminal, "terminal-2").sent == 1


def test_a_digest_missed_during_a_week_of_downtime_arrives_once(demo, chat, make_uow, clock):
    from assistant.push import team_digest
    for name in ("张强", "陈静"):
        chat(name).say("/help")
    clock.at = local(2026, 11, 23, 9, 30)  # Monday of week 48: queued, then the bot went down
    with make_uow() as uow:
        assert team_digest.enqueue(uow, clock) == 2
        uow.commit()
    clock.at = local(2026, 11, 30, 9, 30)  # back a week later: week 49's are queued too
    with make_uow() as uow:
        assert team_digest.enqueue(uow, clock) == 2
        uow.commit()
    sender = Recorder()
    assert deliver_due(make_uow, clock, sender, "w1").sent == 2
    assert sorted(user for _, user, key, _ in sender.sent if key == "digest.weekly") == ["张强", "陈静"]
    digests = sorted((item.subject, item.status, item.last_error) for item in all_rows(make_uow))
    assert digests == [("2026-W48", "skipped", "superseded")] * 2 + [("2026-W49", "sent", None)] * 2


def test_a_rep_gets_one_agenda_however_many_days_it_waited(demo, make_uow, clock):
    with make_uow() as uow:
        assert agenda.enqueue(uow, clock) == 2  # Wednesday's: 王伟 (小米 overdue) and 李娜 (腾讯); not sent (down)
        uow.commit()
    clock.at = local(2026, 11, 19, 10)
    with make_uow() as uow:
        assert agenda.enqueue(uow, clock) == 2  # Thursday's
        uow.commit()
    sender = Recorder()
    assert deliver_due(make_uow, clock, sender, "w1").sent == 2
    assert sorted((user, deals) for _, user, _, deals in sender.sent) == [("李娜", (7,)), ("王伟", (2, 5))]
    assert sorted((item.key.rsplit(":", 1)[1], item.status) for item in all_rows(make_uow)) == [
        ("2026-11-18", "skipped"), ("2026-11-18", "skipped"), ("2026-11-19", "sent"), ("2026-11-19", "sent")]


def test_a_deal_visited_over_the_weekend_is_not_on_mondays_agenda(demo, chat, make_uow, clock):
    rep = chat("王伟")
    rep.say("/help")
    clock.at = local(2026, 12, 4, 10)  # Friday: 比亚迪's (#3) next step is 11 days late
    assert "比亚迪股份有限公司 · 工厂MES系统：安排产品测试（2026年11月23日（周一），逾期 11 天）" in rep.say("/today")
    clock.at = local(2026, 12, 5, 11)  # Saturday: the rep logs a visit on 比亚迪
    assert "拜访已记录" in rep.say("/visit 比亚迪 下周二 提交方案")
    rep.press("提交方案")
    clock.at = local(2026, 12, 7, 8, 30)
    with make_uow() as uow:
        assert agenda.enqueue(uow, clock) == 2
        uow.commit()
    sender = Recorder()
    deliver_due(make_uow, clock, sender, "w1")
    [(_, _, key, deals)] = [sent for sent in sender.sent if sent[1] == "王伟"]
    assert key == "agenda.view" and 3 not in deals and {4, 5} <= set(deals)


def test_a_sunday_evening_self_check_is_answered_nudged_and_asked_every_week(demo, chat, make_uow, clock):
    from assistant.push import self_check
    people = {name: chat(name) for name in ("王伟", "李娜", "张强")}
    for person in people.values():
        person.say("/help")
    assert "周日 19:00" in people["张强"].say("/schedule selfcheck sun 19:00")
    terminal = ConsoleDeliverer({name: person.console for name, person in people.items()})

    def scan():
        with make_uow() as uow:
            added = self_check.enqueue(uow, clock)
            uow.commit()
        return added

    clock.at = local(2026, 11, 22, 19)  # Sunday of week 47: quiet hours carry the invites to Monday
    assert scan() == 2
    clock.at = local(2026, 11, 23, 8)
    assert deliver_due(make_uow, clock, terminal, "w1").sent == 2
    wang = people["王伟"]
    wang.say("/check")
    for _ in range(5):
        wang.press("照旧")
    assert "自检完成" in wang.press("跳过")
    clock.at = local(2026, 11, 24, 9)  # a day after the invites went out: 李娜 is nudged, 王伟 is not
    assert scan() == 1
    assert deliver_due(make_uow, clock, terminal, "w1").sent == 1
    [nudge] = [item for item in all_rows(make_uow) if item.kind == "self_check_nudge"]
    with make_uow() as uow:
        assert nudge.user_id == uow.users.by_name("李娜").id and nudge.status == "sent"
    clock.at = local(2026, 11, 29, 19)  # next Sunday: both are asked again
    assert scan() == 2
    clock.at = local(2026, 11, 30, 10)  # Monday's digest: last week's invite, answered by 王伟 only
    line = next(line for line in people["张强"].say("/digest").splitlines() if "自查未完成" in line)
    assert "@李娜" in line and "@王伟" not in line


def test_the_digest_names_only_reps_who_were_asked_and_did_not_answer(demo, chat, make_uow):
    from tests.invites import invites_sent
    assert "自查未完成" not in chat("张强").say("/digest")  # a new team: nobody was asked yet
    with make_uow() as uow:
        invites_sent(make_uow, [uow.users.by_name("王伟").id])  # 李娜 joined after the push
    line = next(line for line in chat("张强").say("/digest").splitlines() if "自查未完成" in line)
    assert "@王伟" in line and "@李娜" not in line
