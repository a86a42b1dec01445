"""Details of the conversation a rep notices on a phone: one-liners, typed button labels,
questions asked again, closed deals, strangers."""
from datetime import date


def test_visit_with_only_a_deal_number_is_guided(demo, chat):
    rep = chat("王伟")
    assert "哪天拜访" in rep.say("/visit 1")
    with demo() as uow:
        assert uow.deals.visits(1) == []


def test_bad_amount_in_a_one_liner_is_explained_not_put_in_the_title(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/new 中兴通讯 扩容3 -5万 月底")
    assert "金额要大于 0" in reply and "预计金额" in reply
    assert "商机已创建" in rep.say("5万")
    with demo() as uow:
        created = uow.deals.find(1)[-1]
    assert created.title == "扩容3" and created.close_date == date(2026, 11, 30)


def test_target_in_another_currency_is_refused(demo, chat):
    manager = chat("张强")
    assert "团队的币种 CNY" in manager.say("/target 2026-12 $800k")
    assert "已设定 2026-12 的团队目标：¥80万" in manager.say("80万")


def test_a_look_up_in_the_middle_of_a_flow_asks_the_open_question_again(demo, chat):
    rep = chat("王伟")
    rep.say("/new")
    rep.say("比亚迪股份有限公司")
    reply = rep.say("/funnel")
    assert "合计" in reply and "刚才的问题还在等你回答" in reply and "商机名称" in reply
    assert "预计金额" in rep.say("二期MES")


def test_typed_button_labels_work(demo, chat):
    rep = chat("王伟")
    rep.say("/advance 1")
    for point in ("1", "2", "3"):
        rep.say(point)
    assert "已推进" in rep.say("确认")
    rep.say("/advance 1")
    assert "有检查点未确认" in rep.say("仍然推进")


def test_qualify_starts_from_the_current_flags(demo, chat):
    rep = chat("王伟")
    reply = rep.say("/qualify 4")
    assert reply.count("✅") == 4
    assert rep.press("很急").count("✅") == 3
    reply = rep.press("确认")
    assert "2S 金矿型" in reply


def test_closed_deal_cards_show_the_outcome(demo, chat):
    rep = chat("王伟")
    rep.say("/won 5")
    rep.press("和预计一样")
    rep.press("今天")
    reply = rep.press("确认")
    assert "🏆 赢单客户：¥45万" in reply and "加权" not in reply and "未评估" not in reply


def test_stranger_commands_get_the_join_prompt_and_a_typed_code_is_tried(demo, chat):
    stranger = chat("路人")
    assert "请向经理要邀请码" in stranger.say("/help")
    assert "邀请码“WRONGCODE”不存在" in stranger.say("WRONGCODE")
