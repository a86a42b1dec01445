"""Fixtures for the adapters: the fake Bot API server, update payload builders, and
`TelegramChat`, which drives the real PTB Application the way a phone would."""
from __future__ import annotations

import itertools
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from assistant.chat.teams import create_invite
from assistant.method.model import Role
from handlers import slack as slack_adapter
from handlers import telegram as adapter
from tests.adapters.fake_feishu import APP_ID as FEISHU_APP_ID
from tests.adapters.fake_feishu import APP_SECRET as FEISHU_APP_SECRET
from tests.adapters.fake_feishu import FakeFeishu
from tests.adapters.fake_slack import FakeSlack
from tests.adapters.fake_telegram import Call, FakeTelegram
from tests.adapters.feishu_chat import FeishuChat
from tests.adapters.slack_chat import MANAGER, REP, SECRET, STRANGER, SlackChat, client_for

TOKEN = "123456:TEST-token"


@dataclass(frozen=True)
class TgUser:
    id: int
    first_name: str
    last_name: str | None = None
    language_code: str | None = "zh-hans"

    def payload(self) -> dict[str, Any]:
        user = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        user |= {"last_name": self.last_name} if self.last_name else {}
        user |= {"language_code": self.language_code} if self.language_code else {}
        return user


def private_chat(user: TgUser) -> dict[str, Any]:
    return {"id": user.id, "type": "private", "first_name": user.first_name}


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def message_update(update_id: int, user: TgUser, text: str, chat: dict | None = None,
                   reply_to: dict | None = None) -> dict[str, Any]:
    """An update as Telegram sends it for a typed message: a leading /command and every
    @username are entities (offsets in UTF-16 units); `reply_to` is the message replied to."""
    message = {"message_id": 500 + update_id, "date": int(time.time()), "chat": chat or private_chat(user),
               "from": user.payload(), "text": text}
    entities = []
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": len(text.split()[0])})
    for mention in re.finditer(r"(?<![\w/])@\w+", text):
        entities.append({"type": "mention", "offset": _units(text[:mention.start()]),
                         "length": _units(mention.group())})
    if entities:
        message["entities"] = entities
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    return {"update_id": update_id, "message": message}


def callback_update(update_id: int, user: TgUser, data: str, message: dict[str, Any]) -> dict[str, Any]:
    """A button press on `message` (a Message object the bot sent, as the fake returned it)."""
    return {"update_id": update_id, "callback_query": {
        "id": f"cq-{update_id}", "from": user.payload(), "chat_instance": "ci-1", "data": data, "message": message}}


class TelegramChat:
    """The real Application against the fake server; `say` and `press` feed one update through
    PTB (`process_update`) and return the calls the bot made while handling it."""

    _ids = itertools.count(1)

    def __init__(self, fake: FakeTelegram, application: Application) -> None:
        self.fake = fake
        self.application = application

    def next_id(self) -> int:
        return next(self._ids)

    async def feed(self, payload: dict[str, Any]) -> list[Call]:
        mark = self.fake.mark()
        await self.application.process_update(Update.de_json(payload, self.application.bot))
        return self.fake.since(mark)

    async def say(self, user: TgUser, text: str, chat: dict | None = None, reply_to: dict | None = None) -> list[Call]:
        return await self.feed(message_update(self.next_id(), user, text, chat, reply_to))

    async def press(self, user: TgUser, label: str) -> list[Call]:
        """Press the newest button whose label contains `label`, on the message carrying it."""
        call, button = self.button(user, label)
        return await self.feed(callback_update(self.next_id(), user, button["callback_data"], call.result))

    def button(self, user: TgUser, label: str) -> tuple[Call, dict]:
        for call in reversed(self.fake.sent()):
            if (call.method in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")
                    and call.params["chat_id"] == str(user.id)):
                for button in call.buttons():
                    if label in button["text"]:
                        return call, button
        raise AssertionError(f"no button {label!r} sent to {user.first_name}")

    def last_message(self, user: TgUser) -> Call:
        return next(c for c in reversed(self.fake.sent()) if c.params.get("chat_id") == str(user.id)
                    and c.method in ("sendMessage", "editMessageText"))


def texts(calls: list[Call]) -> str:
    """What the user reads from these calls (HTML as sent)."""
    shown = ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")
    return "\n\n".join(c.text for c in calls if c.method in shown)


@pytest.fixture
def fake_telegram(monkeypatch) -> Iterator[FakeTelegram]:
    """The fake server; proxies off, so nothing the bot sends leaves 127.0.0.1."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake = FakeTelegram(TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def build(fake_telegram, demo, clock):
    """build() -> a fresh Application wired to the fake server and the demo database."""
    return lambda **options: adapter.build_application(TOKEN, demo, clock, base_url=fake_telegram.base_url,
                                                       base_file_url=fake_telegram.base_file_url, **options)


@pytest.fixture
def running(build, fake_telegram):
    """`async with running() as tg`: an initialized Application for process_update, shut down after."""
    @asynccontextmanager
    async def run() -> AsyncIterator[TelegramChat]:
        application = build()
        await application.initialize()
        try:
            yield TelegramChat(fake_telegram, application)
        finally:
            await application.shutdown()
    return run


@pytest.fixture
def invite(demo, clock):
    """invite(role) -> a fresh single-use code for the demo team, made through the core."""
    def make(role: Role = Role.REP) -> str:
        with demo() as uow:
            team = uow.teams.by_name("华东大区销售部")
            code = create_invite(uow, team, None, role, clock.now()).code
            uow.commit()
        return code
    return make


# ---- Slack ------------------------------------------------------------------------------------

@pytest.fixture
def fake_slack(monkeypatch) -> Iterator[FakeSlack]:
    """The mock Slack Web API; proxies off, so nothing the app sends leaves 127.0.0.1."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake = FakeSlack().start()
    yield fake
    fake.stop()


# ---- Feishu -----------------------------------------------------------------------------------

@pytest.fixture
def fake_feishu(monkeypatch) -> Iterator[FakeFeishu]:
    """The fake Feishu platform; proxies off, so nothing the app sends leaves 127.0.0.1."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake = FakeFeishu().start()
    yield fake
    fake.stop()


def feishu_environment(fake: FakeFeishu, **more: str) -> dict[str, str]:
    return {"FEISHU_APP_ID": FEISHU_APP_ID, "FEISHU_APP_SECRET": FEISHU_APP_SECRET,
            "FEISHU_DOMAIN": fake.base_url} | more


@pytest.fixture
def feishu(fake_feishu, demo, clock) -> Iterator[FeishuChat]:
    """The Feishu front end started against the fake (its long connection open) on the demo team."""
    from handlers import feishu as feishu_adapter
    front_end = feishu_adapter.from_env(feishu_environment(fake_feishu), demo, clock)
    assert front_end is not None
    front_end.start()
    try:
        yield FeishuChat(fake_feishu, front_end)
    finally:
        front_end.stop()


@pytest.fixture
def slack(fake_slack, demo, clock) -> SlackChat:
    """The real Bolt app on the demo database, answering signed requests as Slack sends them."""
    for person in (REP, MANAGER, STRANGER):
        fake_slack.add_person(person)
    app = slack_adapter.build_app(client_for(fake_slack), demo, clock, SECRET, process_before_response=True)
    return SlackChat(fake_slack, app)
