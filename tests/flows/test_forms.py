"""A flow submitted as one form (what a Slack modal sends): same parsers, errors per field."""
from datetime import date
from decimal import Decimal

from assistant.chat.engine import handle
from assistant.chat.flows.forms import describe
from assistant.chat.flows.registry import FLOWS
from assistant.events import ChatKey, Inbound
from assistant.i18n import render

REP = ChatKey("console", "王伟", "王伟")


def submit(make_uow, clock, form, who=REP, event_id="form-1"):
    return handle(Inbound(who, event_id, form=form), make_uow(), clock)



def test_refused_form_names_each_field_and_saves_nothing(demo, clock):
    replies = submit(demo, clock, {"_flow": "new_deal", "customer": "华为技术有限公司", "title": "",
                                   "amount": "-5万", "close_date": "下辈子", "stage": "target"})
    errors = {name: render(r.lang, r.key, **r.params) for name, r in replies[0].errors.items()}
    assert set(errors) == {"title", "amount", "close_date"}
    assert "必填" in errors["title"] and "大于 0" in errors["amount"] and "没看懂日期" in errors["close_date"]
    with demo() as uow:
        assert len(uow.deals.find(1)) == 8


def test_valid_form_creates_the_deal_and_continues_in_chat_for_the_checklist(demo, clock):
    replies = submit(demo, clock, {"_flow": "new_deal", "customer": "华为技术有限公司", "title": "园区网络",
                                   "amount": "88万", "close_date": "下月底", "stage": "qualified",
                                   "man": "need,money", "lead_source": "campaign"})
    assert replies[0].key == "new_deal.checklist.ask"
    replies = handle(Inbound(REP, "form-2", choice=replies[0].choices[-1].value), demo(), clock)
    assert replies[0].key == "new_deal.created"
    with demo() as uow:
        deal = uow.deals.find(1)[-1]
    assert (deal.title, deal.amount, deal.close_date, deal.stage_key, deal.need, deal.money, deal.authority) == (
        "园区网络", Decimal("880000"), date(2026, 12, 31), "qualified", True, True, False)
    assert deal.lead_source == "campaign"


def test_manager_form_refused_for_a_rep(demo, clock):
    replies = submit(demo, clock, {"_flow": "set_target", "period": "2026-12", "amount": "100万"})
    assert replies[0].key == "common.stale_button"
    with demo() as uow:
        assert uow.targets.get(1, None, "2026-12") is None


def test_a_form_shows_the_fields_that_do_not_depend_on_earlier_answers(demo, make_uow, clock):
    from assistant.chat.context import Ctx

    with make_uow() as uow:
        user = uow.users.by_name("王伟")
        ctx = Ctx(uow=uow, clock=clock, who=REP, lang="zh", user=user, team=uow.teams.get(user.team_id))
        fields = describe(FLOWS["new_deal"], ctx)
    assert [f.name for f in fields] == ["customer", "title", "amount", "close_date", "stage", "lead_source",
                                         "man", "next_step"]
    assert [o.value for o in fields[4].options][:2] == ["target", "qualified"]


def test_flows_that_cannot_be_a_form_are_refused_not_crashed(demo, clock):
    for n, form in enumerate(({"_flow": "weekly_check"}, {"_flow": "back_off", "deal": "1"},
                              {"_flow": "plan_prospects", "annual_target": "x", "average_deal": "3万"},
                              {"_flow": "edit_deal", "deal": "1", "what": "nope"}, {"_flow": "nope"})):
        replies = submit(demo, clock, form, event_id=f"bad-form-{n}")
        assert [r.key for r in replies] == ["common.stale_button"]
