"""Spreadsheets as teams really keep them, built by the tests: a title row, a header over two
rows with merged cells, empty rows and columns, formulas with the value Excel saved for them,
CSV in the encodings Chinese Excel and WPS save."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date

from openpyxl import Workbook

ZH_HEADER = ["客户名称", "项目名称", "预计金额（万元）", "阶段", "预计成交日期", "负责人", "下一步", "备注"]
# customer, deal, amount in 万, stage, close date, rep, next step, note
ZH_ROWS = [
    ["华为技术有限公司", "数据中心扩容", 120, "目标客户", date(2026, 12, 28), "王伟", None, "老客户"],  # demo deal #1
    ["华为技术有限公司", "云桌面", 60, "50%", date(2027, 1, 15), "王伟", "演示方案", None],  # new deal, known customer
    ["吉利汽车", "车联网平台", 300, "有效客户", "2027-03-31", "李娜", "拜访CIO", None],  # new customer
    ["格力电器", "智慧园区", "约50万?", "目标客户", "2027-02-28", "王伟", None, None],  # unreadable amount
    ["宁德时代", "储能项目", 80, "有效客户", "2027-02-28", "王伟", None, None],  # close to 宁德时代新能源…
    ["长安汽车", "试点", 40, "谈判中", "2027-02-28", "王伟", None, None],  # unknown stage
    ["长城汽车", "试点", 40, "目标客户", "2027-02-28", "赵六", None, None],  # unknown rep
    ["蔚来汽车", "试点", 40, "目标客户", "明年13月", "李娜", None, None],  # unreadable date
]


def zh_workbook() -> bytes:
    """Title row merged across; header on rows 2–3 (客户名称 and 阶段 merged down, 商机信息 over two
    sub-headers); an empty row and an empty column inside the table; the amount of row 2 a formula."""
    book = Workbook()
    sheet = book.active
    sheet.title = "华东商机"
    sheet.append(["2026 年华东区商机汇总（截至 11 月）"])
    sheet.merge_cells("A1:J1")
    sheet.append([])
    top = ["客户名称", "商机信息", None, None, "阶段", None, None, None, None]
    sheet.append(top)
    sub = [None, "项目名称", "预计金额（万元）", None, None, "预计成交日期", "负责人", "下一步", "备注"]
    sheet.append(sub)
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("B3:C3")
    sheet.merge_cells("E3:E4")
    for index, row in enumerate(ZH_ROWS):
        customer, title, amount, stage, close, rep, next_step, note = row
        sheet.append([customer, title, amount, None, stage, close, rep, next_step, note])  # column D stays empty
        if index == 3:
            sheet.append([])
    sheet["C6"] = "=30*2"  # 60 (万): the second row's amount as a formula
    return with_cached_value(save(book), "C6", "60")


def save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_cached_value(data: bytes, ref: str, value: str) -> bytes:
    """The file as Excel saves it: a formula cell carries its last computed value (openpyxl
    writes formulas without one)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rf'(<c r="{ref}"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?'.encode(),
                                 lambda found: found.group(1) + b"<f>" + found.group(2) + b"</f><v>" + value.encode()
                                 + b"</v>", content)
            target.writestr(item, content)
    return out.getvalue()


def csv_text(rows: list[list[object]], header: list[str]) -> str:
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join("" if cell is None else (cell.isoformat() if isinstance(cell, date) else str(cell))
                              for cell in row))
    return "\r\n".join(lines) + "\r\n"


EN_HEADER = ["Customer", "Deal name", "Amount", "Stage", "Close date", "Owner", "Next step"]
EN_ROWS = [
    ["Acme Robotics", "Warehouse automation", "$250k", "Qualified", "2027-02-28", "Wang Wei", "Send the quote"],
    ["Globex", "CRM rollout", "1,200,000", "Target", "2027-03-31", "Wang Wei", None],
    ["Initech", "Printers", "120", "Target", "2027-03-31", "Wang Wei", None],  # too small: 120 or 120k?
]


def en_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Pipeline"
    sheet.append(EN_HEADER)
    for row in EN_ROWS:
        sheet.append(row)
    return save(book)
