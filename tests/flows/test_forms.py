"""Flows as forms (what a Slack modal or a Feishu card shows and sends back), through `handle`:
opened by a command or a menu button where the platform can show a form, read by the chat's
parsers, refused fields shown again with the input kept, asked-back answers handed to chat."""
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from assistant import CHOICE, DATE, MULTI, TEXT, ChatKey, Form, FormAnswer, Inbound, Reply, handle, render
from assistant.method.model import DealStatus

REP = ChatKey("console", "王伟", "王伟")
MANAGER = ChatKey("console", "张强", "张强")
N = iter(range(10_000))

# command -> (flow, the fields its form shows)
FORMS = {
    "new": ("new_deal", ["customer", "title", "amount", "close_date", "stage", "lead_source", "man", "next_step"]),
    "visit": ("log_visit", ["deal", "visited_on", "kind", "objective", "customer_participants", "our_participants",
                            "result", "next_steps", "issues_customer", "issues_ours"]),
    "lost": ("mark_lost", ["deal", "lost_reason_ours", "lost_reason_customer", "lost_prevention", "lost_category"]),
    "target": ("set_target", ["who", "period", "amount"]),
    "customer": ("new_customer", ["name"]),
    "contact": ("add_contact", ["customer", "name", "title", "role"]),
}


def send(make_uow, clock, who=REP, **event) -> list[Reply]:
    return handle(Inbound(who, f"event-{next(N)}", **event), make_uow(), clock)


def submit(make_uow, clock, flow, who=REP, **values) -> list[Reply]:
    return send(make_uow, clock, who, form=FormAnswer(flow, values))


def text(reply: Reply) -> str:
    return render(reply.lang, reply.key, **reply.params)


def label(lang: str, key: str, params) -> str:
    return render(lang, key, **params)


def english(make_uow, clock, who=REP) -> None:
    send(make_uow, clock, who, text="/lang en")


def flow_state(make_uow, who=REP):
    with make_uow() as uow:
        return uow.flow_states.get(who)


def open_deals(make_uow, name="王伟"):
    with make_uow() as uow:
        owner = uow.users.by_name(name)
        return uow.deals.find(owner.team_id, owner_id=owner.id, status=DealStatus.OPEN)


# ---- opening a form ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", sorted(FORMS))
def test_each_form_capable_command_opens_its_form_where_the_platform_can_show_one(demo, clock, command):
    flow, fields = FORMS[command]
    who = MANAGER if command == "target" else REP
    replies = send(demo, clock, who, text=f"/{command}", can_form=True)
    assert len(replies) == 1 and isinstance(replies[0].form, Form)
    form = replies[0].form
    assert (form.flow, form.title, form.submit, replies[0].key) == (flow, f"form.{flow}.title", "form.submit",
                                                                     f"form.{flow}.title")
    assert [f.name for f in form.fields] == fields
    assert all(f.label == f"{flow}.{f.name}.label" and f.value is None and f.error is None for f in form.fields)
    assert flow_state(demo, who) is None  # no chat step started


def test_menu_buttons_open_the_new_deal_and_visit_forms(demo, clock):
    assert send(demo, clock, choice="cmd.new", can_form=True)[0].form.flow == "new_deal"
    assert send(demo, clock, choice="cmd.visit", can_form=True)[0].form.flow == "log_visit"
    assert flow_state(demo) is None


def test_a_deal_cards_visit_and_lost_buttons_open_their_forms_on_that_deal(demo, clock):
    for action, flow in (("log_visit", "log_visit"), ("mark_lost", "mark_lost")):
        [reply] = send(demo, clock, choice=f"act.{action}.3", can_form=True)
        assert reply.form is not None and reply.form.flow == flow
        assert {f.name: f.value for f in reply.form.fields}["deal"] == "3"
    assert send(demo, clock, choice="act.log_visit.6", can_form=True)[0].key == "deal.not_found"  # 李娜's deal
    assert send(demo, clock, choice="act.advance_deal.3", can_form=True)[0].form is None
    assert flow_state(demo) is not None and flow_state(demo).flow == "advance_deal"


def test_without_a_form_or_with_arguments_the_chat_is_as_before(demo, clock):
    replies = send(demo, clock, text="/new")
    assert replies[0].key == "new_deal.customer.ask" and replies[0].form is None
    assert send(demo, clock, choice="cmd.visit")[0].key == "log_visit.deal.ask"
    replies = send(demo, clock, text="/visit 比亚迪 明天 提交方案", can_form=True)
    assert replies[0].key == "log_visit.saved" and replies[0].form is None
    assert send(demo, clock, text="/advance", can_form=True)[0].form is None  # not form-capable: chat


def test_a_rep_cannot_open_a_manager_form(demo, clock):
    replies = send(demo, clock, text="/target", can_form=True)
    assert [(r.key, r.form) for r in replies] == [("common.not_allowed", None)]


def test_the_new_deal_form_in_chinese_and_english(demo, clock):
    zh = {f.name: f for f in send(demo, clock, text="/new", can_form=True)[0].form.fields}
    english(demo, clock)
    reply = send(demo, clock, text="/new", can_form=True)[0]
    en = {f.name: f for f in reply.form.fields}
    assert (render("zh", "form.new_deal.title"), render("en", reply.form.title)) == ("新建商机", "New deal")
    assert [render("zh", zh[n].label) for n in ("customer", "amount", "close_date")] == ["客户名称", "预计金额",
                                                                                         "预计成交日期"]
    assert [render("en", en[n].label) for n in ("customer", "amount", "close_date")] == ["Customer", "Amount",
                                                                                         "Expected close"]
    assert "120万" in render("zh", zh["amount"].hint) and "1.2m" in render("en", en["amount"].hint)
    assert zh["lead_source"].hint is None
    assert [(zh[n].kind, zh[n].optional) for n in ("customer", "close_date", "stage", "man", "next_step")] == [
        (TEXT, False), (DATE, False), (CHOICE, True), (MULTI, True), (TEXT, True)]
    stages = zh["stage"].options
    assert [o.value for o in stages][:2] == ["target", "qualified"] and not zh["stage"].accepts_text
    assert [label("zh", o.key, o.params) for o in stages][:2] == ["目标客户（10%）", "有效客户（25%）"]
    assert label("en", en["man"].options[0].key, en["man"].options[0].params) == "Has a need (Need)"
    assert [o.value for o in zh["man"].options] == ["need", "money", "authority", "urgent"]


def test_a_deal_picker_is_a_choice_that_also_takes_typed_text(demo, clock):
    fields = {f.name: f for f in send(demo, clock, text="/visit", can_form=True)[0].form.fields}
    deal = fields["deal"]
    assert (deal.kind, deal.accepts_text, deal.optional) == (CHOICE, True, False)
    assert "编号" in render("zh", deal.hint)
    assert label("zh", deal.options[0].key, deal.options[0].params).startswith("#")
    assert {o.value for o in deal.options} == {str(d.id) for d in open_deals(demo)}


# ---- submitting ---------------------------------------------------------------------------------

def test_valid_new_deal_form_is_saved_after_the_checklist_asked_in_chat(demo, clock):
    replies = submit(demo, clock, "new_deal", customer="华为技术有限公司", title="园区网络", amount="88万",
                     close_date="下月底", stage="qualified", man=("need", "money"), lead_source="campaign")
    assert replies[0].key == "new_deal.checklist.ask"
    assert len(open_deals(demo)) == 5
    replies = send(demo, clock, choice=replies[0].choices[-1].value)
    assert replies[0].key == "new_deal.created_anyway"
    deal = open_deals(demo)[-1]
    assert (deal.title, deal.amount, deal.close_date, deal.stage_key, deal.need, deal.money, deal.authority) == (
        "园区网络", Decimal("880000"), date(2026, 12, 31), "qualified", True, True, False)
    assert deal.lead_source == "campaign"
    with demo() as uow:
        created = uow.deals.changes(deal.id)[0]
    assert (created.kind, created.checklist_complete, len(created.unticked)) == ("created", False, 8)


def test_a_multi_select_answer_is_a_tuple_not_a_comma_string(demo, clock):
    replies = submit(demo, clock, "new_deal", customer="华为技术有限公司", title="园区网络", amount="88万",
                     close_date="下月底", man="need,money")
    assert set(replies[0].errors) == {"man"} and "列表" in text(replies[0].errors["man"])
    replies = submit(demo, clock, "new_deal", customer="华为技术有限公司", title="园区网络", amount="88万",
                     close_date="下月底", man=("urgent",))
    assert replies[0].key == "new_deal.created"  # at the first stage: its check points are ticks on the card
    assert (open_deals(demo)[-1].urgent, open_deals(demo)[-1].need) == (True, False)


def test_refused_fields_come_back_in_the_form_with_the_input_kept_and_nothing_saved(demo, clock):
    send(demo, clock, text="/new")  # a chat flow in progress survives a refused form
    values = {"customer": "华为技术有限公司", "title": "", "amount": "-5万", "close_date": "下辈子", "stage": "nope",
              "man": ("need",)}
    reply = submit(demo, clock, "new_deal", **values)[0]
    assert reply.key == "form.invalid" and reply.params == {"count": 4}
    errors = {name: text(r) for name, r in reply.errors.items()}
    assert set(errors) == {"title", "amount", "close_date", "stage"}
    assert "必填" in errors["title"] and "大于 0" in errors["amount"] and "没看懂日期" in errors["close_date"]
    shown = {f.name: f for f in reply.form.fields}
    assert {n: shown[n].value for n in values} == values
    assert {n: text(shown[n].error) for n in errors} == errors and shown["customer"].error is None
    assert len(open_deals(demo)) == 5
    assert flow_state(demo).flow == "new_deal"


def test_field_errors_are_in_the_users_language(demo, clock):
    english(demo, clock)
    reply = submit(demo, clock, "new_deal", customer="华为技术有限公司", title="Campus", amount="lots",
                   close_date="someday")[0]
    assert reply.lang == "en" and set(reply.errors) == {"amount", "close_date"}
    assert all(r.lang == "en" for r in reply.errors.values())
    assert "amount" in text(reply.errors["amount"]).lower() and "date" in text(reply.errors["close_date"]).lower()
    assert text(reply).startswith("2 field")


def _twelve_deals(make_uow, clock) -> list:
    """王伟's five demo deals and seven more, each older than the one before."""
    with make_uow() as uow:
        first = open_deals(make_uow)[0]
        for n in range(7):
            uow.deals.add(replace(first, id=0, title=f"二期工程{n + 1}号",
                                  last_activity_at=clock.now() - timedelta(days=30 + n)))
        uow.commit()
    deals = open_deals(make_uow)
    assert len(deals) == 12
    return deals


def test_the_ninth_of_twelve_deals_can_be_typed_in_the_deal_picker(demo, clock):
    _twelve_deals(demo, clock)
    picker = {f.name: f for f in send(demo, clock, text="/visit", can_form=True)[0].form.fields}["deal"]
    listed = {int(o.value) for o in picker.options}
    missing = sorted((d for d in open_deals(demo) if d.id not in listed), key=lambda d: d.last_activity_at,
                     reverse=True)
    assert len(listed) == 8 and len(missing) == 4
    ninth, tenth = missing[0], missing[1]
    replies = submit(demo, clock, "log_visit", deal=f"#{ninth.id}", result="谈了二期预算")
    assert replies[0].key == "log_visit.saved"
    replies = submit(demo, clock, "log_visit", deal=tenth.title, result="确认范围", kind="penetration")
    assert replies[0].key == "log_visit.saved"
    with demo() as uow:
        assert [(v.result, v.kind) for v in uow.deals.visits(ninth.id)] == [("谈了二期预算", "follow_up")]
        assert [(v.result, v.kind) for v in uow.deals.visits(tenth.id)] == [("确认范围", "penetration")]


def test_a_close_customer_name_is_asked_back_in_chat_with_the_other_fields_kept(demo, clock):
    replies = submit(demo, clock, "new_deal", customer="华为技术", title="园区网络", amount="88万",
                     close_date="下月底", man=("need", "authority"), next_step="提交方案")
    assert [r.key for r in replies] == ["customer.did_you_mean"]
    assert [label("zh", c.key, c.params) for c in replies[0].choices] == ["就是 华为技术有限公司", "新客户：华为技术"]
    assert len(open_deals(demo)) == 5
    replies = send(demo, clock, choice=replies[0].choices[0].value)
    assert replies[0].key == "new_deal.next_due.ask"  # the fields a form does not show follow in chat
    replies = send(demo, clock, text="下周二")
    assert replies[0].key == "new_deal.created"
    deal = open_deals(demo)[-1]
    assert (deal.customer_name, deal.title, deal.amount, deal.close_date, deal.need, deal.authority) == (
        "华为技术有限公司", "园区网络", Decimal("880000"), date(2026, 12, 31), True, True)
    assert (deal.next_step, deal.next_due) == ("提交方案", date(2026, 11, 24))
    with demo() as uow:
        assert len([c for c in uow.customers.of_team(deal.team_id) if c.name.startswith("华为")]) == 1


def test_a_close_name_for_a_new_customer_is_asked_back_too(demo, clock):
    replies = submit(demo, clock, "new_customer", name="华为技术")
    assert replies[0].key == "new_customer.same_as"
    replies = send(demo, clock, choice=replies[0].choices[-1].value)
    assert replies[0].key == "new_customer.created"
    with demo() as uow:
        assert "华为技术" in [c.name for c in uow.customers.of_team(1)]


def test_contact_lost_and_target_forms_store_what_was_submitted(demo, clock):
    replies = submit(demo, clock, "add_contact", customer="比亚迪股份有限公司", name="王芳", role="buyer")
    assert replies[0].key == "add_contact.done"
    deal = open_deals(demo)[0]
    replies = submit(demo, clock, "mark_lost", deal=str(deal.id), lost_reason_ours="价格高",
                     lost_reason_customer="预算砍了", lost_prevention="早点确认预算", lost_category="budget")
    assert replies[0].key == "mark_lost.confirm.ask", "a form's lost report is confirmed in chat, the deal named"
    assert replies[0].params["customer"] == deal.customer_name and replies[0].params["amount"] == deal.amount
    replies = send(demo, clock, choice=replies[0].choices[0].value)
    assert replies[0].key == "mark_lost.done"
    replies = submit(demo, clock, "set_target", MANAGER, period="2026-12", amount="100万")
    assert replies[0].key == "set_target.done"
    with demo() as uow:
        byd = next(c for c in uow.customers.of_team(deal.team_id) if c.name == "比亚迪股份有限公司")
        assert [(c.name, c.role) for c in uow.customers.contacts(byd.id)] == [("王芳", "buyer")]
        lost = uow.deals.get(deal.id)
        assert (lost.status, lost.lost_reason_customer) == (DealStatus.LOST, "预算砍了")
        assert uow.targets.get(1, None, "2026-12") == Decimal("1000000")


def test_a_choice_only_field_takes_only_what_it_offers(demo, clock):
    reply = submit(demo, clock, "add_contact", customer="比亚迪股份有限公司", name="王芳", role="boss")[0]
    assert set(reply.errors) == {"role"} and reply.form.flow == "add_contact"
    reply = submit(demo, clock, "add_contact", customer="比亚迪股份有限公司", name="王芳", role=("buyer", "user"))[0]
    assert set(reply.errors) == {"role"}


def test_a_forged_manager_form_from_a_rep_changes_nothing(demo, clock):
    replies = submit(demo, clock, "set_target", period="2026-12", amount="100万")
    assert [r.key for r in replies] == ["common.stale_button"]
    with demo() as uow:
        assert uow.targets.get(1, None, "2026-12") is None


def test_flows_that_cannot_be_a_form_are_refused_not_crashed(demo, clock):
    for flow, values in (("weekly_check", {}), ("back_off", {"deal": "1"}), ("join_team", {"code": "X"}),
                         ("plan_prospects", {"annual_target": "x", "average_deal": "3万"}),
                         ("edit_deal", {"deal": "1", "what": "nope"}), ("nope", {})):
        assert [r.key for r in submit(demo, clock, flow, **values)] == ["common.stale_button"]
