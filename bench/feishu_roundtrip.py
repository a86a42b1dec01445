"""What the Feishu layer adds to the core: per command, the time from an event frame entering the
real lark-oapi WebSocket client until its answer frame goes back to Feishu (what the platform's
3-second callback deadline is about), and until the last card reached a fake Feishu on
127.0.0.1; on a SQLite file. Prints figures; asserts nothing.

    python bench/feishu_roundtrip.py [--events 200]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Role, SystemClock, create_invite, demo_data, seed_demo
from handlers import feishu
from storage.db import database_url, make_engine, migrate, session_factory
from storage.uow import SqlUnitOfWork
from tests.adapters.fake_feishu import APP_ID, APP_SECRET, REP, FakeFeishu
from tests.adapters.feishu_chat import FeishuChat

SCRIPT = ("我的商机", "漏斗", "预测", "新商机 华为技术有限公司 压测项目 12万 下月底", "帮助", "button")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * share) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    fake = FakeFeishu().start()
    acks: dict[str, list[float]] = {line.split()[0]: [] for line in SCRIPT}
    done: dict[str, list[float]] = {line.split()[0]: [] for line in SCRIPT}
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(database_url(str(Path(folder) / "bench.sqlite")))
        migrate(engine)
        sessions = session_factory(engine)
        clock = SystemClock()
        with SqlUnitOfWork(sessions) as uow:
            seed_demo(uow, clock, "console")
            code = create_invite(uow, uow.teams.by_name(demo_data()["team"]), None, Role.REP, clock.now()).code
            uow.commit()
        front_end = feishu.FeishuFrontEnd(APP_ID, APP_SECRET, fake.base_url, lambda: SqlUnitOfWork(sessions), clock)
        front_end.start()
        chat = FeishuChat(fake, front_end)
        try:
            chat.say(REP, code)
            started = time.perf_counter()
            for number in range(args.events):
                line = SCRIPT[number % len(SCRIPT)]
                begin = time.perf_counter()
                if line == "button":
                    message_id, button = chat.card_with(REP, "推进")
                    answer = chat.push(chat.action(REP, message_id, button["behaviors"][0]["value"]))
                    chat.say(REP, "取消")
                else:
                    answer = chat.say(REP, line)
                done[line.split()[0]].append((time.perf_counter() - begin) * 1000)
                acks[line.split()[0]].append(answer.frame["elapsed"] * 1000)
            total = time.perf_counter() - started
        finally:
            front_end.stop()
            engine.dispose()
            fake.stop()
    print(f"backend: sqlite; events: {args.events}; {args.events / total:.0f} events/s end to end, one at a time; "
          f"Open API calls: {len(fake.sent())}")
    for command in acks:
        print(f"{command:8} answer frame median {statistics.median(acks[command]):5.1f} ms, "
              f"p95 {percentile(acks[command], 0.95):5.1f} ms | last card median "
              f"{statistics.median(done[command]):6.1f} ms, p95 {percentile(done[command], 0.95):6.1f} ms")


if __name__ == "__main__":
    main()
