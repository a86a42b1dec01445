"""Input that must not stall others or crash a flow: over-long messages, one-liners with too
many words; refused in the user's language, nothing stored."""
from __future__ import annotations

import threading

from sqlalchemy import func, select, text

from storage.models import DealRow


def count(make_uow, row):
    with make_uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(row))


def test_maximum_telegram_message_is_refused_for_its_length_and_nothing_stored(demo, chat):
    rep = chat("王伟")
    before = count(demo, DealRow)
    reply = rep.say("/new 华为 " + "扩容 " * 2046)
    assert "这条消息太长了" in reply and "最多 1500 字" in reply
    assert count(demo, DealRow) == before
    assert "太长" not in rep.say("/deals")


def test_one_liner_with_too_many_words_is_refused_before_parsing(demo, chat):
    rep = chat("王伟", "en")
    with demo() as uow:
        uow.users.set_lang(uow.users.by_name("王伟").id, "en")
        uow.commit()
    before = count(demo, DealRow)
    reply = rep.say("/new Acme " + "word " * 30 + "120k next month")
    assert "too many words" in reply and "at most 24" in reply
    reply = rep.say("/visit Acme " + "x" * 320)
    assert "too long" in reply and "at most 300" in reply
    assert count(demo, DealRow) == before


def test_over_long_message_is_answered_while_another_process_holds_the_write_lock(demo, chat, engine):
    """The refusal only reads: on SQLite it does not queue behind the database's writer."""
    if engine.dialect.name != "sqlite":
        import pytest
        pytest.skip("SQLite's database-wide write lock")
    rep = chat("王伟")
    rep.say("/deals")  # warm the connection pool and the catalogs
    holding, release = threading.Event(), threading.Event()

    def writer():
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            connection.execute(text("UPDATE users SET lang = lang"))
            holding.set()
            release.wait(60)
            connection.rollback()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        reply = rep.say("x" * 4096)
        assert "这条消息太长了" in reply
    finally:
        release.set()
        thread.join()


def test_one_persons_events_are_serialised_on_their_flow_state_row(demo, chat, engine, clock):
    """While one of 王伟's events holds his flow-state row, his next write waits; on PostgreSQL
    another rep's does not (reads never wait: test_reads_off_the_write_lock)."""
    from assistant.events import ChatKey

    rep, other = chat("王伟"), chat("李娜")
    rep.say("/deals")
    other.say("/deals")
    holding, release = threading.Event(), threading.Event()

    def holder():
        with demo() as uow:
            uow.flow_states.lock(ChatKey("console", "王伟", "王伟"), clock.now())
            holding.set()
            release.wait(60)
            uow.commit()

    answered: dict[str, str] = {}
    thread = threading.Thread(target=holder)
    thread.start()
    assert holding.wait(10)
    same = threading.Thread(target=lambda: answered.setdefault("王伟", rep.say("/new")))
    same.start()
    try:
        if engine.dialect.name == "postgresql":
            assert "漏斗" in other.say("/funnel") or other.last  # another person is not held up
        same.join(1.5)
        assert "王伟" not in answered  # his second event waits for the first
    finally:
        release.set()
        thread.join()
        same.join(30)
    assert answered["王伟"]


def test_invisible_names_are_empty_and_never_a_customer(demo, chat):
    from storage.models import CustomerRow
    rep = chat("王伟")
    before = count(demo, CustomerRow)
    for _ in range(2):
        rep.say("/customer")
        assert "不能为空" in rep.say("\u200b\u200c\u2060\ufeff")
        rep.say("/cancel")
    assert count(demo, CustomerRow) == before


def test_nul_bytes_and_undecodable_bytes_are_stored_cleaned(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/new 飞\x00书科技 \udcff扩容 30万 月底")
    assert "商机已创建" in reply or "新客户" in reply
    if "商机已创建" not in reply:
        reply = rep.press("新客户")
    assert "商机已创建" in reply
    with demo() as uow:
        user = uow.users.by_name("王伟")
        created = uow.deals.find(user.team_id, owner_id=user.id)[-1]
    assert created.customer_name == "飞书科技" and created.title == "\ufffd扩容"


def test_terminal_with_bytes_that_are_not_utf8_keeps_running(demo, make_uow, clock):
    import io

    from handlers.console import ConsoleChat, run
    raw = b"/help\n" + b"\xff\xfe " + "华为\n/deals\n".encode()
    stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="strict")
    stdout = io.StringIO()
    run(ConsoleChat(make_uow, clock, "王伟"), stdin, stdout)
    assert stdout.getvalue().count("#") >= 1 and "出了点问题" not in stdout.getvalue()


def test_echoes_of_what_was_typed_are_bounded(demo, chat):
    stranger = chat("Mallory")
    reply = stranger.say("/start " + "X" * 1400)
    assert "X" * 41 not in reply and "…" in reply
    manager = chat("张强")
    reply = manager.say("/schedule " + "y" * 1400 + " z")
    assert "y" * 41 not in reply


def test_rates_and_numbers_nobody_types_are_refused(demo, chat):
    rep = chat("王伟")
    assert "太精细" in rep.say("/prospects 300万 3万 0.0000000000000000000001%")
    rep.say("/cancel")
    reply = rep.say("/prospects 300万 3万 ²³%")
    assert "没看懂比例" in reply
    rep.say("/cancel")


def test_a_visit_dated_1900_is_asked_again(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/visit 比亚迪 1900-01-01 提交方案")
    assert "5 年多以前" in reply


def test_the_same_one_line_deal_repeated_minutes_later_is_asked_back(demo, chat, clock):
    from datetime import timedelta
    rep = chat("王伟")
    line = "/new 比亚迪 电池产线 80万 下月底"
    reply = rep.say(line)
    if "商机已创建" not in reply:
        reply = rep.press("比亚迪")
    assert "商机已创建" in reply
    before = count(demo, DealRow)
    clock.at += timedelta(minutes=2)
    reply = rep.say(line)
    if "还要再建一个" not in reply and "商机已创建" not in reply:
        reply = rep.press("比亚迪")
    assert "还要再建一个" in reply and "电池产线" in reply
    assert "没有新建商机" in rep.press("不用")
    assert count(demo, DealRow) == before
    reply = rep.say(line)
    if "还要再建一个" not in reply:
        reply = rep.press("比亚迪")
    assert "商机已创建" in rep.press("要，再建一个")
    assert count(demo, DealRow) == before + 1


def _degraded_chat(engine, clock, how: str):
    """王伟 at the terminal on a database that refuses writes: read-only, or full."""
    from sqlalchemy import create_engine, event

    from handlers.console import ConsoleChat
    from storage.db import session_factory
    from storage.uow import SqlUnitOfWork
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        degraded = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true" if how == "read_only"
                                 else f"sqlite:///{path}")
        pages = degraded.connect().exec_driver_sql("PRAGMA page_count").scalar() if how == "full" else 0

        @event.listens_for(degraded, "connect")
        def limit(connection, _record):
            if how == "full":
                connection.execute(f"PRAGMA max_page_count = {pages}")
    else:
        degraded = create_engine(engine.url)

        @event.listens_for(degraded, "connect")
        def limit(connection, _record):
            with connection.cursor() as cursor:
                cursor.execute("SET default_transaction_read_only = on")
            connection.commit()
    degraded.dispose()
    sessions = session_factory(degraded)
    return ConsoleChat(lambda: SqlUnitOfWork(sessions), clock, "王伟"), degraded


def test_a_read_only_database_says_so_and_reads_still_work(demo, engine, clock):
    console, degraded = _degraded_chat(engine, clock, "read_only")
    try:
        reads = "\n".join(console.send("/deals"))
        assert "出了点问题" not in reads and "#" in reads
        writes = "\n".join(console.send("/new 华为 扩容 30万 月底"))
        assert "只读" in writes and "出了点问题" not in writes
    finally:
        degraded.dispose()


def test_a_full_database_asks_the_admin_to_free_space(demo, engine, clock):
    if engine.dialect.name != "sqlite":
        import pytest
        pytest.skip("a full disk is simulated with SQLite's page limit")
    console, degraded = _degraded_chat(engine, clock, "full")
    try:
        for number in range(40):  # until the last free pages are used up
            reply = "\n".join(console.send(f"/new 飞书科技 扩容{number}{'长' * 150} 30万 月底"))
            if "磁盘已满" in reply:
                break
    finally:
        degraded.dispose()
    assert "磁盘已满" in reply and "出了点问题" not in reply
    assert "#" in "\n".join(console.send("/deals"))


def test_invite_codes_are_limited_per_identity_and_logged(demo, chat, clock, caplog):
    import logging
    from datetime import timedelta

    from assistant.chat.teams import INVITE_ATTEMPTS, INVITE_WINDOW, create_invite
    from assistant.method.model import Role
    with demo() as uow:
        team = uow.teams.by_name("华东大区销售部")
        code = create_invite(uow, team, None, Role.REP, clock.now()).code
        uow.commit()
    stranger = chat("Mallory")
    with caplog.at_level(logging.WARNING):
        for number in range(INVITE_ATTEMPTS):
            assert "太多" not in stranger.say(f"GUESS{number:04d}")
        reply = stranger.say(code)  # even the right code waits now
    assert "试得太多了" in reply and "加入“华东大区销售部”" not in reply
    assert sum("failed for console Mallory" in r.getMessage() for r in caplog.records) == INVITE_ATTEMPTS
    assert any("refused" in r.getMessage() for r in caplog.records)
    assert "试得太多了" not in chat("Eve").say("GUESS9999")  # another person is not limited by Mallory
    clock.at += INVITE_WINDOW + timedelta(minutes=1)
    reply = stranger.say(code)
    assert "加入“华东大区销售部”" in reply  # the code works again once the hour has passed
