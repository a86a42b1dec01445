"""The command table decides: each property a command carries is what users meet, for every
command that carries it (a new command gets these tests by being added to the table)."""
from __future__ import annotations

import itertools

import pytest

from assistant.chat.commands import COMMANDS
from assistant.chat.engine import handle
from assistant.chat.routes import decode
from assistant.events import ChatKey, Inbound, Reply
from assistant.i18n import render
from assistant.method.model import Role

_ids = itertools.count()
ADMIN = "陈静"  # may run every command of the demo team


def send(make_uow, clock, user: str, text: str | None = None, choice: str | None = None,
         private: bool = True) -> list[Reply]:
    chat = user if private else "group-7"
    event = Inbound(ChatKey("console", chat, user), f"router-{next(_ids)}", text=text, choice=choice, private=private)
    return handle(event, make_uow(), clock)


def typed(name: str) -> str:
    return f"/{name}"


@pytest.mark.parametrize("name", [n for n, c in COMMANDS.items() if c.private_only])
def test_private_commands_are_refused_in_a_group_even_when_it_shares_deals(demo, make_uow, clock, name):
    send(make_uow, clock, "张强", "/share on")
    replies = send(make_uow, clock, ADMIN, typed(name), private=False)
    assert [r.key for r in replies] == ["common.private_only"]


@pytest.mark.parametrize("name", [n for n, c in COMMANDS.items() if c.in_groups])
def test_group_commands_work_in_a_group_that_shares_nothing(demo, make_uow, clock, name):
    replies = send(make_uow, clock, "张强", typed(name), private=False)
    assert replies and all(r.key != "common.private_only" for r in replies)


@pytest.mark.parametrize("name", [n for n, c in COMMANDS.items() if c.keeps_flow and n != "unknown"])
def test_look_ups_leave_the_open_question_waiting(demo, make_uow, clock, name):
    question = send(make_uow, clock, ADMIN, "/new")[-1]
    replies = send(make_uow, clock, ADMIN, typed(name))
    assert [r.key for r in replies[-2:]] == ["common.still_waiting", question.key]
    answered = send(make_uow, clock, ADMIN, "华为技术有限公司")
    assert answered[-1].key != question.key, "the flow took the next answer"


@pytest.mark.parametrize("name", [n for n, c in COMMANDS.items() if not c.keeps_flow])
def test_commands_that_start_or_end_something_replace_the_open_flow(demo, make_uow, clock, name):
    send(make_uow, clock, ADMIN, "/new")
    replies = send(make_uow, clock, ADMIN, typed(name))
    assert "common.still_waiting" not in [r.key for r in replies]


@pytest.mark.parametrize(("name", "command"), [(n, c) for n, c in COMMANDS.items() if Role.REP not in c.roles])
def test_a_rep_is_refused_what_their_role_does_not_allow(demo, make_uow, clock, name, command):
    with make_uow() as uow:
        before = len(uow.deals.find(uow.users.by_identity("console", "", "王伟").team_id))
    replies = send(make_uow, clock, "王伟", typed(name))
    assert [r.key for r in replies] == ["common.not_allowed"]
    with make_uow() as uow:
        assert len(uow.deals.find(uow.users.by_identity("console", "", "王伟").team_id)) == before


@pytest.mark.parametrize("name", [n for n, c in COMMANDS.items() if not c.for_strangers and n != "unknown"])
def test_strangers_are_shown_the_way_to_join_whatever_they_type(demo, make_uow, clock, name):
    assert [r.key for r in send(make_uow, clock, "路人", typed(name))] == ["join.prompt"]


def test_every_button_the_assistant_sends_reads_back_as_a_route(demo, make_uow, clock):
    """A tour of the menus, lists, cards and flows: a typo in any builder shows up here."""
    seen: list[str] = []
    for user, text in [("王伟", "随便说点"), ("王伟", "/deals"), ("王伟", "/deal 1"), ("王伟", "/lang"),
                       ("张强", "/team"), ("张强", "/rep 王"), ("张强", "/share"), ("王伟", "/visit"),
                       ("王伟", "/cancel"), ("王伟", "/new")]:
        seen += [c.value for r in send(make_uow, clock, user, text) for c in r.choices]
    pressed = 0
    for value in list(seen):
        route = decode(value)
        assert route is not None, value
        replies = send(make_uow, clock, "张强" if value.startswith("rep.") else "王伟", choice=value)
        assert replies, value
        pressed += 1
    assert pressed >= 20


def test_a_stale_flow_button_after_cancel_says_so(demo, make_uow, clock):
    prompt = send(make_uow, clock, "王伟", "/visit")[-1]
    send(make_uow, clock, "王伟", "/cancel")
    replies = send(make_uow, clock, "王伟", choice=prompt.choices[0].value)
    assert render("zh", replies[0].key) == render("zh", "common.stale_button")


def test_a_code_sent_as_the_command_itself_joins(demo, make_uow, clock):
    """Slack's `/sales K7Q2M9XD` arrives as addressed text that names no command: it is the code."""
    from assistant.chat.teams import create_invite
    from assistant.method.model import Role

    with make_uow() as uow:
        team = uow.teams.by_name("华东大区销售部")
        code = create_invite(uow, team, None, Role.REP, clock.now()).code
        uow.commit()
    event = Inbound(ChatKey("console", "新人", "新人"), f"router-{next(_ids)}", text=code, addressed=True,
                    display_name="孙丽")
    replies = handle(event, make_uow(), clock)
    assert replies[0].key == "join.welcome" and replies[0].params["name"] == "孙丽"
