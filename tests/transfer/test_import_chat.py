"""Importing a spreadsheet through the terminal chat (`/import PATH`, as a document is sent on a
phone): the preview's figures, nothing written before the confirm, one transaction after it,
re-import a no-op, and every bad file answered with a clear message and nothing written."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from tests.transfer.workbooks import EN_HEADER, EN_ROWS, ZH_HEADER, ZH_ROWS, csv_text, en_workbook, save, zh_workbook

TEAM = 1


def snapshot(make_uow):
    """What an import may change: every deal and customer of the demo team."""
    with make_uow() as uow:
        deals = sorted((d.id, d.customer_name, d.title, d.amount, d.stage_key, d.close_date, d.owner_id, d.next_step)
                       for d in uow.deals.find(TEAM))
        customers = sorted(c.name for c in uow.customers.of_team(TEAM))
    return deals, customers


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_chinese_workbook_is_previewed_then_written_once_and_again_changes_nothing(demo, chat, tmp_path):
    manager = chat("张强")
    before = snapshot(demo)
    preview = manager.say(f"/import {write(tmp_path, '华东商机.xlsx', zh_workbook())}")
    assert "工作表“华东商机”，表头在第 4 行" in preview
    assert "客户名称、项目名称 → 商机名称、预计金额（万元） → 预计金额、阶段、预计成交日期、负责人、下一步" in preview
    assert "不认识、不会导入的列：备注" in preview
    assert "将新建 2 个商机（其中新客户 1 个），更新 0 个，1 个没有变化。" in preview
    assert "有 5 行不能导入：" in preview
    assert "第 8 行：金额“约50万?”看不懂" in preview
    assert "第 10 行：客户“宁德时代”和已有的“宁德时代新能源科技股份有限公司”很接近" in preview
    assert "第 11 行：阶段“谈判中”不在团队的漏斗里" in preview
    assert "第 12 行：团队里没有“赵六”这个人" in preview
    assert "第 13 行：日期“明年13月”看不懂" in preview
    assert snapshot(demo) == before  # nothing written before the confirm

    done = manager.press("确认导入")
    assert done == "✅ 导入完成：新建 2 个商机（新客户 1 个），更新 0 个，1 个没有变化，跳过 5 行。"
    deals, customers = snapshot(demo)
    assert "吉利汽车" in customers and len(customers) == len(before[1]) + 1
    added = {(d[1], d[2]): d for d in deals if d[0] > 8}
    cloud = added[("华为技术有限公司", "云桌面")]
    assert (cloud[3], cloud[4], cloud[5], cloud[7]) == (Decimal("600000"), "shortlisted", date(2027, 1, 15), "演示方案")
    geely = added[("吉利汽车", "车联网平台")]
    with demo() as uow:
        lina = next(m for m in uow.users.members(TEAM) if m.name == "李娜")
        assert geely[6] == lina.id and geely[3] == Decimal("3000000")
        history = uow.deals.changes(geely[0])
        assert [(c.kind, c.to_stage, c.note) for c in history] == [("created", "qualified", "import")]

    # the same button pressed again (its value typed: the terminal has moved on to newer buttons)
    assert manager.say("/import confirm_1") == "这次导入已经处理过了（已导入或已取消）。需要的话，请把文件重新发一次。"
    again = manager.say(f"/import {write(tmp_path, '华东商机.xlsx', zh_workbook())}")
    assert "将新建 0 个商机，更新 0 个，3 个没有变化。" in again and "没有需要写入的内容。" in again
    assert "确认导入" not in again
    assert snapshot(demo) == (deals, customers)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_csv_reads_the_same_in_every_encoding_chinese_excel_saves(demo, chat, tmp_path, encoding):
    text = csv_text([[r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]] for r in ZH_ROWS], ZH_HEADER)
    preview = chat("张强").say(f"/import {write(tmp_path, 'deals.csv', text.encode(encoding))}")
    assert "表头在第 1 行" in preview
    assert "将新建 2 个商机（其中新客户 1 个），更新 0 个，1 个没有变化。" in preview
    assert "有 5 行不能导入：" in preview and "第 5 行：金额“约50万?”看不懂" in preview


def test_an_english_workbook_in_english(demo, chat, tmp_path):
    with demo() as uow:
        wang = next(m for m in uow.users.members(TEAM) if m.name == "王伟")
    rows = [[*row[:5], "王伟", row[6]] for row in EN_ROWS]
    book = Workbook()
    book.active.append(EN_HEADER)
    for row in rows:
        book.active.append(row)
    manager = chat("张强", lang="en")
    manager.say("/lang en")
    preview = manager.say(f"/import {write(tmp_path, 'pipeline.xlsx', save(book))}")
    assert "Columns recognised: Customer, Deal name → Deal, Amount, Stage, Close date, Owner, Next step" in preview
    assert "Will create 2 deal(s) (2 new customer(s)), update 0, 0 unchanged." in preview
    assert "row 4: the amount “120” is very small: is a unit missing?" in preview
    assert manager.press("Confirm import").startswith("✅ Import done: 2 deal(s) created")
    with demo() as uow:
        acme = next(d for d in uow.deals.find(TEAM) if d.customer_name == "Acme Robotics")
    assert (acme.amount, acme.currency, acme.stage_key, acme.owner_id) == (Decimal("250000"), "USD", "qualified",
                                                                           wang.id)
    assert en_workbook()


def test_cancel_writes_nothing(demo, chat, tmp_path):
    manager = chat("张强")
    before = snapshot(demo)
    manager.say(f"/import {write(tmp_path, 'a.xlsx', zh_workbook())}")
    assert manager.press("取消") == "已取消导入，什么都没有保存。"
    assert snapshot(demo) == before


def test_a_newer_file_replaces_the_one_waiting(demo, chat, tmp_path):
    manager = chat("张强")
    manager.say(f"/import {write(tmp_path, 'a.xlsx', zh_workbook())}")
    manager.say(f"/import {write(tmp_path, 'b.xlsx', zh_workbook())}")
    assert manager.say("/import confirm_1") == "这次导入已经处理过了（已导入或已取消）。需要的话，请把文件重新发一次。"
    assert manager.say("/import confirm_2").startswith("✅ 导入完成")
    assert chat("李娜").say("/import confirm_2") == "这个按钮已经过期了，请按最新消息里的按钮，或重新输入。"


def test_a_confirm_after_the_data_changed_shows_the_new_preview_and_writes_nothing(demo, chat, tmp_path):
    manager = chat("张强")
    manager.say(f"/import {write(tmp_path, 'a.xlsx', zh_workbook())}")
    chat("李娜").say("/customer 吉利汽车")  # meanwhile a rep registers the customer the file would create
    before = snapshot(demo)
    changed = manager.press("确认导入")
    assert changed.startswith("从预览到现在，团队的数据有了变化，所以这次没有写入。")
    assert "将新建 2 个商机，更新 0 个，1 个没有变化。" in changed
    assert snapshot(demo) == before
    assert manager.press("确认导入").startswith("✅ 导入完成：新建 2 个商机")


def test_a_rep_cannot_import_into_another_reps_deals(demo, chat, tmp_path):
    header = ["客户名称", "商机名称", "金额", "阶段", "预计成交日期", "负责人", "下一步"]
    rows = [["顺丰速运有限公司", "仓储WMS", "150万", "有效客户", "2027-03-12", "李娜", "改掉别人的下一步"],
            ["比亚迪股份有限公司", "新能源电池线", "90万", "目标客户", "2027-03-31", "李娜", None],
            ["比亚迪股份有限公司", "充电桩", "30万", "目标客户", "2027-03-31", None, None]]
    before = snapshot(demo)
    preview = chat("王伟").say(f"/import {write(tmp_path, 'mine.csv', csv_text(rows, header).encode())}")
    assert "第 2 行：这是别人的商机，销售只能导入自己的商机" in preview
    assert "第 3 行：这是别人的商机，销售只能导入自己的商机" in preview
    assert "将新建 1 个商机，更新 0 个，0 个没有变化。" in preview
    assert snapshot(demo) == before


def test_an_update_by_deal_id_moves_the_stage_and_records_it(demo, chat, tmp_path):
    header = ["商机编号", "客户名称", "商机名称", "阶段", "下一步", "下一步日期"]
    rows = [[3, "比亚迪股份有限公司", "工厂MES系统", "意向客户", "商务谈判", "2026-11-25"],
            [6, "比亚迪股份有限公司", "办公终端采购", None, None, None],
            [99, "华为技术有限公司", "x", None, None, None]]
    manager = chat("张强")
    preview = manager.say(f"/import {write(tmp_path, 'ids.csv', csv_text(rows, header).encode())}")
    assert "将新建 0 个商机，更新 1 个，0 个没有变化。" in preview
    assert "第 3 行：商机 #6 的客户是“中国石油（北京）有限公司”，和这一行的客户不一致" in preview
    assert "第 4 行：团队里没有编号为 99 的商机" in preview
    manager.press("确认导入")
    with demo() as uow:
        deal = uow.deals.get(3)
        assert (deal.stage_key, deal.next_step, deal.next_due) == ("intent", "商务谈判", date(2026, 11, 25))
        assert [(c.kind, c.from_stage, c.to_stage, c.note) for c in uow.deals.changes(3)][-1] == (
            "advance", "shortlisted", "intent", "import")


def corrupt_xlsx() -> bytes:
    return zh_workbook()[:4000]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("加密.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "“加密.xlsx”设了打开密码，我读不了。"),
    ("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "“旧表.xls”是旧的 .xls（或 WPS 的 .et）格式"),
    ("坏了.xlsx", corrupt_xlsx(), "“坏了.xlsx”打不开，文件可能已损坏或者不完整。"),
    ("假的.xlsx", b"%PDF-1.7 not a workbook", "“假的.xlsx”不是表格文件。"),
    ("图片.csv", bytes(range(256)) * 40, "“图片.csv”不是表格文件。"),
    ("空的.csv", b"", "“空的.csv”是空文件"),
    ("只有表头.csv", "客户名称,商机名称,金额\r\n".encode(), "“只有表头.csv”只有表头，没有数据行。"),
    ("没表头.csv", b"a,b,c\r\n1,2,3\r\n", "在“没表头.csv”里没找到表头。"),
    ("报告.pdf", b"%PDF-1.7", "收到文件“报告.pdf”，不过我只读得了表格（.xlsx、.csv），用来导入商机。"),
])
def test_a_bad_file_gets_a_clear_message_and_nothing_is_written(demo, chat, tmp_path, name, data, message):
    before = snapshot(demo)
    answer = chat("张强").say(f"/import {write(tmp_path, name, data)}")
    assert answer.startswith(message), answer
    assert "确认导入" not in answer
    assert snapshot(demo) == before


def test_a_file_over_the_size_limit_is_refused(demo, chat, tmp_path):
    path = write(tmp_path, "大表.csv", b"a" * (20 * 1024 * 1024 + 1))
    assert chat("张强").say(f"/import {path}") == "文件“大表.csv”太大了（最多 20 MB），我收不下。可以分成几个文件再发。"


def test_more_than_100000_rows_is_refused_whole(demo, chat, tmp_path):
    lines = ["客户名称,商机名称,金额,预计成交日期"] + [f"客户{i},项目,10万,2027-03-31" for i in range(100_001)]
    before = snapshot(demo)
    answer = chat("张强").say(f"/import {write(tmp_path, 'big.csv', chr(10).join(lines).encode())}")
    assert answer == "表里的行数超过了 100000 行，一次导不了这么多。请分成几个文件导入。"
    assert snapshot(demo) == before


def test_import_alone_says_how_and_a_missing_path_is_named(demo, chat, tmp_path):
    manager = chat("张强")
    assert "把 .xlsx 或 .csv 表格作为文件发给我（在终端里输入 /import 文件路径）" in manager.say("/import")
    assert manager.say(f"/import {tmp_path / 'nope.xlsx'}") == f"找不到文件“{tmp_path / 'nope.xlsx'}”。"
