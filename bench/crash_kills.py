"""Pushes under crashes: a sender process is killed again and again while it sends many pushes
to a fake platform; how many messages arrived twice, and how many never arrived.

Two kinds of kill, both SIGKILL (nothing cleaned up): `window` kills the sender at the worst
moment, when the platform has the message and the sender has not yet settled its row (the fake
platform kills it before answering, with probability `--window-p` per message); `random` kills it
at random moments (every `--random-every` seconds on average), wherever it is. After each kill a
new sender starts on a clock moved past the lease (5 minutes), as a restarted bot would find it.
On a new SQLite file, or DATABASE_URL (an empty database). Prints figures; asserts nothing.

    python bench/crash_kills.py [--pushes 1200] [--window-p 0.03] [--random-every 0]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.request import Request, urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from assistant import SENT, ChatKey, FixedClock, Reply, deliver_due, render, seed_demo
from storage.db import database_url, make_engine, migrate, session_factory
from storage.models import DealRow, IdentityRow, OutboxRow
from storage.uow import SqlUnitOfWork

START = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai: no quiet hours for hours
LEASE_PASSED = timedelta(minutes=6)
TITLE = re.compile(r"crash-\d{5}")
SETTLED = ("sent", "skipped", "failed")


@dataclass
class Run:
    """What one run saw: every message the platform received, and the kills."""

    received: list[str] = field(default_factory=list)
    window_kills: int = 0
    random_kills: int = 0
    starts: int = 0


def prepare(url: str, pushes: int) -> None:
    """The demo team, and `pushes` open deals of 王伟 whose next step is overdue, each with its
    overdue reminder queued (as the scan queues them)."""
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    with SqlUnitOfWork(sessions) as uow:
        seed_demo(uow, FixedClock(START), "console")
    with sessions() as session:
        model = session.scalars(select(DealRow).order_by(DealRow.id)).first()
        owner = session.scalars(select(IdentityRow).where(IdentityRow.external_id == "王伟")).one().user_id
        assert model is not None
        day = date(2026, 11, 18).isoformat()
        for number in range(pushes):
            deal = DealRow(team_id=model.team_id, owner_id=owner, customer_id=model.customer_id,
                           title=f"crash-{number:05d}", amount=model.amount, currency=model.currency,
                           close_date=model.close_date, stage_key=model.stage_key, status="open",
                           next_step="call back", next_due=date(2026, 11, 10), created_at=START, last_activity_at=START)
            session.add(deal)
            session.flush()
            session.add(OutboxRow(key=f"overdue:{deal.id}:{day}", kind="overdue", user_id=owner, platform="console",
                                  subject=str(deal.id), due_at=START, status="pending", attempts=0, created_at=START))
        session.commit()
    engine.dispose()


def unsettled(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(OutboxRow)
                                   .where(OutboxRow.status.not_in(SETTLED))).scalar_one()
    engine.dispose()
    return int(count)


class FakePlatform(ThreadingHTTPServer):
    """Accepts each message (the platform has it), then may kill the sender before answering."""

    def __init__(self, run: Run, window_p: float, rng: random.Random, kill_on: frozenset[int] = frozenset()) -> None:
        super().__init__(("127.0.0.1", 0), _Accept)
        self.run, self.window_p, self.rng, self.kill_on = run, window_p, rng, kill_on
        self.sender: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()


class _Accept(BaseHTTPRequestHandler):
    server: FakePlatform

    def do_POST(self) -> None:
        text = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
        with self.server.lock:
            self.server.run.received.append(text)
            sender = self.server.sender
            ordinal, chance = len(self.server.run.received), self.server.rng.random()
            kill = ordinal in self.server.kill_on or chance < self.server.window_p
            if sender is not None and sender.poll() is None and kill:
                os.kill(sender.pid, signal.SIGKILL)  # the message is delivered; its row is not settled
                sender.wait()
                self.server.run.window_kills += 1
                return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def run_crashes(url: str, pushes: int, window_p: float, random_every: float, seed: int = 1,
                kill_on: frozenset[int] = frozenset()) -> Run:
    """Prepare the database, then keep a sender running (restarted after each kill) until every
    row is settled. `kill_on`: the ordinals of received messages (1 = the first) whose sender is
    killed in the window, besides the random ones."""
    prepare(url, pushes)
    rng = random.Random(seed)
    run = Run()
    platform = FakePlatform(run, window_p, rng, kill_on)
    threading.Thread(target=platform.serve_forever, daemon=True).start()
    offset = timedelta(0)
    try:
        while unsettled(url):
            sender = subprocess.Popen([sys.executable, __file__, "--sender", url, str(platform.server_port),
                                       str(offset.total_seconds())])
            run.starts += 1
            with platform.lock:
                platform.sender = sender
            deadline = time.monotonic() + (rng.expovariate(1 / random_every) if random_every else 1e9)
            while sender.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            with platform.lock:
                if sender.poll() is None:
                    sender.kill()
                    sender.wait()
                    run.random_kills += 1
                platform.sender = None
            offset += LEASE_PASSED  # the next sender starts after the dead one's lease ran out
    finally:
        platform.shutdown()
    return run


def report(run: Run, pushes: int) -> dict[str, int]:
    titles = Counter(match.group(0) for text in run.received if (match := TITLE.search(text)))
    return {"pushes": pushes, "messages received": len(run.received), "distinct pushes received": len(titles),
            "duplicates": sum(count - 1 for count in titles.values()), "lost": pushes - len(titles),
            "kills in the send-settle window": run.window_kills, "kills at random moments": run.random_kills,
            "sender starts": run.starts}


class _HttpDeliverer:
    """The sender's side of the fake platform: one POST per message, its text as the body."""

    platform = "console"

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/send"

    def send(self, to: ChatKey, replies: list[Reply]) -> str:
        text = "\n".join(render(reply.lang, reply.key, **reply.params) for reply in replies)
        urlopen(Request(self.url, text.encode("utf-8"), method="POST"), timeout=30).read()
        return SENT


class _MovingClock:
    """Real time elapsing from START plus the given offset (each restart starts past the lease)."""

    def __init__(self, offset_seconds: float) -> None:
        self.started = time.monotonic()
        self.offset = timedelta(seconds=offset_seconds)

    def now(self) -> datetime:
        return START + self.offset + timedelta(seconds=time.monotonic() - self.started)


def sender(url: str, port: int, offset_seconds: float) -> None:
    """A bot process's sender job, run until nothing is left to claim."""
    engine = make_engine(url)
    sessions = session_factory(engine)
    clock, deliverer = _MovingClock(offset_seconds), _HttpDeliverer(port)
    while True:
        tally = deliver_due(lambda: SqlUnitOfWork(sessions), clock, deliverer, f"sender-{os.getpid()}")
        if not (tally.sent or tally.skipped or tally.retried or tally.delayed):
            return


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--sender":
        sender(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--pushes", type=int, default=1200)
    parser.add_argument("--window-p", type=float, default=0.03)
    parser.add_argument("--random-every", type=float, default=0.0, help="mean seconds between random kills; 0: none")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or database_url(str(Path(folder) / "bench.sqlite"))
        started = time.perf_counter()
        run = run_crashes(url, args.pushes, args.window_p, args.random_every, args.seed)
        figures = report(run, args.pushes) | {"seconds": round(time.perf_counter() - started)}
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
