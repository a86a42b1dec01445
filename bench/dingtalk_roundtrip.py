"""What the DingTalk layer adds to the core, through the real `dingtalk-stream` client and a fake
DingTalk on 127.0.0.1, on a SQLite file: per command, the median and p95 time from a Stream frame
leaving the gateway to its ack coming back (DingTalk redelivers a callback left unacknowledged),
and to the last reply reaching the robot API. Prints figures; asserts nothing.

    python bench/dingtalk_roundtrip.py [--events 200]
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
from handlers import dingtalk
from storage.db import database_url, make_engine, migrate, session_factory
from storage.uow import SqlUnitOfWork
from tests.adapters.fake_dingtalk import CLIENT_ID, CLIENT_SECRET, MESSAGE_TOPIC, DingUser, FakeDingTalk

SCRIPT = ("我的商机", "漏斗", "预测", "新商机 华为技术有限公司 压测项目 12万 下月底", "帮助")
REP = DingUser("bench0001", "压测")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * share) - 1, 0)]


def roundtrip(fake: FakeDingTalk, front: dingtalk.DingTalkFrontEnd, text: str) -> tuple[float, float]:
    begin = time.monotonic()
    sent = fake.push(MESSAGE_TOPIC, fake.message(REP, text))
    fake.wait_for_ack(sent)
    acked = time.monotonic()
    front.bridge.wait_idle(60)
    answered = max((c.at for c in fake.sent() if c.at >= begin), default=acked)
    return (acked - begin) * 1000, (answered - begin) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    fake = FakeDingTalk().start()
    acks: dict[str, list[float]] = {line.split()[0]: [] for line in SCRIPT}
    replies: dict[str, list[float]] = {line.split()[0]: [] for line in SCRIPT}
    try:
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(database_url(str(Path(folder) / "bench.sqlite")))
            migrate(engine)
            sessions = session_factory(engine)
            clock = SystemClock()
            with SqlUnitOfWork(sessions) as uow:
                seed_demo(uow, clock, "console")
                code = create_invite(uow, uow.teams.by_name(demo_data()["team"]), None, Role.REP, clock.now()).code
                uow.commit()
            front = dingtalk.from_env({"DINGTALK_CLIENT_ID": CLIENT_ID, "DINGTALK_CLIENT_SECRET": CLIENT_SECRET,
                                       "DINGTALK_API_URL": fake.base_url, "DINGTALK_OAPI_URL": fake.base_url},
                                      lambda: SqlUnitOfWork(sessions), clock)
            assert front is not None
            front.start()
            try:
                roundtrip(fake, front, code)
                started = time.monotonic()
                for number in range(args.events):
                    line = SCRIPT[number % len(SCRIPT)]
                    ack, reply = roundtrip(fake, front, line)
                    acks[line.split()[0]].append(ack)
                    replies[line.split()[0]].append(reply)
                total = time.monotonic() - started
            finally:
                front.stop()
            engine.dispose()
    finally:
        fake.stop()
    print(f"backend: sqlite; messages: {args.events}; {args.events / total:.1f} messages/s one after another; "
          f"API calls: {len(fake.sent())}")
    for command in acks:
        ack, reply = acks[command], replies[command]
        print(f"{command:8} ack median {statistics.median(ack):6.1f} ms  p95 {percentile(ack, 0.95):6.1f} ms   "
              f"last reply median {statistics.median(reply):7.1f} ms  p95 {percentile(reply, 0.95):7.1f} ms   "
              f"n={len(ack)}")


if __name__ == "__main__":
    main()
