"""/export and its file: an export opened back equals the database, a rep gets only their own
deals, formula-like text is never run by a spreadsheet, and importing an export changes nothing."""
from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

TEAM = 1


def exported(answer: str) -> Path:
    found = re.search(r"📎 (?:文件已保存|File saved)：?:? ?(\S+)", answer)
    assert found, answer
    return Path(found.group(1))


def test_an_export_opened_back_equals_the_database(demo, chat):
    answer = chat("张强").say("/export")
    assert answer.startswith("📤 华东大区销售部 的导出（整个团队）："
                             "8 个商机、8 个客户、0 个联系人、0 条拜访、21 条阶段记录。")
    path = exported(answer)
    assert path.name == "华东大区销售部.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == ["商机", "客户", "联系人", "拜访", "阶段记录"]
    sheet = book["商机"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    header = [c.value for c in sheet[1]]
    assert header == ["商机编号", "客户名称", "商机名称", "预计金额", "币种", "加权金额", "阶段", "赢率", "状态",
                      "预计成交日期", "负责人", "来源", "下一步", "下一步日期", "创建时间", "最近活动"]
    rows = {row[0]: dict(zip(header, row, strict=False)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    with demo() as uow:
        team = uow.teams.get(TEAM)
        people = {m.id: m.name for m in uow.users.members(TEAM)}
        deals = uow.deals.find(TEAM)
    assert sorted(rows) == sorted(d.id for d in deals)
    for deal in deals:
        row = rows[deal.id]
        stage = team.funnel.stage(deal.stage_key)
        shown = (row["客户名称"], row["商机名称"], row["币种"], row["阶段"], row["状态"], row["负责人"], row["下一步"])
        assert shown == (
            deal.customer_name, deal.title, deal.currency, stage.name("zh"), "进行中", people[deal.owner_id],
            deal.next_step)
        assert Decimal(str(row["预计金额"])) == deal.amount and Decimal(str(row["赢率"])) == stage.probability
        assert row["预计成交日期"] == datetime.combine(deal.close_date, datetime.min.time())  # a date cell
        assert row["下一步日期"] == datetime.combine(deal.next_due, datetime.min.time())
    amount = next(c for c in sheet[2] if c.column_letter == "D")
    assert amount.number_format == '"¥"#,##0.00' and isinstance(amount.value, int | float)


def test_a_rep_exports_only_their_own_deals_and_customers(demo, chat):
    answer = chat("李娜").say("/export")
    assert "（我的商机）：3 个商机、3 个客户" in answer
    book = load_workbook(exported(answer), read_only=True)
    assert sorted(r[0] for r in book["商机"].iter_rows(min_row=2, values_only=True)) == [6, 7, 8]
    assert {r[1] for r in book["客户"].iter_rows(min_row=2, values_only=True)} == {
        "中国石油（北京）有限公司", "腾讯科技（深圳）有限公司-采购部", "顺丰速运有限公司"}


def test_reimporting_an_export_changes_nothing(demo, chat, tmp_path):
    manager = chat("张强")
    path = exported(manager.say("/export"))
    again = manager.say(f"/import {path}")
    assert "将新建 0 个商机，更新 0 个，8 个没有变化。" in again and "不能导入" not in again


def test_formula_like_text_is_written_as_text_in_xlsx_and_csv(demo, chat):
    with demo() as uow:
        deal = uow.deals.get(1)
        uow.deals.save(replace(deal, next_step="=HYPERLINK(\"http://x\",\"点我\")"))
        deal = uow.deals.get(2)
        uow.deals.save(replace(deal, next_step="@SUM(A1:A9)"))
        uow.commit()
    manager = chat("张强")
    book = load_workbook(exported(manager.say("/export")))
    cells = {row[0].value: row[12] for row in book["商机"].iter_rows(min_row=2)}
    assert (cells[1].value, cells[1].data_type) == ("=HYPERLINK(\"http://x\",\"点我\")", "s")
    assert cells[2].data_type == "s"
    csv_path = exported(manager.say("/export csv"))
    data = csv_path.read_bytes()
    assert csv_path.suffix == ".csv" and data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1:A9)" in text and text.splitlines()[0].startswith("商机编号,客户名称")
    again = manager.say(f"/import {csv_path}")
    assert "将新建 0 个商机，更新 0 个，8 个没有变化。" in again  # the apostrophe is read back off


def test_an_english_export_has_english_headers(demo, chat):
    rep = chat("王伟")
    rep.say("/lang en")
    answer = rep.say("/export csv")
    assert answer.startswith("📤 Export of 华东大区销售部 (my deals): 5 deal(s)")
    header = exported(answer).read_bytes().decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Deal ID,Customer,Deal,Amount,Currency,Weighted amount,Stage,Probability,Status")
    assert rep.say("/export pdf") == "The export formats are xlsx and csv, e.g. /export csv."


def test_the_stage_history_sheet_holds_every_move(demo, chat):
    data = exported(chat("张强").say("/export")).read_bytes()
    rows = list(load_workbook(io.BytesIO(data), read_only=True)["阶段记录"].iter_rows(min_row=2, values_only=True))
    with demo() as uow:
        history = uow.deals.changes_of_team(TEAM)
    assert len(rows) == sum(len(changes) for changes in history.values())
    assert rows[0][:4] == (1, "华为技术有限公司", None, "目标客户")  # created: no stage before
