"""The Feishu adapter end to end: lark-oapi's real WebSocket client and HTTP client against a fake
Feishu on 127.0.0.1. Events go in as frames over the app's long connection; assertions are on
the cards the fake recorded (as a person would read them) and on what the database holds."""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import date, timedelta
from types import SimpleNamespace as Mention

import pytest
from Crypto.Cipher import AES

import bot
from assistant.events import Choice, Reply, UserRef
from assistant.method.model import Role
from assistant.push import agenda, team_digest
from assistant.push.delivery import deliver_due
from handlers import feishu as adapter
from tests.adapters.conftest import feishu_environment
from tests.adapters.fake_feishu import APP_ID, APP_SECRET, MANAGER, REP, STRANGER, TENANT, FeishuUser, shown
from tests.adapters.feishu_chat import FeishuChat, created, texts
from tests.adapters.test_telegram import free_port

TEAM_ID = 1  # the demo team


def identity(make_uow, user: FeishuUser):
    with make_uow() as uow:
        return uow.users.by_identity("feishu", user.tenant, user.open_id)


def deals_of(make_uow, user: FeishuUser):
    with make_uow() as uow:
        owner = uow.users.by_identity("feishu", user.tenant, user.open_id)
        return uow.deals.find(TEAM_ID, owner_id=owner.id)


def join(feishu: FeishuChat, user: FeishuUser, code: str) -> str:
    return texts(feishu.say(user, code).calls)


# ---- joining, identities --------------------------------------------------------------------

def test_joining_by_the_code_takes_the_name_from_the_contact_directory(feishu, invite, demo):
    answer = feishu.say(REP, invite())
    assert answer.frame["code"] == 200
    [looked_up] = [c for c in answer.calls if c.method == "contact.user"]
    assert looked_up.path.endswith(REP.open_id) and looked_up.query["user_id_type"] == "open_id"
    [welcome, *_] = created(answer.calls)
    assert (welcome.query["receive_id_type"], welcome.body["receive_id"]) == ("open_id", REP.open_id)
    assert welcome.body["msg_type"] == "interactive" and welcome.content["config"]["update_multi"]
    assert "欢迎 赵敏 加入“华东大区销售部”" in shown(welcome.text)
    assert "“新商机” 新建商机" in texts(answer.calls) and "/new" not in texts(answer.calls)
    joined = identity(demo, REP)
    assert (joined.name, joined.team_id, joined.role) == ("赵敏", TEAM_ID, "rep")
    with demo() as uow:
        assert uow.users.by_identity("feishu", "", REP.open_id) is None  # the identity carries the tenant


def test_a_stranger_is_told_how_to_join_and_nothing_is_stored(feishu, demo):
    answer = feishu.say(STRANGER, "我的商机")
    [prompt] = created(answer.calls)
    assert prompt.body["receive_id"] == STRANGER.open_id and "邀请码" in shown(prompt.text)
    assert not prompt.buttons()
    assert identity(demo, STRANGER) is None


def test_a_one_line_new_deal(feishu, invite, demo):
    join(feishu, REP, invite())
    answer = feishu.say(REP, "新商机 华为技术有限公司 数据中心扩容 120万 下月底")
    [card] = created(answer.calls)
    assert "✅ 商机已创建" in shown(card.text) and "¥120万" in shown(card.text)
    assert card.labels()[0] == "⬜ 清楚客户要解决哪些问题" and card.labels()[5:7] == ["📝 记拜访", "⏩ 推进"]
    [deal] = deals_of(demo, REP)
    assert (deal.customer_name, deal.title, deal.amount, deal.close_date) == (
        "华为技术有限公司", "数据中心扩容", 1200000, date(2026, 12, 31))


def test_english_from_the_first_word_to_a_deal(feishu, invite, demo):
    join(feishu, REP, invite())
    assert "English" in texts(feishu.say(REP, "lang en").calls)
    help_text = texts(feishu.say(REP, "help").calls)
    assert "“new” New deal" in help_text and "/new" not in help_text
    created_text = texts(feishu.say(REP, "new 华为技术有限公司 Campus network 880k end of next month").calls)
    assert "Deal created" in created_text and "¥880" in created_text
    [deal] = deals_of(demo, REP)
    assert (deal.title, deal.amount) == ("Campus network", 880000)


# ---- cards: buttons, forms, escaping ---------------------------------------------------------

def test_a_choice_is_a_button_and_pressing_it_goes_on(feishu, invite, demo):
    join(feishu, REP, invite())
    [asked] = created(feishu.say(REP, "新商机 华为 数据中心扩容 120万 下月底").calls)
    assert "“华为”是下面哪一个" in shown(asked.text)
    assert asked.labels() == ["就是 华为技术有限公司", "新客户：华为"]
    pressed = feishu.press(REP, "就是")
    assert pressed.frame["code"] == 200 and pressed.frame["elapsed"] < 3
    assert "商机已创建" in texts(pressed.calls)
    assert [d.customer_name for d in deals_of(demo, REP)] == ["华为技术有限公司"]


def test_the_new_deal_card_form_refuses_a_field_then_stores_the_deal(feishu, invite, demo):
    join(feishu, REP, invite())
    [opened] = created(feishu.say(REP, "新商机").calls)
    form = next(e for e in opened.content["body"]["elements"] if e["tag"] == "form")
    names = {e.get("name") for e in form["elements"]}
    assert {"customer", "title", "amount", "close_date", "stage", "man", "submit"} <= names
    assert "新建商机" in shown(opened.text)

    refused = feishu.submit(REP, {"customer": "华为技术有限公司", "title": "", "amount": "-5万",
                                  "close_date": "下月底"})
    [patched] = [c for c in refused.calls if c.method == "messages.patch"]
    assert patched.message_id == opened.message_id and not created(refused.calls)
    shown_again = shown(patched.text)
    assert "必填" in shown_again and "大于 0" in shown_again
    inputs = {e["name"]: e for e in patched.content["body"]["elements"][-1]["elements"] if e.get("name")}
    assert inputs["customer"]["default_value"] == "华为技术有限公司" and inputs["amount"]["default_value"] == "-5万"
    assert deals_of(demo, REP) == []

    saved = feishu.submit(REP, {"customer": "华为技术有限公司", "title": "园区网络", "amount": "88万",
                                "close_date": "下月底", "man": ["need", "money"]})
    assert "已提交" in shown(feishu.fake.cards[opened.message_id]["body"]["elements"][0]["content"])
    card = created(saved.calls)[0]
    assert "商机已创建" in shown(card.text) and "已确认 0/5" in shown(card.text)
    ticked = feishu.press(REP, "⬜ 清楚客户要解决哪些问题")
    assert "已确认 1/5" in texts(ticked.calls) and any(c.method == "messages.patch" for c in ticked.calls)
    [deal] = deals_of(demo, REP)
    assert (deal.title, deal.amount, deal.need, deal.money, deal.authority) == ("园区网络", 880000, True, True, False)


def test_a_double_click_on_a_form_is_one_deal(feishu, invite, demo):
    join(feishu, REP, invite())
    feishu.say(REP, "新商机")
    values = {"customer": "华为技术有限公司", "title": "园区网络", "amount": "88万", "close_date": "下月底"}
    message_id, button = feishu.form(REP)
    value = button["behaviors"][0]["value"]
    first = feishu.push(feishu.action(REP, message_id, value, values))
    second = feishu.push(feishu.action(REP, message_id, value, values))
    assert "商机已创建" in texts(first.calls) or "检查点" in texts(first.calls)
    assert not created(second.calls)
    assert len(deals_of(demo, REP)) <= 1


def test_a_double_click_on_a_refused_form_leaves_the_form_with_its_errors(feishu, invite, demo):
    join(feishu, REP, invite())
    feishu.say(REP, "新商机")
    message_id, button = feishu.form(REP)
    value, refused = button["behaviors"][0]["value"], {"customer": "华为技术有限公司", "title": "", "amount": "5万"}
    feishu.push(feishu.action(REP, message_id, value, refused))
    again = feishu.push(feishu.action(REP, message_id, value, refused))
    assert not again.calls
    card = feishu.fake.cards[message_id]
    assert any(e["tag"] == "form" for e in card["body"]["elements"]) and "必填" in shown(str(card))
    resubmitted = feishu.submit(REP, refused)  # from the card as shown again: read again
    assert "必填" in texts(resubmitted.calls)
    assert deals_of(demo, REP) == []


def test_a_checklist_advance_is_ticked_in_place(feishu, invite, demo):
    join(feishu, REP, invite())
    feishu.say(REP, "新商机 华为技术有限公司 机房搬迁 30万 月底")
    deal_id = deals_of(demo, REP)[-1].id
    [checklist] = created(feishu.say(REP, f"推进 {deal_id}").calls)
    assert "推进到“有效客户”前" in shown(checklist.text)
    boxes = [label for label in checklist.labels() if label.startswith("⬜")]
    assert boxes
    for box in boxes:
        tick = feishu.press(REP, box)
        assert [c.method for c in tick.calls] == ["messages.patch"]
        assert tick.calls[0].message_id == checklist.message_id
        assert "✅ " + box.removeprefix("⬜ ") in tick.calls[0].labels()
    assert "已推进" in texts(feishu.press(REP, "确认").calls)
    with demo() as uow:
        assert uow.deals.get(deal_id).stage_key == "qualified"


def test_a_repeated_callback_creates_one_record(feishu, invite, demo):
    join(feishu, REP, invite())
    feishu.say(REP, "新商机 华为 数据中心扩容 120万 下月底")
    message_id, button = feishu.card_with(REP, "就是")
    callback = feishu.action(REP, message_id, button["behaviors"][0]["value"], event_id="ev_cb_again")
    first, again = feishu.push(callback), feishu.push(callback)
    assert "商机已创建" in texts(first.calls)
    assert again.frame["code"] == 200 and not created(again.calls)
    assert len(deals_of(demo, REP)) == 1


def test_a_repeated_message_event_creates_one_record(feishu, invite, demo):
    join(feishu, REP, invite())
    line = "新商机 华为技术有限公司 数据中心扩容 120万 下月底"
    first, again = feishu.say(REP, line, event_id="ev_retry_1"), feishu.say(REP, line, event_id="ev_retry_1")
    assert "商机已创建" in texts(first.calls) and not created(again.calls)
    assert len(deals_of(demo, REP)) == 1


def test_user_text_cannot_format_mention_or_link_in_a_card(feishu, invite):
    join(feishu, REP, invite())
    typed = "**粗体** <at id=all></at> [点我](evil.example) <font color='red'>红</font> _斜_"
    answer = feishu.say(REP, f"新商机 华为技术有限公司 {typed} 5万 月底")
    card = next(c for c in created(answer.calls) if "商机已创建" in shown(c.text))
    raw = card.text
    for dangerous in ("**", "<at", "](", "<font", "_斜", "\n#"):
        assert dangerous not in raw
    assert typed in shown(raw)  # read literally, as typed


def test_an_address_in_a_text_is_not_made_a_link():
    reply = Reply("common.unknown_command", "zh", {"text": "https://evil.example/x?a=1 `代码` ~删~"})
    text = adapter.markdown(reply)
    assert "://" not in text and "`" not in text and "~" not in text
    assert "https://evil.example/x?a=1 `代码` ~删~" in shown(text)


def test_people_become_feishu_mentions_only_with_an_open_id():
    reply = Reply("join.welcome", "zh", {"name": UserRef(7, "<王伟>", "ou_wang0001"), "team": "东区", "role": "rep"})
    assert "<at id=ou_wang0001></at>" in adapter.markdown(reply)
    reply = Reply("join.welcome", "zh", {"name": UserRef(7, "<王伟>", None), "team": "东区", "role": "rep"})
    assert "&#60;王伟&#62;" in adapter.markdown(reply) and "<at" not in adapter.markdown(reply)


def test_a_long_text_is_split_into_cards_with_the_buttons_on_the_last():
    long = Reply("common.unknown_command", "zh", {"text": ("甲" * 120 + "\n") * 200},
                 choices=(Choice("cmd.deals", "common.unknown_command", {"text": "按钮"}),))
    cards = adapter.cards(long)
    assert len(cards) >= 1 and all(len(e["content"]) <= adapter.MARKDOWN_LIMIT
                                   for c in cards for e in c["body"]["elements"] if e["tag"] == "markdown")
    assert [e["tag"] for e in cards[-1]["body"]["elements"]][-1] == "button"
    assert all(e["tag"] == "markdown" for c in cards[:-1] for e in c["body"]["elements"])


def test_the_funnel_chart_is_uploaded_as_an_image_before_its_text(feishu, invite):
    join(feishu, REP, invite())
    feishu.say(REP, "新商机 华为技术有限公司 机房搬迁 30万 月底")
    calls = feishu.say(REP, "漏斗").calls
    methods = [c.method for c in calls if c.method.startswith(("images", "messages"))]
    assert methods[:3] == ["images.create", "messages.create", "messages.create"]
    upload = calls[[c.method for c in calls].index("images.create")]
    assert b"\x89PNG" in upload.body and b'name="image_type"' in upload.body
    image = next(c for c in calls if c.method == "messages.create")
    assert image.body["msg_type"] == "image" and image.content["image_key"] == upload.result["data"]["image_key"]
    assert "目标客户" in texts(calls)


def test_a_chart_feishu_refuses_leaves_the_text(feishu, invite, fake_feishu):
    join(feishu, REP, invite())
    feishu.say(REP, "新商机 华为技术有限公司 机房搬迁 30万 月底")
    fake_feishu.fail_next("images.create", 99991672, status=400)
    calls = feishu.say(REP, "漏斗").calls
    assert "目标客户" in texts(calls) and not [c for c in created(calls) if c.body["msg_type"] == "image"]


def test_the_bot_menu_runs_its_command(feishu, invite):
    join(feishu, REP, invite())
    reply = texts(feishu.menu(REP, "deals").calls)
    assert "商机" in reply
    assert "新建商机" in texts(feishu.menu(REP, "new").calls)  # a form card, as the word alone opens


def test_a_mention_in_a_group_is_read_like_a_command_and_answered_in_the_thread(feishu, invite):
    join(feishu, MANAGER, invite(Role.MANAGER))
    mention = [{"key": "@_user_1", "id": {"open_id": "ou_bot0000000000000000000000000000"}, "name": "销售助手",
                "tenant_key": TENANT}]
    answer = feishu.say(MANAGER, "@_user_1 群周报", chat_id="oc_group_east", mentions=mention)
    [reply] = [c for c in answer.calls if c.method == "messages.reply"]
    assert reply.path.split("/")[-2].startswith("om_in") and "周报也会发到这个群" in shown(reply.text)
    private = feishu.say(MANAGER, "@_user_1 我的商机", chat_id="oc_group_east", mentions=mention)
    [notice] = created(private.calls)  # deal details never in the group: the notice goes to the person
    assert notice.body["receive_id"] == MANAGER.open_id and "只在私聊里显示" in shown(notice.text)


def test_callbacks_are_answered_before_the_slow_work(feishu, invite, monkeypatch):
    join(feishu, REP, invite())
    feishu.say(REP, "新商机 华为 数据中心扩容 120万 下月底")
    drawn = adapter.draw_charts

    def slow(replies):
        time.sleep(3.5)
        return drawn(replies)
    monkeypatch.setattr(adapter, "draw_charts", slow)
    pressed = feishu.press(REP, "就是")
    assert pressed.frame["code"] == 200 and pressed.frame["elapsed"] < 1.5
    assert "商机已创建" in texts(pressed.calls)


# ---- pushes through the outbox --------------------------------------------------------------

def _overdue_deal(feishu, demo, clock) -> int:
    feishu.say(REP, "新商机 华为技术有限公司 机房搬迁 30万 月底")
    deal = deals_of(demo, REP)[-1]
    with demo() as uow:
        uow.deals.save(replace(deal, next_step="提交方案", next_due=date(2026, 11, 10)))
        assert agenda.enqueue(uow, clock) >= 1
        uow.commit()
    return deal.id


def test_the_pushed_agenda_goes_to_the_open_id_and_acting_on_an_item_updates_it_once(feishu, invite, demo, clock,
                                                                                     fake_feishu):
    join(feishu, REP, invite())
    _overdue_deal(feishu, demo, clock)
    deliverer = adapter.FeishuDeliverer(feishu.front_end.bridge.sender)
    mark = fake_feishu.mark()
    assert deliver_due(demo, clock, deliverer, "w1").sent == 1
    [pushed] = created(fake_feishu.since(mark))
    assert (pushed.query["receive_id_type"], pushed.body["receive_id"]) == ("open_id", REP.open_id)
    assert "提交方案" in shown(pushed.text) and pushed.labels()
    [item] = created(feishu.press(REP, pushed.labels()[0]).calls)
    message_id, button = feishu.card_with(REP, "明天再做")
    assert message_id == item.message_id
    value = button["behaviors"][0]["value"]
    snoozed = feishu.push(feishu.action(REP, message_id, value))
    [updated] = [c for c in snoozed.calls if c.method == "messages.patch"]
    assert updated.message_id == item.message_id and not updated.buttons()
    assert "已推迟到明天" in shown(updated.text)
    [deal] = deals_of(demo, REP)
    assert deal.next_due == date(2026, 11, 19)
    again = feishu.push(feishu.action(REP, message_id, value))  # pressed again from an old view of the card
    assert "已经处理过了" in texts(again.calls) and not [c for c in again.calls if c.method == "messages.patch"]
    assert deals_of(demo, REP)[0].next_due == date(2026, 11, 19)
    assert deliver_due(demo, clock, deliverer, "w1").sent == 0


def test_the_weekly_digest_goes_to_a_registered_group_by_its_chat_id(feishu, invite, demo, clock, fake_feishu):
    join(feishu, MANAGER, invite(Role.MANAGER))
    mention = [{"key": "@_user_1", "id": {"open_id": "ou_bot0000000000000000000000000000"}, "name": "销售助手"}]
    feishu.say(MANAGER, "@_user_1 群周报", chat_id="oc_group_east", mentions=mention)
    with demo() as uow:
        assert team_digest.enqueue_groups(uow, uow.teams.get(TEAM_ID), clock.now(), "2026-W46") == 1
        uow.commit()
    mark = fake_feishu.mark()
    assert deliver_due(demo, clock, adapter.FeishuDeliverer(feishu.front_end.bridge.sender), "w1").sent == 1
    posts = created(fake_feishu.since(mark))
    assert posts and all((c.query["receive_id_type"], c.body["receive_id"]) == ("chat_id", "oc_group_east")
                         for c in posts)
    assert "华东大区销售部" in texts(posts)


def test_a_rate_limited_push_waits_and_a_gone_user_is_blocked(feishu, invite, demo, clock, fake_feishu):
    join(feishu, REP, invite())
    _overdue_deal(feishu, demo, clock)
    deliverer = adapter.FeishuDeliverer(adapter.Sender(feishu.front_end.bridge.sender.client, wait=lambda s: None))
    fake_feishu.fail_next("messages.create", 99991400, status=429, times=3, headers={"x-ogw-ratelimit-reset": "7"})
    tally = deliver_due(demo, clock, deliverer, "w1")
    assert (tally.sent, tally.delayed) == (0, 1)
    clock.at += timedelta(seconds=8)
    fake_feishu.fail_next("messages.create", 230013)
    tally = deliver_due(demo, clock, deliverer, "w1")
    assert (tally.sent, tally.skipped) == (0, 1)
    with demo() as uow:
        assert not uow.users.is_reachable("feishu", TENANT, REP.open_id)


# ---- bot.py ----------------------------------------------------------------------------------

def options(**given) -> argparse.Namespace:
    return argparse.Namespace(**({"webhook": None, "listen": "127.0.0.1", "port": 8443} | given))


def test_bot_py_starts_feishu_alone_or_beside_the_others_and_lark_picks_the_domain(demo, clock):
    env = {"FEISHU_APP_ID": APP_ID, "FEISHU_APP_SECRET": APP_SECRET}
    [front_end] = bot.configured_front_ends(env, demo, clock, options())
    assert (front_end.platform, front_end.domain) == ("feishu", "https://open.feishu.cn")
    lark = adapter.from_env(env | {"FEISHU_DOMAIN": "lark"}, demo, clock)
    assert lark.domain == "https://open.larksuite.com"
    together = env | {"TELEGRAM_BOT_TOKEN": "123456:TEST-token", "SLACK_BOT_TOKEN": "xoxb-test",
                      "SLACK_APP_TOKEN": "xapp-test"}
    assert [f.platform for f in bot.configured_front_ends(together, demo, clock, options())] == [
        "telegram", "slack", "feishu"]
    with pytest.raises(ValueError, match="FEISHU_APP_SECRET"):
        adapter.from_env({"FEISHU_APP_ID": APP_ID}, demo, clock)


def test_a_wrong_secret_stops_the_start_with_one_line(fake_feishu, demo, clock):
    # another app id: the SDK caches tenant tokens per app id for the whole process
    env = feishu_environment(fake_feishu, FEISHU_APP_ID="cli_other_app", FEISHU_APP_SECRET="wrong")
    front_end = adapter.from_env(env, demo, clock)
    with pytest.raises(bot.StartupError) as refused:
        front_end.start()
    assert refused.value.key == "feishu.credentials_rejected"
    assert not fake_feishu.connections


def test_the_app_secret_is_redacted_from_logs():
    assert "FEISHU_APP_SECRET" in bot.SECRET_VARIABLES


def test_what_was_typed_is_read_from_text_and_rich_text_with_the_bots_mention_dropped():
    bot_id = "ou_bot0000000000000000000000000000"
    mentions = [Mention(key="@_user_1", id=Mention(open_id=bot_id), name="销售助手"),
                Mention(key="@_user_2", id=Mention(open_id="ou_other"), name="王伟")]
    assert adapter.message_text("text", '{"text": "@_user_1  群周报"}', mentions, bot_id) == "群周报"
    assert adapter.message_text("text", '{"text": "@_user_1 告诉 @_user_2"}', mentions, bot_id) == "告诉 @王伟"
    post = '{"title": "", "content": [[{"tag": "text", "text": "新商机 华为"}], [{"tag": "text", "text": "120万"}]]}'
    assert adapter.message_text("post", post, [], bot_id) == "新商机 华为\n120万"
    assert adapter.message_text("image", '{"image_key": "img_1"}', [], bot_id) == ""
    assert adapter.message_text("text", "not json", [], bot_id) == ""


# ---- the event-callback HTTP mode ------------------------------------------------------------

ENCRYPT_KEY = "test-encrypt-key"
VERIFICATION_TOKEN = "test-verification-token"


def encrypted(payload: dict, key: str = ENCRYPT_KEY) -> bytes:
    """The body Feishu posts with an Encrypt Key: AES-256-CBC of the JSON, key = sha256(key)."""
    plain = json.dumps(payload, ensure_ascii=False).encode()
    pad = 16 - len(plain) % 16
    iv = os.urandom(16)
    secret = AES.new(hashlib.sha256(key.encode()).digest(), AES.MODE_CBC, iv).encrypt(plain + bytes([pad]) * pad)
    return json.dumps({"encrypt": base64.b64encode(iv + secret).decode()}).encode()


def signed(body: bytes, key: str = ENCRYPT_KEY, stamp: int | None = None) -> dict[str, str]:
    stamp_text = str(int(time.time()) if stamp is None else stamp)
    signature = hashlib.sha256((stamp_text + "nonce-1" + key).encode() + body).hexdigest()
    return {"Content-Type": "application/json", "X-Lark-Request-Timestamp": stamp_text,
            "X-Lark-Request-Nonce": "nonce-1", "X-Lark-Signature": signature}


def post(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/feishu/events", body, headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def http_feishu(fake_feishu, demo, clock):
    env = feishu_environment(fake_feishu, FEISHU_ENCRYPT_KEY=ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN=VERIFICATION_TOKEN,
                             FEISHU_PORT=str(free_port()))
    front_end = adapter.from_env(env, demo, clock, listen="127.0.0.1")
    front_end.start()
    try:
        yield FeishuChat(fake_feishu, front_end)
    finally:
        front_end.stop()


def with_token(payload: dict) -> dict:
    return payload | {"header": payload["header"] | {"token": VERIFICATION_TOKEN}}


def test_http_mode_handles_signed_encrypted_events_and_refuses_the_rest(http_feishu, invite, demo, fake_feishu):
    port = http_feishu.front_end.bound_port
    assert not fake_feishu.connections  # no long connection in this mode
    event = with_token(http_feishu.message(REP, invite()))
    body = encrypted(event)
    for headers in (signed(body, key="wrong-key"), signed(body, stamp=1_000_000), {"Content-Type": "application/json"}):
        assert post(port, body, headers)[0] == 401
    assert identity(demo, REP) is None and not created(fake_feishu.sent())
    assert post(port, body, signed(body))[0] == 200
    http_feishu.front_end.bridge.wait_idle()
    assert "欢迎 赵敏" in texts(fake_feishu.sent()) and identity(demo, REP).name == "赵敏"
    assert post(port, body, signed(body))[0] == 200  # Feishu's retry of the same event: done once
    http_feishu.front_end.bridge.wait_idle()
    assert sum("欢迎 赵敏" in shown(c.text) for c in created(fake_feishu.sent())) == 1


def test_http_mode_answers_the_url_check_and_card_callbacks(http_feishu, invite, demo, fake_feishu):
    port = http_feishu.front_end.bound_port
    check = encrypted({"challenge": "ch-42", "token": VERIFICATION_TOKEN, "type": "url_verification"})
    assert post(port, check, signed(check)) == (200, {"challenge": "ch-42"})
    forged = encrypted({"challenge": "ch-42", "token": "not-the-token", "type": "url_verification"})
    assert post(port, forged, signed(forged))[0] != 200
    joined = encrypted(with_token(http_feishu.message(REP, invite())))
    post(port, joined, signed(joined))
    line = encrypted(with_token(http_feishu.message(REP, "新商机 华为 数据中心扩容 120万 下月底")))
    post(port, line, signed(line))
    http_feishu.front_end.bridge.wait_idle()
    message_id, button = http_feishu.card_with(REP, "就是")
    callback = encrypted(with_token(http_feishu.action(REP, message_id, button["behaviors"][0]["value"])))
    assert post(port, callback, signed(callback))[0] == 200
    http_feishu.front_end.bridge.wait_idle()
    assert "商机已创建" in texts(fake_feishu.sent()) and len(deals_of(demo, REP)) == 1


def test_http_mode_with_only_the_verification_token(fake_feishu, invite, demo, clock):
    env = feishu_environment(fake_feishu, FEISHU_VERIFICATION_TOKEN=VERIFICATION_TOKEN, FEISHU_PORT=str(free_port()))
    front_end = adapter.from_env(env, demo, clock, listen="127.0.0.1")
    front_end.start()
    try:
        chat = FeishuChat(fake_feishu, front_end)
        event = chat.message(REP, invite())
        forged = json.dumps(event | {"header": event["header"] | {"token": "guess"}}).encode()
        assert post(front_end.bound_port, forged, {"Content-Type": "application/json"})[0] == 401
        assert post(front_end.bound_port, json.dumps(with_token(event)).encode(),
                    {"Content-Type": "application/json"})[0] == 200
        front_end.bridge.wait_idle()
    finally:
        front_end.stop()
    assert identity(demo, REP).name == "赵敏"


def test_a_persons_events_are_handled_in_the_order_they_came(feishu, invite, demo):
    """Acked at once, handled after: a one-liner sent right after the invite code still finds
    its writer a member, every time."""
    for attempt in range(5):
        person = FeishuUser(f"ou_order{attempt:027d}", f"顺序{attempt}")
        feishu.fake.add_person(person)
        feishu.fake.push(feishu.message(person, invite()))
        feishu.fake.push(feishu.message(person, f"新商机 华为技术有限公司 顺序项目{attempt} 12万 下月底"))
        assert feishu.front_end.bridge.wait_idle(20)
        assert [d.title for d in deals_of(demo, person)] == [f"顺序项目{attempt}"]
