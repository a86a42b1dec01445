"""How fast a spreadsheet goes in and out: rows per second for reading and planning an import
(the preview), for writing it (the confirm), and for an export, at 100,000 deals on a SQLite
file (or DATABASE_URL). Prints figures; asserts nothing.

    python bench/transfer_rows.py [--rows 100000] [--customers 5000] [--format xlsx|csv]
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import (
    FixedClock,
    Preview,
    Role,
    Written,
    create_team,
    export_funnel,
    plan_file,
    preset,
    write_if_unchanged,
)
from storage.db import database_url, make_engine, migrate, session_factory
from storage.uow import SqlUnitOfWork

HEADER = ["客户名称", "商机名称", "预计金额", "阶段", "预计成交日期", "负责人", "下一步", "下一步日期"]
STAGES = ("目标客户", "有效客户", "入围客户", "意向客户", "接近赢单客户")
REPS = ("王伟", "李娜", "赵敏", "孙丽")
NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


def customer_names(count: int) -> list[str]:
    """Distinct-looking company names (four random characters each): names that differ in one
    character only are asked back as possibly the same customer, as they should be."""
    pick = random.Random(7)
    names: set[str] = set()
    while len(names) < count:
        names.add("".join(chr(pick.randint(0x4E00, 0x9FA5)) for _ in range(4)) + "有限公司")
    return sorted(names)


def rows(count: int, customers: int) -> list[list[object]]:
    names = customer_names(customers)
    return [[names[i % customers], f"项目{i:06d}", 10_000 + i, STAGES[i % 5],
             date(2027, 1 + i % 12, 28), REPS[i % len(REPS)], "提交方案", date(2026, 12, 1 + i % 28)]
            for i in range(count)]


def workbook(data: list[list[object]], fmt: str) -> bytes:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        writer.writerows([[v.isoformat() if isinstance(v, date) else v for v in row] for row in data])
        return buffer.getvalue().encode("utf-8-sig")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("商机")
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(database_url(str(Path(folder) / "bench.sqlite")))
        migrate(engine)
        sessions = session_factory(engine)
        clock = FixedClock(NOW)
        with SqlUnitOfWork(sessions) as uow:
            team, _ = create_team(uow, "压测团队", preset("project"), "zh", "Asia/Shanghai", None, NOW)
            manager = uow.users.add(team.id, "张强", Role.MANAGER, "zh", NOW)
            for name in REPS:
                uow.users.add(team.id, name, Role.REP, "zh", NOW)
            uow.commit()
        data = workbook(rows(args.rows, args.customers), args.format)
        name = f"bench.{args.format}"
        today = date(2026, 11, 18)
        with SqlUnitOfWork(sessions) as uow:
            begin = time.perf_counter()
            preview = plan_file(uow, team, manager, name, data, today, "zh")
            planned = time.perf_counter() - begin
        assert isinstance(preview, Preview)
        with SqlUnitOfWork(sessions) as uow:
            begin = time.perf_counter()
            done = write_if_unchanged(uow, team, manager, name, data, preview.plan.fingerprint(), today, "zh",
                                      clock.now())
            uow.commit()
            written = time.perf_counter() - begin
        assert isinstance(done, Written)
        with SqlUnitOfWork(sessions) as uow:
            begin = time.perf_counter()
            made = export_funnel(uow, team, manager, "zh", args.format)
            exported = time.perf_counter() - begin
    count = done.counts["create"]
    print(f"backend: {engine.dialect.name}; {args.rows} rows ({args.format}, {len(data) / 1e6:.1f} MB), "
          f"{args.customers} customers; created {count}, refused {done.counts['refused']}")
    print(f"preview (read + plan)       {planned:6.1f} s   {args.rows / planned:8.0f} rows/s")
    print(f"confirm (re-plan + write)   {written:6.1f} s   {args.rows / written:8.0f} rows/s")
    print(f"export                      {exported:6.1f} s   {made.counts['deals'] / exported:8.0f} rows/s "
          f"({len(made.data) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
