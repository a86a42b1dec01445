"""One member sends maximum-length messages (Telegram's 4,096 characters, and the longest
one-line /new the entry reads) while another member reads their deals: the reader's reply
latency with and without the flood, and how many events failed ("database is locked" or any
other error). On a SQLite file, or DATABASE_URL. Prints figures; asserts nothing.

    python bench/long_messages.py [--seconds 10] [--readers 1]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import SystemClock, seed_demo
from handlers.console import ConsoleChat
from storage.db import database_url, make_engine, migrate, session_factory
from storage.uow import SqlUnitOfWork

MAX_TELEGRAM = "/new 华为 " + " ".join(["扩容", "next", "Tuesday", "maybe"] * 300)[:4090]
# The longest one-liner the entry reads (24 words, under 300 characters): parsed in full, before
# the event's write transaction opens.
LONGEST_SHORTCUT = "/new 华为 " + " ".join((["in", "3", "weeks", "or", "next", "Tuesday"] * 4)[:23])
FLOOD = (MAX_TELEGRAM, LONGEST_SHORTCUT)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _read(chat: ConsoleChat, until: float, timings: list[float], errors: list[str]) -> None:
    while time.perf_counter() < until:
        started = time.perf_counter()
        replies = chat.send("/deals")
        timings.append(time.perf_counter() - started)
        if any("出了点问题" in text for text in replies):
            errors.append("reader")


def _flood(chat: ConsoleChat, until: float, sent: list[float], errors: list[str]) -> None:
    index = 0
    while time.perf_counter() < until:
        started = time.perf_counter()
        replies = chat.send(FLOOD[index % len(FLOOD)])
        sent.append(time.perf_counter() - started)
        if any("出了点问题" in text for text in replies):
            errors.append("flood")
        chat.send("/cancel")
        index += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or database_url(str(Path(folder) / "bench.sqlite"))
        engine = make_engine(url)
        migrate(engine)
        sessions = session_factory(engine)
        clock = SystemClock()
        with SqlUnitOfWork(sessions) as uow:
            seed_demo(uow, clock, "console")
        make_uow = lambda: SqlUnitOfWork(sessions)  # noqa: E731
        reader, flooder = ConsoleChat(make_uow, clock, "李娜"), ConsoleChat(make_uow, clock, "王伟")
        reader.send("/deals")
        for line in FLOOD:  # warm up: dateparser loads its language data on first use
            flooder.send(line)
            flooder.send("/cancel")
        alone: list[float] = []
        _read(reader, time.perf_counter() + args.seconds / 2, alone, [])
        timings: list[float] = []
        flood_times: list[float] = []
        errors: list[str] = []
        until = time.perf_counter() + args.seconds
        threads = [threading.Thread(target=_read, args=(reader, until, timings, errors)),
                   threading.Thread(target=_flood, args=(flooder, until, flood_times, errors))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        engine.dispose()
    base, loaded = statistics.median(alone), statistics.median(timings)
    print(f"database: {engine.dialect.name}")
    print(f"reader /deals alone:        median {base * 1000:7.1f} ms  p95 {_percentile(alone, .95) * 1000:7.1f} ms"
          f"  ({len(alone)} events)")
    print(f"reader /deals under flood:  median {loaded * 1000:7.1f} ms  p95 {_percentile(timings, .95) * 1000:7.1f} ms"
          f"  max {max(timings) * 1000:7.1f} ms  ({len(timings)} events)")
    print(f"added latency:              median {(loaded - base) * 1000:7.1f} ms  "
          f"p95 {(_percentile(timings, .95) - _percentile(alone, .95)) * 1000:7.1f} ms  ratio {loaded / base:4.2f}")
    print(f"flood messages answered:    {len(flood_times)}  median {statistics.median(flood_times) * 1000:7.1f} ms"
          f"  max {max(flood_times) * 1000:7.1f} ms")
    print(f"failed events ('database is locked' or other): {len(errors)}")


if __name__ == "__main__":
    main()
