"""Files on Slack, through the real Bolt app and the mock Web API: a spreadsheet shared in the
app's DM is downloaded with the bot token and previewed for import; an image or an audio clip
is answered; /sales export uploads the workbook."""
from __future__ import annotations

import pytest

from assistant.method.model import Role
from handlers import slack as adapter
from tests.adapters.fake_slack import SlackUser
from tests.adapters.slack_chat import SECRET, SlackChat, texts
from tests.adapters.test_slack import client_for
from tests.transfer.workbooks import zh_workbook

MANAGER = SlackUser("U0MGR0009", "孙丽")
REP = SlackUser("U0REP0009", "Tom", locale="en-US")


@pytest.fixture
def slack(fake_slack, demo, clock) -> SlackChat:
    for person in (MANAGER, REP):
        fake_slack.add_person(person)
    app = adapter.build_app(client_for(fake_slack), demo, clock, SECRET, process_before_response=True)
    return SlackChat(fake_slack, app)


def share(slack: SlackChat, user: SlackUser, file: dict) -> str:
    response = slack.event({"type": "message", "subtype": "file_share", "channel": user.dm, "channel_type": "im",
                            "user": user.id, "text": "", "files": [file], "ts": f"1780000000.{slack.next_id():06d}",
                            "team": user.team})
    return texts(response.calls)


def test_a_spreadsheet_shared_in_the_dm_is_previewed_then_imported(slack, fake_slack, invite, demo):
    slack.dm(MANAGER, invite(Role.MANAGER))
    data = zh_workbook()
    url = fake_slack.share_file("F0SHEET", data)
    preview = share(slack, MANAGER, {"id": "F0SHEET", "name": "华东商机.xlsx", "size": len(data),
                                     "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                     "url_private_download": url})
    assert "将新建 2 个商机（其中新客户 1 个），更新 0 个，1 个没有变化。" in preview
    assert texts(slack.press(MANAGER, "确认导入").calls).startswith("✅ 导入完成：新建 2 个商机")
    with demo() as uow:
        assert any(d.customer_name == "吉利汽车" for d in uow.deals.find(1))


def test_the_download_needs_the_bot_token_and_a_failed_one_is_answered(slack, fake_slack, invite):
    slack.dm(MANAGER, invite(Role.MANAGER))
    answer = share(slack, MANAGER, {"id": "F0GONE", "name": "deals.csv", "size": 10, "mimetype": "text/csv",
                                    "url_private_download": f"http://127.0.0.1:{fake_slack.port}/files/F0GONE"})
    assert answer == "没能取到文件“deals.csv”，请再发一次。"


@pytest.mark.parametrize(("mime", "name", "expected"), [
    ("image/png", "拜访照片.png", "Got a picture, but I can't read images."),
    ("audio/webm", "audio_message.webm", "Got a voice message, but I can't listen to audio yet."),
    ("application/pdf", "proposal.pdf", "Got the file “proposal.pdf”, but I only read spreadsheets"),
])
def test_other_files_are_answered_in_the_users_language(slack, fake_slack, invite, mime, name, expected):
    slack.dm(REP, invite())
    url = fake_slack.share_file("F0OTHER", b"\x89PNG....")
    answer = share(slack, REP, {"id": "F0OTHER", "name": name, "size": 8, "mimetype": mime,
                                "url_private_download": url})
    assert answer.startswith(expected), answer


def test_export_uploads_the_workbook_then_says_what_it_holds(slack, fake_slack, invite):
    slack.dm(MANAGER, invite(Role.MANAGER))
    calls = slack.command(MANAGER, "export").calls
    methods = [c.method for c in calls]
    assert methods.index("files.completeUploadExternal") < methods.index("chat.postMessage")
    upload = next(c for c in calls if c.method == "upload")
    assert upload.body.startswith(b"PK")  # an .xlsx
    assert "📤 华东大区销售部 的导出（整个团队）：8 个商机" in texts(calls)
