"""`FeishuChat` drives the real lark-oapi clients the way Feishu does: event frames pushed over the
app's long connection (a message, a card button, a submitted card form, a bot-menu click), the
app's answer frame read back, then the Open API calls the app made while handling the event."""
from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from handlers.feishu import FeishuFrontEnd
from tests.adapters.fake_feishu import APP_ID, Call, FakeFeishu, FeishuUser, card_buttons, card_elements


@dataclass
class Answer:
    frame: dict[str, Any]  # the app's answer frame to Feishu: code, data, elapsed
    calls: list[Call]


def _header(event_id: str, event_type: str, tenant: str) -> dict[str, Any]:
    return {"event_id": event_id, "token": "", "create_time": str(int(time.time() * 1000)),
            "event_type": event_type, "tenant_key": tenant, "app_id": APP_ID}


class FeishuChat:
    _ids = itertools.count(1)

    def __init__(self, fake: FakeFeishu, front_end: FeishuFrontEnd) -> None:
        self.fake, self.front_end = fake, front_end

    def next_id(self) -> int:
        return next(self._ids)

    def push(self, payload: dict[str, Any]) -> Answer:
        mark = self.fake.mark()
        frame = self.fake.push(payload)
        assert self.front_end.bridge is not None and self.front_end.bridge.wait_idle(20)
        return Answer(frame, self.fake.since(mark))

    def message(self, user: FeishuUser, text: str, event_id: str | None = None, chat_id: str | None = None,
                mentions: list[dict[str, Any]] | None = None, kind: str = "text",
                content: dict[str, Any] | None = None) -> dict[str, Any]:
        number = self.next_id()
        message = {"message_id": f"om_in{number}", "chat_id": chat_id or f"oc_p2p_{user.open_id}",
                   "chat_type": "group" if chat_id else "p2p", "message_type": kind,
                   "content": json.dumps(content or {"text": text}, ensure_ascii=False),
                   "create_time": str(int(time.time() * 1000))}
        if mentions:
            message["mentions"] = mentions
        return {"schema": "2.0", "header": _header(event_id or f"ev_{number:06d}", "im.message.receive_v1",
                                                   user.tenant),
                "event": {"sender": {"sender_id": {"open_id": user.open_id, "union_id": "on_" + user.open_id[3:]},
                                     "sender_type": "user", "tenant_key": user.tenant},
                          "message": message}}

    def say(self, user: FeishuUser, text: str, event_id: str | None = None, **given: Any) -> Answer:
        return self.push(self.message(user, text, event_id, **given))

    def action(self, user: FeishuUser, message_id: str, value: dict[str, Any], form_value: dict[str, Any] | None = None,
               event_id: str | None = None, chat_id: str | None = None) -> dict[str, Any]:
        number = self.next_id()
        action: dict[str, Any] = {"value": value, "tag": "button", "name": "submit" if form_value is not None else ""}
        if form_value is not None:
            action["form_value"] = form_value
        return {"schema": "2.0", "header": _header(event_id or f"ev_cb_{number:06d}", "card.action.trigger",
                                                   user.tenant),
                "event": {"operator": {"tenant_key": user.tenant, "open_id": user.open_id},
                          "token": f"c-{number}", "action": action, "host": "im_message",
                          "context": {"open_message_id": message_id,
                                      "open_chat_id": chat_id or f"oc_p2p_{user.open_id}"}}}

    def card_with(self, user: FeishuUser, label: str) -> tuple[str, dict[str, Any]]:
        """The newest card sent to `user` with a button whose label contains `label`."""
        for message_id in sorted(self.fake.cards, reverse=True):
            if self.fake.receivers.get(message_id) != user.open_id:
                continue
            for button in card_buttons(self.fake.cards[message_id]):
                if label in button["text"]["content"]:
                    return message_id, button
        raise AssertionError(f"no button {label!r} sent to {user.name}")

    def press(self, user: FeishuUser, label: str, event_id: str | None = None) -> Answer:
        message_id, button = self.card_with(user, label)
        return self.push(self.action(user, message_id, button["behaviors"][0]["value"], event_id=event_id))

    def form(self, user: FeishuUser) -> tuple[str, dict[str, Any]]:
        """The newest form card sent to `user`, and its submit button."""
        for message_id in sorted(self.fake.cards, reverse=True):
            if self.fake.receivers.get(message_id) != user.open_id:
                continue
            for element in card_elements(self.fake.cards[message_id]):
                if element.get("form_action_type") == "submit":
                    return message_id, element
        raise AssertionError(f"no form sent to {user.name}")

    def submit(self, user: FeishuUser, values: dict[str, Any], event_id: str | None = None) -> Answer:
        message_id, button = self.form(user)
        return self.push(self.action(user, message_id, button["behaviors"][0]["value"], values, event_id))

    def menu(self, user: FeishuUser, key: str) -> Answer:
        number = self.next_id()
        return self.push({"schema": "2.0", "header": _header(f"ev_menu_{number}", "application.bot.menu_v6",
                                                             user.tenant),
                          "event": {"operator": {"operator_name": user.name,
                                                 "operator_id": {"open_id": user.open_id}},
                                    "event_key": key, "timestamp": int(time.time())}})


def created(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method in ("messages.create", "messages.reply")]


def texts(calls: list[Call]) -> str:
    """What the person reads from these calls (card markdown as sent, entities decoded)."""
    from tests.adapters.fake_feishu import shown
    return "\n\n".join(shown(c.text) for c in calls if c.method in ("messages.create", "messages.reply",
                                                                   "messages.patch"))
