"""The core's tenant binding on any platform whose identities carry a tenant (a DingTalk corp
here, through `handle`), and where there is none (the terminal chat)."""
from __future__ import annotations

from assistant import ChatKey, Inbound, create_team, handle, preset, render
from assistant.method.model import Role, TenantBinding


def say(make_uow, clock, who: ChatKey, text: str, event_id: str, name: str | None = "钱多多") -> str:
    replies = handle(Inbound(who, event_id, text=text, display_name=name), make_uow(), clock)
    return "\n".join(render(r.lang, r.key, **r.params) for r in replies)


def test_the_terminal_chat_has_no_tenant_to_bind(chat, demo):
    assert "不能绑定" in chat("张强").say("/bind")
    assert "你的角色不能做这个操作" in chat("王伟").say("/bind")


def test_a_manager_binds_a_corp_and_its_people_join_as_reps(demo, clock):
    manager = ChatKey("dingtalk", "zhangqiang", "zhangqiang", "corp-a")
    with demo() as uow:
        zhang = next(u for u in uow.users.members(1) if u.name == "张强")
        uow.users.link(zhang.id, manager)
        uow.commit()
    assert "已绑定到“华东大区销售部”" in say(demo, clock, manager, "/bind", "e1")
    newcomer = ChatKey("dingtalk", "qian", "qian", "corp-a")
    said = say(demo, clock, newcomer, "/deals", "e2")
    assert "欢迎 钱多多！" in said and "还没有进行中的商机" in said
    assert "好的" not in say(demo, clock, newcomer, "/deals", "e2")  # the same event again: nothing
    with demo() as uow:
        joined = uow.users.by_identity("dingtalk", "corp-a", "qian")
        assert (joined.team_id, joined.role) == (1, Role.REP)
        assert uow.tenant_bindings.get("dingtalk", "corp-a") == TenantBinding("dingtalk", "corp-a", 1, Role.REP)
    assert "邀请码" in say(demo, clock, ChatKey("dingtalk", "wu", "wu", "corp-b"), "/deals", "e3")


def test_a_corp_bound_to_one_team_is_refused_to_another_and_no_admin_role_is_given(demo, clock):
    manager = ChatKey("dingtalk", "zhangqiang", "zhangqiang", "corp-a")
    with demo() as uow:
        zhang = next(u for u in uow.users.members(1) if u.name == "张强")
        uow.users.link(zhang.id, manager)
        uow.commit()
    assert "新成员的角色可以是销售或经理" in say(demo, clock, manager, "/bind 管理员", "e1")
    with demo() as uow:
        assert uow.tenant_bindings.get("dingtalk", "corp-a") is None
        other, _ = create_team(uow, "华南", preset("project"), "zh", "Asia/Shanghai", None, clock.now())
        assert uow.tenant_bindings.bind(TenantBinding("dingtalk", "corp-a", other.id, Role.REP), None, clock.now())
        uow.commit()
    assert "已经绑定到另一个团队" in say(demo, clock, manager, "/bind", "e2")
    assert "没有绑定到这个团队" in say(demo, clock, manager, "/bind off", "e3")
    with demo() as uow:
        assert uow.tenant_bindings.get("dingtalk", "corp-a").team_id == other.id
