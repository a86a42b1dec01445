"""A mock Slack Web API on 127.0.0.1, for driving the real Bolt app and slack_sdk WebClient.

It answers `/api/<method>` as slack.com does (`{"ok": true, …}` with the fields the client reads,
`{"ok": false, "error": …}` for failures, 429 with Retry-After) and response_urls (`/response/<n>`),
serves the upload URL that files.getUploadURLExternal hands out, and records every call with its
arguments (form or JSON, JSON-encoded fields such as `blocks` decoded) so a test asserts what a
user would see.
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
from urllib.parse import parse_qsl

TEAM = "T0SALES"
BOT_ID = "B0FUNNEL"
BOT_USER = "U0FUNNEL"
JSON_FIELDS = ("blocks", "view", "files", "attachments")


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str
    locale: str = "zh-CN"
    team: str = TEAM

    @property
    def dm(self) -> str:
        """The IM channel between this person and the app."""
        return "D" + self.id[1:]


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    status: int = 200
    result: dict[str, Any] = field(default_factory=dict)
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.result.get("ok", True))

    @property
    def channel(self) -> str:
        return str(self.args.get("channel") or self.args.get("channel_id") or "")

    @property
    def blocks(self) -> list[dict]:
        return list(self.args.get("blocks") or [])

    @property
    def text(self) -> str:
        """What the user reads: the mrkdwn of the section blocks (the fallback text without)."""
        sections = [b["text"]["text"] for b in self.blocks if b.get("type") == "section"]
        return "\n".join(sections) if sections else str(self.args.get("text") or "")

    @property
    def view_text(self) -> str:
        """What a published or opened view shows: the mrkdwn of its sections."""
        view = self.args.get("view") or {}
        return "\n".join(b["text"]["text"] for b in view.get("blocks", []) if b.get("type") == "section")

    def view_buttons(self) -> list[dict]:
        view = self.args.get("view") or {}
        return [e for b in view.get("blocks", []) if b.get("type") == "actions" for e in b["elements"]]

    def buttons(self) -> list[dict]:
        return [e for b in self.blocks if b.get("type") == "actions" for e in b["elements"]]

    def labels(self) -> list[str]:
        return [button["text"]["text"] for button in self.buttons()]


@dataclass(frozen=True)
class Failure:
    status: int
    error: str
    retry_after: int | None = None


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.people: dict[str, SlackUser] = {}
        self.uploads: dict[str, bytes] = {}
        self.shared: dict[str, bytes] = {}  # files users shared: served at /files/<id> to the bot token
        self.socket_url = ""  # what apps.connections.open hands out (a FakeSocketMode's url)
        self._failures: dict[str, deque[Failure | None]] = defaultdict(deque)
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-slack",
                                        daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # ---- what tests control ----------------------------------------------------------------

    def share_file(self, file_id: str, content: bytes) -> str:
        """A file a user shared; its url_private_download, which answers only the bot's token."""
        self.shared[file_id] = content
        return f"http://127.0.0.1:{self.port}/files/{file_id}"

    def add_person(self, user: SlackUser) -> SlackUser:
        self.people[user.id] = user
        return user

    def fail_next(self, method: str, error: str, status: int = 200, retry_after: int | None = None,
                  times: int = 1, after: int = 0) -> None:
        """The next `times` calls of `method` fail, once `after` calls of it have gone through."""
        with self._lock:
            self._failures[method].extend([None] * after + [Failure(status, error, retry_after)] * times)

    def sent(self, method: str | None = None, ok_only: bool = True) -> list[Call]:
        with self._lock:
            calls = list(self.calls)
        return [c for c in calls if (method is None or c.method == method) and (c.ok or not ok_only)]

    def mark(self) -> int:
        with self._lock:
            return len(self.calls)

    def since(self, mark: int, ok_only: bool = True) -> list[Call]:
        with self._lock:
            calls = self.calls[mark:]
        return [c for c in calls if c.ok or not ok_only]

    def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while True:
            calls = self.sent(ok_only=False)
            if predicate(calls):
                return calls
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; recorded: {[c.method for c in calls]}")
            time.sleep(0.02)

    # ---- the Web API -----------------------------------------------------------------------

    def answer(self, method: str, args: dict[str, Any], body: bytes = b"") -> tuple[int, dict, dict[str, str]]:
        with self._lock:
            failures = self._failures.get(method)
            failure = failures.popleft() if failures else None
        if failure is not None:
            result = {"ok": False, "error": failure.error}
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            self._record(Call(method, args, failure.status, result, body))
            return failure.status, result, headers
        result = {"ok": True} | self._result(method, args, body)
        self._record(Call(method, args, 200, result, body))
        return 200, result, {}

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _next_ts(self) -> str:
        return f"1790000000.{next(self._ts):06d}"

    def _result(self, method: str, args: dict[str, Any], body: bytes) -> dict[str, Any]:
        if method == "auth.test":
            return {"url": "https://sales-team.slack.com/", "team": "Sales", "user": "funnel", "team_id": TEAM,
                    "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "users.info":
            person = self.people.get(str(args.get("user")))
            if person is None:
                return {"ok": False, "error": "user_not_found"}
            return {"user": {"id": person.id, "team_id": person.team, "name": person.name.lower(),
                             "real_name": person.name, "locale": person.locale,
                             "profile": {"display_name": person.name, "real_name": person.name}}}
        if method == "conversations.open":
            return {"channel": {"id": "D" + str(args["users"])[1:]}}
        if method in ("chat.postMessage", "chat.update"):
            ts = str(args["ts"]) if method == "chat.update" else self._next_ts()
            return {"channel": args["channel"], "ts": ts, "message": {"text": args.get("text"), "ts": ts}}
        if method == "chat.postEphemeral":
            return {"message_ts": self._next_ts()}
        if method in ("views.open", "views.publish", "views.update"):
            return {"view": dict(args.get("view") or {}, id=f"V{next(self._ids):05d}", hash="h1")}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):05d}"
            return {"file_id": file_id, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            return {"files": [{"id": f["id"], "title": f.get("title")} for f in args.get("files") or []]}
        if method == "apps.connections.open":
            return {"url": self.socket_url}
        if method == "upload":
            return {}
        raise KeyError(method)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                file_id = self.path.removeprefix("/files/")
                content = fake.shared.get(file_id)
                if not self.path.startswith("/files/") or content is None:
                    self._send(404, b"", "text/plain")
                elif self.headers.get("Authorization") != "Bearer xoxb-test":
                    self._send(403, b"", "text/plain")
                else:
                    self._send(200, content, "application/octet-stream")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith("/upload/"):
                    file_id = self.path.rsplit("/", 1)[1]
                    fake.uploads[file_id] = body
                    fake._record(Call("upload", {"file_id": file_id}, 200, {"ok": True}, body))
                    self._send(200, b"OK - " + str(len(body)).encode(), "text/plain")
                    return
                if self.path.startswith("/response/"):  # a slash command's or button's response_url
                    fake._record(Call("response_url", parse(body, self.headers.get("Content-Type", "")), 200,
                                      {"ok": True}, body))
                    self._send(200, b"ok", "text/plain")
                    return
                method = self.path.split("?")[0].removeprefix("/api/")
                try:
                    status, result, headers = fake.answer(method, parse(body, self.headers.get("Content-Type", "")),
                                                          body)
                except KeyError:
                    status, result, headers = 200, {"ok": False, "error": "unknown_method"}, {}
                self._send(status, json.dumps(result).encode(), "application/json", headers)

            def _send(self, status: int, payload: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        return Handler


def parse(body: bytes, content_type: str) -> dict[str, Any]:
    """Form or JSON arguments, with the JSON-encoded ones (blocks, view) decoded."""
    if content_type.startswith("application/json"):
        args: dict[str, Any] = json.loads(body or b"{}")
    else:
        args = dict(parse_qsl(body.decode(), keep_blank_values=True))
    for name in JSON_FIELDS:
        if isinstance(args.get(name), str):
            args[name] = json.loads(args[name])
    return args
