"""Tenants and processed event ids: the same user id in two workspaces is two people, and
event ids are remembered per bot for a week, no longer."""
from __future__ import annotations

from datetime import timedelta

from assistant import ChatKey, Inbound, handle, render
from assistant.push.jobs import INBOX_RETENTION, scan


def say(make_uow, clock, who: ChatKey, text: str, event_id: str, bot: str = "") -> str:
    replies = handle(Inbound(who, event_id, text=text, display_name=who.user, bot=bot), make_uow(), clock)
    return "\n".join(render(r.lang, r.key, **r.params) for r in replies)


def test_the_same_user_id_in_another_tenant_is_a_stranger(demo, clock):
    other_corp = ChatKey("console", "王伟", "王伟", tenant="corp-b")
    assert "邀请码" in say(demo, clock, other_corp, "/deals", "e1")
    assert "还没有进行中的商机" not in say(demo, clock, other_corp, "/deals", "e2")
    assert "华为" in say(demo, clock, ChatKey("console", "王伟", "王伟"), "/deals", "e3")
    with demo() as uow:
        assert uow.users.by_identity("console", "corp-b", "王伟") is None
        assert uow.users.by_identity("console", "", "王伟").name == "王伟"


def test_two_tenants_users_with_one_id_join_as_two_people_with_their_own_flows(demo, clock, chat):
    manager = chat("张强")
    first = manager.say("/invite").split("邀请码：")[1].split("（")[0].strip()
    second = manager.say("/invite").split("邀请码：")[1].split("（")[0].strip()
    corp_a, corp_b = (ChatKey("dingtalk", "zhangsan", "zhangsan", corp) for corp in ("corp-a", "corp-b"))
    assert "欢迎" in say(demo, clock, corp_a, f"/start {first}", "a1")
    say(demo, clock, corp_a, "/new", "a2")
    assert "欢迎" in say(demo, clock, corp_b, f"/start {second}", "b1")
    with demo() as uow:
        a, b = (uow.users.by_identity("dingtalk", corp, "zhangsan") for corp in ("corp-a", "corp-b"))
        assert a is not None and b is not None and a.id != b.id
        assert uow.flow_states.get(corp_a) is not None and uow.flow_states.get(corp_b) is None
        assert uow.users.set_reachable("dingtalk", "corp-b", "zhangsan", False)
        assert uow.users.is_reachable("dingtalk", "corp-a", "zhangsan")
        uow.commit()


def test_an_event_id_is_a_duplicate_only_for_the_bot_that_received_it(demo, clock):
    who = ChatKey("console", "王伟", "王伟")
    assert "华为" in say(demo, clock, who, "/deals", "1", bot="111")
    assert say(demo, clock, who, "/deals", "1", bot="111") == ""
    assert "华为" in say(demo, clock, who, "/deals", "1", bot="222")


def test_processed_event_ids_past_retention_are_pruned_by_the_scan(demo, clock):
    who = ChatKey("console", "王伟", "王伟")
    say(demo, clock, who, "/deals", "old")
    clock.at += INBOX_RETENTION - timedelta(hours=1)
    say(demo, clock, who, "/deals", "recent")
    clock.at += timedelta(hours=2)
    scan(demo, clock)
    assert "华为" in say(demo, clock, who, "/deals", "old")
    assert say(demo, clock, who, "/deals", "recent") == ""
