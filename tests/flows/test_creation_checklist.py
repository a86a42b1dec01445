"""A deal created past the first stage is asked the skipped stages' check points; what is left
unticked is recorded and reported like an advance anyway. At the first stage nothing is a
breach: the card offers that stage's points as ticks, stored as they are pressed."""
from assistant.method.funnel_config import preset
from assistant.method.model import DealStatus


def newest_deal(make_uow, owner="王伟"):
    with make_uow() as uow:
        rep = uow.users.by_name(owner)
        deal = uow.deals.find(rep.team_id, owner_id=rep.id, status=DealStatus.OPEN)[-1]
        return deal, uow.deals.changes(deal.id)


def create_at_shortlisted(rep, ticks=2):
    rep.say("/new")
    rep.say("顺丰速运有限公司")
    rep.say("冷链监控")
    rep.say("80万")
    rep.say("2026-12-20")
    reply = rep.press("入围客户")
    assert "直接建在“入围客户”" in reply and "【目标客户】" in reply and "【有效客户】" in reply
    assert reply.count("⬜") == 11
    for number in range(1, ticks + 1):
        rep.say(str(number))
    reply = rep.press("仍然推进")
    for _ in range(3):  # lead source, MAN and next step: skipped or left
        reply = rep.press("跳过") if "跳过" in reply else rep.press("确认")
    return reply


def test_creation_past_the_first_stage_is_reported_like_advance_anyway(demo, chat):
    reply = create_at_shortlisted(chat("王伟"))
    assert "商机已创建（有检查点未确认，已像“仍然推进”一样记录）" in reply
    deal, changes = newest_deal(demo)
    assert deal.stage_key == "shortlisted"
    assert [(c.kind, c.checklist_complete, len(c.ticked), len(c.unticked)) for c in changes] == [
        ("created", False, 2, 9)]
    digest = chat("张强").say("/digest")
    line = next(line for line in digest.splitlines() if "检查点未确认仍推进" in line)
    assert f"#{deal.id} 顺丰速运有限公司·冷链监控" in line and "新建即在入围客户，9 项未确认（王伟）" in line
    manager = chat("张强")
    manager.say("/lang en")
    line = next(line for line in manager.say("/digest").splitlines() if "Check points left unconfirmed" in line)
    assert "created in Shortlisted, 9 unconfirmed (王伟)" in line


def test_creation_at_the_first_stage_offers_ticks_on_the_card_and_is_no_breach(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/new 顺丰速运有限公司 冷链监控 80万 下月底")
    assert "入口检查点（目标客户）：已确认 0/5" in reply and reply.count("⬜") == 5
    reply = rep.press("清楚客户要解决哪些问题")
    assert "已确认 1/5" in reply and "✅ 清楚客户要解决哪些问题" in reply
    deal, _ = newest_deal(demo)
    assert deal.checked == (preset("project").stages[0].checklist[0].key,)
    reply = rep.press("清楚客户要解决哪些问题")
    assert "已确认 0/5" in reply
    assert newest_deal(demo)[0].checked == ()
    assert "检查点未确认仍推进" not in chat("张强").say("/digest")


def test_a_card_tick_on_a_closed_or_anothers_deal_changes_nothing(demo, chat):
    rep = chat("王伟")
    rep.say("/new 顺丰速运有限公司 冷链监控 80万 下月底")
    card = rep.last
    other = chat("李娜")
    other.last = card
    assert "✅" not in other.press("清楚客户要解决哪些问题")
    assert newest_deal(demo)[0].checked == ()
