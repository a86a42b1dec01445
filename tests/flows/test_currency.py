"""A team's reporting currency, the manager's rates, and deals in other currencies, through the
terminal chat: an amount in another currency is converted (both shown) or asked again, so no
deal silently leaves the funnel; a deal's customer and currency can be corrected."""
from datetime import UTC, date, datetime
from decimal import Decimal

from assistant.method.model import Deal


def deal(make_uow, deal_id):
    with make_uow() as uow:
        return uow.deals.get(deal_id)


def team(make_uow):
    with make_uow() as uow:
        return uow.teams.by_name("华东大区销售部")


def add_usd_deal(make_uow) -> int:
    """A deal stored in USD before any rate was set (an import, or an older version)."""
    with make_uow() as uow:
        owner = next(u for u in uow.users.members(team(make_uow).id) if u.name == "王伟")
        customer = uow.customers.add(owner.team_id, owner.id, "Acme Inc", "acme inc", datetime(2026, 11, 1, tzinfo=UTC))
        added = uow.deals.add(Deal(0, owner.team_id, owner.id, customer.id, customer.name, "Cloud move",
                                   Decimal(50000), "USD", date(2026, 12, 20), "target",
                                   created_at=datetime(2026, 11, 1, tzinfo=UTC),
                                   last_activity_at=datetime(2026, 11, 1, tzinfo=UTC)))
        uow.commit()
        return added.id


def test_a_dollar_amount_without_a_rate_is_asked_again_in_yuan(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/new 苹果 门店网络 $5万 下月底")
    assert "团队按人民币统计，还没有美元汇率，这个金额进不了漏斗" in reply
    assert "请输入人民币金额" in reply and "请经理设置美元汇率" in reply
    assert "商机已创建" not in reply
    with demo() as uow:
        assert not [d for d in uow.deals.find(team(demo).id) if d.title == "门店网络"]
    created = rep.say("35万")
    assert "✅ 商机已创建" in created and "金额 ¥35万，目标客户" in created
    with demo() as uow:
        stored = next(d for d in uow.deals.find(team(demo).id) if d.title == "门店网络")
        assert (stored.amount, stored.currency) == (Decimal(350000), "CNY")


def test_a_manager_sets_a_rate_and_a_dollar_deal_counts_shown_as_both(demo, chat):
    boss, rep = chat("张强"), chat("王伟")
    assert "还没有设置汇率" in boss.say("/currency")
    assert "好的：1 USD = 7.1 CNY。" in boss.say("/currency USD 7.1")
    assert "1 USD = 7.1 CNY" in boss.say("/currency")
    before = rep.say("/funnel")
    reply = rep.say("/new 苹果 门店网络 $5万 下月底")
    assert "按 1 USD = 7.1 CNY 折算：US$5万 ≈ ¥35.5万，计入漏斗。" in reply
    assert "金额 US$5万（≈ ¥35.5万），目标客户（10%）" in reply
    after = rep.say("/funnel")
    assert "合计：5 个，¥576万" in before and "合计：6 个，¥611.5万" in after
    assert "未计入" not in after
    with demo() as uow:
        stored = next(d for d in uow.deals.find(team(demo).id) if d.title == "门店网络")
        assert (stored.amount, stored.currency) == (Decimal(50000), "USD"), "the deal keeps its own currency"


def test_a_deal_without_a_rate_is_named_in_the_totals_until_the_manager_sets_one(demo, chat):
    add_usd_deal(demo)
    rep, boss = chat("王伟"), chat("张强")
    funnel = rep.say("/funnel")
    assert "合计：5 个，¥576万" in funnel
    assert "另有 1 个 USD 商机还没有汇率，未计入；经理用 /currency USD 汇率 设置后即计入" in funnel
    assert "另有 1 个 USD 商机还没有汇率" in rep.say("/forecast")
    assert "1 个 USD 商机现在按这个汇率计入漏斗和预测" in boss.say("/currency usd 7")
    funnel = rep.say("/funnel")
    assert "合计：6 个，¥611万" in funnel and "未计入" not in funnel
    assert "下月（2026-12）：¥96.25万，4 个商机" in rep.say("/forecast")


def test_rates_are_checked_and_only_managers_set_them(demo, chat):
    boss = chat("张强")
    assert "汇率“七块一”不对" in boss.say("/currency USD 七块一")
    assert "汇率“0”不对" in boss.say("/currency USD 0")
    assert "看不懂币种“JPY 20”" in boss.say("/currency JPY 20")
    assert "CNY 就是团队的统计币种，不需要汇率" in boss.say("/currency 人民币 1")
    assert "抱歉，你的角色不能做这个操作。" in chat("王伟").say("/currency USD 9")
    assert "还没有设置汇率" in boss.say("/currency")


def test_the_reporting_currency_changes_once_its_rate_is_known_and_targets_follow(demo, chat):
    boss = chat("张强")
    boss.say("/target")
    boss.press("整个团队")
    boss.say("2026-12")
    boss.say("710万")
    assert "先设置 USD 的汇率" in boss.say("/currency USD")
    assert team(demo).currency == "CNY"
    boss.say("/currency USD 7.1")
    boss.say("/currency EUR 7.8")
    changed = boss.say("/currency 美元")
    assert "统计币种已从 CNY 改为 USD。1 个团队目标已按汇率换算成 USD。" in changed
    assert "· 1 CNY = 0.140845 USD" in changed and "· 1 EUR = 1.098592 USD" in changed
    assert team(demo).currency == "USD"
    with demo() as uow:
        assert uow.targets.get(team(demo).id, None, "2026-12") == Decimal(1000000)
    team_view = boss.say("/team")
    assert "US$" in team_view and "未计入" not in team_view
    rep = chat("王伟")
    assert "金额 ¥120万（≈ US$16.9万）" in rep.say("/deal 1")
    rep.say("/new Acme 云迁移 50k 下月底")
    with demo() as uow:
        stored = next(d for d in uow.deals.find(team(demo).id) if d.title == "云迁移")
        assert (stored.amount, stored.currency) == (Decimal(50000), "USD"), "a bare amount is in the team's currency"


def test_a_deals_currency_is_corrected_only_to_one_that_counts(demo, chat):
    rep = chat("王伟")
    rep.say("/edit 2")
    prompt = rep.press("币种")
    assert "新的币种？" in prompt and "USD" not in prompt, "no rate: USD is not offered"
    refused = rep.say("USD")
    assert "还没有美元汇率" in refused and deal(demo, 2).currency == "CNY"
    rep.say("/cancel")
    chat("张强").say("/currency USD 7.1")
    rep.say("/edit 2")
    rep.press("币种")
    saved = rep.press("USD")
    assert "✅ 已修改" in saved and "金额 US$35万（≈ ¥248.5万）" in saved
    assert (deal(demo, 2).amount, deal(demo, 2).currency) == (Decimal(350000), "USD")


def test_a_deals_customer_is_corrected_close_names_asked(demo, chat):
    rep = chat("王伟")
    rep.say("/edit 2")
    assert "新的客户？" in rep.press("客户")
    asked = rep.say("比亚迪")
    assert "已有相近的客户，“比亚迪”是下面哪一个？" in asked
    saved = rep.press("就是 比亚迪股份有限公司")
    assert "#2 比亚迪股份有限公司 · 办公网络改造" in saved
    assert deal(demo, 2).customer_id == deal(demo, 3).customer_id
    rep.say("/edit 2")
    rep.press("客户")
    rep.say("小米通讯技术有限公司")
    assert deal(demo, 2).customer_name == "小米通讯技术有限公司"


def test_in_english_a_euro_amount_is_converted_or_asked(demo, chat):
    boss, rep = chat("张强"), chat("王伟")
    rep.say("/lang en")
    boss.say("/lang en")
    asked = rep.say("/new Siemens, Plant upgrade, €80k, end of next month")
    assert "The team reports in CNY and has no EUR rate yet" in asked and "ask your manager" in asked
    rep.say("/cancel")
    assert "Done: 1 EUR = 7.8 CNY." in boss.say("/currency EUR 7.8")
    created = rep.say("/new Siemens, Plant upgrade, €80k, end of next month")
    assert "At 1 EUR = 7.8 CNY: €80,000 ≈ CN¥624,000, counted in the pipeline." in created
    assert "Amount €80,000 (≈ CN¥624,000)" in created
    assert "Reporting currency: CNY" in boss.say("/currency")


def test_a_new_team_reports_in_the_currency_it_was_created_with(demo, chat):
    admin = chat("陈静")
    assert "邀请码" in admin.say("/newteam 香港销售部 HKD")
    with demo() as uow:
        assert uow.teams.by_name("香港销售部").currency == "HKD"
    admin.say("/newteam 华南 销售部")
    with demo() as uow:
        assert uow.teams.by_name("华南 销售部").currency == "CNY", "a last word that is no currency stays in the name"
