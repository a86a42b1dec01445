"""The command line's import, export, backup and restore, on a SQLite file (PostgreSQL's
pg_dump / pg_restore too when TEST_DATABASE_URL is set)."""
from __future__ import annotations

import io
import os
import sqlite3
import threading
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

import bot
from assistant.clock import FixedClock
from assistant.demo import seed_demo
from assistant.method.model import Deal
from storage.db import make_engine, migrate, session_factory
from storage.uow import SqlUnitOfWork
from tests.conftest import TODAY_10AM
from tests.transfer.workbooks import zh_workbook

TEAM_NAME = "华东大区销售部"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with SqlUnitOfWork(session_factory(engine)) as uow:
        seed_demo(uow, FixedClock(TODAY_10AM), "console")
    engine.dispose()
    return path


def deals(path) -> list[tuple]:
    engine = make_engine(f"sqlite:///{path}")
    with SqlUnitOfWork(session_factory(engine)) as uow:
        found = sorted((d.id, d.customer_name, d.title, d.amount, d.stage_key, d.owner_id) for d in uow.deals.find(1))
    engine.dispose()
    return found


def test_import_prints_the_preview_and_writes_only_with_yes(db, tmp_path, capsys, monkeypatch):
    sheet = tmp_path / "华东商机.xlsx"
    sheet.write_bytes(zh_workbook())
    before = deals(db)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert bot.main(["--db", str(db), "import", str(sheet), "--team", TEAM_NAME]) == 1
    out = capsys.readouterr().out
    assert "将新建" in out and "有 5 行不能导入：" in out and out.rstrip().endswith("没有写入任何内容。")
    assert deals(db) == before
    assert bot.main(["--db", str(db), "import", str(sheet), "--team", TEAM_NAME, "--yes"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("，跳过 5 行。")
    assert len(deals(db)) == len(before) + 2
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert bot.main(["--db", str(db), "import", str(sheet), "--team", TEAM_NAME]) == 0  # nothing left to write
    assert "没有需要写入的内容。" in capsys.readouterr().out


def test_import_as_a_rep_and_bad_names(db, tmp_path, capsys):
    sheet = tmp_path / "a.xlsx"
    sheet.write_bytes(zh_workbook())
    assert bot.main(["--db", str(db), "import", str(sheet), "--team", "没有这个团队", "--yes"]) == 2
    assert "没有这个团队" in capsys.readouterr().err
    assert bot.main(["--db", str(db), "import", str(sheet), "--team", TEAM_NAME, "--as", "王伟", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "这是别人的商机，销售只能导入自己的商机" in out  # 李娜's rows
    assert bot.main(["--db", str(db), "import", str(tmp_path / "missing.xlsx"), "--team", TEAM_NAME]) == 2


def test_export_to_xlsx_and_csv(db, tmp_path, capsys):
    out = tmp_path / "funnel.xlsx"
    assert bot.main(["--db", str(db), "export", "--team", TEAM_NAME, "--out", str(out)]) == 0
    assert f"已导出到 {out}：8 个商机" in capsys.readouterr().out
    book = load_workbook(out, read_only=True)
    assert [r[0] for r in book["商机"].iter_rows(min_row=2, values_only=True)] == list(range(1, 9))
    csv_out = tmp_path / "funnel.csv"
    assert bot.main(["--db", str(db), "--lang", "en", "export", "--team", TEAM_NAME, "--out", str(csv_out)]) == 0
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbfDeal ID,Customer,Deal,")


def add_deals(path, count: int, stop: threading.Event | None = None) -> int:
    """Deals written one transaction at a time, as a running bot writes them."""
    engine = make_engine(f"sqlite:///{path}")
    sessions = session_factory(engine)
    written = 0
    while written < count and not (stop and stop.is_set()):
        with SqlUnitOfWork(sessions) as uow:
            uow.deals.add(Deal(0, 1, 1, 1, "华为技术有限公司", f"扩容{written}", Decimal(100000), "CNY",
                               date(2027, 1, 31), "target", created_at=TODAY_10AM, last_activity_at=TODAY_10AM))
            uow.commit()
        written += 1
    engine.dispose()
    return written


def test_a_backup_taken_while_the_bot_writes_restores_to_a_consistent_copy(db, tmp_path, capsys):
    stop = threading.Event()
    writer = threading.Thread(target=add_deals, args=(db, 10_000, stop))
    writer.start()
    try:
        snapshot = tmp_path / "snapshot.sqlite"
        assert bot.main(["--db", str(db), "backup", str(snapshot)]) == 0
    finally:
        stop.set()
        writer.join()
    assert f"备份已写入 {snapshot}" in capsys.readouterr().out
    assert sqlite3.connect(snapshot).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    restored = tmp_path / "restored.sqlite"
    assert bot.main(["--db", str(restored), "restore", str(snapshot)]) == 0
    copied = deals(restored)
    assert 8 <= len(copied) <= len(deals(db))
    assert copied == deals(db)[:len(copied)]  # a prefix: every deal committed before the snapshot, none half

    quiet = tmp_path / "quiet.sqlite"
    assert bot.main(["--db", str(db), "backup", str(quiet)]) == 0
    again = tmp_path / "again.sqlite"
    assert bot.main(["--db", str(again), "restore", str(quiet)]) == 0
    assert deals(again) == deals(db)


def test_restore_refuses_a_database_with_data_and_backup_never_overwrites(db, tmp_path, capsys):
    snapshot = tmp_path / "s.sqlite"
    assert bot.main(["--db", str(db), "backup", str(snapshot)]) == 0
    assert bot.main(["--db", str(db), "backup", str(snapshot)]) == 2
    assert "已经存在，不会覆盖" in capsys.readouterr().err
    assert bot.main(["--db", str(db), "restore", str(snapshot)]) == 2
    assert "目标数据库不是空的" in capsys.readouterr().err
    not_backup = tmp_path / "x.sqlite.bak"
    not_backup.write_bytes(b"hello")
    assert bot.main(["--db", str(tmp_path / "new.sqlite"), "restore", str(not_backup)]) == 2


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only when TEST_DATABASE_URL is set")
def test_postgresql_backup_and_restore_with_pg_dump(tmp_path, monkeypatch, capsys):
    url = os.environ["TEST_DATABASE_URL"]
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate(engine)
    with SqlUnitOfWork(session_factory(engine)) as uow:
        seed_demo(uow, FixedClock(TODAY_10AM), "console")
    monkeypatch.setenv("DATABASE_URL", url)
    dump = tmp_path / "funnel.dump"
    assert bot.main(["backup", str(dump)]) == 0
    assert dump.read_bytes().startswith(b"PGDMP")
    assert bot.main(["restore", str(dump)]) == 2  # not empty
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    assert bot.main(["restore", str(dump)]) == 0
    with SqlUnitOfWork(session_factory(engine)) as uow:
        assert len(uow.deals.find(1)) == 8
    engine.dispose()
