"""Free sentences and /undo on Telegram: the real python-telegram-bot stack against the fake
Bot API server; the proposal's buttons are inline buttons, and only the Confirm press writes."""
from __future__ import annotations

import asyncio

from tests.adapters.conftest import texts
from tests.adapters.test_telegram import WANG, as_demo_rep


def test_a_sentence_is_proposed_with_inline_buttons_and_written_on_confirm(running, demo):
    as_demo_rep(demo, WANG)

    async def scenario():
        async with running() as tg:
            proposal = (await tg.say(WANG, "刚见完美的的李总，他们下个月招标"))[0]
            labels = [b["text"] for b in proposal.buttons()]
            with demo() as uow:
                before = uow.deals.visits(5)
            saved = texts(await tg.press(WANG, "确认"))
            undo = texts(await tg.say(WANG, "/undo"))
            undone = texts(await tg.press(WANG, "确认撤销"))
            return proposal.text, labels, before, saved, undo, undone
    text, labels, before, saved, undo, undone = asyncio.run(scenario())
    assert "📝 记拜访：#5 美的集团股份有限公司 · 呼叫中心升级" in text
    assert labels == ["✔ 确认", "✏️ 改一下", "✖ 取消"] and before == []
    assert "拜访已记录" in saved
    assert "撤销 1 分钟前的拜访记录：#5 美的集团股份有限公司 · 呼叫中心升级？" in undo and "已撤销" in undone
    with demo() as uow:
        assert uow.deals.visits(5) == [] and uow.deals.get(5).next_step == "参与投标"
