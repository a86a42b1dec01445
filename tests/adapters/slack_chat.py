"""`SlackChat` drives the real Bolt app the way Slack does: signed HTTP requests (events, the
`/sales` command, button presses, modal submissions) into Bolt's request handling, and the
calls the app made to the mock Web API while handling each."""
from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from tests.adapters.fake_slack import BOT_USER, TEAM, Call, FakeSlack, SlackUser

SECRET = "test-signing-secret"
APP_ID = "A0FUNNEL"
REP = SlackUser("U0REP0001", "赵敏")
MANAGER = SlackUser("U0MGR0001", "孙丽")
STRANGER = SlackUser("U0XXX0001", "Mallory", locale="en-US")
CHANNEL = "C0SALESEAST"


def client_for(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.base_url)


def signed_headers(body: str, content_type: str, secret: str = SECRET, timestamp: int | None = None,
                   retry: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)}
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return headers


def event_body(event: dict[str, Any], event_id: str) -> str:
    team = event.get("team", TEAM)
    return json.dumps({"token": "legacy", "team_id": team, "api_app_id": APP_ID, "type": "event_callback",
                       "event_id": event_id, "event_time": int(time.time()), "event": event,
                       "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}]})


@dataclass
class Response:
    status: int
    body: str
    calls: list[Call]

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackChat:
    _ids = itertools.count(1)

    def __init__(self, fake: FakeSlack, app: App) -> None:
        self.fake, self.app = fake, app

    def next_id(self) -> int:
        return next(self._ids)

    def post(self, body: str, content_type: str, **signing: Any) -> Response:
        mark = self.fake.mark()
        headers = signed_headers(body, content_type, **signing)
        response: BoltResponse = self.app.dispatch(BoltRequest(body=body, headers=headers))
        return Response(response.status, response.body, self.fake.since(mark))

    def event(self, event: dict[str, Any], event_id: str | None = None, **signing: Any) -> Response:
        return self.post(event_body(event, event_id or f"Ev{self.next_id():08d}"), "application/json", **signing)

    def dm(self, user: SlackUser, text: str, event_id: str | None = None, **signing: Any) -> Response:
        return self.event({"type": "message", "channel": user.dm, "channel_type": "im", "user": user.id,
                           "text": text, "ts": f"1780000000.{self.next_id():06d}", "team": user.team},
                          event_id, **signing)

    def mention(self, user: SlackUser, channel: str, text: str) -> Response:
        return self.event({"type": "app_mention", "channel": channel, "user": user.id,
                           "text": f"<@{BOT_USER}> {text}", "ts": f"1780000000.{self.next_id():06d}",
                           "team": user.team})

    def command(self, user: SlackUser, text: str, channel: str | None = None, trigger: bool = True) -> Response:
        form = {"token": "legacy", "team_id": user.team, "team_domain": "sales", "channel_id": channel or user.dm,
                "channel_name": "directmessage" if channel is None else "sales-east", "user_id": user.id,
                "user_name": user.name, "command": "/sales", "text": text, "api_app_id": APP_ID,
                "response_url": f"http://127.0.0.1:{self.fake.port}/response/{self.next_id()}"}
        if trigger:
            form["trigger_id"] = f"trigger-{self.next_id()}"
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def interaction(self, payload: dict[str, Any]) -> Response:
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def press(self, user: SlackUser, label: str) -> Response:
        """Press the newest button whose label contains `label`, on the message carrying it."""
        call, button = self.button(user, label)
        channel = call.channel
        ts = call.result.get("ts") or call.result.get("message_ts")
        ephemeral = call.method == "chat.postEphemeral"
        return self.interaction({
            "type": "block_actions", "user": {"id": user.id, "team_id": user.team}, "api_app_id": APP_ID,
            "team": {"id": user.team}, "trigger_id": f"trigger-{self.next_id()}",
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral},
            "channel": {"id": channel}, "message": {"ts": ts, "blocks": call.blocks},
            "response_url": f"http://127.0.0.1:{self.fake.port}/response/{self.next_id()}",
            "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "choices-0",
                         "value": button["value"], "action_ts": f"1780000000.{self.next_id():06d}"}]})

    def open_home(self, user: SlackUser, event_id: str | None = None) -> Response:
        """The person opens the app's Home tab."""
        return self.event({"type": "app_home_opened", "user": user.id, "channel": user.dm, "tab": "home",
                           "event_ts": f"1780000000.{self.next_id():06d}", "team": user.team}, event_id)

    def home(self, user: SlackUser) -> Call:
        """The Home view last published for `user`."""
        return next(c for c in reversed(self.fake.sent("views.publish")) if c.args["user_id"] == user.id)

    def press_in_home(self, user: SlackUser, label: str) -> Response:
        """Press a button of the person's Home tab: a view's button carries no channel or message."""
        home = self.home(user)
        button = next(b for b in home.view_buttons() if label in b["text"]["text"])
        return self.interaction({
            "type": "block_actions", "user": {"id": user.id, "team_id": user.team}, "api_app_id": APP_ID,
            "team": {"id": user.team}, "trigger_id": f"trigger-{self.next_id()}",
            "container": {"type": "view", "view_id": home.result["view"]["id"]},
            "view": home.result["view"],
            "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "choices-0",
                         "value": button["value"], "action_ts": f"1780000000.{self.next_id():06d}"}]})

    def button(self, user: SlackUser, label: str) -> tuple[Call, dict]:
        for call in reversed(self.fake.sent()):
            if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral") and (
                    call.channel == user.dm or call.args.get("user") == user.id):
                for button in call.buttons():
                    if label in button["text"]["text"]:
                        return call, button
        raise AssertionError(f"no button {label!r} sent to {user.name}")

    def submit(self, user: SlackUser, view: dict[str, Any], values: dict[str, Any]) -> Response:
        """Submit the modal `view` (as views.open was given it) with `values`: field name -> text,
        or ("pick", value) / ("picks", [values]) for the selects."""
        state: dict[str, Any] = {}
        for name, value in values.items():
            if isinstance(value, tuple) and value[0] == "pick":
                state[name] = {"value": {"type": "static_select", "selected_option": {"value": value[1]}}}
            elif isinstance(value, tuple) and value[0] == "picks":
                state[name] = {"value": {"type": "multi_static_select",
                                         "selected_options": [{"value": v} for v in value[1]]}}
            else:
                state[name] = {"value": {"type": "plain_text_input", "value": value}}
        return self.interaction({
            "type": "view_submission", "team": {"id": user.team}, "user": {"id": user.id, "team_id": user.team},
            "api_app_id": APP_ID, "trigger_id": f"trigger-{self.next_id()}",
            "view": {"id": f"V{self.next_id():05d}", "type": "modal", "callback_id": view["callback_id"],
                     "private_metadata": view["private_metadata"], "hash": f"h{self.next_id()}",
                     "state": {"values": state}}})


def texts(calls: list[Call]) -> str:
    return "\n\n".join(c.text for c in calls
                       if c.method in ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"))
