"""Proactive messages through the real python-telegram-bot against the fake Bot API server: a
flood wait delays the row instead of sending it twice, and a send given up on is stopped."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, timedelta

from assistant.method.model import OutboxItem
from assistant.push import agenda
from assistant.push.delivery import deliver_due
from handlers import telegram as adapter
from tests.adapters.test_telegram import REP, deals_of, join


def rows_of(make_uow, user):
    with make_uow() as uow:
        return uow.outbox.of_user(uow.users.by_identity("telegram", "", str(user.id)).id)


async def two_pushes(tg, demo, clock, invite):
    """The rep's agenda (two overdue deals) and a self-check invite: two rows to send."""
    await join(tg, REP, invite())
    await tg.say(REP, "/new 华为技术有限公司 机房 10万 月底")
    await tg.say(REP, "/new 腾讯科技 网络 20万 月底")
    with demo() as uow:
        for deal in deals_of(demo, REP):
            uow.deals.save(replace(deal, next_step="提交方案", next_due=date(2026, 11, 16)))
        agenda.enqueue(uow, clock)
        rep = uow.users.by_identity("telegram", "", str(REP.id))
        uow.outbox.add(OutboxItem(f"self_check:{rep.id}:2026-W47", "self_check", rep.id, "telegram", "2026-W47",
                                  clock.now()), clock.now())
        uow.commit()


def pushes(calls):
    return [c for c in calls if c.method == "sendMessage" and ("的待办" in c.text or "漏斗自检" in c.text)]


def test_a_long_flood_wait_delays_the_push_and_sends_it_once(running, invite, demo, clock, fake_telegram):
    async def scenario():
        async with running() as tg:
            await two_pushes(tg, demo, clock, invite)
            fake_telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 600", retry_after=600)
            deliverer = adapter.TelegramDeliverer(tg.application.bot, asyncio.get_running_loop(), timeout=5)
            mark = fake_telegram.mark()
            first = await asyncio.to_thread(deliver_due, demo, clock, deliverer, "tg-worker")
            held_back = [item for item in rows_of(demo, REP) if item.status == "pending"]
            clock.at += timedelta(minutes=10)
            second = await asyncio.to_thread(deliver_due, demo, clock, deliverer, "tg-worker")
            return first, held_back, second, fake_telegram.since(mark, ok_only=False)
    first, held_back, second, calls = asyncio.run(scenario())
    assert (first.sent, second.sent) == (1, 1)
    [row] = held_back
    assert row.attempts == 0 and row.due_at == clock.at  # waits the 600 s asked for, not counted as a failure
    assert [c.status for c in calls if c.method == "sendMessage"] == [429, 200, 200]
    assert len(pushes(c for c in calls if c.ok)) == 2
    assert {item.status for item in rows_of(demo, REP)} == {"sent"}


def test_a_send_given_up_on_is_stopped_not_left_running(running, invite, demo, clock, fake_telegram):
    async def scenario():
        async with running() as tg:
            await two_pushes(tg, demo, clock, invite)
            release = fake_telegram.hold("sendMessage")
            deliverer = adapter.TelegramDeliverer(tg.application.bot, asyncio.get_running_loop(), timeout=0.5)
            tally = await asyncio.to_thread(deliver_due, demo, clock, deliverer, "tg-worker")
            running_sends = [task for task in asyncio.all_tasks() if not task.done()
                             and task.get_coro().__name__ in ("send_replies", "_push")]
            release.set()
            return tally, running_sends
    tally, running_sends = asyncio.run(scenario())
    assert running_sends == []
    assert (tally.retried, tally.sent) == (1, 1)
    assert sorted((item.status, item.attempts) for item in rows_of(demo, REP)) == [("pending", 1), ("sent", 1)]


def test_a_push_in_several_messages_resends_only_the_parts_not_yet_sent(running, invite, demo, clock,
                                                                        fake_telegram):
    """An agenda too long for one Telegram message goes as two; the second fails, and the retry
    sends the second only: the rep never gets the first part twice."""
    async def scenario():
        async with running() as tg:
            await two_pushes(tg, demo, clock, invite)
            with demo() as uow:
                deal = deals_of(demo, REP)[0]
                steps = "；".join(f"第{n}步：提交方案并确认测试安排" for n in range(300))
                uow.deals.save(replace(deal, next_step=steps))
                uow.commit()
            deliverer = adapter.TelegramDeliverer(tg.application.bot, asyncio.get_running_loop(), timeout=5)
            fake_telegram.fail_next("sendMessage", 400, "Bad Request: message is too long", after=1)
            mark = fake_telegram.mark()
            first = await asyncio.to_thread(deliver_due, demo, clock, deliverer, "tg-worker", 1)
            parts_after_first = [item.parts_sent for item in rows_of(demo, REP) if item.attempts]
            clock.at += timedelta(minutes=2)
            await asyncio.to_thread(deliver_due, demo, clock, deliverer, "tg-worker")
            return first, parts_after_first, fake_telegram.since(mark, ok_only=False)
    first, parts_after_first, calls = asyncio.run(scenario())
    messages = [c for c in calls if c.method == "sendMessage"]
    assert first.retried == 1 and parts_after_first == [1]
    first_part, refused = messages[0], messages[1]
    assert (first_part.status, refused.status) == (200, 400) and first_part.text.startswith("☀️")
    assert [c.status for c in messages if c.text == refused.text] == [400, 200]  # the refused part, sent again
    delivered = [c.text for c in messages if c.ok]
    assert len(delivered) == len(set(delivered))  # no part twice, the first one included
    assert len([c for c in messages if c.text.startswith("☀️") and c.ok]) == 1  # the long push began once
    assert len([c for c in messages if c.ok and c.buttons()]) == 2  # each push's buttons once, on its last part
    assert {item.status for item in rows_of(demo, REP)} == {"sent"}
