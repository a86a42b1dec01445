"""One person on two platforms: `/link` gives a short-lived code that, sent from the other
platform, makes that identity the same member; an invite code already used is never taken as
proof of who someone is."""
from __future__ import annotations

import re
from datetime import timedelta

from assistant import ChatKey, Inbound, handle, render

LAPTOP = ChatKey("slack", "D0WW", "U0WW", "T0SALES")  # 王伟's identity on the other platform


def say(make_uow, clock, who: ChatKey, text: str, event_id: str, name: str | None = "Wei") -> str:
    replies = handle(Inbound(who, event_id, text=text, display_name=name), make_uow(), clock)
    return "\n".join(render(r.lang, r.key, **r.params) for r in replies)


def link_code(text: str) -> str:
    return re.search(r"关联码：([A-Z0-9]{8})", text).group(1)


def test_a_link_code_sent_from_another_platform_is_the_same_member_with_the_same_deals(demo, clock, chat):
    wang = chat("王伟")
    asked = wang.say("/link")
    assert "15 分钟内有效，只能用一次" in asked
    clock.at += timedelta(minutes=1)
    linked = say(demo, clock, LAPTOP, link_code(asked), "s1")
    assert "✅ 已关联：你在这里也是“华东大区销售部”的 王伟" in linked
    assert "名字" not in linked  # the member is known: no name asked
    assert "北京小米科技有限责任公司" in say(demo, clock, LAPTOP, "/deals", "s2")
    say(demo, clock, LAPTOP, "/new 格力电器 智慧园区 200万 明年3月", "s3")
    with demo() as uow:
        member = uow.users.by_identity("console", "", "王伟")
        assert uow.users.by_identity("slack", "T0SALES", "U0WW").id == member.id
        assert len(uow.users.members(member.team_id)) == 4  # nobody new
        assert uow.users.contact_point(member.id).platform == "slack"  # pushes follow to where they wrote last
    assert "智慧园区" in wang.say("/deals") + wang.say("/deals 2")


def test_a_link_code_works_once_and_for_fifteen_minutes(demo, clock, chat):
    wang = chat("王伟")
    code = link_code(wang.say("/link"))
    assert "已关联" in say(demo, clock, LAPTOP, f"/start {code}", "s1")
    other = ChatKey("slack", "D0XX", "U0XX", "T0SALES")
    again = say(demo, clock, other, code, "x1", name="Mallory")
    assert "已经用过了，是 王伟 用的" in again and "已关联" not in again
    late = link_code(wang.say("/link"))
    clock.at += timedelta(minutes=16)
    assert "关联码已过期（15 分钟内有效）" in say(demo, clock, other, late, "x2", name="Mallory")
    with demo() as uow:
        assert uow.users.by_identity("slack", "T0SALES", "U0XX") is None


def test_a_used_invite_from_another_platform_asks_for_link_and_joins_nobody(demo, clock, chat):
    manager = chat("张强")
    code = manager.say("/invite").split("邀请码：")[1].split("（")[0].strip()
    assert "欢迎" in say(demo, clock, ChatKey("telegram", "811001", "811001"), f"/start {code}", "t1", name="赵敏")
    again = say(demo, clock, LAPTOP, code, "s1", name="赵敏")
    assert "这个邀请码已经用过了，是 赵敏 用的。如果你就是 赵敏" in again and "/link" in again
    with demo() as uow:
        assert uow.users.by_identity("slack", "T0SALES", "U0WW") is None


def test_link_is_private_and_in_english_too(demo, clock, chat):
    wang = chat("王伟", "en")
    wang.say("/lang en")
    answer = wang.say("/link")
    assert "Link code:" in answer and "valid for 15 minutes, single use" in answer
    code = re.search(r"Link code: ([A-Z0-9]{8})", answer).group(1)
    assert "✅ Linked: here too you are 王伟 of 华东大区销售部" in say(demo, clock, LAPTOP, code, "s1")
    group = ChatKey("console", "group-1", "王伟")
    replies = handle(Inbound(group, "g1", text="/link", private=False), demo(), clock)
    assert [r.key for r in replies] == ["common.private_only"]
