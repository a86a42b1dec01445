"""The Telegram adapter end to end: the real python-telegram-bot Application talks HTTP to a
fake Bot API server on 127.0.0.1; assertions are on what the server recorded and what the
database holds. Flows themselves are tested through the terminal chat (tests/flows)."""
from __future__ import annotations

import asyncio
import html
import json
import logging
import socket
import struct
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import replace
from datetime import date
from types import SimpleNamespace

from telegram import Update

from assistant.chat.menu import command_menu
from assistant.events import ChatKey, Choice, Reply
from assistant.i18n import render
from assistant.method.model import DealStatus, Role
from handlers import telegram as adapter
from tests.adapters.conftest import TelegramChat, TgUser, callback_update, message_update, texts
from tests.adapters.fake_telegram import BOT_USER

REP = TgUser(811001, "赵敏")
MANAGER = TgUser(811002, "孙", "丽", language_code="zh-hans")
STRANGER = TgUser(811003, "Mallory", language_code="en")
REP_CHAT = ChatKey("telegram", str(REP.id), str(REP.id))
TEAM = 1  # the demo team


async def join(tg: TelegramChat, user: TgUser, code: str) -> str:
    return texts(await tg.say(user, f"/start {code}"))


def deals_of(make_uow, user: TgUser):
    with make_uow() as uow:
        owner = uow.users.by_identity("telegram", "", str(user.id))
        return uow.deals.find(TEAM, owner_id=owner.id)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tiny_png() -> bytes:
    """A valid 1x1 PNG, made here so the test needs no image library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


# ---- joining, refusing strangers --------------------------------------------------------

def test_new_user_joins_by_deep_link(running, invite, demo):
    async def scenario():
        async with running() as tg:
            calls = await tg.say(REP, f"/start {invite()}")
            assert [c.method for c in calls] == ["sendMessage", "sendMessage"]
            assert calls[0].text == render("zh", "join.welcome", name="赵敏", team="华东大区销售部", role="rep")
            assert "/new" in calls[1].text and all(c.params["parse_mode"] == "HTML" for c in calls)
            assert calls[0].params["chat_id"] == str(REP.id)
    asyncio.run(scenario())
    with demo() as uow:
        joined = uow.users.by_identity("telegram", "", str(REP.id))
        assert (joined.name, joined.team_id, joined.role) == ("赵敏", TEAM, "rep")


def test_stranger_gets_only_the_join_prompt(running, demo):
    async def scenario():
        async with running() as tg:
            for text in ("/deals", "/team", "/new 华为 数据中心扩容 120万 下月底"):
                calls = await tg.say(STRANGER, text)
                assert calls and {c.method for c in calls} == {"sendMessage"}
                assert all("invite code" in c.text.lower() and not c.buttons() and "华为技术" not in c.text
                           for c in calls)
    asyncio.run(scenario())
    with demo() as uow:
        assert uow.users.by_identity("telegram", "", str(STRANGER.id)) is None
        assert len(uow.deals.find(TEAM)) == 8


# ---- a rep's flows from the phone ----------------------------------------------------------

def test_rep_creates_deals_one_line_and_guided(running, invite, demo):
    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            asked = await tg.say(REP, "/new 华为 数据中心扩容 120万 下月底")
            assert "“华为”是下面哪一个" in asked[0].text
            assert [b["text"] for b in asked[0].buttons()] == ["就是 华为技术有限公司", "新客户：华为"]
            assert all(len(b["callback_data"].encode()) <= 64 for b in asked[0].buttons())
            created = await tg.press(REP, "就是")
            assert created[0].method == "answerCallbackQuery"
            assert "商机已创建" in created[1].text and "¥120万" in created[1].text
            assert "⏩ 推进" in [b["text"] for b in created[1].buttons()]
            tick = await tg.press(REP, "⬜ 清楚客户要解决哪些问题")
            assert [c.method for c in tick] == ["answerCallbackQuery", "editMessageText"]
            assert "已确认 1/5" in tick[1].text
            assert "✅ 清楚客户要解决哪些问题" in [b["text"] for b in tick[1].buttons()]

            assert "客户叫什么" in texts(await tg.say(REP, "/new"))
            for answer in ("顺丰速运有限公司", "冷链监控", "50万", "2026-12-20"):
                reply = await tg.say(REP, answer)
            assert "目标客户（10%）" in [b["text"] for b in reply[0].buttons()]
            await tg.press(REP, "目标客户")
            await tg.press(REP, "老客户介绍")
            await tg.press(REP, "确认")
            assert "商机已创建" in texts(await tg.say(REP, "跳过"))
    asyncio.run(scenario())
    titles = [(d.customer_name, d.title) for d in deals_of(demo, REP)]
    assert titles == [("华为技术有限公司", "数据中心扩容"), ("顺丰速运有限公司", "冷链监控")]


def test_visit_checklist_ticks_edit_the_message_back_off_and_lost(running, invite, demo):
    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            await tg.say(REP, "/new 华为技术有限公司 机房搬迁 30万 月底")
            deal_id = deals_of(demo, REP)[-1].id
            assert "拜访已记录" in texts(await tg.say(REP, "/visit 机房搬迁 明天 提交方案"))

            checklist = (await tg.say(REP, f"/advance {deal_id}"))[0]
            assert "推进到“有效客户”前" in checklist.text
            boxes = [b["text"] for b in checklist.buttons() if b["text"].startswith("⬜")]
            for box in boxes:
                tick = await tg.press(REP, box)
                assert [c.method for c in tick] == ["answerCallbackQuery", "editMessageText"]
                edit = tick[1]
                assert edit.params["message_id"] == str(checklist.result["message_id"])
                assert "✅ " + box.removeprefix("⬜ ") in [b["text"] for b in edit.buttons()]
            assert "已推进" in texts(await tg.press(REP, "确认"))

            assert "退回到哪个阶段" in texts(await tg.say(REP, f"/back {deal_id}"))
            await tg.press(REP, "目标客户")
            assert "已后退" in texts(await tg.press(REP, "不回电话"))

            assert "丢单报告 1/3" in texts(await tg.say(REP, f"/lost {deal_id}"))
            await tg.say(REP, "报价偏高")
            await tg.say(REP, "选了本地厂商")
            assert "主要原因属于哪一类" in texts(await tg.say(REP, "提前做价值呈现"))
            assert "标记为丢单" in texts(await tg.press(REP, "价格"))
            assert "已标记丢单" in texts(await tg.press(REP, "确认"))
            return deal_id
    deal_id = asyncio.run(scenario())
    with demo() as uow:
        lost = uow.deals.get(deal_id)
        kinds = [c.kind for c in uow.deals.changes(deal_id)]
        visits = uow.deals.visits(deal_id)
    assert (lost.status, lost.lost_reason_ours) == (DealStatus.LOST, "报价偏高")
    assert kinds == ["created", "advance", "back_off", "lost"] and len(visits) == 1


def test_manager_sees_the_team_funnel(running, invite, demo):
    async def scenario():
        async with running() as tg:
            await join(tg, MANAGER, invite(Role.MANAGER))
            calls = await tg.say(MANAGER, "/team")
            assert "“华东大区销售部”团队漏斗" in calls[0].text and "王伟：5 个，¥576万" in calls[0].text
            assert "👤 王伟" in [b["text"] for b in calls[0].buttons()]
            rep_deals = texts(await tg.press(MANAGER, "李娜"))
            assert "顺丰速运有限公司" in rep_deals and "华为" not in rep_deals
    asyncio.run(scenario())
    with demo() as uow:
        assert uow.users.by_identity("telegram", "", str(MANAGER.id)).role == "manager"


def test_forged_callback_cannot_open_another_reps_deal(running, invite, demo):
    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            carrier = tg.last_message(REP).result
            for forged in ("deal.1", "act.mark_won.1"):
                calls = await tg.feed(callback_update(tg.next_id(), REP, forged, carrier))
                assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
                assert calls[1].text == html.escape(render("zh", "deal.not_found", ref="1"), quote=False)
    asyncio.run(scenario())
    with demo() as uow:
        assert uow.deals.get(1).status == DealStatus.OPEN
        assert uow.flow_states.get(ChatKey("telegram", str(REP.id), str(REP.id))) is None


def test_html_in_customer_names_is_shown_literally(running, invite):
    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            calls = await tg.say(REP, "/new <b>x</b>&amp; 试点 5万 月底")
            created = next(c for c in calls if "商机已创建" in c.text)
            assert "&lt;b&gt;x&lt;/b&gt;&amp;amp;" in created.text and "<b>" not in created.text
            assert created.params["parse_mode"] == "HTML"
    asyncio.run(scenario())


# ---- delivery: duplicates, flood control, blocked users, errors -------------------------

def test_the_same_update_twice_gives_one_record(running, invite, demo):
    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            update = message_update(tg.next_id(), REP, "/new 华为技术有限公司 三期 20万 月底")
            assert "商机已创建" in texts(await tg.feed(update))
            assert await tg.feed(update) == []
            press = callback_update(tg.next_id(), REP, "deals.1", tg.last_message(REP).result)
            assert len(await tg.feed(press)) == 2
            assert [c.method for c in await tg.feed(press)] == ["answerCallbackQuery"]
    asyncio.run(scenario())
    assert [d.title for d in deals_of(demo, REP)] == ["三期"]


def test_flood_control_429_is_waited_out_and_sent_once(running, invite, fake_telegram):
    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            fake_telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
            mark, started = fake_telegram.mark(), time.monotonic()
            await tg.say(REP, "/funnel")
            tries = [c for c in fake_telegram.since(mark, ok_only=False) if c.method == "sendMessage"]
            assert [c.status for c in tries] == [429, 200] and time.monotonic() - started >= 1
            assert "漏斗是空的" in tries[1].text
    asyncio.run(scenario())


def test_blocked_user_is_logged_skipped_and_marked_unreachable(running, invite, fake_telegram, demo, caplog):
    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            fake_telegram.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
            mark = fake_telegram.mark()
            await tg.say(REP, "/help")
            tried = fake_telegram.since(mark, ok_only=False)
            assert [(c.method, c.status) for c in tried] == [("sendMessage", 403)]
            with demo() as uow:
                assert not uow.users.is_reachable("telegram", "", str(REP.id))
            assert "漏斗是空的" in texts(await tg.say(REP, "/funnel"))
    with caplog.at_level(logging.WARNING, logger="handlers.telegram"):
        asyncio.run(scenario())
    assert any("unreachable" in r.getMessage() and str(REP.id) in r.getMessage() for r in caplog.records)
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)


def test_core_failure_is_logged_and_the_user_told(running, invite, monkeypatch, caplog):
    def broken(event, uow, clock):
        raise RuntimeError("database on fire")

    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            monkeypatch.setattr(adapter, "handle", broken)
            update = message_update(tg.next_id(), REP, "/deals")
            calls = await tg.feed(update)
            assert [c.text for c in calls] == [html.escape(render("zh", "common.internal_error"), quote=False)]
            return update["update_id"]
    with caplog.at_level(logging.ERROR, logger="handlers.telegram"):
        update_id = asyncio.run(scenario())
    assert any(f"update {update_id} failed" in r.getMessage() and r.exc_info for r in caplog.records)


# ---- group chats ---------------------------------------------------------------------------

GROUP = {"id": -100123, "type": "supergroup", "title": "华东销售群"}


def test_group_messages_reach_the_core_as_not_private():
    payload = message_update(42, TgUser(5, "Wei", "Wang", "en-GB"), "/deals@funnel_test_bot", GROUP)
    event = adapter.inbound(Update.de_json(payload, None), "/deals@funnel_test_bot", None)
    assert (event.who, event.event_id, event.display_name, event.lang_hint, event.private) == (
        ChatKey("telegram", "-100123", "5"), "42", "Wei Wang", "en-GB", False)
    private = adapter.inbound(Update.de_json(message_update(43, REP, "hi"), None), "hi", None)
    assert private.private and private.who == REP_CHAT


def test_in_a_group_strangers_get_nothing_and_members_no_deal_detail(running, invite):
    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            await tg.say(REP, "/new 华为技术有限公司 群测试 5万 月底")
            assert await tg.say(STRANGER, "/deals@funnel_test_bot", GROUP) == []
            [answer] = await tg.say(REP, "/deals@funnel_test_bot", GROUP)
            assert answer.params["chat_id"] == str(REP.id) and "群测试" not in answer.text
            assert answer.text == html.escape(render("zh", "common.private_only"), quote=False)
    asyncio.run(scenario())


BOT = SimpleNamespace(id=BOT_USER["id"], username=BOT_USER["username"])


def _group_message(text: str, reply_to: dict | None = None):
    return Update.de_json(message_update(77, REP, text, GROUP, reply_to), None).message


def test_a_mention_of_the_bot_is_stripped_and_marks_the_message_addressed():
    assert adapter.addressing(_group_message("@funnel_test_bot 本周汇总"), BOT) == ("本周汇总", True)
    assert adapter.addressing(_group_message("🚀🚀 @Funnel_Test_Bot digest please"), BOT) == (
        "🚀🚀 digest please", True)
    assert adapter.addressing(_group_message("@funnel_test_bot: funnel"), BOT) == ("funnel", True)
    assert adapter.addressing(_group_message("@other_bot digest"), BOT) == ("@other_bot digest", False)
    assert adapter.addressing(_group_message("本周汇总"), BOT) == ("本周汇总", False)
    from_bot = {"message_id": 9, "date": 0, "chat": GROUP, "from": BOT_USER, "text": "想做什么？"}
    from_rep = from_bot | {"from": REP.payload()}
    assert adapter.addressing(_group_message("funnel", from_bot), BOT) == ("funnel", True)
    assert adapter.addressing(_group_message("funnel", from_rep), BOT) == ("funnel", False)


def test_in_a_group_a_mention_of_the_bot_is_read_like_the_command(running, invite):
    async def scenario():
        async with running() as tg:
            await join(tg, MANAGER, invite(Role.MANAGER))
            await join(tg, REP, invite())
            private_only = html.escape(render("zh", "common.private_only"), quote=False)
            assert texts(await tg.say(MANAGER, "@funnel_test_bot 本周汇总", GROUP)) == private_only
            assert await tg.say(MANAGER, "本周汇总", GROUP) == []
            assert await tg.say(MANAGER, "@other_bot digest", GROUP) == []
            await tg.say(MANAGER, "/share on")
            for text in ("@funnel_test_bot 本周汇总", "@funnel_test_bot digest", "@funnel_test_bot /digest"):
                calls = await tg.say(MANAGER, text, GROUP)
                assert "销售漏斗周报" in texts(calls), text
                assert {c.params["chat_id"] for c in calls} == {str(GROUP["id"])}
            [deals] = await tg.say(REP, "@funnel_test_bot 我的商机", GROUP)
            assert "还没有进行中的商机" in deals.text and deals.params["chat_id"] == str(GROUP["id"])
            [english] = await tg.say(REP, "@funnel_test_bot deals", GROUP)
            assert english.text == deals.text
            [replied] = await tg.say(REP, "deals", GROUP, reply_to=deals.result)
            assert replied.text == deals.text
            assert await tg.say(STRANGER, "@funnel_test_bot deals", GROUP) == []
    asyncio.run(scenario())


def test_the_command_menu_set_on_telegram_is_the_cores(build, fake_telegram):
    async def scenario():
        application = build()
        await application.initialize()
        await adapter.set_commands(application)
        await application.shutdown()
    asyncio.run(scenario())
    menus = {c.params.get("language_code"): c.json("commands") for c in fake_telegram.sent("setMyCommands")}
    for lang in ("zh", "en"):
        assert menus[lang] == [{"command": e.command, "description": e.description} for e in command_menu(lang)]
    assert menus[None] == menus[adapter.FALLBACK_MENU_LANG]


def test_a_reply_for_the_sender_alone_never_lands_in_the_group(running, invite, fake_telegram, caplog):
    """Ephemeral replies go privately; when the bot can't write to the sender, not at all."""
    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            [private] = await tg.say(REP, "/invite@funnel_test_bot", GROUP)
            fake_telegram.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
            mark = fake_telegram.mark()
            await tg.say(REP, "/deals@funnel_test_bot", GROUP)
            return private, fake_telegram.since(mark, ok_only=False)
    with caplog.at_level(logging.WARNING, logger="handlers.telegram"):
        private, tried = asyncio.run(scenario())
    assert private.params["chat_id"] == str(REP.id)
    assert [(c.method, c.params["chat_id"], c.status) for c in tried] == [("sendMessage", str(REP.id), 403)]
    assert any("ephemeral, not posted in chat -100123" in r.getMessage() for r in caplog.records)


# ---- long texts, photos, button limits -----------------------------------------------------

def test_split_keeps_lines_whole_and_under_the_limit():
    lines = [f"#{n} 华为技术有限公司 · 数据中心扩容 🚀 ¥120万" for n in range(400)]
    text = "\n".join(lines)
    parts = adapter.split_text(text)
    assert len(parts) > 1 and "\n".join(parts) == text
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert all(line in lines for part in parts for line in part.split("\n"))
    assert adapter.split_text("短消息") == ["短消息"]


def test_split_cuts_a_single_overlong_line_as_a_last_resort():
    line = "长" * 5000 + "🚀" * 10
    parts = adapter.split_text(line)
    assert "".join(parts) == line and all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)


def test_a_last_resort_cut_never_breaks_an_html_entity():
    parts = adapter.split_text("a" + "&amp;" * 1000, limit=4096)
    assert "".join(parts) == "a" + "&amp;" * 1000
    assert all(p.count("&") == p.count(";") for p in parts)


def test_long_reply_is_split_with_the_keyboard_on_the_last_part(running, fake_telegram):
    long_text = "\n".join(f"<第{n}行> & 华为" for n in range(900))
    reply = Reply("common.unknown_command", "zh", {"text": long_text}, (Choice("cmd.new", "menu.new"),))

    async def scenario():
        async with running() as tg:
            mark = fake_telegram.mark()
            await adapter.send_replies(tg.application.bot, REP_CHAT, [reply])
            return fake_telegram.since(mark)
    calls = asyncio.run(scenario())
    assert len(calls) > 1 and {c.method for c in calls} == {"sendMessage"}
    assert "\n".join(html.unescape(c.text) for c in calls) == render("zh", "common.unknown_command", text=long_text)
    assert [bool(c.buttons()) for c in calls] == [False] * (len(calls) - 1) + [True]
    assert all(len(c.text.encode("utf-16-le")) // 2 <= 4096 for c in calls)


def test_reply_with_an_image_goes_out_as_a_photo_with_caption(running, fake_telegram):
    png = tiny_png()
    reply = Reply("team.rep_button", "zh", {"name": "<王伟>"}, (Choice("cmd.funnel", "menu.funnel"),), image=png)

    async def scenario():
        async with running() as tg:
            mark = fake_telegram.mark()
            await adapter.send_replies(tg.application.bot, REP_CHAT, [reply])
            return fake_telegram.since(mark)
    [photo] = asyncio.run(scenario())
    assert photo.method == "sendPhoto" and photo.files["photo"] == png
    assert photo.params["caption"] == "👤 &lt;王伟&gt;" and photo.params["parse_mode"] == "HTML"
    assert [b["callback_data"] for b in photo.buttons()] == ["cmd.funnel"]


def test_callback_data_over_64_bytes_never_leaves(running, fake_telegram, caplog):
    reply = Reply("common.what_now", "zh", {}, (Choice("x" * 65, "menu.new"), Choice("cmd.deals", "menu.deals")))

    async def scenario():
        async with running() as tg:
            mark = fake_telegram.mark()
            await adapter.send_replies(tg.application.bot, REP_CHAT, [reply])
            return fake_telegram.since(mark)
    with caplog.at_level(logging.ERROR, logger="handlers.telegram"):
        [sent] = asyncio.run(scenario())
    assert [b["callback_data"] for b in sent.buttons()] == ["cmd.deals"]
    assert any("64 bytes" in r.getMessage() for r in caplog.records)


# ---- start-up, long polling, webhook ---------------------------------------------------------

def test_long_polling_start_up_sets_the_menu_per_language_and_answers(build, invite, fake_telegram):
    async def scenario():
        application = build()
        await application.initialize()
        await application.post_init(application)
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=adapter.UPDATES)
        try:
            fake_telegram.queue_update(message_update(9001, REP, f"/start {invite()}"))
            await fake_telegram.wait_for(lambda calls: any("欢迎 赵敏" in c.text for c in calls))
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
    asyncio.run(scenario())
    menus = {c.params.get("language_code"): c.json("commands") for c in fake_telegram.sent("setMyCommands")}
    assert set(menus) == {"zh", "en", None}
    for lang in ("zh", "en"):
        described = {command["command"]: command["description"] for command in menus[lang]}
        assert described["new"] == render(lang, "menu.new")
        assert described["advance"] == render(lang, "action.advance_deal")
        assert {"new", "visit", "deals", "funnel", "forecast", "won", "lost"} <= set(described)
    assert menus[None] == menus["en"]
    polls = fake_telegram.sent("getUpdates")
    assert polls and json.loads(polls[0].params["allowed_updates"]) == ["message", "callback_query"]


def _post(url: str, body: bytes, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"} | ({"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {})
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_webhook_refuses_a_wrong_or_missing_secret(build, invite, fake_telegram):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"

    async def scenario():
        application = build()
        await application.initialize()
        await application.start()
        await application.updater.start_webhook(**adapter.webhook_options(url, "127.0.0.1", port, "s3cret-token"))
        try:
            body = json.dumps(message_update(9101, REP, f"/start {invite()}")).encode()
            assert await asyncio.to_thread(_post, url, body, None) == 403
            assert await asyncio.to_thread(_post, url, body, "wrong") == 403
            assert not fake_telegram.sent("sendMessage")
            assert await asyncio.to_thread(_post, url, body, "s3cret-token") == 200
            await fake_telegram.wait_for(lambda calls: any("欢迎 赵敏" in c.text for c in calls))
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
    asyncio.run(scenario())
    [registered] = fake_telegram.sent("setWebhook")
    assert (registered.params["url"], registered.params["secret_token"]) == (url, "s3cret-token")


def test_webhook_without_a_configured_secret_still_gets_one():
    options = adapter.webhook_options("https://bot.example.com/tg", "0.0.0.0", 8443, None)
    assert options["url_path"] == "tg" and len(options["secret_token"]) >= 32
    again = adapter.webhook_options("https://bot.example.com/tg", "0.0.0.0", 8443, None)
    assert options["secret_token"] != again["secret_token"]


def test_funnel_chart_arrives_as_a_photo(running, invite):
    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            await tg.say(REP, "/new 华为技术有限公司 机房 10万 月底")
            return await tg.say(REP, "/funnel")
    calls = asyncio.run(scenario())
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert len(photos) == 1 and photos[0].files["photo"].startswith(b"\x89PNG")
    assert "目标客户（10%）：1 个，¥10万" in photos[0].params["caption"]


def test_a_reminder_goes_out_through_telegram_and_its_button_acts_once(running, invite, demo, clock):
    from datetime import date as day

    from assistant.push import agenda
    from assistant.push.delivery import deliver_due

    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            await tg.say(REP, "/new 华为技术有限公司 机房 10万 月底")
            with demo() as uow:
                deal = deals_of(demo, REP)[-1]
                uow.deals.save(replace(deal, next_step="提交方案", next_due=day(2026, 11, 16)))
                agenda.enqueue(uow, clock)
                uow.commit()
            deliverer = adapter.TelegramDeliverer(tg.application.bot, asyncio.get_running_loop())
            mark = tg.fake.mark()
            tally = await asyncio.to_thread(deliver_due, demo, clock, deliverer, "tg-worker")
            pushed = [c for c in tg.fake.since(mark) if c.method == "sendMessage"]
            card = texts(await tg.press(REP, "1. 机房"))
            first = texts(await tg.press(REP, "明天再做"))
            again = texts(await tg.press(REP, "明天再做"))
            return tally, pushed, card, first, again, deal.id
    tally, pushed, card, first, again, deal_id = asyncio.run(scenario())
    assert tally.sent == 1 and len(pushed) == 1
    assert "机房：提交方案（2026年11月16日（周一），逾期 2 天）" in pushed[0].text
    assert card.startswith("⏰ 已逾期 2 天：提交方案")
    assert "已推迟到明天（2026年11月19日（周四））" in first and "已经处理过了" in again
    with demo() as uow:
        assert uow.deals.get(deal_id).next_due == date(2026, 11, 19)


def test_a_new_bot_token_on_an_old_database_answers_its_first_updates(running, invite, demo, clock, fake_telegram):
    """Update ids count per bot: the new bot's update 1 is not the old bot's update 1."""
    from tests.adapters.fake_telegram import FakeTelegram

    other = FakeTelegram("654321:OTHER-token").start()

    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            assert "漏斗是空的" in texts(await tg.feed(message_update(90001, REP, "/funnel")))
        application = adapter.build_application(other.token, demo, clock, base_url=other.base_url,
                                                base_file_url=other.base_file_url)
        await application.initialize()
        try:
            return texts(await TelegramChat(other, application).feed(message_update(90001, REP, "/funnel")))
        finally:
            await application.shutdown()
    try:
        assert "漏斗是空的" in asyncio.run(scenario())
    finally:
        other.stop()


def test_tomorrow_on_an_agenda_item_updates_its_card_in_place(running, invite, demo, clock):
    from assistant.push import agenda
    from assistant.push.delivery import deliver_due

    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            await tg.say(REP, "/new 华为技术有限公司 机房 10万 月底")
            with demo() as uow:
                deal = deals_of(demo, REP)[-1]
                uow.deals.save(replace(deal, next_step="提交方案", next_due=date(2026, 11, 18)))
                agenda.enqueue(uow, clock)
                uow.commit()
            deliverer = adapter.TelegramDeliverer(tg.application.bot, asyncio.get_running_loop())
            mark = tg.fake.mark()
            await asyncio.to_thread(deliver_due, demo, clock, deliverer, "tg-worker")
            [pushed] = [c for c in tg.fake.since(mark) if c.method == "sendMessage"]
            [card] = [c for c in await tg.press(REP, "1. 机房") if c.method == "sendMessage"]
            return pushed, card, await tg.press(REP, "明天再做")
    pushed, card, pressed = asyncio.run(scenario())
    assert "📌 今天到期\n1. 华为技术有限公司 · 机房：提交方案" in pushed.text
    assert [b["text"] for b in card.buttons()] == ["✔ 已完成", "⏭ 明天再做", "📅 改日期", "📝 记拜访"]
    [edit] = [c for c in pressed if c.method == "editMessageText"]
    assert edit.params["message_id"] == str(card.result["message_id"]) and edit.buttons() == []
    assert "已推迟到明天（2026年11月19日（周四））" in edit.text and "机房" in edit.text


def test_the_group_digest_mentions_the_reps_who_skipped_their_self_check(running, invite, demo, clock):
    from assistant.method.model import OutboxItem
    from assistant.push.delivery import deliver_due
    from assistant.push.team_digest import GROUP_DIGEST
    from tests.invites import invites_sent

    odd = TgUser(811009, "<b>Bo</b>", language_code="en")

    async def scenario():
        async with running() as tg:
            await join(tg, REP, invite())
            await tg.feed(message_update(tg.next_id(), odd, f"/start {invite()}"))
            with demo() as uow:
                invited = [uow.users.by_identity("telegram", "", str(user.id)).id for user in (REP, odd)]
                invites_sent(demo, invited + [uow.users.by_name("王伟").id])
            with demo() as uow:
                manager = uow.users.by_name("张强")
                uow.outbox.add(OutboxItem("group_digest:test", GROUP_DIGEST, manager.id, "telegram",
                                          str(GROUP["id"]), clock.now()), clock.now())
                uow.commit()
            deliverer = adapter.TelegramDeliverer(tg.application.bot, asyncio.get_running_loop())
            mark = tg.fake.mark()
            await asyncio.to_thread(deliver_due, demo, clock, deliverer, "tg-worker")
            return [c for c in tg.fake.since(mark) if c.params.get("chat_id") == str(GROUP["id"])]
    digest = texts(asyncio.run(scenario()))
    line = next(line for line in digest.splitlines() if "自查未完成" in line)
    assert f'<a href="tg://user?id={REP.id}">赵敏</a>' in line
    assert f'<a href="tg://user?id={odd.id}">&lt;b&gt;Bo&lt;/b&gt;</a>' in line
    assert "王伟" in line and "tg://user?id=王伟" not in line  # no Telegram identity: the plain name


WANG = TgUser(811050, "王伟")


def as_demo_rep(demo, user: TgUser, name: str = "王伟") -> None:
    """This Telegram account is the demo rep `name`, who owns deals #1–#5."""
    with demo() as uow:
        uow.users.link(uow.users.by_name(name).id, ChatKey("telegram", str(user.id), str(user.id)))
        uow.commit()


def test_a_typed_number_at_the_deal_prompt_is_the_deal_not_a_button(running, demo):
    """Telegram has real buttons: a typed "2" names deal #2 (the 2nd button is deal #5)."""
    as_demo_rep(demo, WANG)

    async def scenario():
        async with running() as tg:
            prompt = (await tg.say(WANG, "/visit"))[0]
            assert prompt.buttons()[1]["text"].startswith("#5 "), "the 2nd button is another deal"
            assert "#编号" in prompt.text
            assert "哪天拜访" in texts(await tg.say(WANG, "2"))
            await tg.say(WANG, "今天")
            await tg.press(WANG, "跟进拜访")
            for answer in ("跳过", "跳过", "跳过", "谈了报价", "跳过", "跳过"):
                await tg.say(WANG, answer)
            return texts(await tg.say(WANG, "跳过"))
    reply = asyncio.run(scenario())
    assert "拜访已记录" in reply and "#2 北京小米科技有限责任公司" in reply
    with demo() as uow:
        assert [v.result for v in uow.deals.visits(2)] == ["谈了报价"]
        assert uow.deals.visits(5) == []


def test_a_typed_hash_number_names_the_deal_on_telegram_too(running, demo):
    as_demo_rep(demo, WANG)

    async def scenario():
        async with running() as tg:
            await tg.say(WANG, "/won")
            return texts(await tg.say(WANG, "#3"))  # the 3rd button is deal #1
    assert "比亚迪股份有限公司 · 工厂MES系统" in asyncio.run(scenario())
