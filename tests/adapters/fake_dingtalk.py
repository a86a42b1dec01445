"""A fake DingTalk on 127.0.0.1, for driving the real `dingtalk-stream` client and the adapter.

Over HTTP it answers the calls the adapter makes, as api.dingtalk.com and oapi.dingtalk.com do:
the access token, the Stream gateway's connections/open (which hands out this fake's websocket
endpoint and a one-time ticket), robot messages to people (oToMessages/batchSend) and groups,
interactive cards (send, update) and media upload; a call without a token it issued is a 401.
The Stream gateway is a websocket (the `websockets` library's server) that pushes callback frames
a test gives it and records the client's acks. Every call is recorded with its decoded JSON
(`msgParam` and `cardData` included) so a test asserts what a user would see.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.sync.server import ServerConnection, serve

CLIENT_ID = "dingrobot0sales"  # an internal app's Client ID (AppKey), which is also its robot code
CLIENT_SECRET = "test-client-secret-0123456789"
CORP = "ding0corp0east"
MESSAGE_TOPIC = "/v1.0/im/bot/messages/get"
CARD_TOPIC = "/v1.0/card/instances/callback"
PNG = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class DingUser:
    staff_id: str
    name: str
    corp: str = CORP


@dataclass
class Call:
    method: str
    path: str
    body: dict[str, Any]
    status: int = 200
    result: dict[str, Any] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""
    at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def kind(self) -> str:
        """send (a text or image message), card, update, upload, token, connect or webhook."""
        return {"/v1.0/robot/oToMessages/batchSend": "send", "/v1.0/robot/groupMessages/send": "send",
                "/v1.0/im/v1.0/robot/interactiveCards/send": "card", "/v1.0/im/robots/interactiveCards": "update",
                "/media/upload": "upload", "/v1.0/oauth2/accessToken": "token",
                "/v1.0/gateway/connections/open": "connect"}.get(self.path, "webhook")

    @property
    def to(self) -> str:
        """The userId a message or card went to ("" for a group, an update or anything else)."""
        if self.body.get("userIds"):
            return str(self.body["userIds"][0])
        receiver = self.body.get("singleChatReceiver")
        return str(json.loads(receiver)["userId"]) if receiver else ""

    @property
    def param(self) -> dict[str, Any]:
        return json.loads(self.body.get("msgParam") or "{}")

    @property
    def card(self) -> dict[str, Any]:
        return json.loads(self.body.get("cardData") or "{}")

    @property
    def text(self) -> str:
        """What the user reads: a text message's content, or a card's markdown."""
        if self.kind == "send":
            return str(self.param.get("content") or "")
        return "\n".join(c["text"] for c in self.card.get("contents", []) if c.get("type") == "markdown")

    def buttons(self) -> list[dict[str, Any]]:
        return [b for c in self.card.get("contents", []) if c.get("type") == "action" for b in c["actions"]]

    def labels(self) -> list[str]:
        return [b["label"]["text"] for b in self.buttons()]


class FakeDingTalk:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.acks: list[dict[str, Any]] = []
        self.gone: set[str] = set()  # userIds batchSend reports as invalid staff
        self.connections: list[ServerConnection] = []
        self.tickets: set[str] = set()
        self.tokens: set[str] = set()
        self.cards: dict[str, dict[str, Any]] = {}  # cardBizId -> what the card shows now
        self._failures: dict[str, deque[tuple[int, str]]] = defaultdict(deque)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._http.daemon_threads = True
        self._ws = serve(self._serve_stream, "127.0.0.1", 0)
        self._threads = [threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True),
                         threading.Thread(target=self._ws.serve_forever, daemon=True)]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    @property
    def stream_url(self) -> str:
        return f"ws://127.0.0.1:{self._ws.socket.getsockname()[1]}/connect"

    def start(self) -> FakeDingTalk:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._ws.shutdown()
        self._http.shutdown()
        self._http.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    # ---- what tests control ----------------------------------------------------------------

    def fail_next(self, path: str, status: int, code: str, times: int = 1) -> None:
        with self._lock:
            self._failures[path].extend([(status, code)] * times)

    def expire_tokens(self) -> None:
        """Every access token handed out so far stops working (as after two hours)."""
        with self._lock:
            self.tokens.clear()

    def sent(self, kind: str | None = None, ok_only: bool = True) -> list[Call]:
        with self._lock:
            calls = list(self.calls)
        return [c for c in calls if (kind is None or c.kind == kind) and (c.ok or not ok_only)]

    def mark(self) -> int:
        with self._lock:
            return len(self.calls)

    def since(self, mark: int) -> list[Call]:
        with self._lock:
            return [c for c in self.calls[mark:] if c.ok]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; calls: {[c.path for c in self.sent()]}")
            time.sleep(0.01)

    def push(self, topic: str, data: dict[str, Any], message_id: str | None = None) -> str:
        """One callback frame on the newest Stream connection (waiting for the client to connect)."""
        self.wait_for(lambda: bool(self.connections), what="a Stream connection")
        message_id = message_id or f"msg-{next(self._ids)}"
        frame = {"specVersion": "1.0", "type": "CALLBACK",
                 "headers": {"appId": "app-1", "connectionId": "conn-1", "contentType": "application/json",
                             "messageId": message_id, "time": str(int(time.time() * 1000)), "topic": topic},
                 "data": json.dumps(data, ensure_ascii=False)}
        with self._lock:
            connection = self.connections[-1]
        connection.send(json.dumps(frame, ensure_ascii=False))
        return message_id

    def acks_of(self, message_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [ack for ack in self.acks if ack.get("headers", {}).get("messageId") == message_id]

    def wait_for_ack(self, message_id: str, count: int = 1) -> dict[str, Any]:
        self.wait_for(lambda: len(self.acks_of(message_id)) >= count, what=f"the ack of {message_id}")
        return self.acks_of(message_id)[-1]

    # ---- what DingTalk sends ---------------------------------------------------------------

    def message(self, user: DingUser, text: str, msg_id: str | None = None, group: str | None = None,
                robot: str = CLIENT_ID) -> dict[str, Any]:
        """A text message to the robot as the Stream pushes it: in a one-to-one chat, or an @ of the
        robot in `group`. Its session webhook points here, so a test sees it is never used."""
        return {"conversationId": group or f"cid{user.staff_id}", "chatbotCorpId": user.corp,
                "chatbotUserId": "$:LWCP_v1:$robot", "msgId": msg_id or f"msg{next(self._ids):08d}",
                "senderNick": user.name, "isAdmin": False, "senderStaffId": user.staff_id,
                "sessionWebhookExpiredTime": int(time.time() * 1000) + 5_400_000,
                "createAt": int(time.time() * 1000), "senderCorpId": user.corp,
                "conversationType": "2" if group else "1", "senderId": f"$:LWCP_v1:${user.staff_id}",
                "sessionWebhook": f"{self.base_url}/robot/sendBySession?session=s{next(self._ids)}",
                "text": {"content": text}, "robotCode": robot, "msgtype": "text"}

    def press(self, user: DingUser, biz_id: str, button_id: str) -> dict[str, Any]:
        """A press on a card's "request" button, as the card callback topic carries it."""
        value = {"cardPrivateData": {"actionIds": [button_id], "params": {}}}
        return {"outTrackId": biz_id, "corpId": user.corp, "userId": user.staff_id, "type": "actionCallback",
                "spaceType": "IM_ROBOT", "spaceId": f"cid{user.staff_id}", "value": json.dumps(value)}

    # ---- the HTTP API ----------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
               raw: bytes) -> tuple[int, dict[str, Any]]:
        body = json.loads(raw) if raw and "json" in headers.get("content-type", "") else {}
        with self._lock:
            failures = self._failures.get(path)
            failure = failures.popleft() if failures else None
        if failure is not None:
            status, result = failure[0], {"code": failure[1], "message": "refused by the test"}
        else:
            status, result = self._result(method, path, query, headers, body, raw)
        with self._lock:
            self.calls.append(Call(method, path, body, status, result, query, raw, time.monotonic()))
        return status, result

    def _result(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
                body: dict[str, Any], raw: bytes) -> tuple[int, dict[str, Any]]:
        if path == "/v1.0/oauth2/accessToken":
            if (body.get("appKey"), body.get("appSecret")) != (CLIENT_ID, CLIENT_SECRET):
                return 400, {"code": "invalidClientIdOrSecret", "message": "无效的clientId或者clientSecret"}
            token = f"token-{next(self._ids)}"
            with self._lock:
                self.tokens.add(token)
            return 200, {"accessToken": token, "expireIn": 7200}
        if path == "/v1.0/gateway/connections/open":
            if (body.get("clientId"), body.get("clientSecret")) != (CLIENT_ID, CLIENT_SECRET):
                return 401, {"code": "InvalidAuthentication", "message": "client id or secret"}
            ticket = f"ticket-{next(self._ids)}"
            with self._lock:
                self.tickets.add(ticket)
            return 200, {"endpoint": self.stream_url, "ticket": ticket}
        token = query.get("access_token") if path == "/media/upload" else headers.get("x-acs-dingtalk-access-token")
        if path.startswith("/robot/sendBySession"):
            return 200, {"errcode": 0}
        if token not in self.tokens and path == "/media/upload":
            return 200, {"errcode": 40014, "errmsg": "不合法的access_token"}  # the older API's way
        if token not in self.tokens:
            return 401, {"code": "InvalidAuthentication", "message": "access token"}
        if path == "/v1.0/robot/oToMessages/batchSend":
            gone = [user for user in body.get("userIds") or [] if user in self.gone]
            return 200, {"processQueryKey": f"q{next(self._ids)}", "invalidStaffIdList": gone,
                         "flowControlledStaffIdList": []}
        if path == "/v1.0/robot/groupMessages/send":
            return 200, {"processQueryKey": f"q{next(self._ids)}"}
        if path == "/v1.0/im/v1.0/robot/interactiveCards/send":
            with self._lock:
                self.cards[body["cardBizId"]] = json.loads(body["cardData"])
            return 200, {"processQueryKey": f"q{next(self._ids)}"}
        if path == "/v1.0/im/robots/interactiveCards" and method == "PUT":
            with self._lock:
                if body.get("cardBizId") not in self.cards:
                    return 400, {"code": "param.invalid", "message": "cardBizId not found"}
                self.cards[body["cardBizId"]] = json.loads(body["cardData"])
            return 200, {"success": True}
        if path == "/media/upload":
            if query.get("type") != "image" or PNG not in raw:
                return 200, {"errcode": 40004, "errmsg": "不合法的媒体文件类型"}
            return 200, {"errcode": 0, "errmsg": "ok", "type": "image", "media_id": f"@lADmedia{next(self._ids)}",
                         "created_at": int(time.time() * 1000)}
        return 404, {"code": "NotFound", "message": path}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                url = urlsplit(self.path)
                query = {name: values[0] for name, values in parse_qs(url.query).items()}
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, result = fake.answer(self.command, url.path, query, headers, raw)
                payload = json.dumps(result).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_PUT = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    # ---- the Stream gateway ----------------------------------------------------------------

    def _serve_stream(self, connection: ServerConnection) -> None:
        request = connection.request
        ticket = parse_qs(urlsplit(request.path).query).get("ticket", [""])[0] if request else ""
        with self._lock:
            known = ticket in self.tickets
            self.tickets.discard(ticket)  # one connection per ticket
        if not known:
            connection.close(4001, "bad ticket")
            return
        with self._lock:
            self.connections.append(connection)
        try:
            for raw in connection:
                with self._lock:
                    self.acks.append(json.loads(raw))
        finally:
            with self._lock:
                self.connections.remove(connection)
