"""Reads never wait for another member's write, and a one-liner is read before its write
transaction opens (issue 14, item 9)."""
from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from assistant import ChatKey, Inbound, handle
from assistant.method import one_line
from storage.models import FlowStateRow, ProcessedEventRow

WANG = ChatKey("console", "王伟", "王伟")
LI = ChatKey("console", "李娜", "李娜")

# A second process that takes SQLite's write lock (a member's write in progress) and keeps it
# until its stdin closes: what another bot process, or a slow write of this one, looks like.
_HOLD_WRITE_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE flow_states SET step = step WHERE user_ref = '李娜'")
print("held", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""


def _answer_while(holding: subprocess.Popen, say) -> tuple[str, bool]:
    """`say()` in a thread; its reply, and whether the holder still held its lock when it came.
    The lock is let go after 20 s at the latest, so a blocked read fails instead of hanging."""
    answered: dict[str, object] = {}

    def read() -> None:
        reply = say()
        answered["held"] = holding.poll() is None
        answered["reply"] = reply

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(20)
    holding.stdin.close()
    holding.wait(10)
    reader.join(40)
    return str(answered.get("reply", "")), bool(answered.get("held"))


@pytest.fixture
def write_lock(engine, demo, clock):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's database-wide write lock; PostgreSQL locks rows")
    with demo() as uow:  # 李娜's row, which the other process then writes
        uow.flow_states.lock(LI, clock.now())
        uow.commit()
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_WRITE_LOCK, engine.url.database],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    yield holder
    if holder.poll() is None:
        holder.stdin.close()
        holder.wait(10)


def test_a_read_is_answered_while_another_process_holds_the_write_lock(write_lock, chat):
    rep = chat("王伟")
    reply, held = _answer_while(write_lock, lambda: rep.say("/deals"))
    assert "进行中的商机 5 个" in reply and "华为技术有限公司" in reply
    assert held  # answered while the other member's write was still open, not after it


def test_a_page_button_and_the_menu_are_reads_too(write_lock, chat):
    rep = chat("王伟")
    reply, held = _answer_while(write_lock, lambda: rep.say("你好"))
    assert "新建商机" in reply and held


def test_a_write_still_waits_for_the_lock_and_then_goes_through(write_lock, chat, demo):
    """Only reads skip the lock: a new deal waits for the other write, then is stored."""
    rep = chat("王伟")
    reply, held = _answer_while(write_lock, lambda: rep.say("/new 格力 智慧园区 200万 明年3月"))
    assert "商机已创建" in reply and not held


def test_a_persons_own_read_does_not_wait_for_their_write_in_progress(demo, chat, clock):
    """On PostgreSQL too: 王伟's earlier event still holds his flow-state row; his /funnel is
    answered meanwhile (a read needs no serialisation), his next write waits."""
    rep = chat("王伟")
    rep.say("/deals")
    holding, release = threading.Event(), threading.Event()

    def holder() -> None:
        with demo() as uow:
            uow.flow_states.lock(WANG, clock.now())
            holding.set()
            release.wait(30)
            uow.commit()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert holding.wait(10)
        answered: dict[str, str] = {}
        reader = threading.Thread(target=lambda: answered.setdefault("funnel", rep.say("/funnel")))
        reader.start()
        reader.join(20)
        assert "合计：5 个" in answered.get("funnel", "") and not release.is_set()
    finally:
        release.set()
        thread.join()


def test_a_one_liner_is_read_before_its_write_transaction(demo, chat):
    """The line is read once, before the write lock; inside, the flow finds the reading done."""
    one_line._read_deal_line.cache_clear()  # another backend's run of this test read the same line
    before = one_line._read_deal_line.cache_info()
    reply = chat("王伟").say("/new 格力 智慧园区 二期 200万 明年3月")
    after = one_line._read_deal_line.cache_info()
    assert "商机已创建" in reply and "智慧园区 二期" in reply
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)


def test_a_redelivered_read_is_answered_once(demo, make_uow, clock):
    event = Inbound(WANG, "console-redelivered-1", text="/deals", display_name="王伟")
    assert handle(event, make_uow(), clock)
    assert handle(event, make_uow(), clock) == []
    with make_uow() as uow:
        assert uow.inbox.seen("console", "", "console-redelivered-1")


def test_a_read_only_transaction_refuses_writes_and_leaves_the_connection_writable(demo, make_uow, clock):
    uow = make_uow()
    with pytest.raises(Exception) as refused, uow.reading():
        uow.session.execute(text("UPDATE flow_states SET step = 1"))
    assert uow.storage_problem(refused.value) == "read_only"
    with pytest.raises(Exception) as unflushed, uow.reading():  # an ORM change left in the session
        uow.session.add(FlowStateRow(platform="console", tenant="", chat="x", user_ref="x", flow="", step=0,
                                     values={}, pending={}, updated_at=clock.now()))
    assert uow.storage_problem(unflushed.value) == "read_only"
    with uow.reading():
        assert uow.inbox.seen("console", "", "after-read-only") is False
    for _ in range(3):  # whichever pooled connection comes next writes
        with make_uow() as uow:
            uow.flow_states.lock(ChatKey("console", "赵敏", "赵敏"), clock.now() + timedelta(seconds=1))
            uow.inbox.first_time("console", "", "after-read-only", clock.now())
            uow.commit()
    with make_uow() as uow:
        rows = uow.session.query(FlowStateRow).filter_by(user_ref="赵敏").count()
        assert rows == 1 and uow.session.query(ProcessedEventRow).filter_by(event_id="after-read-only").count() == 1


def test_the_flow_state_is_read_once_per_transaction(demo, chat, engine):
    """A look-up reads it once; an answer inside a flow once in the read-only look at it and once
    under the lock, however often the router asks for it."""
    from sqlalchemy import event

    reads: list[str] = []

    def count(connection, cursor, statement, *args) -> None:
        if statement.lstrip().startswith("SELECT") and "FROM flow_states" in statement:
            reads.append(statement)

    rep = chat("王伟")
    event.listen(engine, "before_cursor_execute", count)
    try:
        for line, expected in (("/deals", 1), ("/new", 2), ("格力", 2), ("/funnel", 2), ("/cancel", 2)):
            reads.clear()
            rep.say(line)
            assert len(reads) == expected, line
    finally:
        event.remove(engine, "before_cursor_execute", count)
