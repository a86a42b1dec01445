"""Two senders on one database send every notification exactly once (PostgreSQL when
TEST_DATABASE_URL is set: FOR UPDATE SKIP LOCKED; SQLite: conditional UPDATE)."""
import threading
from dataclasses import replace
from datetime import date, timedelta

from assistant.events import ChatKey
from assistant.method.model import Role
from assistant.push import agenda
from assistant.push.delivery import SENT, deliver_due
from storage.db import session_factory
from storage.uow import SqlUnitOfWork


class Recorder:
    platform = "console"

    def __init__(self):
        self.sent = []
        self.lock = threading.Lock()

    def send(self, to, replies):
        with self.lock:
            self.sent.append((to.user, tuple(item["id"] for item in replies[0].params["items"])))
        return SENT


def add_reps(uow, clock, count):
    """`count` more reps at the terminal, each with an overdue deal: one agenda each."""
    for n in range(count):
        rep = uow.users.add(1, f"销售{n}", Role.REP, "zh", clock.now())
        uow.users.link(rep.id, ChatKey("console", rep.name, rep.name))
        template = uow.deals.get(1 + n % 8)
        uow.deals.add(replace(template, id=0, owner_id=rep.id, title=f"批量{n}", next_due=date(2026, 11, 1)))


def test_two_workers_send_each_agenda_once(demo, engine, clock):
    with demo() as uow:
        add_reps(uow, clock, 36)
        uow.commit()
    with demo() as uow:
        queued = agenda.enqueue(uow, clock)
        uow.commit()
    assert queued == 38
    recorder = Recorder()

    def worker(name):
        own_sessions = session_factory(engine)
        while deliver_due(lambda: SqlUnitOfWork(own_sessions), clock, recorder, name, limit=3).sent:
            pass

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(recorder.sent) == 38 and len(set(recorder.sent)) == 38
    clock.at += timedelta(minutes=10)
    assert deliver_due(demo, clock, recorder, "w3").sent == 0


def test_senders_of_two_platforms_send_each_push_once_where_its_user_is(demo, engine, clock):
    with demo() as uow:
        add_reps(uow, clock, 30)
        uow.commit()
    with demo() as uow:
        queued = agenda.enqueue(uow, clock)
        li = uow.users.by_name("李娜")
        uow.users.link(li.id, ChatKey("telegram", "777", "777"))
        uow.users.touch("telegram", "", "777", clock.now())  # 李娜 moved to Telegram after the scan
        uow.commit()
    terminal, telegram = Recorder(), Recorder()
    telegram.platform = "telegram"

    def worker(name, deliverer):
        own_sessions = session_factory(engine)
        while deliver_due(lambda: SqlUnitOfWork(own_sessions), clock, deliverer, name, limit=3).sent:
            pass

    threads = [threading.Thread(target=worker, args=(f"w-{d.platform}", d)) for d in (terminal, telegram)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(terminal.sent) + len(telegram.sent) == queued
    assert len(set(terminal.sent) | set(telegram.sent)) == queued
    assert {user for user, _ in telegram.sent} == {"777"} and "李娜" not in {user for user, _ in terminal.sent}
