"""An agenda item's button pressed while another step is open: the switch question, never one
of the two dropped; and Latin names of customers asked like other abbreviations."""
from tests.flows.test_agenda import office, pushed_to, run_cycle, shown_again  # noqa: F401  (the fixture)


def lina_item_card(office, make_uow, clock):  # noqa: F811
    """李娜's agenda pushed, the item of her overdue deal opened, then a lost report half filled."""
    people, deliverer = office
    pushed_to(people, deliverer)
    rep = people["李娜"]
    run_cycle(make_uow, clock, deliverer)
    rep.press("1. 会议系统")
    card, buttons = rep.last, list(rep.console.buttons)
    rep.say("/lost 顺丰")
    rep.say("报价偏高")
    shown_again(rep, card, buttons)  # the item's message, still in the chat above
    return rep


def test_an_agenda_button_pressed_over_a_half_filled_step_asks_which_to_keep(office, make_uow, clock):  # noqa: F811
    rep = lina_item_card(office, make_uow, clock)
    with make_uow() as uow:
        before = uow.deals.get(7)
    asked = rep.press("已完成")
    assert "「标记丢单：顺丰速运有限公司」还没完成。继续它，还是放弃它、开始新的？" in asked
    assert "继续「标记丢单」" in asked and "开始「" in asked
    assert "丢单报告 2/3" in rep.press("继续")
    with make_uow() as uow:
        assert uow.deals.get(7) == before, "the agenda item is not spent"


def test_starting_the_agenda_items_step_leaves_the_other_and_acts_once(office, make_uow, clock):  # noqa: F811
    rep = lina_item_card(office, make_uow, clock)
    rep.press("已完成")
    assert "下一步做什么" in rep.press("开始")
    rep.say("提交二次报价")
    assert "下一步已更新" in rep.say("下周一")
    with make_uow() as uow:
        assert uow.deals.get(8).status == "open" and uow.deals.get(7).next_step == "提交二次报价"


def test_a_latin_abbreviation_of_a_customer_is_asked(demo, chat):
    rep = chat("王伟")
    asked = rep.say("/new byd 电池产线 300万 明年3月")
    assert "已有相近的客户，“byd”是下面哪一个？" in asked and "就是 比亚迪股份有限公司" in asked
    assert "比亚迪股份有限公司 · 电池产线" in rep.press("就是 比亚迪股份有限公司")
    rep.say("/lang en")
    asked = rep.say("/new Xiaomi, Smart office, 500k, next month")
    assert "北京小米科技有限责任公司" in asked and "New customer: Xiaomi" in asked
