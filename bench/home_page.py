"""What republishing a Slack App Home after each event costs the core: median and p95 time to
build a rep's and a manager's home page (`assistant.home`, one read-only unit of work) and to
render it as a Block Kit view, on a SQLite file (or DATABASE_URL). Prints figures; asserts nothing.

    python bench/home_page.py [--rounds 200]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import ChatKey, SystemClock, home, seed_demo
from handlers.slack import DM_VOCABULARY, home_view
from storage.db import database_url, make_engine, migrate, session_factory
from storage.uow import SqlUnitOfWork


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(database_url(str(Path(folder) / "bench.sqlite")))
        migrate(engine)
        sessions = session_factory(engine)
        clock = SystemClock()
        with SqlUnitOfWork(sessions) as uow:
            seed_demo(uow, clock, "console")
        for who in ("王伟", "张强"):
            timings = []
            for _ in range(args.rounds):
                begin = time.perf_counter()
                home_view(home(ChatKey("console", who, who), SqlUnitOfWork(sessions), clock), DM_VOCABULARY)
                timings.append((time.perf_counter() - begin) * 1000)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            role = "manager" if who == "张强" else "rep"
            print(f"home of {who} ({role}): median {statistics.median(timings):5.1f} ms"
                  f"   p95 {p95:5.1f} ms   (n={len(timings)}, backend {engine.dialect.name})")


if __name__ == "__main__":
    main()
