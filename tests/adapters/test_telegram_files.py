"""Files on Telegram, through the real python-telegram-bot stack and the fake Bot API: a
spreadsheet sent as a document is fetched (getFile) and previewed, confirmed by its button;
/export comes back as a document; a photo, voice note, sticker, location or other document is
answered, never met with silence."""
from __future__ import annotations

import asyncio
import io
import time

import pytest
from openpyxl import load_workbook

from assistant.method.model import Role
from tests.adapters.conftest import TgUser, private_chat, texts
from tests.adapters.test_telegram import GROUP
from tests.transfer.workbooks import zh_workbook

MANAGER = TgUser(821001, "孙", "丽")
REP = TgUser(821002, "Tom", language_code="en")
TEAM = 1


def attachment_update(update_id: int, user: TgUser, **content) -> dict:
    message = {"message_id": 900 + update_id, "date": int(time.time()), "chat": private_chat(user),
               "from": user.payload(), **content}
    return {"update_id": update_id, "message": message}


def document(file_id: str, name: str, size: int, mime: str = "application/octet-stream") -> dict:
    return {"document": {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": name, "mime_type": mime,
                         "file_size": size}}


def test_a_spreadsheet_sent_as_a_document_is_previewed_then_imported(running, invite, fake_telegram, demo):
    data = zh_workbook()
    fake_telegram.add_file("sheet-1", data)

    async def scenario():
        async with running() as tg:
            await tg.say(MANAGER, f"/start {invite(Role.MANAGER)}")
            calls = await tg.feed(attachment_update(tg.next_id(), MANAGER, **document("sheet-1", "华东商机.xlsx",
                                                                                        len(data))))
            assert [c.method for c in calls] == ["getFile", "sendMessage"]
            assert "将新建 2 个商机（其中新客户 1 个），更新 0 个，1 个没有变化。" in texts(calls)
            assert [b["text"] for b in calls[-1].buttons()] == ["✔ 确认导入", "✖ 取消"]
            done = await tg.press(MANAGER, "确认导入")
            assert texts(done).startswith("✅ 导入完成：新建 2 个商机")
    asyncio.run(scenario())
    with demo() as uow:
        assert any(d.customer_name == "吉利汽车" for d in uow.deals.find(TEAM))


def test_a_document_over_the_limit_is_not_fetched_and_is_answered(running, invite, fake_telegram):
    async def scenario():
        async with running() as tg:
            await tg.say(MANAGER, f"/start {invite(Role.MANAGER)}")
            calls = await tg.feed(attachment_update(tg.next_id(), MANAGER,
                                                    **document("big", "大表.xlsx", 25 * 1024 * 1024)))
            assert [c.method for c in calls] == ["sendMessage"]
            assert texts(calls) == "文件“大表.xlsx”太大了（最多 20 MB），我收不下。可以分成几个文件再发。"
    asyncio.run(scenario())


def test_export_comes_back_as_a_document_that_opens(running, invite, fake_telegram):
    async def scenario():
        async with running() as tg:
            await tg.say(MANAGER, f"/start {invite(Role.MANAGER)}")
            calls = await tg.say(MANAGER, "/export")
            sent = [c for c in calls if c.method == "sendDocument"]
            assert len(sent) == 1 and "📤 华东大区销售部 的导出（整个团队）：8 个商机" in sent[0].text
            book = load_workbook(io.BytesIO(sent[0].files["document"]), read_only=True)
            assert book.sheetnames == ["商机", "客户", "联系人", "拜访", "阶段记录"]
    asyncio.run(scenario())


@pytest.mark.parametrize(("content", "zh", "en"), [
    ({"photo": [{"file_id": "p1", "file_unique_id": "up1", "width": 90, "height": 90}]},
     "收到一张图片，不过我看不了图片。", "Got a picture, but I can't read images."),
    ({"voice": {"file_id": "v1", "file_unique_id": "uv1", "duration": 3}},
     "收到一条语音，不过我还听不了语音。", "Got a voice message, but I can't listen to audio yet."),
    ({"sticker": {"file_id": "s1", "file_unique_id": "us1", "type": "regular", "width": 512, "height": 512,
                  "is_animated": False, "is_video": False}},
     "😊 收到！要记录什么，直接打字就行", "😊 Got it! Type what to record"),
    ({"location": {"latitude": 31.23, "longitude": 121.47}},
     "收到一个位置，不过我不会根据位置记录拜访。", "Got a location, but I don't log visits from locations."),
    (document("d1", "合同.pdf", 2000, "application/pdf"),
     "收到文件“合同.pdf”，不过我只读得了表格（.xlsx、.csv）", "Got the file “合同.pdf”, but I only read spreadsheets"),
])
def test_every_kind_of_message_gets_an_answer_in_the_users_language(running, invite, fake_telegram, content, zh, en):
    fake_telegram.add_file("d1", b"%PDF-1.7")

    async def scenario():
        async with running() as tg:
            await tg.say(MANAGER, f"/start {invite(Role.MANAGER)}")
            await tg.say(REP, f"/start {invite()}")
            for user, expected in ((MANAGER, zh), (REP, en)):
                calls = await tg.feed(attachment_update(tg.next_id(), user, **content))
                assert texts(calls).startswith(expected), texts(calls)
    asyncio.run(scenario())


def test_a_stranger_sending_a_photo_is_told_how_to_join(running, fake_telegram):
    async def scenario():
        async with running() as tg:
            stranger = TgUser(821099, "Mallory", language_code="en")
            calls = await tg.feed(attachment_update(tg.next_id(), stranger, photo=[
                {"file_id": "p9", "file_unique_id": "up9", "width": 9, "height": 9}]))
            assert texts(calls)  # the join prompt, never silence
    asyncio.run(scenario())


def test_in_a_group_export_is_refused_and_files_are_ignored(running, invite, fake_telegram, demo):
    async def scenario():
        async with running() as tg:
            await tg.say(MANAGER, f"/start {invite(Role.MANAGER)}")
            [answer] = await tg.say(MANAGER, "/export@funnel_test_bot", GROUP)
            assert answer.method == "sendMessage" and answer.params["chat_id"] == str(MANAGER.id)
            assert "商机详情只在私聊里显示" in answer.text
            update = attachment_update(tg.next_id(), MANAGER, photo=[
                {"file_id": "p2", "file_unique_id": "up2", "width": 9, "height": 9}])
            update["message"]["chat"] = GROUP
            assert await tg.feed(update) == []  # a photo in the group is not for the bot
    asyncio.run(scenario())
