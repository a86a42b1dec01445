"""The free-sentence reader: action, deal, date and amount, from the catalogs' phrase table."""
from datetime import date

import pytest

from assistant.chat.flows.read_sentence import _phrases
from assistant.method.sentences import DealName, read_sentence, short_names

TODAY = date(2026, 11, 18)  # a Wednesday
DEALS = [DealName(1, "华为技术有限公司", "数据中心扩容"), DealName(2, "北京小米科技有限责任公司", "办公网络改造"),
         DealName(3, "比亚迪股份有限公司", "工厂MES系统"),
         DealName(4, "宁德时代新能源科技股份有限公司", "安全监控平台"),
         DealName(5, "美的集团股份有限公司", "呼叫中心升级"), DealName(9, "Acme Inc", "Cloud move"),
         DealName(10, "Globex Corporation", "ERP rollout")]


def read(text):
    return read_sentence(text, TODAY, DEALS, _phrases())


@pytest.mark.parametrize(("text", "action", "deals"), [
    ("刚见完美的的李总，他们下个月招标", "visit", (5,)),
    ("小米那单黄了，对方选了本地厂商", "lost", (2,)),
    ("比亚迪签了！", "won", (3,)),
    ("宁德那边技术通过了，下周进入商务谈判", "advance", (4,)),
    ("和华为王总通了电话", "visit", (1,)),
    ("华为没戏了，预算砍掉了", "lost", (1,)),
    ("美的中标了", "won", (5,)),
    ("小米下一步要看演示", "next_step", (2,)),
    ("去了趟比亚迪，聊了测试方案", "visit", (3,)),
    ("met Acme today, they want a quote by Friday", "visit", (9,)),
    ("had a call with Globex, they need the proposal next Monday", "visit", (10,)),
    ("Acme picked a competitor", "lost", (9,)),
    ("got the PO from Globex", "won", (10,)),
    ("Globex shortlisted us", "advance", (10,)),
    ("next step for Acme: demo on Thursday", "next_step", (9,)),
    ("华为那单还没签", None, (1,)),
    ("Acme didn't sign, they won't decide before March", None, (9,)),
    ("今天天气不错", None, ()),
])
def test_actions_and_deals(text, action, deals):
    reading = read(text)
    assert (reading.action, reading.deals) == (action, deals)


@pytest.mark.parametrize(("text", "when", "amount"), [
    ("刚见完美的的李总，他们下个月招标", date(2026, 12, 31), None),
    ("昨天和华为王总吃了饭，预算大概150万", date(2026, 11, 17), "大概150万"),
    ("下周三去比亚迪做演示，报价280万", date(2026, 11, 25), "280万"),
    ("met Acme today, they want a quote by Friday", date(2026, 11, 20), None),
    ("Acme signed, 80k", None, "80k"),
    ("比亚迪要3个人去现场", None, None),
])
def test_dates_and_amounts(text, when, amount):
    reading = read(text)
    assert (reading.when, reading.amount) == (when, amount)


def test_the_clause_of_the_date_is_the_next_step():
    assert read("met Acme today, they want a quote by Friday").clause == "they want a quote by Friday"


def test_short_names_reps_write():
    assert "美的" in short_names("美的集团股份有限公司")
    assert "小米" in short_names("北京小米科技有限责任公司")
    assert "宁德" in short_names("宁德时代新能源科技股份有限公司")
    assert "acme" in short_names("Acme Inc")


def test_two_deals_of_one_customer_are_both_candidates_unless_the_title_is_named():
    deals = [*DEALS, DealName(11, "美的集团股份有限公司", "智慧工厂")]
    assert read_sentence("美的见了采购", TODAY, deals, _phrases()).deals == (5, 11)
    assert read_sentence("美的智慧工厂见了采购", TODAY, deals, _phrases()).deals == (11,)
