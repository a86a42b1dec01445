"""`/undo` through the terminal chat: my last change, named and confirmed, reversed within ten
minutes; the record of it stays (undone), and nothing newer is ever overwritten."""
from datetime import timedelta

from sqlalchemy import select

from storage.models import DealEditRow


def deal(make_uow, deal_id):
    with make_uow() as uow:
        return uow.deals.get(deal_id)


def edits(make_uow):
    with make_uow() as uow:
        return [(r.kind, r.deal_id, r.undone_at is not None)
                for r in uow.session.scalars(select(DealEditRow).order_by(DealEditRow.id))]


def test_an_advance_is_undone_after_a_confirm_naming_it(demo, chat):
    rep = chat("王伟")
    rep.say("/advance 2")
    rep.press("仍然推进")
    assert deal(demo, 2).stage_key != "qualified"
    asked = rep.say("/undo")
    assert "撤销 1 分钟前的推进（有效客户 → 入围客户）：#2 北京小米科技有限责任公司 · 办公网络改造？" in asked
    assert deal(demo, 2).stage_key == "shortlisted", "nothing changes before the confirm"
    done = rep.press("确认撤销")
    assert "↩️ 已撤销" in done and "有效客户（25%）" in done
    assert deal(demo, 2).stage_key == "qualified"
    with demo() as uow:
        assert [c.kind for c in uow.deals.changes(2)] == ["created", "advance"], "the slip leaves no stage change"
    assert edits(demo) == [("advance", 2, True)]
    assert "没有可以撤销的操作" in rep.say("/undo")


def test_a_lost_deal_comes_back_open_with_its_report_cleared(demo, chat):
    rep = chat("王伟")
    rep.say("/lost 美的")
    for answer in ("价格高", "预算砍了", "早点确认预算"):
        rep.say(answer)
    rep.press("预算")
    rep.press("确认")
    assert deal(demo, 5).status == "lost"
    assert "撤销 1 分钟前的丢单：#5 美的集团股份有限公司 · 呼叫中心升级？" in rep.say("撤销")
    rep.press("确认撤销")
    restored = deal(demo, 5)
    assert (restored.status, restored.lost_reason_ours, restored.closed_at) == ("open", None, None)
    assert restored.next_due is not None, "the next step's date the loss cleared is back"


def test_a_visit_and_a_new_deal_are_undone_one_after_the_other(demo, chat):
    rep = chat("王伟")
    rep.say("/new 格力，智慧园区，200万，明年3月")
    rep.say("/visit 格力 明天 提交方案")
    new_id = max(d.id for d in [deal(demo, i) for i in range(1, 10)] if d)
    assert "撤销 1 分钟前的拜访记录：" in rep.say("/undo")
    rep.press("确认撤销")
    with demo() as uow:
        assert uow.deals.visits(new_id) == []
    assert deal(demo, new_id).next_step is None
    assert "撤销 1 分钟前的新建商机：" in rep.say("/undo")
    assert f"新建的商机 #{new_id} 格力 · 智慧园区 已删除" in rep.press("确认撤销")
    assert deal(demo, new_id) is None
    assert [kind for kind, _, undone in edits(demo) if undone] == ["created", "visit"]


def test_only_within_ten_minutes_and_only_while_nothing_changed_since(demo, chat, clock):
    rep = chat("王伟")
    rep.say("/edit 2")
    rep.press("金额")
    rep.say("40万")
    clock.at += timedelta(minutes=11)
    assert "只能撤销 10 分钟内的操作" in rep.say("/undo")
    rep.say("/edit 3")
    rep.press("商机名称")
    rep.say("MES 二期")
    rep.say("/undo")
    with demo() as uow:
        uow.deals.save(uow.deals.get(3).__class__(**{**uow.deals.get(3).__dict__, "title": "别人改的"}))
        uow.commit()
    assert "这个商机在那之后又有了变化" in rep.press("确认撤销")
    assert deal(demo, 3).title == "别人改的"


def test_cancel_keeps_the_change_and_in_english(demo, chat):
    rep = chat("王伟")
    rep.say("/lang en")
    rep.say("/next 4")
    rep.say("Send the contract draft")
    rep.say("tomorrow")
    asked = rep.say("/undo")
    assert "Undo the next step of 1 minute ago: #4 宁德时代新能源科技股份有限公司 · 安全监控平台?" in asked
    rep.press("Cancel")
    assert deal(demo, 4).next_step == "Send the contract draft"
    rep.say("undo")
    assert "↩️ Undone" in rep.press("Undo it") and deal(demo, 4).next_step == "商务条款谈判"
