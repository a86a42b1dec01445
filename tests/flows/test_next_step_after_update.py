"""A next step after every update: a visit, an advance, a back-off or a win that leaves the deal
with no next step ahead asks for one, with the stage's typical actions as one-tap suggestions
and a skip that changes nothing; the deal card sets one in a tap."""
from datetime import date


def deal(make_uow, deal_id):
    with make_uow() as uow:
        return uow.deals.get(deal_id)


def test_an_advance_asks_for_the_next_step_with_the_stages_actions(demo, chat, make_uow):
    rep = chat("王伟")
    rep.say("/advance 小米")  # #2: its step 约技术负责人交流 was due yesterday
    text = rep.press("仍然推进")
    assert "⏩ 已推进" in text
    assert "北京小米科技有限责任公司 · 办公网络改造 还没有安排下一步。下一步做什么？" in text
    assert "交换商务条款，做好商务公关" in text and "跳过" in text
    assert "什么时候完成" in rep.press("交换商务条款")
    assert "下一步已更新" in rep.say("下周三")
    moved = deal(make_uow, 2)
    assert (moved.next_step, moved.next_due) == ("交换商务条款，做好商务公关", date(2026, 11, 25))


def test_a_deal_with_a_step_ahead_is_not_asked(demo, chat):
    rep = chat("王伟")
    rep.say("/advance 比亚迪")  # #3: 安排产品测试 is due in five days
    assert "下一步做什么" not in rep.press("仍然推进")
    assert "下一步做什么" not in rep.say("/visit 宁德 明天 提交报价")


def test_skipping_after_a_back_off_leaves_the_deal_as_it_was(demo, chat, make_uow):
    rep = chat("王伟")
    rep.say("/back 小米")
    rep.press("目标客户")
    text = rep.press("不回电话")
    assert "⏪" in text and "还没有安排下一步" in text and "收集客户信息，准备同行业案例" in text
    assert "先不设下一步" in rep.press("跳过")
    kept = deal(make_uow, 2)
    assert (kept.next_step, kept.next_due) == ("约技术负责人交流", date(2026, 11, 17))
    assert "这句话我没看出要做什么操作" in rep.say("随便说点什么")  # the question is closed: read as a new sentence


def test_a_win_asks_for_the_after_sale_follow_up_and_the_agenda_carries_it(demo, chat, make_uow, clock):
    from datetime import timedelta
    rep = chat("王伟")
    rep.say("/won 美的")
    rep.press("和预计一样")
    rep.press("今天")
    text = rep.press("确认")
    assert "还没有安排售后跟进" in text and "安排实施启动会" in text and "请客户介绍同行客户" in text
    rep.press("安排实施启动会")
    assert "下一步已更新" in rep.say("下周一")
    won = deal(make_uow, 5)
    assert (won.status, won.next_step, won.next_due) == ("won", "安排实施启动会", date(2026, 11, 23))
    clock.at += timedelta(days=5)
    assert "美的集团股份有限公司 · 呼叫中心升级：安排实施启动会" in rep.say("/today")


def test_a_visit_without_next_steps_asks_for_one(demo, chat, make_uow):
    rep = chat("李娜")
    rep.say("/visit 腾讯")  # #7: 提交方案 was due three days ago
    rep.say("今天")
    rep.press("跟进拜访")
    for answer in ("跳过", "跳过", "跳过", "客户要再比较两家", "跳过", "跳过", "跳过"):
        text = rep.say(answer)
    assert "✅ 拜访已记录" in text and "还没有安排下一步" in text
    rep.say("约采购经理面谈")
    assert "下一步已更新" in rep.say("下周五")
    assert deal(make_uow, 7).next_step == "约采购经理面谈"


def test_the_question_gives_way_to_whatever_the_rep_does_next(demo, chat):
    rep = chat("王伟")
    rep.say("/advance 小米")
    rep.press("仍然推进")
    assert "还没完成" not in rep.say("/won 美的")  # no "finish it first?" over a question just asked
    assert "签约金额是多少" in rep.last


def test_the_card_sets_the_next_step_in_a_tap(demo, chat, make_uow):
    rep = chat("王伟")
    rep.say("/deal 3")
    assert "下一步做什么" in rep.press("设下一步")
    rep.say("安排高层拜访")
    rep.say("12月1日")
    assert deal(make_uow, 3).next_step == "安排高层拜访"


def test_in_english(demo, chat):
    rep = chat("王伟")
    rep.say("/lang en")
    rep.say("/advance 小米")
    text = rep.press("Proceed anyway")
    assert "has no next step planned. What's next? Tap a suggestion or type your own (or skip)" in text
    assert "Exchange commercial terms and build the business relationship" in text
    assert "OK, no next step for" in rep.press("Skip")
