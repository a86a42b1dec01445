"""The DingTalk adapter end to end: the real `dingtalk-stream` client connected to a fake DingTalk
on 127.0.0.1 (token, Stream gateway, robot messages, cards, media), messages and card presses
pushed as Stream frames. Assertions are on what the fake recorded and on what the database holds."""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest

import bot
from assistant import StartupError
from assistant.events import Choice, Reply
from assistant.method.model import Role
from assistant.push import agenda
from assistant.push.delivery import deliver_due
from handlers import dingtalk as adapter
from tests.adapters.conftest import TOKEN, TgUser, message_update
from tests.adapters.fake_dingtalk import (
    CARD_TOPIC,
    CLIENT_ID,
    CLIENT_SECRET,
    CORP,
    MESSAGE_TOPIC,
    PNG,
    Call,
    DingUser,
    FakeDingTalk,
)
from tests.adapters.test_telegram import free_port

REP = DingUser("zhaomin0001", "赵敏")
MANAGER = DingUser("sunli0002", "孙丽")
GROUP = "cidGROUP0salesEast=="
STRANGER = DingUser("outsider0001", "Mallory")
TEAM_ID = 1  # the demo team


def env_for(fake: FakeDingTalk, **given: str) -> dict[str, str]:
    return {"DINGTALK_CLIENT_ID": CLIENT_ID, "DINGTALK_CLIENT_SECRET": CLIENT_SECRET,
            "DINGTALK_API_URL": fake.base_url, "DINGTALK_OAPI_URL": fake.base_url} | given


class DingTalkChat:
    """The front end running against the fake: `say` and `press` push one Stream frame, wait for
    its ack and for the bridge to finish, and return the calls made meanwhile."""

    def __init__(self, fake: FakeDingTalk, front: adapter.DingTalkFrontEnd) -> None:
        self.fake, self.front = fake, front

    def feed(self, topic: str, data: dict, message_id: str | None = None) -> list[Call]:
        mark = self.fake.mark()
        sent = self.fake.push(topic, data, message_id)
        self.fake.wait_for_ack(sent, count=len(self.fake.acks_of(sent)) + 1)
        assert self.front.bridge.wait_idle(20), "the event was not handled"
        return self.fake.since(mark)

    def say(self, user: DingUser, text: str, **given) -> list[Call]:
        return self.feed(MESSAGE_TOPIC, self.fake.message(user, text, **given))

    def card_with(self, user: DingUser, label: str) -> tuple[str, dict]:
        """The newest card shown to `user` with a button whose label holds `label`: its cardBizId and button."""
        for call in reversed(self.fake.sent()):
            biz_id = call.body.get("cardBizId")
            if call.kind in ("card", "update") and biz_id in self.shown_to(user):
                for button in call.buttons():
                    if label in button["label"]["text"]:
                        return biz_id, button
        raise AssertionError(f"no button {label!r} shown to {user.name}")

    def shown_to(self, user: DingUser) -> set[str]:
        return {c.body["cardBizId"] for c in self.fake.sent("card") if c.to == user.staff_id}

    def press(self, user: DingUser, label: str) -> list[Call]:
        biz_id, button = self.card_with(user, label)
        return self.feed(CARD_TOPIC, self.fake.press(user, biz_id, button["id"]))


def texts(calls: list[Call]) -> str:
    return "\n\n".join(c.text for c in calls if c.kind in ("send", "card", "update"))


@pytest.fixture
def fake_dingtalk(monkeypatch) -> Iterator[FakeDingTalk]:
    """The fake DingTalk; proxies off, so nothing leaves 127.0.0.1."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake = FakeDingTalk().start()
    yield fake
    fake.stop()


@pytest.fixture
def running(fake_dingtalk, demo, clock) -> Iterator[adapter.DingTalkFrontEnd]:
    front = adapter.from_env(env_for(fake_dingtalk), demo, clock)
    assert front is not None
    front.start()
    fake_dingtalk.wait_for(lambda: bool(fake_dingtalk.connections), what="the Stream connection")
    yield front
    front.stop()


@pytest.fixture
def ding(fake_dingtalk, running) -> DingTalkChat:
    return DingTalkChat(fake_dingtalk, running)


def identity(make_uow, user: DingUser):
    with make_uow() as uow:
        return uow.users.by_identity("dingtalk", user.corp, user.staff_id)


def deals_of(make_uow, user: DingUser):
    with make_uow() as uow:
        owner = uow.users.by_identity("dingtalk", user.corp, user.staff_id)
        return uow.deals.find(TEAM_ID, owner_id=owner.id)


def join(ding: DingTalkChat, user: DingUser, code: str) -> str:
    return texts(ding.say(user, code))


# ---- connecting, joining ----------------------------------------------------------------------

def test_the_stream_connects_with_the_apps_credentials_and_subscribes_messages_and_cards(ding, fake_dingtalk):
    [opened] = fake_dingtalk.sent("connect")
    assert (opened.body["clientId"], opened.body["clientSecret"]) == (CLIENT_ID, CLIENT_SECRET)
    assert {s["topic"] for s in opened.body["subscriptions"]} == {MESSAGE_TOPIC, CARD_TOPIC}
    assert all(s["type"] == "CALLBACK" for s in opened.body["subscriptions"])


def test_joining_by_the_code_in_a_one_to_one_chat_answers_by_userid_not_the_session_webhook(
        ding, invite, demo, fake_dingtalk):
    calls = ding.say(REP, invite())
    sent = [c for c in calls if c.kind == "send"]
    assert all(c.body["robotCode"] == CLIENT_ID and c.to == REP.staff_id for c in sent)
    assert all(c.body["msgKey"] == "sampleText" for c in sent)
    assert sent[0].text == "欢迎 赵敏 加入“华东大区销售部”，你的角色是销售。"
    assert "“新商机” 新建商机" in texts(sent) and "/new" not in texts(sent)  # commands named as words
    assert not fake_dingtalk.sent("webhook")
    joined = identity(demo, REP)
    assert (joined.name, joined.team_id, joined.role) == ("赵敏", TEAM_ID, "rep")


def test_the_same_userid_in_another_corp_is_a_stranger(ding, invite, demo):
    join(ding, REP, invite())
    elsewhere = replace(REP, corp="ding0corp0west")
    assert "邀请码" in texts(ding.say(elsewhere, "我的商机"))
    with demo() as uow:
        assert uow.users.by_identity("dingtalk", "ding0corp0west", REP.staff_id) is None


def test_a_stranger_is_refused_and_nothing_is_stored(ding, demo):
    calls = ding.say(STRANGER, "新商机 华为技术有限公司 数据中心扩容 120万 下月底")
    assert "邀请码" in texts(calls) and not [c for c in calls if c.kind == "card"]
    assert identity(demo, STRANGER) is None


def test_a_message_for_another_robot_is_refused(ding, invite, fake_dingtalk, demo):
    calls = ding.feed(MESSAGE_TOPIC, fake_dingtalk.message(REP, invite(), robot="dingsomeoneelse"))
    assert not [c for c in calls if c.kind in ("send", "card")]
    assert identity(demo, REP) is None


def test_in_a_group_an_at_of_the_robot_is_read_like_a_command_and_answered_in_the_group(ding, invite, fake_dingtalk):
    join(ding, MANAGER, invite(Role.MANAGER))
    calls = ding.say(MANAGER, " 群周报", group=GROUP)
    [answer] = [c for c in calls if c.kind == "send"]
    assert answer.path == "/v1.0/robot/groupMessages/send" and answer.body["openConversationId"] == GROUP
    assert "周报也会发到这个群" in answer.text and "“群周报”" in answer.text
    [private] = [c for c in ding.say(MANAGER, "我的商机", group=GROUP) if c.kind in ("send", "card")]
    assert private.to == MANAGER.staff_id and "只在私聊里显示" in private.text  # to them alone, never the group


def test_a_stranger_in_a_group_gets_nothing(ding, demo):
    calls = ding.say(STRANGER, "我的商机", group=GROUP)
    assert not [c for c in calls if c.kind in ("send", "card")]
    assert identity(demo, STRANGER) is None


# ---- deals, buttons, cards ----------------------------------------------------------------------

def test_a_deal_in_one_line_comes_back_as_a_card_with_its_buttons(ding, invite, demo):
    join(ding, REP, invite())
    calls = ding.say(REP, "新商机 华为技术有限公司 数据中心扩容 120万 下月底")
    [created] = [c for c in calls if c.kind == "card"]
    assert created.to == REP.staff_id and created.body["cardTemplateId"] == "StandardCard"
    assert created.card["header"]["title"]["text"] == "销售助手"
    assert "✅ 商机已创建" in created.text and "¥120万" in created.text
    assert created.labels()[0] == "⬜ 清楚客户要解决哪些问题" and created.labels()[5:7] == ["📝 记拜访", "⏩ 推进"]
    assert all(b["actionType"] == "request" for b in created.buttons())
    [deal] = deals_of(demo, REP)
    assert (deal.customer_name, deal.title, deal.amount, deal.close_date) == (
        "华为技术有限公司", "数据中心扩容", 1200000, date(2026, 12, 31))


def test_a_choice_is_made_by_a_card_button(ding, invite, demo):
    join(ding, REP, invite())
    asked = next(c for c in ding.say(REP, "新商机 华为 数据中心扩容 120万 下月底") if c.kind == "card")
    assert "“华为”是下面哪一个" in asked.text
    assert asked.labels() == ["就是 华为技术有限公司", "新客户：华为"]
    assert "商机已创建" in texts(ding.press(REP, "就是"))
    assert [d.customer_name for d in deals_of(demo, REP)] == ["华为技术有限公司"]


def test_a_checklist_tick_updates_the_pressed_card_in_place(ding, invite, demo, fake_dingtalk):
    join(ding, REP, invite())
    ding.say(REP, "新商机 华为技术有限公司 机房搬迁 30万 月底")
    deal_id = deals_of(demo, REP)[-1].id
    [checklist] = [c for c in ding.say(REP, f"推进 {deal_id}") if c.kind == "card"]
    assert "推进到“有效客户”前" in checklist.text
    boxes = [label for label in checklist.labels() if label.startswith("⬜")]
    assert boxes
    for box in boxes:
        tick = ding.press(REP, box)
        ack = fake_dingtalk.acks[-1]
        assert ack["code"] == 200 and json.loads(ack["data"]) == {"response": {}}  # nothing replaced by the ack
        assert [c.kind for c in tick] == ["update"]
        assert tick[0].body["cardBizId"] == checklist.body["cardBizId"]
        assert "✅ " + box.removeprefix("⬜ ") in tick[0].labels()
    assert "已推进" in texts(ding.press(REP, "确认"))
    with demo() as uow:
        assert uow.deals.get(deal_id).stage_key == "qualified"


def test_the_funnel_chart_is_uploaded_and_sent_as_an_image(ding, invite, fake_dingtalk):
    join(ding, REP, invite())
    ding.say(REP, "新商机 华为技术有限公司 机房搬迁 30万 月底")
    calls = ding.say(REP, "漏斗")
    [upload] = [c for c in calls if c.kind == "upload"]
    assert upload.query["type"] == "image" and upload.raw.count(PNG) == 1
    images = [c for c in calls if c.kind == "send" and c.body["msgKey"] == "sampleImageMsg"]
    assert [i.param["photoURL"] for i in images] == [upload.result["media_id"]]
    assert images[0].to == REP.staff_id and "合计：1 个，¥30万" in texts(calls)


def test_an_expired_access_token_is_asked_for_again_and_the_reply_still_goes(ding, invite, fake_dingtalk):
    join(ding, REP, invite())
    ding.say(REP, "新商机 华为技术有限公司 机房搬迁 30万 月底")
    fake_dingtalk.expire_tokens()
    calls = ding.say(REP, "漏斗")
    uploads = [c for c in calls if c.kind in ("token", "upload")]
    assert [c.kind for c in uploads] == ["upload", "token", "upload"]
    assert [uploads[0].result["errcode"], uploads[2].result["errcode"]] == [40014, 0]
    assert "合计：1 个，¥30万" in texts(calls)
    fake_dingtalk.expire_tokens()
    calls = ding.say(REP, "我的商机")
    assert [c.kind for c in calls][:2] == ["token", "card"] and "机房搬迁" in texts(calls)


def test_markdown_mentions_and_links_typed_by_a_user_are_not_interpreted(ding, invite):
    join(ding, REP, invite())
    calls = ding.say(REP, "新商机 **大客户**[点我](evil.example)@所有人 试点 5万 月底")
    created = next(c for c in calls if c.kind == "card" and "商机已创建" in c.text)
    assert r"\*\*大客户\*\*\[点我\](evil.example)@" + "\u2060所有人" in created.text  # reads the same
    listed = texts(ding.say(REP, "我的商机"))
    assert r"\*\*大客户\*\*\[点我\]" in listed and "@所有人" not in listed


def test_a_link_or_mention_reads_the_same_but_is_not_one():
    assert adapter.as_text("见 https://evil.example @张三") == "见 https:\u200b//evil.example @\u2060张三"
    assert adapter.as_markdown("[x](https://evil.example)") == r"\[x\](https:" + "\u200b//evil.example)"


# ---- dedupe, acks ---------------------------------------------------------------------------

def test_a_repeated_callback_creates_one_record(ding, invite, demo, fake_dingtalk):
    join(ding, REP, invite())
    message = fake_dingtalk.message(REP, "新商机 华为技术有限公司 数据中心扩容 120万 下月底", msg_id="msgREPEAT01")
    first = ding.feed(MESSAGE_TOPIC, message, message_id="stream-repeat-1")
    again = ding.feed(MESSAGE_TOPIC, message, message_id="stream-repeat-1")
    assert "商机已创建" in texts(first)
    assert not [c for c in again if c.kind in ("send", "card")]
    assert len(fake_dingtalk.acks_of("stream-repeat-1")) == 2
    assert len(deals_of(demo, REP)) == 1


def test_a_repeated_card_press_ticks_the_box_once(ding, invite, demo, fake_dingtalk):
    join(ding, REP, invite())
    ding.say(REP, "新商机 华为技术有限公司 机房搬迁 30万 月底")
    deal_id = deals_of(demo, REP)[-1].id
    ding.say(REP, f"推进 {deal_id}")
    biz_id, box = ding.card_with(REP, "⬜")
    press = fake_dingtalk.press(REP, biz_id, box["id"])
    first = ding.feed(CARD_TOPIC, press, message_id="stream-press-1")
    again = ding.feed(CARD_TOPIC, press, message_id="stream-press-1")
    assert [c.kind for c in first] == ["update"] and again == []
    shown = [b["label"]["text"] for c in fake_dingtalk.cards[biz_id]["contents"] if c["type"] == "action"
             for b in c["actions"]]
    assert "✅ " + box["label"]["text"].removeprefix("⬜ ") in shown  # ticked, not ticked and unticked again


def test_a_press_on_a_button_that_is_not_ours_is_acknowledged_and_ignored(ding, invite, fake_dingtalk):
    join(ding, REP, invite())
    calls = ding.feed(CARD_TOPIC, fake_dingtalk.press(REP, "someone-elses-card", "button_1646816888257"))
    assert calls == [] and fake_dingtalk.acks[-1]["code"] == 200


def test_a_callback_is_acknowledged_before_its_work_is_done(fake_dingtalk, demo, clock, invite):
    release = threading.Event()

    def slow_uow():
        assert release.wait(20)
        return demo()
    front = adapter.from_env(env_for(fake_dingtalk), slow_uow, clock)
    front.start()
    try:
        sent = fake_dingtalk.push(MESSAGE_TOPIC, fake_dingtalk.message(REP, invite()))
        ack = fake_dingtalk.wait_for_ack(sent)
        assert ack["code"] == 200 and not fake_dingtalk.sent("send")  # acked while the work waits
        release.set()
        assert front.bridge.wait_idle(20)
        assert "欢迎 赵敏" in texts(fake_dingtalk.sent("send"))
    finally:
        release.set()
        front.stop()


# ---- pushes ---------------------------------------------------------------------------------

def _overdue_deal(ding, demo, clock) -> int:
    ding.say(REP, "新商机 华为技术有限公司 机房搬迁 30万 月底")
    deal = deals_of(demo, REP)[-1]
    with demo() as uow:
        uow.deals.save(replace(deal, next_step="提交方案", next_due=date(2026, 11, 10)))
        assert agenda.enqueue(uow, clock) >= 1
        uow.commit()
    return deal.id


def test_the_pushed_agenda_goes_by_userid_and_an_item_is_acted_on_once(ding, invite, demo, clock, fake_dingtalk):
    join(ding, REP, invite())
    deal_id = _overdue_deal(ding, demo, clock)
    deliverer = adapter.DingTalkDeliverer(ding.front.sender)
    mark = fake_dingtalk.mark()
    tally = deliver_due(demo, clock, deliverer, "w1")
    assert tally.sent == 1
    [pushed] = fake_dingtalk.since(mark)
    assert pushed.kind == "card" and pushed.to == REP.staff_id and "提交方案" in pushed.text
    assert not fake_dingtalk.sent("webhook")
    opened = ding.press(REP, pushed.labels()[0])
    [reminder] = [c for c in opened if c.kind == "card"]
    done = ding.press(REP, "明天再做")
    assert "已推迟到明天" in texts(done)
    with demo() as uow:
        after_first = uow.deals.get(deal_id)
    [tomorrow] = [b for b in reminder.buttons() if "明天再做" in b["label"]["text"]]
    again = ding.feed(CARD_TOPIC, fake_dingtalk.press(REP, reminder.body["cardBizId"], tomorrow["id"]))
    assert not [c for c in again if c.kind == "update"] and "已经处理过了" in texts(again)
    with demo() as uow:
        assert uow.deals.get(deal_id) == after_first
    assert deliver_due(demo, clock, deliverer, "w1").sent == 0


def test_a_push_to_someone_who_left_the_corp_is_answered_blocked(ding, invite, demo, fake_dingtalk):
    join(ding, REP, invite())
    fake_dingtalk.gone.add(REP.staff_id)  # batchSend names them in invalidStaffIdList
    deliverer = adapter.DingTalkDeliverer(ding.front.sender)
    result = deliverer.send(adapter.ChatKey("dingtalk", REP.staff_id, REP.staff_id, CORP),
                            [Reply("common.internal_error", "zh"), Reply("common.internal_error", "zh")])
    assert result == adapter.BLOCKED
    tried = [c for c in fake_dingtalk.sent("send") if c.to == REP.staff_id and "出了点问题" in c.text]
    assert len(tried) == 1  # the second reply is not tried once DingTalk said they are gone


def test_a_flow_controlled_reply_is_waited_out_and_goes_once(ding, invite, fake_dingtalk):
    join(ding, REP, invite())
    fake_dingtalk.fail_next("/v1.0/robot/oToMessages/batchSend", 403, "Forbidden.AccessDenied.QpsLimitForApi")
    mark = fake_dingtalk.mark()
    calls = ding.say(REP, "帮助")
    attempts = [c for c in fake_dingtalk.calls[mark:] if c.kind == "send"]
    assert [c.status for c in attempts] == [403, 200] and attempts[1].at - attempts[0].at >= 1
    assert [c.text for c in calls if c.kind == "send"] == [attempts[1].text]


def test_a_flow_controlled_push_is_retried_later(ding, fake_dingtalk):
    fake_dingtalk.fail_next("/v1.0/robot/oToMessages/batchSend", 403, "Forbidden.AccessDenied.QpsLimitForApi")
    deliverer = adapter.DingTalkDeliverer(ding.front.sender)
    result = deliverer.send(adapter.ChatKey("dingtalk", REP.staff_id, REP.staff_id, CORP),
                            [Reply("common.internal_error", "zh")])
    assert result == adapter.RETRY


# ---- languages ------------------------------------------------------------------------------

def test_english_after_switching_language_with_the_commands_as_english_words(ding, invite):
    join(ding, REP, invite())
    switched = texts(ding.say(REP, "语言 en"))
    assert "English" in switched or "english" in switched.lower()
    help_text = texts(ding.say(REP, "help"))
    assert "“new”" in help_text and "/new" not in help_text
    created = next(c for c in ding.say(REP, "new 华为技术有限公司 Data centre 1.2m end of next month")
                   if c.kind == "card")
    assert "Deal created" in created.text
    assert created.labels()[0].startswith("⬜") and created.labels()[5:7] == ["📝 Log visit", "⏩ Advance"]
    assert created.card["header"]["title"]["text"] == "Sales assistant"


# ---- units of the translation -----------------------------------------------------------------

def test_button_ids_carry_their_values_and_foreign_ids_read_as_nothing():
    for value in ("act.advance.12", "pick.3a9f01.0", "选择"):
        assert adapter.choice_of(adapter.button_id(4, value)) == value
    assert adapter.choice_of("button_1646816888257") is None and adapter.choice_of("c1xzz") is None


def test_markdown_escaping_and_paragraphs():
    text = adapter.as_markdown("# 标题\n- 列表\n    四个空格\n1. 编号 `代码` <b>粗</b> ~删除~ | 表")
    assert text.split("\n\n") == [r"\# 标题", r"\- 列表", "\u00a0" * 4 + "四个空格",
                                  r"1\. 编号 \`代码\` \<b\>粗\</b\> \~删除\~ \| 表"]


def test_long_texts_are_split_between_lines_and_the_buttons_go_with_the_last_part():
    reply = Reply("common.unknown_command", "zh", {"text": ("甲" * 90 + "\n") * 100},
                  choices=(Choice("cmd.help", "common.unknown_command", {"text": "帮助"}),))
    parts = adapter.split_text(adapter.plain_text(reply))
    assert len(parts) > 1 and all(len(p) <= adapter.TEXT_LIMIT for p in parts)
    built = adapter.card(reply, parts[-1])
    assert [b["label"]["text"] for c in built["contents"] if c["type"] == "action" for b in c["actions"]]


def test_group_voice_and_rich_text_messages_are_read():
    group = {"msgtype": "text", "text": {"content": " 本周汇总"}, "senderStaffId": "u1", "senderCorpId": CORP,
             "conversationType": "2", "conversationId": "cidGROUP", "msgId": "m1", "robotCode": CLIENT_ID}
    event = adapter.message_event(group, "s1", CLIENT_ID)
    assert event is not None
    assert (event.who.chat, event.text, event.private, event.addressed) == ("cidGROUP", "本周汇总", False, True)
    voice = group | {"msgtype": "audio", "content": {"recognition": "我的商机"}, "conversationType": "1"}
    event = adapter.message_event(voice, "s2", CLIENT_ID)
    assert event is not None and (event.who.chat, event.text, event.private) == ("u1", "我的商机", True)
    rich = voice | {"msgtype": "richText", "content": {"richText": [{"text": "新商机 "}, {"downloadCode": "x"},
                                                                     {"text": "华为"}]}}
    assert adapter.message_event(rich, "s3", CLIENT_ID).text == "新商机 华为"
    assert adapter.message_event(group | {"senderStaffId": None}, "s4", CLIENT_ID) is None
    assert adapter.message_event(group | {"conversationId": None}, "s5", CLIENT_ID) is None
    picture = group | {"msgtype": "picture", "content": {"downloadCode": "x"}}
    assert adapter.message_event(picture, "s6", CLIENT_ID) is None


# ---- bot.py -----------------------------------------------------------------------------------

def options() -> argparse.Namespace:
    return argparse.Namespace(webhook=None, listen="127.0.0.1", port=8443)


def test_bot_runs_dingtalk_from_its_two_variables_and_stops(fake_dingtalk, demo, clock, invite):
    assert bot.configured_front_ends({}, demo, clock, options()) == []
    [front] = bot.configured_front_ends(env_for(fake_dingtalk), demo, clock, options())
    assert front.platform == "dingtalk"
    stop = threading.Event()
    thread = threading.Thread(target=bot.serve, args=([front], demo, clock, stop), daemon=True)
    thread.start()
    try:
        fake_dingtalk.push(MESSAGE_TOPIC, fake_dingtalk.message(REP, invite()))
        fake_dingtalk.wait_for(lambda: "欢迎 赵敏" in texts(fake_dingtalk.sent()), what="the welcome")
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive(), "the front end did not stop"


def test_dingtalk_runs_beside_telegram_in_one_process(fake_dingtalk, fake_telegram, demo, clock, invite):
    env = env_for(fake_dingtalk) | {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": f"http://127.0.0.1:{fake_telegram.port}"}
    front_ends = bot.configured_front_ends(env, demo, clock, options())
    assert [f.platform for f in front_ends] == ["telegram", "dingtalk"]
    stop = threading.Event()
    thread = threading.Thread(target=bot.serve, args=(front_ends, demo, clock, stop), daemon=True)
    thread.start()
    try:
        fake_telegram.queue_update(message_update(9301, TgUser(811301, "李娜"), f"/start {invite()}"))
        fake_dingtalk.push(MESSAGE_TOPIC, fake_dingtalk.message(REP, invite()))
        fake_dingtalk.wait_for(lambda: "欢迎 赵敏" in texts(fake_dingtalk.sent()), what="the DingTalk welcome")
        asyncio.run(fake_telegram.wait_for(lambda calls: any("欢迎 李娜" in c.text for c in calls)))
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive(), "the front ends did not stop"
    with demo() as uow:
        assert uow.users.by_identity("telegram", "", "811301").team_id == uow.users.by_identity(
            "dingtalk", CORP, REP.staff_id).team_id == TEAM_ID


def test_rejected_credentials_a_refused_stream_or_half_a_configuration_stop_the_start(fake_dingtalk, demo, clock):
    front = adapter.from_env(env_for(fake_dingtalk, DINGTALK_CLIENT_SECRET="wrong-secret-000"), demo, clock)
    with pytest.raises(StartupError) as rejected:
        front.start()
    assert rejected.value.key == "dingtalk.startup.rejected"
    front.stop()
    fake_dingtalk.fail_next("/v1.0/gateway/connections/open", 403, "Forbidden.AccessDenied.AccessTokenPermissionDenied")
    front = adapter.from_env(env_for(fake_dingtalk), demo, clock)
    with pytest.raises(StartupError) as refused:
        front.start()
    assert refused.value.key == "dingtalk.startup.stream_refused" and not front.thread.is_alive()
    nowhere = adapter.from_env(env_for(fake_dingtalk, DINGTALK_API_URL=f"http://127.0.0.1:{free_port()}"), demo, clock)
    with pytest.raises(StartupError) as unreachable:
        nowhere.start()
    assert unreachable.value.key == "dingtalk.startup.unreachable"
    with pytest.raises(StartupError) as half:
        adapter.from_env({"DINGTALK_CLIENT_ID": CLIENT_ID}, demo, clock)
    assert half.value.key == "dingtalk.startup.incomplete"


def test_the_secret_and_access_tokens_are_redacted_in_logs():
    secret_filter = bot.redact_logs({"DINGTALK_CLIENT_SECRET": CLIENT_SECRET})
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1,
                               "POST /media/upload?access_token=token-42&type=image %s", (CLIENT_SECRET,), None)
    secret_filter.filter(record)
    assert "token-42" not in record.msg and CLIENT_SECRET not in record.msg and "type=image" in record.msg
    record = logging.LogRecord("dingtalk", logging.INFO, __file__, 1, "endpoint is %s",
                               ({"endpoint": "wss://x", "ticket": "abc-123"},), None)
    secret_filter.filter(record)
    assert "abc-123" not in record.msg
