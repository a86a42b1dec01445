"""What the Telegram layer adds to the core: median and p95 time from an update entering the
real python-telegram-bot Application to its last reply reaching a fake Bot API server on
127.0.0.1, per command, on a SQLite file. Prints figures; asserts nothing. Above 30 messages a
second the rate limiter paces sends (Telegram's own global limit), and the figures show it.

    python bench/telegram_roundtrip.py [--events 300]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update

from assistant import Role, SystemClock, create_invite, demo_data, seed_demo
from handlers import telegram
from storage.db import database_url, make_engine, migrate, session_factory
from storage.uow import SqlUnitOfWork
from tests.adapters.conftest import TgUser, message_update
from tests.adapters.fake_telegram import FakeTelegram

SCRIPT = ("/deals", "/funnel", "/forecast", "/new 华为技术有限公司 压测项目 12万 下月底", "/help")
REP = TgUser(900001, "压测")


async def roundtrips(make_uow, clock, fake: FakeTelegram, events: int) -> tuple[dict[str, list[float]], float]:
    application = telegram.build_application(fake.token, make_uow, clock, base_url=fake.base_url)
    await application.initialize()
    with make_uow() as uow:
        code = create_invite(uow, uow.teams.by_name(demo_data()["team"]), None, Role.REP, clock.now()).code
        uow.commit()
    await application.process_update(Update.de_json(message_update(1, REP, f"/start {code}"), application.bot))
    timings: dict[str, list[float]] = {line.split()[0]: [] for line in SCRIPT}
    started = time.perf_counter()
    for number in range(events):
        line = SCRIPT[number % len(SCRIPT)]
        update = Update.de_json(message_update(number + 2, REP, line), application.bot)
        begin = time.perf_counter()
        await application.process_update(update)
        timings[line.split()[0]].append((time.perf_counter() - begin) * 1000)
    total = time.perf_counter() - started
    await application.shutdown()
    return timings, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300)
    args = parser.parse_args()
    fake = FakeTelegram().start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(database_url(str(Path(folder) / "bench.sqlite")))
            migrate(engine)
            sessions = session_factory(engine)
            clock = SystemClock()
            with SqlUnitOfWork(sessions) as uow:
                seed_demo(uow, clock, "console")
            timings, total = asyncio.run(roundtrips(lambda: SqlUnitOfWork(sessions), clock, fake, args.events))
            engine.dispose()
    finally:
        fake.stop()
    print(f"backend: {engine.dialect.name}; updates: {args.events}; {args.events / total:.0f} updates/s; "
          f"Bot API calls: {len(fake.sent())}")
    for command, values in timings.items():
        values.sort()
        p95 = values[max(int(len(values) * 0.95) - 1, 0)]
        print(f"{command:10} median {statistics.median(values):6.1f} ms   p95 {p95:6.1f} ms   n={len(values)}")


if __name__ == "__main__":
    main()
