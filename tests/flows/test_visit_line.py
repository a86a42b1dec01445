"""A one-line visit fits a phone: its text is the visit's result; a date in it is when the next
step is due, and the next step is asked with the text offered as its wording."""
from datetime import date


def saved(make_uow, deal_id):
    with make_uow() as uow:
        return uow.deals.get(deal_id), uow.deals.visits(deal_id)


def test_the_text_is_the_result_and_a_date_inside_it_is_the_next_steps_due_date(demo, chat, make_uow):
    """It used to store the outcome as next step #1 with the result empty, and keep the old due
    date: the text said Tuesday, the date said Friday."""
    rep = chat("王伟")
    text = rep.say("拜访 华为 今天 客户同意下周二看方案")
    assert "✅ 拜访已记录" in text
    assert "华为技术有限公司 · 数据中心扩容 的下一步（2026年11月24日（周二））做什么？" in text
    deal, [visit] = saved(make_uow, 1)
    assert (visit.visited_on, visit.result, visit.next_steps) == (date(2026, 11, 18), "客户同意下周二看方案", ())
    assert "下一步已更新" in rep.press("客户同意下周二看方案")
    deal, _ = saved(make_uow, 1)
    assert (deal.next_step, deal.next_due) == ("客户同意下周二看方案", date(2026, 11, 24))


def test_the_rep_words_the_next_step_or_skips_it(demo, chat, make_uow):
    rep = chat("王伟")
    rep.say("/visit 比亚迪 明天 提交测试报告")
    rep.say("周四把测试报告发给刘总")
    deal, [visit] = saved(make_uow, 3)
    assert (deal.next_step, deal.next_due) == ("周四把测试报告发给刘总", date(2026, 11, 19))
    assert visit.result == "提交测试报告"
    rep.say("/visit 宁德 客户要求再降价")
    assert "先不设下一步" in rep.press("跳过")
    deal, [visit] = saved(make_uow, 4)
    assert (deal.next_step, visit.result) == ("商务条款谈判", "客户要求再降价")


def test_in_english(demo, chat, make_uow):
    rep = chat("王伟")
    rep.say("/lang en")
    text = rep.say("/visit 比亚迪 next Tue send quote")
    assert "What is the next step for 比亚迪股份有限公司 · 工厂MES系统 (Tue 24 Nov 2026)?" in text
    rep.press("send quote")
    deal, [visit] = saved(make_uow, 3)
    assert (deal.next_step, deal.next_due, visit.result) == ("send quote", date(2026, 11, 24), "send quote")
