"""A fake Feishu Open Platform on 127.0.0.1 for lark-oapi's real clients: the tenant token, the
bot's info, a person's contact, message send / reply / patch, image upload, and the long
connection (the endpoint handing out a WebSocket URL, and the socket speaking the SDK's protobuf
frames). Every HTTP call is recorded with its answer, and each card keeps its latest content, so a
test reads what a person would see."""
from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from lark_oapi.ws.pb.pbbp2_pb2 import Frame
from websockets.sync.server import ServerConnection, serve

APP_ID = "cli_test_app"
APP_SECRET = "test-app-secret"
BOT_OPEN_ID = "ou_bot0000000000000000000000000000"
TENANT = "tenant_east"


@dataclass(frozen=True)
class FeishuUser:
    open_id: str
    name: str
    tenant: str = TENANT


REP = FeishuUser("ou_rep00000000000000000000000000001", "赵敏")
MANAGER = FeishuUser("ou_mgr00000000000000000000000000001", "孙丽")
STRANGER = FeishuUser("ou_xxx00000000000000000000000000001", "Mallory", tenant="tenant_other")
COLLEAGUE = FeishuUser("ou_col00000000000000000000000000001", "钱多多")
DIRECTORY = (REP, MANAGER, STRANGER, COLLEAGUE)  # the people the contact API knows at the start


@dataclass
class Call:
    method: str  # "messages.create", "messages.reply", "messages.patch", "images.create", …
    path: str
    query: dict[str, str]
    body: Any
    result: dict[str, Any]
    status: int = 200

    @property
    def content(self) -> dict[str, Any]:
        """The message's content, parsed (a card, an image's key)."""
        raw = (self.body or {}).get("content") if isinstance(self.body, dict) else None
        return json.loads(raw) if raw else {}

    @property
    def message_id(self) -> str:
        if self.method == "messages.patch":
            return self.path.rsplit("/", 1)[-1]
        return str((self.result.get("data") or {}).get("message_id") or "")

    @property
    def text(self) -> str:
        return card_text(self.content)

    def buttons(self) -> list[dict[str, Any]]:
        return card_buttons(self.content)

    def labels(self) -> list[str]:
        return [button["text"]["content"] for button in self.buttons()]


def _walk(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for element in elements:
        found.append(element)
        found.extend(_walk(element.get("elements") or []))
    return found


def card_elements(card: dict[str, Any]) -> list[dict[str, Any]]:
    return _walk(((card.get("body") or {}).get("elements")) or [])


def card_text(card: dict[str, Any]) -> str:
    """The markdown of a card's text elements, entities as written."""
    return "\n".join(e["content"] for e in card_elements(card) if e.get("tag") == "markdown")


def card_buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in card_elements(card) if e.get("tag") == "button" and e.get("form_action_type") != "submit"]


def shown(markdown: str) -> str:
    """Card markdown as the person reads it: entities decoded."""
    import html
    return html.unescape(markdown)


@dataclass
class Failure:
    method: str
    code: int
    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)


class FakeFeishu:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.people: dict[str, FeishuUser] = {user.open_id: user for user in DIRECTORY}
        self.cards: dict[str, dict[str, Any]] = {}  # message id -> its latest content
        self.receivers: dict[str, str] = {}  # message id -> open_id or chat id it went to
        self.failures: list[Failure] = []
        self.images: dict[str, bytes] = {}
        self.token_requests = 0
        self.refuse_credentials = False
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.http: ThreadingHTTPServer | None = None
        self.socket: Any = None
        self.connections: list[ServerConnection] = []
        self.responses: dict[str, dict[str, Any]] = {}
        self._answered = threading.Condition()

    # -- lifecycle --

    def start(self) -> FakeFeishu:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._serve(self, "POST")

            def do_PATCH(self) -> None:
                fake._serve(self, "PATCH")

            def do_GET(self) -> None:
                fake._serve(self, "GET")

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True).start()
        self.socket = serve(self._connected, "127.0.0.1", 0)
        threading.Thread(target=self.socket.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        for connection in list(self.connections):
            connection.close()
        if self.socket is not None:
            self.socket.shutdown()
        if self.http is not None:
            self.http.shutdown()
            self.http.server_close()

    @property
    def base_url(self) -> str:
        assert self.http is not None
        return f"http://127.0.0.1:{self.http.server_address[1]}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.socket.socket.getsockname()[1]}/ws?device_id=dev-1&service_id=7"

    def add_person(self, user: FeishuUser) -> None:
        self.people[user.open_id] = user

    def fail_next(self, method: str, code: int, status: int = 400, times: int = 1,
                  headers: dict[str, str] | None = None) -> None:
        self.failures.append(Failure(method, code, status, times, headers or {}))

    # -- recording --

    def mark(self) -> int:
        with self._lock:
            return len(self.calls)

    def since(self, mark: int, ok_only: bool = True) -> list[Call]:
        with self._lock:
            return [c for c in self.calls[mark:] if c.status == 200 or not ok_only]

    def sent(self) -> list[Call]:
        return self.since(0)

    def wait_for(self, check: Callable[[list[Call]], bool], timeout: float = 10) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.sent()
            if check(calls):
                return calls
            time.sleep(0.02)
        raise AssertionError(f"not seen within {timeout} s: {[c.method for c in self.sent()]}")

    # -- HTTP --

    def _serve(self, request: BaseHTTPRequestHandler, verb: str) -> None:
        url = urlparse(request.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        size = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(size) if size else b""
        ctype = request.headers.get("Content-Type") or ""
        body: Any = raw
        if raw and "multipart" not in ctype:
            body = json.loads(raw)
        method, status, result, headers = self._answer(verb, url.path, query, body, request.headers)
        if method:
            with self._lock:
                self.calls.append(Call(method, url.path, query, body, result, status))
        payload = json.dumps(result, ensure_ascii=False).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(payload)

    def _failure(self, method: str) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.method == method and failure.times > 0:
                    failure.times -= 1
                    return failure
        return None

    def _answer(self, verb: str, path: str, query: dict[str, str], body: Any,
                headers: Any) -> tuple[str, int, dict[str, Any], dict[str, str]]:
        if path == "/open-apis/auth/v3/tenant_access_token/internal":
            self.token_requests += 1
            if self.refuse_credentials or body.get("app_secret") != APP_SECRET:
                return "token", 200, {"code": 10014, "msg": "app secret invalid"}, {}
            return "token", 200, {"code": 0, "msg": "ok", "tenant_access_token": "t-test-token", "expire": 7200}, {}
        if path == "/callback/ws/endpoint":
            if body.get("AppSecret") != APP_SECRET:
                return "ws.endpoint", 200, {"code": 1000040343, "msg": "auth failed"}, {}
            return "ws.endpoint", 200, {"code": 0, "msg": "ok", "data": {"URL": self.ws_url, "ClientConfig": {
                "ReconnectCount": 3, "ReconnectInterval": 1, "ReconnectNonce": 0, "PingInterval": 120}}}, {}
        if headers.get("Authorization") != "Bearer t-test-token":
            return "unauthorised", 401, {"code": 99991663, "msg": "invalid access token"}, {}
        method = self._method(verb, path)
        failure = self._failure(method)
        if failure is not None:
            return method, failure.status, {"code": failure.code, "msg": "refused by the test"}, failure.headers
        return method, 200, self._result(method, path, query, body), {}

    @staticmethod
    def _method(verb: str, path: str) -> str:
        if path == "/open-apis/bot/v3/info":
            return "bot.info"
        if path.startswith("/open-apis/contact/v3/users/"):
            return "contact.user"
        if path == "/open-apis/im/v1/images":
            return "images.create"
        if path == "/open-apis/im/v1/messages":
            return "messages.create"
        if path.endswith("/reply"):
            return "messages.reply"
        if verb == "PATCH" and path.startswith("/open-apis/im/v1/messages/"):
            return "messages.patch"
        return f"unknown {verb} {path}"

    def _result(self, method: str, path: str, query: dict[str, str], body: Any) -> dict[str, Any]:
        if method == "bot.info":
            return {"code": 0, "msg": "ok", "bot": {"activate_status": 2, "app_name": "销售助手",
                                                    "open_id": BOT_OPEN_ID}}
        if method == "contact.user":
            person = self.people.get(path.rsplit("/", 1)[-1])
            if person is None:
                return {"code": 41050, "msg": "no user authority"}
            return {"code": 0, "msg": "ok", "data": {"user": {"open_id": person.open_id, "name": person.name}}}
        if method == "images.create":
            key = f"img_v3_{next(self._ids)}"
            self.images[key] = body if isinstance(body, bytes) else b""
            return {"code": 0, "msg": "ok", "data": {"image_key": key}}
        if method in ("messages.create", "messages.reply"):
            message_id = f"om_{next(self._ids):06d}"
            if body.get("msg_type") == "interactive":
                self.cards[message_id] = json.loads(body["content"])
            receiver = body.get("receive_id") or self.receivers.get(path.split("/")[-2], "")
            self.receivers[message_id] = receiver
            return {"code": 0, "msg": "success", "data": {"message_id": message_id, "msg_type": body.get("msg_type"),
                                                          "body": {"content": body.get("content")}}}
        if method == "messages.patch":
            message_id = path.rsplit("/", 1)[-1]
            if message_id not in self.cards:
                return {"code": 230001, "msg": "message not found"}
            self.cards[message_id] = json.loads(body["content"])
            return {"code": 0, "msg": "success", "data": {}}
        return {"code": 404, "msg": "not faked"}

    # -- the long connection --

    def _connected(self, connection: ServerConnection) -> None:
        self.connections.append(connection)
        try:
            for message in connection:
                frame = Frame()
                frame.ParseFromString(message if isinstance(message, bytes) else message.encode())
                headers = {h.key: h.value for h in frame.headers}
                if headers.get("type") == "ping":
                    continue
                with self._answered:
                    self.responses[headers.get("message_id", "")] = json.loads(frame.payload or b"{}")
                    self._answered.notify_all()
        except Exception:  # the client went away
            pass
        finally:
            self.connections.remove(connection)

    def wait_connected(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not self.connections:
            if time.monotonic() > deadline:
                raise AssertionError("the app did not open its long connection")
            time.sleep(0.01)

    def push(self, payload: dict[str, Any], kind: str = "event", timeout: float = 10) -> dict[str, Any]:
        """Send one event frame over the app's socket; return the app's answer frame's payload
        (its `data` decoded), as Feishu reads it."""
        self.wait_connected()
        message_id = f"msg-{next(self._ids)}"
        frame = Frame(SeqID=0, LogID=0, service=7, method=1, payload=json.dumps(payload, ensure_ascii=False).encode())
        for key, value in (("type", kind), ("message_id", message_id), ("trace_id", "trace"), ("sum", "1"),
                           ("seq", "0")):
            header = frame.headers.add()
            header.key, header.value = key, value
        began = time.monotonic()
        self.connections[-1].send(frame.SerializeToString())
        with self._answered:
            if not self._answered.wait_for(lambda: message_id in self.responses, timeout):
                raise AssertionError("the app did not answer the frame")
            answer = self.responses.pop(message_id)
        answer["elapsed"] = time.monotonic() - began
        if answer.get("data"):
            answer["data"] = json.loads(base64.b64decode(answer["data"]))
        return answer
