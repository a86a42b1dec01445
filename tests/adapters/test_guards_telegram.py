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
