"""The rules an import reads cells by, without a database: headers (with units and synonyms in
both languages), amounts, dates, stages, encodings, and the name index agreeing with match_names."""
from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

import pytest

from assistant.method.amounts import Money
from assistant.method.customer_names import NameIndex, match_names
from assistant.method.funnel_config import preset
from assistant.method.results import Problem
from assistant.transfer.columns import find_layout, read_header
from assistant.transfer.reading import read_amount, read_date, read_stage, read_status, text_of
from assistant.transfer.tables import Sheet, decode_text, read_sheets

FUNNEL = preset("project")
TODAY = date(2026, 11, 18)


@pytest.mark.parametrize(("header", "field", "scale", "currency"), [
    ("客户名称", "customer", 1, None), ("客户", "customer", 1, None), ("Customer name", "customer", 1, None),
    ("项目名称", "title", 1, None), ("商机", "title", 1, None), ("Opportunity", "title", 1, None),
    ("预计金额（万元）", "amount", 10_000, None), ("金额(万)", "amount", 10_000, None),
    ("Amount (k)", "amount", 1000, None), ("金额（美元）", "amount", 1, "USD"),
    ("Amount (USD, k)", "amount", 1000, "USD"),
    ("负责人", "owner", 1, None), ("销售", "owner", 1, None), ("* 阶段", "stage", 1, None),
    ("下一步日期", "next_due", 1, None), ("下一步", "next_step", 1, None), ("Close date", "close_date", 1, None),
    ("备注", None, 1, None), ("金额合计", None, 1, None),
])
def test_headers(header, field, scale, currency):
    assert read_header(header) == (field, Decimal(scale), currency)


@pytest.mark.parametrize(("cell", "scale", "expected"), [
    (1200000, 1, Money(Decimal("1200000.00"), "CNY")), (120, 10_000, Money(Decimal("1200000.00"), "CNY")),
    ("120万", 1, Money(Decimal("1200000"), "CNY")), ("$50k", 1, Money(Decimal("50000"), "USD")),
    ("1,200,000", 1, Money(Decimal("1200000"), "CNY")), ("120", 10_000, Money(Decimal("1200000.00"), "CNY")),
    ("约50万?", 1, "transfer.row.bad_amount"), (120, 1, "transfer.row.small_amount"),
    (-5, 1, "transfer.row.bad_amount"), (True, 1, "transfer.row.bad_amount"),
])
def test_amounts(cell, scale, expected):
    found = read_amount(cell, Decimal(scale))
    assert (found.key if isinstance(found, Problem) else found) == expected


@pytest.mark.parametrize(("cell", "expected"), [
    (datetime(2027, 1, 31, 0, 0), date(2027, 1, 31)), ("2027-01-31", date(2027, 1, 31)),
    ("2027/1/31", date(2027, 1, 31)), ("2027年1月31日", date(2027, 1, 31)), ("2027-01-31 00:00:00", date(2027, 1, 31)),
    ("12/1", "transfer.row.bad_date"), ("尽快", "transfer.row.bad_date"),
])
def test_dates(cell, expected):
    found = read_date(cell, TODAY)
    assert (found.key if isinstance(found, Problem) else found) == expected


@pytest.mark.parametrize(("cell", "expected"), [
    ("入围客户", "shortlisted"), ("Shortlisted", "shortlisted"), ("50%", "shortlisted"), (0.5, "shortlisted"),
    ("50 %", "shortlisted"), ("赢单", "won"), ("Lost", "lost"), ("谈判中", "transfer.row.unknown_stage"),
    ("60%", "transfer.row.unknown_stage"),
])
def test_stages(cell, expected):
    found = read_stage(cell, FUNNEL, "zh")
    shown = found.key if isinstance(found, Problem) else getattr(found, "key", found)
    assert shown == expected


def test_status_words_and_the_exports_apostrophe():
    assert [read_status(w) for w in ("进行中", "已成交", "Closed lost")] == ["open", "won", "lost"]
    assert text_of("'=1+1") == "=1+1" and text_of("'tis") == "'tis"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(encoding):
    text = "客户名称,商机名称\r\n华为技术有限公司,数据中心扩容\r\n比亚迪股份有限公司,工厂MES系统\r\n"
    assert decode_text(text.encode(encoding)) == text


def test_the_header_row_is_found_below_a_title_and_completed_from_the_row_above():
    sheet = Sheet("s", ((1, ("2026 商机表",)), (3, ("客户名称", "商机信息", None, "阶段")),
                        (4, (None, "项目名称", "金额", None)), (5, ("华为", "扩容", 10, "目标客户"))))
    layout = find_layout([sheet])
    assert layout is not None and layout.header_row == 4
    assert [(c.header, c.field) for c in layout.columns] == [("客户名称", "customer"), ("项目名称", "title"),
                                                             ("金额", "amount"), ("阶段", "stage")]


def test_not_a_spreadsheet_by_content_whatever_its_name():
    assert read_sheets("a.xlsx", b"PK\x03\x04garbage").key == "transfer.file.corrupt"
    assert read_sheets("a.docx", b"hello").key == "transfer.file.not_spreadsheet"


def test_the_name_index_agrees_with_match_names():
    pick = random.Random(3)
    names = ["华为技术有限公司", "华为", "中国建设银行", "建行", "腾讯科技（深圳）有限公司-采购部", "Microsoft",
             "Mircosoft Ltd", "招商银行深圳分行", "招商银行", "平安", "中国平安保险"]
    names += ["".join(chr(pick.randint(0x4E00, 0x4E80)) for _ in range(3)) + "有限公司" for _ in range(150)]
    candidates = list(enumerate(names))
    index = NameIndex(candidates)
    for query in [*names, "华为技术", "工行", "腾讯科技", "microsoft corp"]:
        assert index.match(query, 3) == match_names(query, candidates, 3), query
