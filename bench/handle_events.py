"""How fast the core answers chat events: median and p95 latency and events per second for
the commands a rep uses most, on a SQLite file (or DATABASE_URL). Prints figures; asserts nothing.

    python bench/handle_events.py [--events 300]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import SystemClock, seed_demo
from handlers.console import ConsoleChat
from storage.db import database_url, make_engine, migrate, session_factory
from storage.uow import SqlUnitOfWork

SCRIPT = ("/deals", "/deal 3", "/funnel", "/forecast", "/new 华为技术有限公司 压测项目 12万 下月底",
          "/visit 比亚迪 明天 提交方案")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(database_url(str(Path(folder) / "bench.sqlite")))
        migrate(engine)
        sessions = session_factory(engine)
        clock = SystemClock()
        with SqlUnitOfWork(sessions) as uow:
            seed_demo(uow, clock, "console")
        chat = ConsoleChat(lambda: SqlUnitOfWork(sessions), clock, "王伟")
        timings: dict[str, list[float]] = {line.split()[0]: [] for line in SCRIPT}
        started = time.perf_counter()
        for number in range(args.events):
            line = SCRIPT[number % len(SCRIPT)]
            begin = time.perf_counter()
            chat.send(line)
            timings[line.split()[0]].append((time.perf_counter() - begin) * 1000)
        total = time.perf_counter() - started
    print(f"backend: {engine.dialect.name}; events: {args.events}; {args.events / total:.0f} events/s")
    for command, values in timings.items():
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1]
        print(f"{command:10s} median {statistics.median(values):6.1f} ms   p95 {p95:6.1f} ms   (n={len(values)})")


if __name__ == "__main__":
    main()
