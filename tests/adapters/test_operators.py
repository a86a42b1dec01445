"""Operators and secrets: the token never reaches a log line, start-up problems are one clear
line and a non-zero exit, and webhook processes of one bot agree on their secret."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from assistant.i18n import render
from handlers import telegram as adapter

ROOT = Path(__file__).resolve().parents[2]
WRONG_TOKEN = "987654321:WRONG-secret-token-abcdefghijklmnop"


def run_bot(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        clean.pop(name, None)
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL,
                          env=clean | {"NO_PROXY": "127.0.0.1", **env})


def test_a_rejected_token_is_one_line_and_never_logged(tmp_path, fake_telegram):
    done = run_bot(tmp_path, "--db", str(tmp_path / "x.sqlite"), TELEGRAM_BOT_TOKEN=WRONG_TOKEN,
                   TELEGRAM_API_URL=f"http://127.0.0.1:{fake_telegram.port}", LOG_LEVEL="DEBUG")
    output = done.stdout + done.stderr
    assert done.returncode == 2
    assert "Traceback" not in output and WRONG_TOKEN not in output and "WRONG-secret" not in output
    assert "getMe" in output  # the request was logged, its URL redacted
    assert done.stderr.strip().splitlines()[-1] == render("zh", "startup.token_rejected")


def test_database_problems_at_start_are_one_line_and_a_non_zero_exit(tmp_path):
    unwritable = run_bot(tmp_path, "--db", str(tmp_path / "missing" / "dir" / "x.sqlite"))
    assert unwritable.returncode == 2 and "Traceback" not in unwritable.stderr
    assert len(unwritable.stderr.strip().splitlines()) == 1 and "可写" in unwritable.stderr
    bad_url = run_bot(tmp_path, DATABASE_URL="nonsense://user:pw-secret@host/db")
    assert bad_url.returncode == 2 and len(bad_url.stderr.strip().splitlines()) == 1
    assert "pw-secret" not in bad_url.stderr


def test_a_postgresql_that_accepts_tcp_but_never_answers_does_not_hang_the_start(tmp_path):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        silent.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(silent.accept()[0])
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        done = run_bot(tmp_path, DATABASE_URL=f"postgresql://user:pw-secret@127.0.0.1:{silent.getsockname()[1]}/db",
                       DATABASE_CONNECT_TIMEOUT="2")
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        silent.close()
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "pw-secret" not in done.stderr


def test_webhook_processes_of_one_bot_agree_on_the_secret_without_configuring_one():
    first = adapter.webhook_options("https://bot.example.com/tg", "0.0.0.0", 8443, None, "123:AAA")
    second = adapter.webhook_options("https://bot.example.com/tg", "0.0.0.0", 8443, None, "123:AAA")
    other_bot = adapter.webhook_options("https://bot.example.com/tg", "0.0.0.0", 8443, None, "456:BBB")
    assert first["secret_token"] == second["secret_token"] != other_bot["secret_token"]
    assert "123:AAA" not in first["secret_token"]
    configured = adapter.webhook_options("https://bot.example.com/tg", "0.0.0.0", 8443, "s3cret", "123:AAA")
    assert configured["secret_token"] == "s3cret"
