"""A local Socket Mode endpoint: the websocket server Slack runs for apps without a public URL.

The mock Web API's apps.connections.open hands out `ws://127.0.0.1:<port>/link`; slack_sdk's
built-in Socket Mode client connects (plain websocket, RFC 6455, written here on the stdlib),
receives the envelopes a test pushes (events_api, slash_commands, interactive), and answers each
with an ack naming its envelope_id, which is recorded. Pings are answered with pongs.
"""
from __future__ import annotations

import base64
import hashlib
import itertools
import json
import socket
import struct
import threading
import time
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _frame(opcode: int, payload: bytes) -> bytes:
    """A server frame: final, unmasked."""
    head = bytes([0x80 | opcode])
    if len(payload) < 126:
        head += bytes([len(payload)])
    elif len(payload) < 1 << 16:
        head += bytes([126]) + struct.pack(">H", len(payload))
    else:
        head += bytes([127]) + struct.pack(">Q", len(payload))
    return head + payload


def _read_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _read_frame(conn: socket.socket) -> tuple[int, bytes]:
    first, second = _read_exact(conn, 2)
    size = second & 0x7F
    if size == 126:
        size = struct.unpack(">H", _read_exact(conn, 2))[0]
    elif size == 127:
        size = struct.unpack(">Q", _read_exact(conn, 8))[0]
    mask = _read_exact(conn, 4) if second & 0x80 else b"\0\0\0\0"
    payload = bytes(byte ^ mask[n % 4] for n, byte in enumerate(_read_exact(conn, size)))
    return first & 0x0F, payload


class FakeSocketMode:
    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self.connections: list[socket.socket] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._closing = False
        self._thread = threading.Thread(target=self._accept, name="fake-socket-mode", daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link"

    def start(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing = True
        self._listener.close()
        with self._lock:
            for conn in self.connections:
                conn.close()

    def push(self, kind: str, payload: dict[str, Any], timeout: float = 10) -> str:
        """Send one envelope on the newest connection (waiting for the client to connect)."""
        deadline = time.monotonic() + timeout
        while not self.connections:
            if time.monotonic() > deadline:
                raise AssertionError("no Socket Mode client connected")
            time.sleep(0.02)
        envelope_id = f"env-{next(self._ids)}"
        message = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                   "accepts_response_payload": kind != "events_api", "retry_attempt": 0, "retry_reason": ""}
        with self._lock:
            self.connections[-1].sendall(_frame(0x1, json.dumps(message).encode()))
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [ack for ack in self.acks if ack.get("envelope_id") == envelope_id]
            if found:
                return found[0]
            time.sleep(0.02)
        raise AssertionError(f"no ack for {envelope_id}")

    def _accept(self) -> None:
        while not self._closing:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(4096)
            headers = dict(line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line)
            accept = base64.b64encode(hashlib.sha1((headers["Sec-WebSocket-Key"] + GUID).encode()).digest())
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
            with self._lock:
                self.connections.append(conn)
            conn.sendall(_frame(0x1, json.dumps({"type": "hello", "num_connections": 1}).encode()))
            while True:
                opcode, payload = _read_frame(conn)
                if opcode == 0x9:
                    with self._lock:
                        conn.sendall(_frame(0xA, payload))
                elif opcode == 0x1:
                    with self._lock:
                        self.acks.append(json.loads(payload))
                elif opcode == 0x8:
                    conn.sendall(_frame(0x8, payload[:2]))
                    return
        except (OSError, ConnectionError, KeyError, ValueError):
            return
        finally:
            conn.close()
