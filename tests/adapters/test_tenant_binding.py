"""A team bound to a tenant, end to end on the platforms whose identities carry one: a manager's
`bind` on Feishu (the real lark-oapi clients against the fake Feishu) and `/sales bind` on Slack
(the real Bolt app), then people of that tenant join by writing, and no one else does."""
from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.method.model import Role
from handlers import slack as slack_adapter
from tests.adapters.fake_feishu import COLLEAGUE, MANAGER, REP, STRANGER, FeishuUser, shown
from tests.adapters.fake_slack import TEAM
from tests.adapters.feishu_chat import created, texts
from tests.adapters.slack_chat import SECRET, SlackChat
from tests.adapters.slack_chat import texts as slack_texts
from tests.adapters.test_feishu import TEAM_ID, deals_of, identity, join
from tests.adapters.test_slack import MANAGER as SLACK_MANAGER
from tests.adapters.test_slack import REP as SLACK_REP
from tests.adapters.test_slack import client_for
from tests.adapters.test_slack import identity as slack_identity


@pytest.fixture
def slack_app(fake_slack, demo, clock) -> SlackChat:
    for person in (SLACK_REP, SLACK_MANAGER):
        fake_slack.add_person(person)
    return SlackChat(fake_slack, slack_adapter.build_app(client_for(fake_slack), demo, clock, SECRET,
                                                         process_before_response=True))


NAMELESS = FeishuUser("ou_non00000000000000000000000000001", "（不在通讯录）")


def test_a_bound_tenant_lets_its_people_join_by_writing_and_bind_off_ends_it(feishu, invite, demo):
    join(feishu, MANAGER, invite(Role.MANAGER))
    bound = created(feishu.say(MANAGER, "绑定企业").calls)[0]
    assert "已绑定到“华东大区销售部”" in shown(bound.text) and "角色是销售" in shown(bound.text)
    assert bound.labels() == ["新成员改为经理", "解除绑定"]

    answer = feishu.say(COLLEAGUE, "新商机 华为技术有限公司 数据中心扩容 120万 下月底")
    said = texts(answer.calls)
    assert "欢迎 钱多多！你的企业已绑定到“华东大区销售部”，你已自动加入，角色是销售" in said
    assert "商机已创建" in said  # what they wrote is done, as a member's message
    joined = identity(demo, COLLEAGUE)
    assert (joined.name, joined.team_id, joined.role) == ("钱多多", TEAM_ID, "rep")
    assert [d.title for d in deals_of(demo, COLLEAGUE)] == ["数据中心扩容"]

    assert "邀请码" in texts(feishu.say(STRANGER, "你好").calls)  # another tenant stays outside
    assert identity(demo, STRANGER) is None

    assert "已解除绑定" in texts(feishu.press(MANAGER, "解除绑定").calls)
    later = FeishuUser("ou_late0000000000000000000000000001", "孙悟空")
    feishu.fake.add_person(later)
    assert "邀请码" in texts(feishu.say(later, "你好").calls)
    assert identity(demo, later) is None and identity(demo, COLLEAGUE).team_id == TEAM_ID


def test_the_manager_sets_the_newcomers_role_and_a_rep_cannot_bind(feishu, invite, demo):
    join(feishu, MANAGER, invite(Role.MANAGER))
    join(feishu, REP, invite())
    assert "你的角色不能做这个操作" in texts(feishu.say(REP, "绑定企业").calls)
    with demo() as uow:
        assert uow.tenant_bindings.get("feishu", REP.tenant) is None
    feishu.say(MANAGER, "绑定企业")
    changed = texts(feishu.press(MANAGER, "新成员改为经理").calls)
    assert "角色是经理" in changed
    feishu.say(COLLEAGUE, "你好")
    assert identity(demo, COLLEAGUE).role == "manager"
    assert "新加入的人角色是经理" in texts(feishu.say(MANAGER, "绑定企业").calls)


def test_a_newcomer_the_directory_does_not_name_is_asked_their_name(feishu, invite, demo):
    join(feishu, MANAGER, invite(Role.MANAGER))
    feishu.say(MANAGER, "绑定企业")
    asked = texts(feishu.say(NAMELESS, "你好").calls)  # not in the fake's directory: no name
    assert "你的名字" in asked and identity(demo, NAMELESS) is None
    welcomed = texts(feishu.say(NAMELESS, "周芷若").calls)
    assert "欢迎 周芷若！" in welcomed
    assert identity(demo, NAMELESS).name == "周芷若"


def test_an_invite_code_still_works_on_a_bound_tenant(feishu, invite, demo):
    join(feishu, MANAGER, invite(Role.MANAGER))
    feishu.say(MANAGER, "绑定企业")
    said = texts(feishu.say(COLLEAGUE, invite(Role.MANAGER)).calls)
    assert "欢迎 钱多多 加入“华东大区销售部”，你的角色是经理" in said
    assert identity(demo, COLLEAGUE).role == "manager"


def test_a_workspace_bound_on_slack_in_english(slack_app, invite, demo):
    slack = slack_app
    slack.dm(SLACK_MANAGER, invite(Role.MANAGER))
    slack.dm(SLACK_MANAGER, "lang en")
    bound = slack_texts(slack.command(SLACK_MANAGER, "bind").calls)
    assert "bound to “华东大区销售部”" in bound and "To end it: “bind off”" in bound
    said = slack_texts(slack.dm(SLACK_REP, "deals").calls)
    assert "Your organisation is bound" not in said and "欢迎 赵敏！" in said  # a newcomer's own language: zh
    assert (slack_identity(demo, SLACK_REP).team_id, slack_identity(demo, SLACK_REP).role) == (TEAM_ID, "rep")
    elsewhere = replace(SLACK_REP, id="U0ELSE0001", team="T0OTHER")
    slack.fake.add_person(elsewhere)
    assert "邀请码" in slack_texts(slack.dm(elsewhere, "deals").calls)
    with demo() as uow:
        assert uow.users.by_identity("slack", "T0OTHER", elsewhere.id) is None
    assert "Binding ended" in slack_texts(slack.command(SLACK_MANAGER, "bind off").calls)
    with demo() as uow:
        assert uow.tenant_bindings.get("slack", TEAM) is None
