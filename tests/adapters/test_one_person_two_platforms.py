"""One person on Telegram and Slack on the same deals, through both real stacks: python-telegram-bot
against the fake Bot API and the Bolt app against the mock Slack Web API, on one database."""
from __future__ import annotations

import asyncio
import re

from tests.adapters.conftest import TgUser
from tests.adapters.conftest import texts as telegram_texts
from tests.adapters.slack_chat import REP as SLACK_REP
from tests.adapters.slack_chat import texts as slack_texts

TG_REP = TgUser(811001, "赵敏")


def test_link_on_telegram_then_the_code_in_slack_gives_the_same_deals_both_ways(running, slack, invite, demo):
    async def scenario():
        async with running() as tg:
            await tg.say(TG_REP, f"/start {invite()}")
            await tg.say(TG_REP, "/new 华为技术有限公司 数据中心扩容 120万 下月底")
            code = re.search(r"关联码：([A-Z0-9]{8})", telegram_texts(await tg.say(TG_REP, "/link"))).group(1)

            linked = slack_texts(slack.dm(SLACK_REP, code).calls)
            assert "✅ 已关联：你在这里也是“华东大区销售部”的 赵敏" in linked
            assert "数据中心扩容" in slack_texts(slack.dm(SLACK_REP, "我的商机").calls)
            created = slack.command(SLACK_REP, "new 格力电器 智慧园区 200万 明年3月")
            assert "商机已创建" in slack_texts(created.calls)
            home = next(c for c in created.calls if c.method == "views.publish")
            assert "合计：2 个，¥320万" in home.view_text  # the Home counts the Telegram deal too

            listed = telegram_texts(await tg.say(TG_REP, "/deals"))
            assert "数据中心扩容" in listed and "智慧园区" in listed
    asyncio.run(scenario())
    with demo() as uow:
        on_telegram = uow.users.by_identity("telegram", "", str(TG_REP.id))
        on_slack = uow.users.by_identity("slack", SLACK_REP.team, SLACK_REP.id)
        assert on_telegram.id == on_slack.id
        assert len(uow.deals.find(on_telegram.team_id, owner_id=on_telegram.id)) == 2


def test_the_invite_used_on_telegram_sent_from_slack_asks_for_link_and_joins_nobody(running, slack, invite, demo):
    code = invite()

    async def scenario():
        async with running() as tg:
            await tg.say(TG_REP, f"/start {code}")
    asyncio.run(scenario())
    asked = slack_texts(slack.dm(SLACK_REP, code).calls)
    assert "这个邀请码已经用过了，是 赵敏 用的" in asked and "“关联”" in asked  # the command as typed in the Slack DM
    with demo() as uow:
        assert uow.users.by_identity("slack", SLACK_REP.team, SLACK_REP.id) is None
