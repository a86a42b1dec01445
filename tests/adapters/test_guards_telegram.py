"""One member must not stall the others on Telegram: updates are handled concurrently (each
person's own events stay serialised in the database)."""
from __future__ import annotations

import asyncio
import threading

from telegram import Update

from handlers import telegram as adapter
from tests.adapters.conftest import TgUser, message_update

SLOW = TgUser(812001, "Slow", language_code="en")
QUICK = TgUser(812002, "Quick", language_code="en")


async def _wait_for(fake, chat_id: str, timeout: float = 15) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if any(call.params.get("chat_id") == chat_id for call in fake.sent("sendMessage")):
            return True
        await asyncio.sleep(0.05)
    return False


def test_another_users_reply_does_not_wait_behind_a_slow_update(running, fake_telegram, monkeypatch):
    release = threading.Event()
    real_handle = adapter.handle

    def handle(event, uow, clock):
        if event.who.user == str(SLOW.id):
            release.wait(30)  # a long chart, a slow parse: anything that keeps this update busy
        return real_handle(event, uow, clock)

    monkeypatch.setattr(adapter, "handle", handle)
    asyncio.run(_scenario(running, fake_telegram, release))


async def _scenario(running, fake_telegram, release: threading.Event) -> None:
    async with running() as tg:
        application = tg.application
        await application.start()
        try:
            await application.update_queue.put(Update.de_json(message_update(9101, SLOW, "hello"), application.bot))
            await application.update_queue.put(Update.de_json(message_update(9102, QUICK, "hello"), application.bot))
            quick_answered = await _wait_for(fake_telegram, str(QUICK.id))
            release.set()
            assert await _wait_for(fake_telegram, str(SLOW.id))
            assert quick_answered, "the second user's reply waited for the first user's update"
        finally:
            release.set()
            await application.stop()


def test_one_persons_updates_are_still_handled_in_the_order_they_came(running, fake_telegram, monkeypatch):
    release = threading.Event()
    real_handle = adapter.handle
    order: list[str] = []

    def handle(event, uow, clock):
        if event.event_id == "9201":
            release.wait(30)
        order.append(event.event_id)
        return real_handle(event, uow, clock)

    monkeypatch.setattr(adapter, "handle", handle)

    async def scenario() -> None:
        async with running() as tg:
            application = tg.application
            await application.start()
            try:
                for update_id in (9201, 9202):
                    update = Update.de_json(message_update(update_id, SLOW, "hello"), application.bot)
                    await application.update_queue.put(update)
                await asyncio.sleep(1)  # time for a second update to overtake, were it allowed to
                release.set()
                loop = asyncio.get_running_loop()
                deadline = loop.time() + 15
                while len(order) < 2 and loop.time() < deadline:
                    await asyncio.sleep(0.05)
            finally:
                release.set()
                await application.stop()
    asyncio.run(scenario())
    assert order == ["9201", "9202"]
