"""The one-line reader on its own, and the command words that start a line."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.chat.commands import parse_command
from assistant.method.one_line import DealLine, read_deal_line, read_visit_line

TODAY = date(2026, 11, 18)
KNOWN = ["华为技术有限公司", "Acme Corp", "Big Blue Systems"]

LINES = [
    ("华为 数据中心扩容 120 万 下月底", DealLine("华为", "数据中心扩容", "120 万", "下月底")),
    ("华为 扩容 120 CNY 下月底", DealLine("华为", "扩容", "120 CNY", "下月底")),
    ("Big Blue Systems DC expansion 1.2m early next month",
     DealLine("Big Blue Systems", "DC expansion", "1.2m", "early next month")),
    ("Beta Ltd: ERP rollout: 50k: Q3", DealLine("Beta Ltd", "ERP rollout", "50k", "Q3")),
    ("格力，智慧园区，200万，明年3月", DealLine("格力", "智慧园区", "200万", "明年3月")),
    ("华为 扩容 3.8 120万", DealLine("华为", "扩容", "120万", "3.8")),
    ("华为 扩容 3.8", DealLine("华为", "扩容", None, None)),  # ¥3.80 or 8 March: both asked
    ("华为 扩容 1.5 下月底", DealLine("华为", "扩容", "1.5", "下月底")),
    ("华为 扩容 30000 Dec 15", DealLine("华为", "扩容", "30000", "Dec 15")),
    ("华为 5G扩容 120万 下月底", DealLine("华为", "5G扩容", "120万", "下月底")),
    ("华为 扩容 120万 下月底 左右", DealLine("华为", "扩容", "120万", "下月底 左右")),
    ("华为 扩容 -5万 2031-12-01", DealLine("华为", "扩容", "-5万", "2031-12-01")),
    ("Acme Widgets DC expansion 1.2m", DealLine(None, "", "1.2m", None, (
        ("Acme", "Widgets DC expansion"), ("Acme Widgets", "DC expansion"), ("Acme Widgets DC", "expansion")))),
]


@pytest.mark.parametrize(("line", "expected"), LINES, ids=[line for line, _ in LINES])
def test_read_deal_line(line, expected):
    assert read_deal_line(line, TODAY, KNOWN) == expected


def test_read_visit_line_matches_a_known_name_of_several_words():
    line = read_visit_line("Big Blue Systems next Tue at 3pm send quote", TODAY, KNOWN)
    assert (line.customer, line.when, line.rest) == ("Big Blue Systems", "next Tue at 3pm", "send quote")


@given(st.sampled_from(["数据中心扩容", "DC expansion", "二期", "ERP rollout phase 2"]),
       st.sampled_from(["120万", "120 万", "3个亿", "$50k", "USD 50 k", "1.2 million", "八千"]),
       st.sampled_from(["下月底", "end of next month", "3月中旬", "Q3", "中秋前", "early next month", "25号"]),
       st.booleans())
def test_any_order_of_amount_and_date_reads_back(title, amount, when, swap):
    tail = f"{when} {amount}" if swap else f"{amount} {when}"
    line = read_deal_line(f"华为技术有限公司 {title} {tail}", TODAY, KNOWN)
    assert line == DealLine("华为技术有限公司", title, amount, when)


@given(st.text(max_size=60))
def test_the_reader_never_raises_and_never_loses_a_word(text):
    line = read_deal_line(text, TODAY, KNOWN)
    kept = " ".join(filter(None, [line.customer, line.title, line.amount, line.close_date]))
    if not line.splits and line.amount is not None and line.close_date is not None:
        assert sorted(kept.split()) == sorted(text.replace("，", " ").replace("、", " ").replace("：", " ").split()) \
            or any(ch in text for ch in ":\n")


COMMANDS = [("拜访华为 明天 提交方案", ("visit", "华为 明天 提交方案")), ("新商机华为 扩容", ("new", "华为 扩容")),
            ("new deal Acme Corp ERP 50k Q3", ("new", "Acme Corp ERP 50k Q3")), ("new Acme", ("new", "Acme")),
            ("拜访 华为", ("visit", "华为")), ("商机详情", ("deal", "")), ("目标客户有哪些", None),
            ("拜访过了吗", None)]


@pytest.mark.parametrize(("text", "expected"), COMMANDS, ids=[text for text, _ in COMMANDS])
def test_command_words(text, expected):
    assert parse_command(text, "zh", in_flow=False) == expected


def test_command_words_wait_while_a_flow_asks():
    assert parse_command("拜访华为", "zh", in_flow=True) is None
