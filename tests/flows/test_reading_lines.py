"""One-line commands read as a whole, through the terminal chat: each defect of the issue
"read what reps type, or ask" as a rep meets it, and the phrase corpus inside a one-liner."""
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.models import CustomerRow, DealRow

PHRASES = Path(__file__).resolve().parent.parent / "data" / "phrases.tsv"


def last_deal(make_uow, owner="王伟"):
    with make_uow() as uow:
        user = uow.users.by_name(owner)
        return uow.deals.find(user.team_id, owner_id=user.id)[-1]


def rated(make_uow):
    """The demo team with rates for the other currencies (their deals count in its funnel):
    these tests are about reading, the rates' own tests are in test_currency."""
    with make_uow() as uow:
        team = uow.teams.by_name("华东大区销售部")
        uow.teams.set_settings(team.id, team.settings | {"rates": {"USD": "7.1", "EUR": "7.8", "HKD": "0.91"}})
        uow.commit()
    return make_uow


def count(make_uow, row):
    with make_uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(row))


def test_an_amount_split_by_a_space_is_one_amount(demo, chat):
    rep = chat("王伟")
    rep.say("/new 华为 数据中心扩容 120 万 下月底")
    assert "商机已创建" in rep.press("就是 华为技术有限公司") and "¥120万" in rep.last
    deal = last_deal(demo)
    assert (deal.title, deal.amount, deal.close_date) == ("数据中心扩容", Decimal(1200000), date(2026, 12, 31))


@pytest.mark.parametrize(("line", "amount", "currency", "close"), [
    ("扩容 USD 50k 下月底", "50000", "USD", "2026-12-31"),
    ("扩容 50 k USD 下月底", "50000", "USD", "2026-12-31"),
    ("扩容 3 个亿 本季度末", "300000000", "CNY", "2026-12-31"),
    ("扩容 120万元整 下月初", "1200000", "CNY", "2026-12-10"),
    ("扩容 1.2 million mid next month", "1200000", "CNY", "2026-12-15"),
    ("扩容 80万 下个月中旬", "800000", "CNY", "2026-12-20"),
    ("扩容 80万 明天下午3点", "800000", "CNY", "2026-11-19"),
    ("扩容 80万 3天内", "800000", "CNY", "2026-11-21"),
    ("扩容 80万 元旦前", "800000", "CNY", "2026-12-31"),
    ("扩容 80万 25号", "800000", "CNY", "2026-11-25"),
    ("扩容 80万 end of this week", "800000", "CNY", "2026-11-20"),
    ("扩容 80万 the 3rd", "800000", "CNY", "2026-12-03"),
    ("扩容 80万 20261231", "800000", "CNY", "2026-12-31"),
    ("扩容 80万 11-25", "800000", "CNY", "2026-11-25"),
])
def test_magnitudes_currencies_and_dates_of_several_words(demo, chat, line, amount, currency, close):
    rated(demo)
    reply = chat("王伟").say(f"/new 华为技术有限公司 {line}")
    assert "商机已创建" in reply
    deal = last_deal(demo)
    assert (deal.title, deal.amount, deal.currency, deal.close_date) == (
        "扩容", Decimal(amount), currency, date.fromisoformat(close))


def test_early_mid_end_in_english_are_read_not_put_in_the_title(demo, chat):
    rep = chat("王伟", "en")
    rep.say("/lang en")
    assert "Deal created" in rep.say("/new 华为技术有限公司 DC expansion 1.2m early next month")
    deal = last_deal(demo)
    assert (deal.title, deal.close_date) == ("DC expansion", date(2026, 12, 10))


def test_a_word_next_to_a_date_that_it_cannot_place_is_asked_back(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/new 华为技术有限公司 扩容 120万 下月底 左右")
    assert "没看懂日期“下月底 左右”" in reply and "什么时候成交" in reply
    assert "商机已创建" in rep.say("下月底")
    assert last_deal(demo).title == "扩容"


def test_a_number_that_is_a_date_or_an_amount_is_not_guessed(demo, chat):
    rep = chat("王伟")
    assert "预计金额" in rep.say("/new 华为技术有限公司 扩容 3.8")
    rep.say("3.8万")
    assert "什么时候成交" in rep.last
    reply = rep.say("3.8")
    assert "今年已经过了，按明年的 2027年3月8日" in reply and "商机已创建" in reply
    deal = last_deal(demo)
    assert (deal.title, deal.amount, deal.close_date) == ("扩容", Decimal(38000), date(2027, 3, 8))


def test_new_deal_typed_as_words_names_the_customer(demo, chat):
    rep = chat("王伟", "en")
    rep.say("/lang en")
    assert "Deal created" in rep.say("new deal Acme Corp ERP rollout 50k Q3")
    deal = last_deal(demo)
    assert (deal.customer_name, deal.title, deal.close_date) == ("Acme Corp", "ERP rollout", date(2027, 9, 30))
    assert "next year" in rep.last


def test_a_latin_name_of_several_words_is_asked_then_known(demo, chat):
    rep = chat("王伟", "en")
    rep.say("/lang en")
    reply = rep.say("/new Acme Widgets DC expansion 1.2m end of next month")
    assert "where does the customer's name end" in reply and count(demo, DealRow) == 8
    assert "Customer: Acme Widgets (new) · deal: DC expansion" in reply
    assert "Deal created" in rep.press("Customer: Acme Widgets (new)")
    deal = last_deal(demo)
    assert (deal.customer_name, deal.title, deal.amount) == ("Acme Widgets", "DC expansion", Decimal(1200000))
    assert "Deal created" in rep.say("/new Acme Widgets phase two 20k next month")
    assert (last_deal(demo).customer_name, last_deal(demo).title) == ("Acme Widgets", "phase two")


def test_commas_and_colons_separate_fields(demo, chat):
    rep = chat("王伟")
    assert "商机已创建" in rep.say("/new 格力，智慧园区，200万，明年3月")
    deal = last_deal(demo)
    assert (deal.customer_name, deal.title, deal.amount, deal.close_date) == (
        "格力", "智慧园区", Decimal(2000000), date(2027, 3, 31))
    assert "商机已创建" in rep.say("/new 海尔：空调产线：50万：下月底")
    assert (last_deal(demo).customer_name, last_deal(demo).title) == ("海尔", "空调产线")


def test_chinese_command_words_without_a_space(demo, chat):
    rep = chat("王伟")
    assert "拜访" in rep.say("拜访比亚迪 下周二 发报价")
    rep.press("发报价")  # the next step, worded as the line had it
    with demo() as uow:
        byd = uow.deals.get(3)
    assert byd.next_step == "发报价" and byd.next_due == date(2026, 11, 24)
    assert "商机已创建" in rep.say("新商机华为技术有限公司 机房 30万 月底")
    assert last_deal(demo).title == "机房"


def test_a_small_amount_on_a_new_deal_is_confirmed(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/new 华为技术有限公司 扩容 120 下月底")
    assert "不到一千" in reply and count(demo, DealRow) == 8
    assert "商机已创建" in rep.press("就是 ¥120万")
    assert last_deal(demo).amount == Decimal(1200000)
    rep.say("/new 华为技术有限公司 小单 800 月底")
    assert "商机已创建" in rep.press("就是 ¥800")
    assert last_deal(demo).amount == Decimal(800)


def test_traditional_characters_are_the_same_customer(demo, chat):
    rep = chat("王伟")
    rep.say("/new 腾讯 云服务 50万 月底")
    customers = count(demo, CustomerRow)
    assert "商机已创建" in rep.say("/new 騰訊 二期 60万 月底")
    assert count(demo, CustomerRow) == customers and last_deal(demo).customer_name == "腾讯"


def test_an_everyday_abbreviation_is_asked_never_merged(demo, chat):
    rep = chat("王伟")
    rep.say("/new 中国建设银行股份有限公司 网点改造 80万 月底")
    reply = rep.say("/new 建行 二期 60万 月底")
    assert "已有相近的客户" in reply and "就是 中国建设银行股份有限公司" in reply and "新客户：建行" in reply


def test_a_branch_without_a_separator_is_its_own_customer(demo, chat):
    rep = chat("王伟")
    rep.say("/new 招商银行股份有限公司 总行项目 80万 月底")
    reply = rep.say("/new 招商银行深圳分行 分行项目 20万 月底")
    assert "已有相近的客户" not in reply and "商机已创建" in reply
    assert last_deal(demo).customer_name == "招商银行深圳分行"


def test_a_customer_is_found_by_the_start_of_its_name_with_a_department(demo, chat):
    rep = chat("王伟")
    rep.say("/new 腾讯科技（深圳）有限公司-采购部 集采 50万 月底")
    reply = rep.say("/contact 腾讯")
    assert "腾讯科技（深圳）有限公司-采购部" in reply and "没有叫" not in reply


def corpus(kind):
    rows = []
    for line in PHRASES.read_text("utf-8").splitlines():
        fields = line.split("\t")
        if not line.startswith("#") and len(fields) >= 3 and fields[0] == kind:
            rows.append((fields[1], fields[2]))
    return rows


@pytest.mark.parametrize(("raw", "expected"), corpus("date"), ids=[raw for raw, _ in corpus("date")])
def test_corpus_dates_inside_a_one_liner_and_as_an_answer(demo, chat, raw, expected):
    rep = chat("王伟")
    rep.say(f"/new 华为技术有限公司 测试 50万 {raw}")
    if expected == "error":
        assert count(demo, DealRow) == 8 and "什么时候成交" in rep.last
        return
    if "就用" in rep.last:
        rep.press("就用")
    assert "商机已创建" in rep.last and last_deal(demo).title == "测试"
    assert last_deal(demo).close_date == date.fromisoformat(expected)
    rep.say("/new 华为技术有限公司 测试二 50万")
    rep.say(raw)
    if "就用" in rep.last:
        rep.press("就用")
    assert last_deal(demo).close_date == date.fromisoformat(expected)


@pytest.mark.parametrize(("raw", "expected"), corpus("amount"), ids=[raw for raw, _ in corpus("amount")])
def test_corpus_amounts_inside_a_one_liner_and_as_an_answer(demo, chat, raw, expected):
    rated(demo)
    rep = chat("王伟")
    rep.say(f"/new 华为技术有限公司 测试 {raw} 月底")
    if expected == "error":
        assert count(demo, DealRow) == 8 and "预计金额" in rep.last
        return
    value, currency = expected.split()
    assert "商机已创建" in rep.last and last_deal(demo).title == "测试"
    assert (last_deal(demo).amount, last_deal(demo).currency) == (Decimal(value), currency)
    rep.say("/new 华为技术有限公司 测试二 月底")
    rep.say(raw)
    assert (last_deal(demo).amount, last_deal(demo).title) == (Decimal(value), "测试二")
