"""bot.py runs every front end whose configuration is present, side by side in one process with
one scheduler, and stops them cleanly: driven here with the real python-telegram-bot against
fake Bot API servers on 127.0.0.1."""
from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
import urllib.request

import pytest

import bot
from assistant import SENT, start_jobs
from handlers import telegram as adapter
from tests.adapters.conftest import TOKEN, TgUser, message_update
from tests.adapters.fake_telegram import FakeTelegram
from tests.adapters.test_telegram import free_port

REP = TgUser(811001, "赵敏")


def options(**given) -> argparse.Namespace:
    return argparse.Namespace(**({"webhook": None, "listen": "127.0.0.1", "port": 8443} | given))


def env_for(fake: FakeTelegram, token: str = TOKEN, **extra: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": f"http://127.0.0.1:{fake.port}", **extra}


def serving(front_ends, demo, clock) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=bot.serve, args=(front_ends, demo, clock, stop), daemon=True)
    thread.start()
    return thread, stop


def welcomed(fake: FakeTelegram, name: str) -> None:
    asyncio.run(fake.wait_for(lambda calls: any(f"欢迎 {name}" in c.text for c in calls)))


def test_no_configuration_means_no_front_end_and_the_terminal_chat(demo, clock):
    assert bot.configured_front_ends({}, demo, clock, options()) == []


def test_a_token_in_the_environment_runs_telegram_with_its_menu_and_polling(fake_telegram, invite, demo, clock):
    front_ends = bot.configured_front_ends(env_for(fake_telegram), demo, clock, options())
    assert [f.platform for f in front_ends] == ["telegram"]
    thread, stop = serving(front_ends, demo, clock)
    try:
        fake_telegram.queue_update(message_update(9001, REP, f"/start {invite()}"))
        welcomed(fake_telegram, "赵敏")
    finally:
        stop.set()
        thread.join(20)
    assert not thread.is_alive(), "the front end did not stop"
    assert {c.params.get("language_code") for c in fake_telegram.sent("setMyCommands")} == {"zh", "en", None}
    polls = fake_telegram.sent("getUpdates")
    assert polls and json.loads(polls[0].params["allowed_updates"]) == ["message", "callback_query"]


class RecordingFrontEnd:
    """A second platform beside Telegram: what it is asked to push is recorded."""

    platform = "console"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.stopped = False

    def start(self) -> RecordingFrontEnd:
        return self

    def send(self, to, replies) -> str:
        self.sent += [(to.user, r.key) for r in replies]
        return SENT

    def stop(self) -> None:
        self.stopped = True


def test_two_front_ends_share_one_database_and_scheduler_each_with_its_own_sender(fake_telegram, invite, demo,
                                                                                    clock):
    console = RecordingFrontEnd()
    front_ends = [adapter.from_env(env_for(fake_telegram), demo, clock), console]
    thread, stop = serving(front_ends, demo, clock)
    try:
        fake_telegram.queue_update(message_update(9101, REP, f"/start {invite()}"))
        welcomed(fake_telegram, "赵敏")
        deadline = time.monotonic() + 30
        while not console.sent and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(20)
    assert not thread.is_alive() and console.stopped
    assert ("王伟", "agenda.view") in console.sent, "the demo rep's agenda went out on their platform"


def test_one_deliverer_per_platform(demo, clock):
    with pytest.raises(ValueError, match="one deliverer per platform"):
        start_jobs(demo, clock, [RecordingFrontEnd(), RecordingFrontEnd()])


def test_a_webhook_url_serves_the_webhook_with_the_configured_secret(fake_telegram, invite, demo, clock):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    front_ends = bot.configured_front_ends(env_for(fake_telegram, TELEGRAM_WEBHOOK_SECRET="s3cret"), demo, clock,
                                           options(webhook=url, port=port))
    thread, stop = serving(front_ends, demo, clock)
    try:
        asyncio.run(fake_telegram.wait_for(lambda calls: any(c.method == "setWebhook" for c in calls)))
        body = json.dumps(message_update(9201, REP, f"/start {invite()}")).encode()
        request = urllib.request.Request(url, body, {"Content-Type": "application/json",
                                                     "X-Telegram-Bot-Api-Secret-Token": "s3cret"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
        welcomed(fake_telegram, "赵敏")
    finally:
        stop.set()
        thread.join(20)
    [registered] = fake_telegram.sent("setWebhook")
    assert (registered.params["url"], registered.params["secret_token"]) == (url, "s3cret")
    assert not fake_telegram.sent("getUpdates")
