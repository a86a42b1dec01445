"""A reminder's button pressed while another step is open: the switch question, never one of
the two dropped; and Latin names of customers asked like other abbreviations."""
from tests.flows.test_reminders import office, run_cycle  # noqa: F401  (the fixture, with its helpers)


def reminder_buttons(rep):
    return "\n".join(f"[{i + 1}] x {c.key}" for i, c in enumerate(rep.console.buttons))


def test_a_reminder_pressed_over_a_half_filled_step_asks_which_to_keep(office, make_uow, clock):  # noqa: F811
    people, deliverer = office
    rep = people["李娜"]
    run_cycle(make_uow, clock, deliverer)
    reminder, buttons = reminder_buttons(rep), list(rep.console.buttons)
    rep.say("/lost 顺丰")
    rep.say("报价偏高")
    rep.last, rep.console.buttons = reminder, buttons  # the reminder's message, still in the chat above
    asked = rep.press("reminder.done")
    assert "「标记丢单：顺丰速运有限公司」还没完成。继续它，还是放弃它、开始新的？" in asked
    assert "继续「标记丢单」" in asked and "开始「" in asked
    assert "丢单报告 2/3" in rep.press("继续")
    with make_uow() as uow:
        assert uow.outbox.of_user(uow.users.by_name("李娜").id)[0].acted_at is None, "the reminder is not spent"


def test_starting_the_reminders_step_leaves_the_other_and_acts_once(office, make_uow, clock):  # noqa: F811
    people, deliverer = office
    rep = people["李娜"]
    run_cycle(make_uow, clock, deliverer)
    reminder, buttons = reminder_buttons(rep), list(rep.console.buttons)
    rep.say("/lost 顺丰")
    rep.say("报价偏高")
    rep.last, rep.console.buttons = reminder, buttons
    rep.press("reminder.done")
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
