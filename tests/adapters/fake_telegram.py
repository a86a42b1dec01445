"""A fake Telegram Bot API server on 127.0.0.1, for driving the real python-telegram-bot stack.

It answers `/bot<token>/<method>` the way api.telegram.org does (`{"ok": true, "result": …}`
with well-formed objects), records every call so a test can assert what the bot sent, queues
updates for long polling (getUpdates), and injects failures (429 with retry_after, 403 blocked)
into the next calls of a method. It runs the stdlib threading HTTP server in its own thread,
so it keeps answering while a test's event loop is blocked or busy.
"""
from __future__ import annotations

import asyncio
import email.parser
import email.policy
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "销售助手", "username": "funnel_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
LONG_POLL_CAP = 0.5  # seconds a getUpdates waits at most, whatever timeout the bot asks for


@dataclass
class Call:
    """One request the bot made: the method, its form fields (strings, as PTB sends them),
    uploaded files, the HTTP status answered and the result returned."""

    method: str
    params: dict[str, str]
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200
    result: Any = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    def json(self, name: str) -> Any:
        """A field PTB sent JSON-encoded (reply_markup, commands, allowed_updates)."""
        return json.loads(self.params[name]) if name in self.params else None

    @property
    def text(self) -> str:
        return self.params.get("text") or self.params.get("caption") or ""

    def buttons(self) -> list[dict]:
        markup = self.json("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]


@dataclass(frozen=True)
class Failure:
    status: int
    description: str
    retry_after: int | None = None

    def body(self) -> dict:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class FakeTelegram:
    """Start with `start()`, stop with `stop()`; `base_url` goes to ApplicationBuilder.base_url."""

    def __init__(self, token: str = "123456:TEST-token") -> None:
        self.token = token
        self.calls: list[Call] = []
        self._updates: list[dict] = []
        self._failures: dict[str, deque[Failure | None]] = defaultdict(deque)
        self._holds: dict[str, deque[threading.Event]] = defaultdict(deque)
        self._message_ids = itertools.count(1000)
        self.files: dict[str, bytes] = {}  # file_id -> content, served by getFile and the file URL
        self._cond = threading.Condition()
        self._closing = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-telegram",
                                        daemon=True)

    # ---- life cycle ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def start(self) -> FakeTelegram:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            for held in self._holds.values():
                for release in held:
                    release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # ---- what tests control ----------------------------------------------------------------

    def queue_update(self, update: dict) -> None:
        """Deliver `update` to the next getUpdates (long polling)."""
        with self._cond:
            self._updates.append(update)
            self._cond.notify_all()

    def add_file(self, file_id: str, content: bytes) -> None:
        """A file a user sent: getFile describes it, its download URL serves it."""
        self.files[file_id] = content

    def fail_next(self, method: str, status: int, description: str, retry_after: int | None = None,
                  times: int = 1, after: int = 0) -> None:
        """The next `times` calls of `method`, once `after` more have gone through, get this Bot
        API error instead of a result."""
        with self._cond:
            self._failures[method].extend([None] * after + [Failure(status, description, retry_after)] * times)

    def hold(self, method: str) -> threading.Event:
        """The next call of `method` gets no answer until the returned event is set (a request
        Telegram is slow to answer); stopping the server releases it."""
        release = threading.Event()
        with self._cond:
            self._holds[method].append(release)
        return release

    def sent(self, method: str | None = None, ok_only: bool = True) -> list[Call]:
        """Recorded calls of `method` (all methods when None), successful ones unless asked."""
        with self._cond:
            calls = list(self.calls)
        return [c for c in calls if (method is None or c.method == method) and (c.ok or not ok_only)]

    def mark(self) -> int:
        """A position in the record, for `since`."""
        with self._cond:
            return len(self.calls)

    def since(self, mark: int, ok_only: bool = True) -> list[Call]:
        with self._cond:
            calls = self.calls[mark:]
        return [c for c in calls if c.ok or not ok_only]

    async def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 10.0) -> list[Call]:
        """Poll the record until `predicate(calls)` holds, without blocking the event loop."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.sent(ok_only=False)
            if predicate(calls):
                return calls
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; recorded: {[c.method for c in calls]}")
            await asyncio.sleep(0.02)

    # ---- the Bot API -----------------------------------------------------------------------

    def answer(self, method: str, params: dict[str, str], files: dict[str, bytes]) -> tuple[int, dict]:
        with self._cond:
            failures = self._failures.get(method)
            failure = failures.popleft() if failures else None
            holds = self._holds.get(method)
            held = holds.popleft() if holds else None
        if held is not None:
            held.wait()
        if failure is not None:
            self._record(Call(method, params, files, failure.status, None))
            return failure.status, failure.body()
        if method == "getUpdates":
            result: Any = self._get_updates(params)
        else:
            result = self._result(method, params, files)
        self._record(Call(method, params, files, 200, result))
        return 200, {"ok": True, "result": result}

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)

    def _get_updates(self, params: dict[str, str]) -> list[dict]:
        """Updates from `offset` on; waits (briefly) for one when there is none yet. As on
        Telegram, asking with an offset confirms every update before it."""
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._cond.wait_for(lambda: self._updates or self._closing, timeout=timeout)
            return list(self._updates[: int(params.get("limit") or 100)])

    def _result(self, method: str, params: dict[str, str], files: dict[str, bytes]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        if method in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument"):
            return self._message(method, params, files)
        if method == "getFile":
            file_id = params["file_id"]
            return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(self.files[file_id]),
                    "file_path": f"documents/{file_id}"}
        if method in ("answerCallbackQuery", "setMyCommands", "deleteMyCommands", "setWebhook",
                      "deleteWebhook", "close", "logOut", "sendChatAction"):
            return True
        raise KeyError(method)

    def _message(self, method: str, params: dict[str, str], files: dict[str, bytes]) -> dict:
        chat_id = int(params["chat_id"])
        message_id = int(params["message_id"]) if method == "editMessageText" else next(self._message_ids)
        chat = {"id": chat_id, "type": "private"} if chat_id > 0 else {"id": chat_id, "type": "group", "title": "群"}
        message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "from": BOT_USER, "chat": chat}
        if method == "sendDocument":
            message["document"] = {"file_id": f"doc-{message_id}", "file_unique_id": f"u{message_id}",
                                   "file_size": len(files.get("document", b""))}
            if "caption" in params:
                message["caption"] = params["caption"]
        elif method == "sendPhoto":
            message["photo"] = [{"file_id": f"photo-{message_id}", "file_unique_id": f"u{message_id}",
                                 "width": 1, "height": 1, "file_size": len(files.get("photo", b""))}]
            if "caption" in params:
                message["caption"] = params["caption"]
        else:
            message["text"] = params["text"]
        if "reply_markup" in params:
            message["reply_markup"] = json.loads(params["reply_markup"])
        return message

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                prefix = f"/bot{fake.token}/"
                download = f"/file/bot{fake.token}/documents/"
                if unquote(self.path).startswith(download):
                    content = fake.files.get(unquote(self.path)[len(download):])
                    self._raw(200 if content is not None else 404, content or b"")
                    return
                if not self.path.startswith(prefix):
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                params, files = _form(self.headers.get("Content-Type", ""), body)
                try:
                    status, payload = fake.answer(self.path[len(prefix):], params, files)
                except KeyError as missing:
                    status, payload = 404, {"ok": False, "error_code": 404, "description": f"Not Found: {missing}"}
                self._reply(status, payload)

            do_GET = do_POST

            def _raw(self, status: int, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _reply(self, status: int, payload: dict) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the bot gave up on this request (polling stopped): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _form(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    """Fields as PTB posts them: url-encoded, or multipart when a file is uploaded."""
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        params: dict[str, str] = {}
        files: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename() is not None:
                files[name] = payload
            else:
                params[name] = payload.decode()
        return params, files
    if content_type.startswith("application/json"):
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(body or b"{}").items()}, {}
    return dict(parse_qsl(body.decode(), keep_blank_values=True)), {}
