"""Commands in the texts are written the way the reader's platform types them, and what a
text tells the user to type is read back as that command on the same platform."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from jinja2 import nodes

from assistant.chat.commands import COMMANDS, parse_command
from assistant.i18n import LANGS, SLASH, WORDS, Vocabulary, catalog, render
from tests.test_catalogs import parsed, parses

SLACK = Vocabulary.subcommand("sales")
VOCABULARIES = {"slash": SLASH, "slack": SLACK, "words": WORDS}


def named_commands() -> set[str]:
    """Every command a catalog text names through `cmd('...')`."""
    names = set()
    for lang in LANGS:
        for key in filter(lambda key: parses(lang, key), catalog(lang)):
            for call in parsed(lang, key).find_all(nodes.Call):
                if isinstance(call.node, nodes.Name) and call.node.name == "cmd" and call.args:
                    assert isinstance(call.args[0], nodes.Const), f"{lang} {key}: cmd() with a computed name"
                    names.add(call.args[0].value)
    return names


def typed(vocabulary: Vocabulary, shown: str) -> tuple[str, bool]:
    """What the platform hands the core when the user types `shown`: (text, invoked)."""
    if vocabulary.style == "subcommand":
        return shown.removeprefix(f"/{vocabulary.command} "), True
    return shown.strip("“”"), False


@pytest.mark.parametrize(("lang", "name", "expected"), [
    ("zh", "slash", "/new"), ("en", "slash", "/new"), ("zh", "slack", "/sales new"), ("en", "slack", "/sales new"),
    ("zh", "words", "“新商机”"), ("en", "words", "“new”")])
def test_a_command_is_written_per_platform(lang: str, name: str, expected: str) -> None:
    assert VOCABULARIES[name].write(lang, "new") == expected


def test_arguments_follow_the_command() -> None:
    assert SLASH.write("zh", "start", "ABCD2345") == "/start ABCD2345"
    assert SLACK.write("en", "deal", 3) == "/sales deal 3"
    assert WORDS.write("zh", "visit", "华为 明天 提交方案") == "“拜访 华为 明天 提交方案”"
    assert Vocabulary.subcommand("/sales") == SLACK


@pytest.mark.parametrize(("style", "command"), [("emoji", ""), ("subcommand", ""), ("slash", "sales")])
def test_a_vocabulary_is_one_of_the_three_styles(style: str, command: str) -> None:
    with pytest.raises(ValueError):
        Vocabulary(style, command)


@pytest.mark.parametrize(("name", "zh", "en"), [
    ("slash", "用 /new 新建一个", "Use /new to add one"),
    ("slack", "用 /sales new 新建一个", "Use /sales new to add one"),
    ("words", "用 “新商机” 新建一个", "Use “new” to add one")])
def test_the_same_text_per_vocabulary(name: str, zh: str, en: str) -> None:
    empty = {"items": [], "page": 1, "pages": 1, "total": 0}
    assert zh in render("zh", "deals.list", vocabulary=VOCABULARIES[name], **empty)
    assert en in render("en", "deals.list", vocabulary=VOCABULARIES[name], **empty)


def test_render_keeps_slash_commands_by_default() -> None:
    assert render("zh", "help.rep").splitlines()[1] == "/new 新建商机（一句话：/new 华为 数据中心扩容 120万 下月底）"


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_included_texts_use_the_same_vocabulary(name: str) -> None:
    """help.admin includes help.manager, which includes help.rep: all three parts agree."""
    vocabulary = VOCABULARIES[name]
    for lang in LANGS:
        text = render(lang, "help.admin", vocabulary=vocabulary)
        for command in ("new", "team", "teams"):
            assert vocabulary.write(lang, command) in text
        if vocabulary is WORDS:
            assert "/" not in text.replace("名称/", "").replace("日期/", "").replace("金额/", "")


def test_words_read_natively_in_each_language() -> None:
    zh, en = render("zh", "help.manager", vocabulary=WORDS), render("en", "help.manager", vocabulary=WORDS)
    assert "“新商机 华为 数据中心扩容 120万 下月底”" in zh and "“本周汇总” 本周汇总" in zh and "“邀请” 邀请成员" in zh
    assert "“new Huawei DC expansion 1.2m end of next month”" in en and "“digest” Weekly digest" in en
    assert not re.search(r"[\u4e00-\u9fff]", en)


INVITE = {"code": "ABCD2345", "role": "rep", "team": "East", "expires": datetime(2026, 11, 25, 2, tzinfo=UTC)}


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_joining_never_needs_a_command(name: str) -> None:
    """The bare code is enough (a stranger's first message is tried as the code); the command
    form is offered only where the platform has one."""
    vocabulary = VOCABULARIES[name]
    prompt = {lang: render(lang, "join.prompt", vocabulary=vocabulary) for lang in LANGS}
    created = {lang: render(lang, "invite.created", vocabulary=vocabulary, **INVITE) for lang in LANGS}
    assert "直接发给我" in prompt["zh"] and "just send it to me" in prompt["en"]
    assert "让对方把邀请码发给我" in created["zh"] and "Ask them to send me the code" in created["en"]
    for lang in LANGS:
        if vocabulary.slash:
            assert vocabulary.write(lang, "start", "ABCD2345") in created[lang]
        else:
            assert "/" not in prompt[lang] + created[lang] and "start" not in created[lang]


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
@pytest.mark.parametrize("lang", LANGS)
def test_what_the_texts_tell_users_to_type_is_read_as_that_command(name: str, lang: str) -> None:
    vocabulary = VOCABULARIES[name]
    commands = named_commands()
    assert {"new", "start", "invite", "digest", "groupdigest", "schedule"} <= commands <= set(COMMANDS)
    for command in sorted(commands):
        for args in ((), ("12",)):
            text, invoked = typed(vocabulary, vocabulary.write(lang, command, *args))
            assert parse_command(text, lang, in_flow=False, invoked=invoked) == (command, " ".join(args)), text


def test_an_invoked_text_names_its_command_without_a_slash() -> None:
    """Slack hands over `/sales new 华为 …` as `new 华为 …`; a group mention is stripped the same way."""
    assert parse_command("new 华为 数据中心扩容", "zh", in_flow=False, invoked=True) == ("new", "华为 数据中心扩容")
    assert parse_command("digest", "en", in_flow=True, invoked=True) == ("digest", "")
    assert parse_command("本周汇总", "zh", in_flow=False, invoked=True) == ("digest", "")
    assert parse_command("hello there", "en", in_flow=False, invoked=True) == ("unknown", "hello there")
    assert parse_command("华为技术有限公司", "zh", in_flow=True, invoked=True) is None
    assert parse_command("hello there", "en", in_flow=False) is None
