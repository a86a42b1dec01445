"""The Slack adapter end to end: the real Bolt app, its slack_sdk WebClient pointed at a mock
Slack Web API on 127.0.0.1, signed requests into Bolt's request handling. Assertions are on the
texts and blocks the mock recorded and on what the database holds."""
from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

import bot
from assistant.chat.menu import command_menu
from assistant.events import ChatKey, Choice, Reply, UserRef
from assistant.i18n import WORDS, Vocabulary
from assistant.method.model import Role
from assistant.push import agenda
from assistant.push.delivery import deliver_due
from handlers import slack as adapter
from tests.adapters.fake_slack import BOT_ID, TEAM, SlackUser
from tests.adapters.fake_socket_mode import FakeSocketMode
from tests.adapters.slack_chat import (
    CHANNEL,
    MANAGER,
    REP,
    SECRET,
    STRANGER,
    SlackChat,
    client_for,
    event_body,
    signed_headers,
    texts,
)
from tests.adapters.test_telegram import free_port

TEAM_ID = 1  # the demo team
ROOT = Path(__file__).resolve().parents[2]


def identity(make_uow, user: SlackUser):
    with make_uow() as uow:
        return uow.users.by_identity("slack", TEAM, user.id)


def deals_of(make_uow, user: SlackUser):
    with make_uow() as uow:
        owner = uow.users.by_identity("slack", TEAM, user.id)
        return uow.deals.find(TEAM_ID, owner_id=owner.id)


def posted(calls, method="chat.postMessage"):
    return [c for c in calls if c.method == method]


def join(slack: SlackChat, user: SlackUser, code: str) -> str:
    return texts(slack.dm(user, code).calls)


# ---- joining, identities --------------------------------------------------------------------

def test_joining_by_the_code_in_the_dm_takes_the_name_from_users_info(slack, invite, demo):
    response = slack.dm(REP, invite())
    assert response.status == 200
    [info] = [c for c in response.calls if c.method == "users.info"]
    assert info.args["user"] == REP.id
    messages = posted(response.calls)
    assert messages and all(c.channel == REP.dm for c in messages)
    assert "欢迎 赵敏 加入“华东大区销售部”" in messages[0].text
    assert "客户叫什么" not in texts(response.calls) and "名字" not in messages[0].text
    joined = identity(demo, REP)
    assert (joined.name, joined.team_id, joined.role) == ("赵敏", TEAM_ID, "rep")



def test_the_same_user_id_in_another_workspace_is_a_stranger(slack, invite, demo):
    join(slack, REP, invite())
    elsewhere = replace(REP, team="T0OTHER")
    slack.fake.add_person(elsewhere)
    assert "邀请码" in texts(slack.dm(elsewhere, "我的商机").calls)
    with demo() as uow:
        assert uow.users.by_identity("slack", "T0OTHER", REP.id) is None


# ---- the /sales command, words in the DM, forms ----------------------------------------------

def test_a_deal_in_one_line_by_the_slash_command(slack, invite, demo):
    join(slack, REP, invite())
    response = slack.command(REP, "new 华为技术有限公司 数据中心扩容 120万 下月底")
    assert (response.status, response.body) == (200, "")  # acked at once, the answer is a message
    [created] = posted(response.calls)
    assert created.channel == REP.dm and "✅ 商机已创建" in created.text and "¥120万" in created.text
    assert created.labels()[0] == "⬜ 清楚客户要解决哪些问题" and created.labels()[5:7] == ["📝 记拜访", "⏩ 推进"]
    assert all(len(b["value"]) <= 2000 and len(b["text"]["text"]) <= 75 for b in created.buttons())
    [deal] = deals_of(demo, REP)
    assert (deal.customer_name, deal.title, deal.amount, deal.close_date) == (
        "华为技术有限公司", "数据中心扩容", 1200000, date(2026, 12, 31))


def test_a_slash_command_in_the_dm_before_any_message_finds_the_apps_dm(slack, invite, demo):
    response = slack.command(REP, f"start {invite()}")
    assert next(c.method for c in response.calls if c.method != "users.info") == "conversations.open"
    assert "欢迎 赵敏" in posted(response.calls)[0].text and posted(response.calls)[0].channel == REP.dm
    assert identity(demo, REP).name == "赵敏"


def test_words_work_in_the_dm_and_the_texts_name_them(slack, invite, demo):
    join(slack, REP, invite())
    asked = posted(slack.dm(REP, "新商机 华为 数据中心扩容 120万 下月底").calls)[0]
    assert "“华为”是下面哪一个" in asked.text
    assert asked.labels() == ["就是 华为技术有限公司", "新客户：华为"]
    assert "商机已创建" in texts(slack.press(REP, "就是").calls)
    listed = texts(slack.dm(REP, "deals").calls)
    assert "数据中心扩容" in listed
    help_text = texts(slack.dm(REP, "帮助").calls)
    assert "“新商机” 新建商机" in help_text and "/sales" not in help_text and "/new" not in help_text


def test_the_new_deal_modal_refuses_fields_in_the_ack_then_stores_the_deal(slack, invite, demo):
    join(slack, REP, invite())
    opened = slack.command(REP, "new")
    [call] = [c for c in opened.calls if c.method == "views.open"]
    view = call.args["view"]
    assert call.args["trigger_id"].startswith("trigger-") and not posted(opened.calls)
    assert view["title"]["text"] == "新建商机" and view["submit"]["text"] == "保存"
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["customer"]["label"]["text"] == "客户名称" and "120万" in blocks["amount"]["hint"]["text"]
    assert blocks["stage"]["element"]["type"] == "static_select" and blocks["stage"]["optional"]
    assert blocks["man"]["element"]["type"] == "multi_static_select"

    refused = slack.submit(REP, view, {"customer": "华为技术有限公司", "title": "", "amount": "-5万",
                                       "close_date": "下月底"})
    assert refused.json()["response_action"] == "errors"
    errors = refused.json()["errors"]
    assert set(errors) == {"title", "amount"} and "必填" in errors["title"] and "大于 0" in errors["amount"]
    assert not posted(refused.calls) and deals_of(demo, REP) == []

    saved = slack.submit(REP, view, {"customer": "华为技术有限公司", "title": "园区网络", "amount": "88万",
                                     "close_date": "下月底", "man": ("picks", ["need", "money"])})
    assert (saved.status, saved.body) == (200, "")
    card = posted(saved.calls)[0]
    assert card.channel == REP.dm and "商机已创建" in card.text and "入口检查点（目标客户）：已确认 0/5" in card.text
    ticked = slack.press(REP, "清楚客户要解决哪些问题")
    assert "已确认 1/5" in texts(ticked.calls) and any(c.method == "chat.update" for c in ticked.calls)
    [deal] = deals_of(demo, REP)
    assert (deal.title, deal.amount, deal.need, deal.money, deal.authority) == ("园区网络", 880000, True, True, False)


def test_a_modal_answer_that_needs_asking_back_continues_in_the_dm(slack, invite, demo):
    join(slack, REP, invite())
    view = next(c for c in slack.command(REP, "new").calls if c.method == "views.open").args["view"]
    answer = slack.submit(REP, view, {"customer": "华为", "title": "园区网络", "amount": "88万",
                                      "close_date": "下月底"})
    assert answer.body == ""
    asked = posted(answer.calls)[0]
    assert "“华为”是下面哪一个" in asked.text and asked.channel == REP.dm
    assert "商机已创建" in texts(slack.press(REP, "就是").calls)
    assert [d.title for d in deals_of(demo, REP)] == ["园区网络"]


def test_field_errors_are_in_the_users_language(slack, invite):
    join(slack, REP, invite())
    slack.dm(REP, "/lang en")
    view = next(c for c in slack.command(REP, "new").calls if c.method == "views.open").args["view"]
    assert view["title"]["text"] == "New deal"
    refused = slack.submit(REP, view, {"customer": "华为技术有限公司", "title": "Campus", "amount": "lots",
                                       "close_date": "someday"})
    errors = refused.json()["errors"]
    assert set(errors) == {"amount", "close_date"} and "amount" in errors["amount"].lower()


# ---- buttons, channels, escaping -------------------------------------------------------------

def test_a_checklist_tick_updates_the_pressed_message_in_place(slack, invite, demo):
    join(slack, REP, invite())
    slack.command(REP, "new 华为技术有限公司 机房搬迁 30万 月底")
    deal_id = deals_of(demo, REP)[-1].id
    checklist = posted(slack.command(REP, f"advance {deal_id}").calls)[0]
    assert "推进到“有效客户”前" in checklist.text
    boxes = [label for label in checklist.labels() if label.startswith("⬜")]
    for box in boxes:
        tick = slack.press(REP, box)
        assert [c.method for c in tick.calls] == ["chat.update"]
        [update] = tick.calls
        assert (update.channel, update.args["ts"]) == (REP.dm, checklist.result["ts"])
        assert "✅ " + box.removeprefix("⬜ ") in update.labels()
    assert "已推进" in texts(slack.press(REP, "确认").calls)
    with demo() as uow:
        assert uow.deals.get(deal_id).stage_key == "qualified"


def test_mrkdwn_in_a_customer_name_is_escaped(slack, invite):
    join(slack, REP, invite())
    calls = slack.command(REP, "new <!channel><https://evil.example|点我>&amp; 试点 5万 月底").calls
    created = next(c for c in posted(calls) if "商机已创建" in c.text)
    assert "&lt;!channel&gt;&lt;https" in created.text and "点我&gt;&amp;amp;" in created.text
    assert "<!channel>" not in created.text and "<http" not in created.text
    assert all(b["text"]["type"] == "mrkdwn" for b in created.blocks if b["type"] == "section")


def test_a_stranger_in_a_channel_sees_nothing(slack, demo):
    for response in (slack.mention(STRANGER, CHANNEL, "我的商机"), slack.command(STRANGER, "deals", CHANNEL)):
        assert response.status == 200
        assert not [c for c in response.calls if c.method.startswith(("chat.", "views."))]
    assert identity(demo, STRANGER) is None


def test_a_private_reply_in_a_channel_is_ephemeral(slack, invite):
    join(slack, REP, invite())
    [call] = [c for c in slack.mention(REP, CHANNEL, "deals").calls if c.method.startswith("chat.")]
    assert (call.method, call.channel, call.args["user"]) == ("chat.postEphemeral", CHANNEL, REP.id)
    assert "只在私聊里显示" in call.text
    # a slash command's ephemeral answer goes by its response_url, which works in any channel
    calls = slack.command(REP, "deals", CHANNEL).calls
    assert not [c for c in calls if c.method.startswith("chat.")]
    [answer] = [c for c in calls if c.method == "response_url"]
    assert answer.args["response_type"] == "ephemeral" and "只在私聊里显示" in answer.text


def test_a_mention_in_a_channel_is_read_like_a_command_with_the_channels_vocabulary(slack, invite):
    join(slack, MANAGER, invite(Role.MANAGER))
    response = slack.mention(MANAGER, CHANNEL, "groupdigest")
    [call] = posted(response.calls)
    assert call.channel == CHANNEL and "周报也会发到这个群" in call.text
    assert "再发一次 /sales groupdigest 可取消" in call.text  # in a channel, the way it can be typed there


def test_user_refs_become_slack_mentions_only_with_a_slack_id():
    reply = Reply("join.welcome", "zh", {"name": UserRef(7, "<王伟>", "U0WANG001"), "team": "东区", "role": "rep"})
    assert "<@U0WANG001>" in adapter.mrkdwn(reply, WORDS)
    reply = Reply("join.welcome", "zh", {"name": UserRef(7, "<王伟>", None), "team": "东区", "role": "rep"})
    assert "&lt;王伟&gt;" in adapter.mrkdwn(reply, WORDS) and "<@" not in adapter.mrkdwn(reply, WORDS)


def test_long_texts_and_many_buttons_fit_slacks_limits():
    long = Reply("common.unknown_command", "zh", {"text": ("甲" * 120 + "\n") * 80},
                 choices=tuple(Choice(f"v{n}" + ("x" * 2100 if n == 3 else ""), "common.unknown_command",
                                      {"text": "长" * 100}) for n in range(30)))
    parts = adapter.messages(long, Vocabulary.subcommand("sales"))
    sections = [b for part in parts for b in part.blocks if b["type"] == "section"]
    assert all(len(b["text"]["text"]) <= 3000 for b in sections) and all(len(p.blocks) <= 50 for p in parts)
    buttons = [e for b in parts[-1].blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == 29 and all(len(e["text"]["text"]) <= 75 for e in buttons)
    assert all(len(b["elements"]) <= 25 for b in parts[-1].blocks if b["type"] == "actions")
    assert len({e["action_id"] for e in buttons}) == 29


# ---- requests Slack did not sign, retries ---------------------------------------------------

def test_a_wrong_signature_or_a_stale_timestamp_is_refused_with_nothing_stored(slack, invite, demo):
    code = invite()
    wrong = slack.dm(REP, code, secret="not-the-secret")
    stale = slack.dm(REP, code, timestamp=int(time.time()) - 10 * 60)
    assert (wrong.status, stale.status) == (401, 401)
    assert wrong.calls == [] and stale.calls == []
    assert identity(demo, REP) is None


def test_a_retried_event_creates_one_record(slack, invite, demo):
    join(slack, REP, invite())
    first = slack.dm(REP, "新商机 华为技术有限公司 数据中心扩容 120万 下月底", event_id="Ev0RETRY01")
    again = slack.dm(REP, "新商机 华为技术有限公司 数据中心扩容 120万 下月底", event_id="Ev0RETRY01", retry=1)
    assert "商机已创建" in texts(first.calls)
    assert again.status == 200 and not posted(again.calls)
    assert len(deals_of(demo, REP)) == 1


def test_a_429_on_a_reply_is_waited_out_and_the_reply_still_goes(slack, invite, fake_slack):
    join(slack, REP, invite())
    fake_slack.fail_next("chat.postMessage", "ratelimited", status=429, retry_after=1)
    began = time.monotonic()
    response = slack.dm(REP, "我的商机")
    attempts = [c for c in fake_slack.since(0, ok_only=False) if c.method == "chat.postMessage"][-2:]
    assert [c.status for c in attempts] == [429, 200] and time.monotonic() - began >= 1
    assert "还没有进行中的商机" in texts(response.calls) or "商机" in texts(response.calls)


# ---- pushes through the outbox --------------------------------------------------------------

def _overdue_deal(slack, demo, clock) -> int:
    slack.command(REP, "new 华为技术有限公司 机房搬迁 30万 月底")
    deal = deals_of(demo, REP)[-1]
    with demo() as uow:
        uow.deals.save(replace(deal, next_step="提交方案", next_due=date(2026, 11, 10)))
        assert agenda.enqueue(uow, clock) >= 1
        uow.commit()
    return deal.id


def test_the_agenda_is_pushed_to_the_slack_dm_and_acting_on_an_item_updates_it(slack, invite, demo, clock, fake_slack):
    join(slack, REP, invite())
    _overdue_deal(slack, demo, clock)
    deliverer = adapter.SlackDeliverer(adapter.Sender(client_for(fake_slack)))
    mark = fake_slack.mark()
    tally = deliver_due(demo, clock, deliverer, "w1")
    assert tally.sent == 1
    calls = fake_slack.since(mark)
    assert [c.method for c in calls] == ["chat.postMessage"]  # to the DM the rep wrote from
    agenda_message = calls[-1]
    assert agenda_message.channel == REP.dm and "提交方案" in agenda_message.text and agenda_message.labels()
    opened = slack.press(REP, agenda_message.labels()[0])
    [card] = [c for c in opened.calls if c.method == "chat.postMessage"]
    assert "⏭ 明天再做" in card.labels()
    moved = slack.press(REP, "⏭ 明天再做")
    updates = [c for c in moved.calls if c.method == "chat.update"]
    assert updates and (updates[0].channel, updates[0].args["ts"]) == (REP.dm, card.result["ts"])
    assert not updates[0].buttons() and "已推迟到明天" in updates[0].text


def test_a_rate_limited_push_is_delayed_and_a_gone_user_is_blocked(
        slack, invite, demo, clock, fake_slack):
    join(slack, REP, invite())
    _overdue_deal(slack, demo, clock)
    deliverer = adapter.SlackDeliverer(adapter.Sender(client_for(fake_slack)))
    fake_slack.fail_next("chat.postMessage", "ratelimited", status=429, retry_after=60)
    tally = deliver_due(demo, clock, deliverer, "w1")
    assert (tally.sent, tally.retried, tally.delayed) == (0, 0, 1)  # delayed as asked, never counted as failing
    clock.at += timedelta(minutes=2)
    fake_slack.fail_next("chat.postMessage", "account_inactive")
    tally = deliver_due(demo, clock, deliverer, "w1")
    assert (tally.sent, tally.skipped) == (0, 1)
    with demo() as uow:
        assert not uow.users.is_reachable("slack", TEAM, REP.id)


def test_event_ids_are_kept_under_the_bot_id_auth_test_gave(slack, invite, demo, clock, fake_slack):
    slack.dm(REP, invite(), event_id="Ev0JOIN001")
    assert [c.method for c in fake_slack.sent()][:1] == ["auth.test"]
    with demo() as uow:
        assert not uow.inbox.first_time("slack", BOT_ID, "Ev0JOIN001", clock.now())
        assert uow.inbox.first_time("slack", "B0OTHERAPP", "Ev0JOIN001", clock.now())


# ---- the manifest, bot.py --------------------------------------------------------------------

def test_the_committed_manifest_is_what_the_generator_prints(capsys):
    assert bot.main(["--slack-manifest"]) == 0
    printed = capsys.readouterr().out
    assert (ROOT / "slack" / "manifest.yml").read_text("utf-8") == printed
    manifest = yaml.safe_load(printed)
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/sales"
    assert command["usage_hint"].split(" | ") == [entry.command for entry in command_menu("zh")]
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {"message.im", "app_mention",
                                                                               "app_home_opened"}
    assert manifest["settings"]["socket_mode_enabled"] and manifest["settings"]["interactivity"]["is_enabled"]
    assert manifest["features"]["app_home"]["messages_tab_enabled"]
    assert {"chat:write", "commands", "im:history", "users:read", "files:write"} <= set(
        manifest["oauth_config"]["scopes"]["bot"])
    assert yaml.safe_load(adapter.manifest_yaml("en"))["display_information"]["name"] == "Sales assistant"


def options(**given) -> argparse.Namespace:
    return argparse.Namespace(**({"webhook": None, "listen": "127.0.0.1", "port": None} | given))


def test_bot_py_runs_slack_over_http_from_the_environment(fake_slack, invite, demo, clock):
    fake_slack.add_person(REP)
    port = free_port()
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "PORT": str(port),
           "SLACK_API_URL": fake_slack.base_url}
    front_ends = bot.configured_front_ends(env, demo, clock, options())
    assert [f.platform for f in front_ends] == ["slack"] and front_ends[0].app_token is None
    stop = threading.Event()
    thread = threading.Thread(target=bot.serve, args=(front_ends, demo, clock, stop), daemon=True)
    thread.start()
    try:
        body = event_body({"type": "message", "channel": REP.dm, "channel_type": "im", "user": REP.id,
                           "text": invite(), "ts": "1780000000.000001", "team": TEAM}, "Ev0HTTP001")
        deadline = time.monotonic() + 10
        while True:  # until the server listens
            request = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", body.encode(),
                                             signed_headers(body, "application/json"))
            try:
                began = time.monotonic()
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert response.status == 200 and time.monotonic() - began < 3
                break
            except urllib.error.URLError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        fake_slack.wait_for(lambda calls: any("欢迎 赵敏" in c.text for c in calls if c.method == "chat.postMessage"))
        forged = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", body.encode(),
                                        signed_headers(body, "application/json", secret="wrong"))
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=5)
        assert refused.value.code == 401
    finally:
        stop.set()
        thread.join(20)
    assert not thread.is_alive(), "the front end did not stop"
    assert identity(demo, REP).name == "赵敏"


def test_an_app_token_chooses_socket_mode_and_no_token_no_slack(demo, clock):
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test"}
    [front_end] = bot.configured_front_ends(env, demo, clock, options())
    assert (front_end.platform, front_end.app_token) == ("slack", "xapp-test")
    assert bot.configured_front_ends({"SLACK_APP_TOKEN": "xapp-test"}, demo, clock, options()) == []
    with pytest.raises(ValueError, match="SLACK_APP_TOKEN"):
        adapter.from_env({"SLACK_BOT_TOKEN": "xoxb-test"}, demo, clock)


def test_telegram_and_slack_configured_together_both_run(demo, clock):
    env = {"TELEGRAM_BOT_TOKEN": "123456:TEST-token", "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test"}
    assert [f.platform for f in bot.configured_front_ends(env, demo, clock, options())] == ["telegram", "slack"]


def test_a_chart_is_uploaded_into_the_dm_before_its_text(slack, invite, fake_slack):
    join(slack, REP, invite())
    slack.command(REP, "new 华为技术有限公司 机房搬迁 30万 月底")
    calls = slack.dm(REP, "漏斗").calls
    methods = [c.method for c in calls]
    assert methods[:4] == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal",
                           "chat.postMessage"]
    upload = next(c for c in calls if c.method == "upload")
    assert upload.body.startswith(b"\x89PNG") and fake_slack.uploads[upload.args["file_id"]] == upload.body
    complete = next(c for c in calls if c.method == "files.completeUploadExternal")
    assert complete.args["channel_id"] == REP.dm and complete.args["files"][0]["title"] == "图表"
    assert "目标客户" in texts(calls)


def test_opening_the_apps_dm_is_acknowledged_without_a_message(slack):
    response = slack.event({"type": "app_home_opened", "user": REP.id, "channel": REP.dm, "tab": "messages",
                            "event_ts": "1780000000.000001"})
    assert response.status == 200 and not [c for c in response.calls if c.method.startswith("chat.")]


def test_socket_mode_receives_events_over_the_apps_websocket_and_acks_them(fake_slack, invite, demo, clock):
    fake_slack.add_person(REP)
    socket_mode = FakeSocketMode().start()
    fake_slack.socket_url = socket_mode.url
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test", "SLACK_API_URL": fake_slack.base_url}
    front_end = adapter.from_env(env, demo, clock)
    deliverer = front_end.start()
    try:
        assert any(c.method == "apps.connections.open" for c in fake_slack.sent())
        body = json.loads(event_body({"type": "message", "channel": REP.dm, "channel_type": "im", "user": REP.id,
                                      "text": invite(), "ts": "1780000000.000001", "team": TEAM}, "Ev0SOCK001"))
        envelope = socket_mode.push("events_api", body)
        assert socket_mode.wait_for_ack(envelope)["envelope_id"] == envelope
        fake_slack.wait_for(lambda calls: any("欢迎 赵敏" in c.text for c in calls if c.method == "chat.postMessage"))
        command = {"team_id": TEAM, "channel_id": REP.dm, "user_id": REP.id, "command": "/sales", "text": "new",
                   "trigger_id": "trigger-sock-1", "api_app_id": "A0FUNNEL"}
        envelope = socket_mode.push("slash_commands", command)
        socket_mode.wait_for_ack(envelope)
        calls = fake_slack.wait_for(lambda calls: any(c.method == "views.open" for c in calls))
        [opened] = [c for c in calls if c.method == "views.open"]
        assert opened.args["trigger_id"] == "trigger-sock-1" and opened.args["view"]["title"]["text"] == "新建商机"
        assert deliverer.platform == "slack"
    finally:
        front_end.stop()
        socket_mode.stop()
    assert identity(demo, REP).name == "赵敏"


def test_the_ack_goes_back_before_the_slow_work(fake_slack, invite, demo, clock, monkeypatch):
    """Bolt's default mode: the command is acked at once, the chart is drawn and sent after."""
    fake_slack.add_person(REP)
    app = adapter.build_app(client_for(fake_slack), demo, clock, SECRET)
    chat = SlackChat(fake_slack, app)
    chat.dm(REP, invite())
    fake_slack.wait_for(lambda calls: any("欢迎" in c.text for c in calls if c.method == "chat.postMessage"))
    chat.dm(REP, "新商机 华为技术有限公司 机房搬迁 30万 月底")
    fake_slack.wait_for(lambda calls: any("商机已创建" in c.text for c in calls if c.method == "chat.postMessage"))
    drawn = adapter.draw_charts

    def slow(replies):
        time.sleep(3.5)
        return drawn(replies)
    monkeypatch.setattr(adapter, "draw_charts", slow)
    began = time.monotonic()
    response = chat.command(REP, "funnel")
    assert (response.status, response.body) == (200, "") and time.monotonic() - began < 1.5
    fake_slack.wait_for(lambda calls: any(c.method == "files.completeUploadExternal" for c in calls), timeout=15)


def test_a_stranger_in_the_dm_is_told_how_to_join_and_nothing_is_stored(slack, demo):
    calls = slack.dm(STRANGER, "deals").calls
    [prompt] = posted(calls)
    assert prompt.channel == STRANGER.dm and "invite code" in prompt.text.lower() and not prompt.buttons()
    assert identity(demo, STRANGER) is None


def test_a_chart_slack_refuses_leaves_the_text(slack, invite, fake_slack):
    join(slack, REP, invite())
    slack.command(REP, "new 华为技术有限公司 机房搬迁 30万 月底")
    fake_slack.fail_next("files.getUploadURLExternal", "missing_scope")
    calls = slack.dm(REP, "漏斗").calls
    assert posted(calls) and "目标客户" in texts(calls)
    assert not [c for c in calls if c.method == "upload"]


# ---- the app outside a channel, the port -----------------------------------------------------

def test_a_slash_command_in_a_channel_the_app_is_not_in_is_answered_by_its_response_url(slack, invite, fake_slack):
    join(slack, MANAGER, invite(Role.MANAGER))
    fake_slack.fail_next("chat.postMessage", "not_in_channel")
    calls = slack.command(MANAGER, "groupdigest", CHANNEL).calls
    [told] = [c for c in calls if c.method == "response_url"]
    assert told.args["response_type"] == "ephemeral" and "我还不在这个频道里" in told.text


def test_a_channel_post_without_a_response_url_is_explained_in_the_dm(fake_slack, invite, demo, clock):
    sender = adapter.Sender(client_for(fake_slack))
    fake_slack.fail_next("chat.postMessage", "channel_not_found")
    in_channel = ChatKey("slack", CHANNEL, MANAGER.id, TEAM)
    sent = sender.send_replies(in_channel, [Reply("team.group_digest_off", "en", {"team": "East"})])
    [told] = [c for c in fake_slack.sent("chat.postMessage")]
    assert told.channel == MANAGER.dm and "I'm not in this channel yet" in told.text
    assert sent.blocked == [in_channel]


def test_http_mode_listens_on_the_port_option_else_port_else_3000(demo, clock):
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET}
    assert adapter.from_env(env, demo, clock).port == 3000
    assert adapter.from_env(env | {"PORT": "5000"}, demo, clock).port == 5000
    assert adapter.from_env(env | {"PORT": "5000"}, demo, clock, port=4000).port == 4000
    with_telegram = adapter.from_env(env | {"PORT": "5000"}, demo, clock, webhook_url="https://x.example/tg", port=8443)
    assert with_telegram.port == 5000  # --port is the Telegram webhook's then
    [front_end] = bot.configured_front_ends(env, demo, clock, bot.parse_args(["--port", "4100"]))
    assert front_end.port == 4100


# ---- the other scenarios: a visit by words in the DM, the lost report ----------------

def test_a_visit_is_logged_in_the_dm_by_words(slack, invite, demo):
    join(slack, REP, invite())
    slack.command(REP, "new 华为技术有限公司 机房搬迁 30万 月底")
    calls = slack.dm(REP, "拜访 华为技术有限公司 明天 提交方案").calls
    assert "✅ 拜访已记录" in texts(calls) and "的下一步（2026年11月19日（周四））做什么" in texts(calls)
    slack.dm(REP, "提交方案")
    [deal] = deals_of(demo, REP)
    with demo() as uow:
        assert len(uow.deals.visits(deal.id)) == 1
        assert uow.deals.get(deal.id).next_step == "提交方案"


def test_the_lost_report_asks_its_three_questions_then_closes_on_the_button(slack, invite, demo):
    join(slack, REP, invite())
    slack.command(REP, "new 华为技术有限公司 机房搬迁 30万 月底")
    [deal] = deals_of(demo, REP)
    assert "我方的原因" in texts(slack.dm(REP, f"丢单 {deal.id}").calls)
    assert "客户说的原因" in texts(slack.dm(REP, "报价偏高").calls)
    assert "如何避免" in texts(slack.dm(REP, "选了本地厂商").calls)
    assert "属于哪一类" in texts(slack.dm(REP, "提前做价值呈现").calls)
    assert "标记为丢单" in texts(slack.press(REP, "价格").calls)
    assert "已标记丢单" in texts(slack.press(REP, "确认").calls)
    [lost] = deals_of(demo, REP)
    assert (lost.status, lost.lost_reason_ours, lost.lost_reason_customer, lost.lost_prevention) == (
        "lost", "报价偏高", "选了本地厂商", "提前做价值呈现")
    assert lost.lost_category == "price"
