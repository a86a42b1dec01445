"""The terminal chat shown as a platform without slash commands (WORDS): the texts name the
words, and the words typed do what the texts say; pushes are rendered the same way."""
from __future__ import annotations

import io

from assistant.events import ChatKey, Reply
from assistant.i18n import WORDS
from handlers.console import ConsoleDeliverer
from tests.flows.test_team_and_views import invite_code


def test_help_names_words_and_the_words_work(demo, chat):
    rep = chat("王伟", vocabulary=WORDS)
    help_text = rep.say("帮助")
    assert "“新商机” 新建商机（一句话：“新商机 华为 数据中心扩容 120万 下月底”）" in help_text
    assert "/" not in help_text.replace("金额/日期/名称", "")
    assert "“华为”是下面哪一个" in rep.say("新商机 华为 数据中心扩容 120万 下月底")
    assert "商机已创建" in rep.press("就是")
    manager = chat("张强", vocabulary=WORDS)
    assert "“本周汇总” 本周汇总" in manager.say("帮助")
    assert "团队节奏" in manager.say("节奏")
    assert "团队节奏" in chat("张强", "en", vocabulary=WORDS).say("schedule")


def test_joining_by_the_bare_code_as_the_texts_say(demo, chat):
    manager = chat("张强", vocabulary=WORDS)
    created = manager.say("邀请")
    assert "让对方把邀请码发给我。" in created and "/start" not in created
    stranger = chat("周杰", vocabulary=WORDS)
    prompt = stranger.say("我的商机")
    assert "直接发给我就行" in prompt and "/" not in prompt
    assert "欢迎 周杰 加入“华东大区销售部”" in stranger.say(invite_code(created))


def test_a_push_is_rendered_in_its_readers_vocabulary(demo, chat):
    rep = chat("王伟", vocabulary=WORDS)
    out = io.StringIO()
    empty = Reply("deals.list", "zh", {"items": [], "page": 1, "pages": 1, "total": 0})
    ConsoleDeliverer({"王伟": rep.console}, out).send(ChatKey("console", "王伟", "王伟"), [empty])
    assert "用 “新商机” 新建一个" in out.getvalue() and "/new" not in out.getvalue()
