"""New deal through the terminal chat: one-liner, guided, customer matching, bad input."""
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from storage.models import CustomerRow, DealRow, StageChangeRow


def deals_of(make_uow, owner_name):
    with make_uow() as uow:
        owner = uow.users.by_name(owner_name)
        return uow.deals.find(owner.team_id, owner_id=owner.id)


def count(make_uow, row):
    with make_uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(row))


def test_one_line_deal_asks_which_customer_then_saves(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/new 华为 数据中心扩容 120万 下月底")
    assert "华为技术有限公司" in reply and "[1]" in reply and "新客户：华为" in reply
    assert count(demo, DealRow) == 8
    reply = rep.say("1")
    assert "商机已创建" in reply and "¥120万" in reply and "2026年12月31日" in reply
    created = deals_of(demo, "王伟")[-1]
    assert (created.customer_name, created.title, created.amount, created.currency) == (
        "华为技术有限公司", "数据中心扩容", Decimal("1200000"), "CNY")
    assert created.close_date == date(2026, 12, 31) and created.stage_key == "target"
    with demo() as uow:
        changes = uow.deals.changes(created.id)
    assert [(c.kind, c.to_stage, c.checklist_complete) for c in changes] == [("created", "target", False)]


def test_exact_customer_after_normalisation_is_reused_not_duplicated(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/new 华为技术有限公司  机房搬迁 30万 月底")
    assert "商机已创建" in reply
    assert count(demo, CustomerRow) == 8
    reply = rep.say("/new 中国石油(北京)有限公司 加油站终端 八千 12月1号")
    assert "商机已创建" in reply and "中国石油（北京）有限公司" in reply and "¥8,000" in reply
    assert count(demo, CustomerRow) == 8


def test_new_customer_is_created_once_with_the_deal(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/new ＡＢＣ科技有限公司 系统集成 3万5 下周二")
    assert "新客户" in reply and "商机已创建" in reply
    rep.say("/new ABC科技有限公司 二期 12k 明年3月")
    with demo() as uow:
        names = [c.name for c in uow.customers.of_team(1)]
    assert names.count("ＡＢＣ科技有限公司") == 1 and "ABC科技有限公司" not in names
    deals = deals_of(demo, "王伟")
    assert deals[-1].close_date == date(2027, 3, 31) and deals[-1].amount == Decimal("12000")
    assert deals[-2].close_date == date(2026, 11, 24) and deals[-2].amount == Decimal("35000")


def test_guided_deal_with_checklist_and_man_class(demo, chat):
    rep = chat("王伟")
    assert "客户叫什么" in rep.say("/new")
    assert "商机名称" in rep.say("顺丰速运有限公司")
    assert "预计金额" in rep.say("冷链监控")
    assert "没看懂金额" in rep.say("很多钱")
    assert "什么时候成交" in rep.say("1.2m")
    reply = rep.say("2026-12-20")
    assert "哪个阶段" in reply and "有效客户（25%）" in reply
    reply = rep.say("2")
    assert "直接建在“有效客户”" in reply and "【目标客户】清楚客户要解决哪些问题" in reply and "⬜" in reply
    assert reply.count("⬜") == 8, "the skipped first stage's five points and the stage's own three"
    rep.say("1")
    reply = rep.say("2")
    assert reply.count("✅") == 2
    assert "还有 6 项没有勾选" in rep.say("9")
    for number in range(3, 8):
        rep.say(str(number))
    assert rep.say("8").count("✅") == 8
    assert "来源" in rep.say("9")
    assert "MAN" in rep.say("2")
    rep.say("1")
    rep.say("2")
    rep.say("3")
    rep.say("4")
    assert "下一步做什么" in rep.say("5")
    assert "什么时候完成" in rep.say("约IT总监交流方案")
    reply = rep.say("下周一")
    assert "商机已创建" in reply and "3S 奖金型" in reply and "2026年11月23日" in reply
    deal = deals_of(demo, "王伟")[-1]
    assert deal.stage_key == "qualified" and deal.lead_source == "referral"
    assert (deal.need, deal.money, deal.authority, deal.urgent) == (True, True, True, True)
    assert deal.next_step == "约IT总监交流方案" and deal.next_due == date(2026, 11, 23)
    with demo() as uow:
        change = uow.deals.changes(deal.id)[0]
    assert change.checklist_complete and len(change.ticked) == 8 and not change.unticked
    assert len(deal.checked) == 3 and all(":" not in key for key in deal.checked)


def test_bad_inputs_are_reasked_and_nothing_is_written(demo, chat):
    rep = chat("王伟")
    rep.say("/new")
    assert "不能为空" in rep.say("")
    assert "太长了（5000 字）" in rep.say("长" * 5000)
    assert "商机名称" in rep.say("<b>x</b> & Co'; DROP TABLE deals;--")
    assert "预计金额" in rep.say("🚀🚀 火箭项目")
    assert "金额要大于 0" in rep.say("-5万")
    assert "超过 100亿" in rep.say("9999999999999")
    assert "什么时候成交" in rep.say("120万")
    assert "超过 5 年" in rep.say("2031-12-01")
    reply = rep.say("昨天")
    assert "已经过去了" in reply and "就用 2026年11月17日" in reply
    assert "哪个阶段" in rep.say("下月底")
    assert "请从下面选一个" in rep.say("不存在的阶段")
    assert count(demo, DealRow) == 8
    assert "已取消" in rep.say("/cancel")
    assert count(demo, DealRow) == 8 and count(demo, CustomerRow) == 8


def test_markup_and_sql_are_stored_literally(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/new <b>x</b>&amp; 🚀'; DROP TABLE deals;-- 5万 月底")
    assert "<b>x</b>&amp;" in reply and "🚀'; DROP TABLE deals;--" in reply
    created = deals_of(demo, "王伟")[-1]
    assert created.customer_name == "<b>x</b>&amp;" and created.title == "🚀'; DROP TABLE deals;--"


def test_keeping_a_past_close_date_is_allowed(demo, chat):
    rep = chat("王伟")
    rep.say("/new 华为技术有限公司 旧项目 10万 昨天")
    assert "已经过去了" in rep.last
    assert "商机已创建" in rep.press("就用")
    assert deals_of(demo, "王伟")[-1].close_date == date(2026, 11, 17)


def test_restart_in_the_middle_of_a_flow_loses_nothing(demo, chat, engine, clock):
    from handlers.console import ConsoleChat
    from storage.db import session_factory
    from storage.uow import SqlUnitOfWork
    from tests.conftest import Chat

    rep = chat("王伟")
    rep.say("/new")
    rep.say("美的集团股份有限公司")
    rep.say("空调产线改造")
    fresh_sessions = session_factory(engine)
    restarted = Chat(ConsoleChat(lambda: SqlUnitOfWork(fresh_sessions), clock, "王伟"))
    assert "什么时候成交" in restarted.say("88万")
    reply = restarted.say("年底")
    assert "哪个阶段" in reply
    restarted.say("1")
    restarted.press("跳过")
    restarted.press("确认")
    reply = restarted.press("跳过")
    assert "商机已创建" in reply and "空调产线改造" in reply and "¥88万" in reply
    created = deals_of(demo, "王伟")[-1]
    assert created.close_date == date(2026, 12, 31) and created.amount == Decimal("880000")


def test_a_crash_while_saving_leaves_no_half_written_deal(demo, chat, monkeypatch):
    from storage.repositories import Deals

    def broken(self, change):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Deals, "add_change", broken)
    reply = chat("王伟").say("/new 华为技术有限公司 新项目 10万 月底")
    assert "出了点问题" in reply
    assert count(demo, DealRow) == 8 and count(demo, StageChangeRow) > 0
    with demo() as uow:
        assert all(d.title != "新项目" for d in uow.deals.find(1))


def test_english_one_liners(demo, chat):
    rep = chat("王伟", "en")
    rep.say("/lang en")
    rep.say("/new 华为 DC expansion 1.2m end of next month")
    rep.press("华为技术有限公司")
    created = deals_of(demo, "王伟")[-1]
    assert (created.title, created.amount, created.close_date) == (
        "DC expansion", Decimal("1200000"), date(2026, 12, 31))
    asked = rep.say("/visit BYD next Tue send quote")  # an abbreviation: asked, never taken on a guess
    assert "“BYD” may be this deal. Is it?" in asked and "#3 比亚迪股份有限公司 · 工厂MES系统" in asked
    with demo() as uow:
        assert uow.deals.visits(3) == []
    rep.say("/cancel")
    rep.say("/visit 比亚迪 next Tue send quote")
    rep.press("send quote")
    with demo() as uow:
        byd = uow.deals.get(3)
    assert byd.next_step == "send quote" and byd.next_due == date(2026, 11, 24)
