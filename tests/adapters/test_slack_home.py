"""The App Home tab through the real Bolt app against the mock Slack Web API: published when the
tab is opened and after each thing the person does, with a rep's or a manager's figures."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from assistant.events import ChatKey
from assistant.method.model import Role
from tests.adapters.fake_slack import SlackUser
from tests.adapters.slack_chat import MANAGER, REP, STRANGER, texts
from tests.adapters.test_slack import deals_of, identity, join, posted

ENGLISH_REP = SlackUser("U0ENG0001", "Alice", locale="en-US")


def published(calls, user: SlackUser):
    return [c for c in calls if c.method == "views.publish" and c.args["user_id"] == user.id]


def test_a_reps_home_shows_their_funnel_forecast_overdue_steps_and_the_self_check(slack, invite, demo):
    join(slack, REP, invite())
    [opened] = published(slack.open_home(REP).calls, REP)
    assert opened.args["view"]["type"] == "home"
    assert "🏠 赵敏 · 华东大区销售部" in opened.view_text and "漏斗是空的" in opened.view_text

    created = slack.command(REP, "new 华为技术有限公司 数据中心扩容 120万 下月底")
    assert "商机已创建" in texts(created.calls)
    [after] = published(created.calls, REP)  # republished after the change, in the same turn
    assert "合计：1 个，¥120万，加权 ¥12万" in after.view_text
    assert "下月预测（2026-12）：¥12万，1 个商机" in after.view_text
    assert "逾期的下一步：没有" in after.view_text
    assert "本周自检（2026-W47）：还没做" in after.view_text
    assert [b["text"]["text"] for b in after.view_buttons()] == ["开始自检", "➕ 新建商机", "📝 记拜访", "📋 我的商机"]

    [deal] = deals_of(demo, REP)
    with demo() as uow:
        uow.deals.save(replace(deal, next_step="提交方案", next_due=date(2026, 11, 16)))
        uow.commit()
    [overdue] = published(slack.open_home(REP).calls, REP)
    line = f"⚠️ 逾期的下一步：\n· #{deal.id} 华为技术有限公司 · 数据中心扩容：提交方案，2026年11月16日（周一）"
    assert line in overdue.view_text


def test_the_self_check_button_on_home_starts_it_in_the_dm(slack, invite, demo):
    join(slack, REP, invite())
    slack.command(REP, "new 华为技术有限公司 数据中心扩容 120万 下月底")
    response = slack.press_in_home(REP, "开始自检")
    [asked] = posted(response.calls)
    assert asked.channel == REP.dm and "自检 1/1" in asked.text and "数据中心扩容" in asked.text
    with demo() as uow:
        assert uow.flow_states.get(ChatKey("slack", REP.dm, REP.id, REP.team)).flow == "weekly_check"


def test_an_unchanged_home_is_not_published_again(slack, invite):
    join(slack, REP, invite())
    assert published(slack.dm(REP, "帮助").calls, REP) == []
    assert published(slack.command(REP, "new 华为技术有限公司 机房搬迁 30万 月底").calls, REP)


def test_a_managers_home_shows_the_team_with_a_line_per_rep(slack, invite):
    join(slack, REP, invite())
    join(slack, MANAGER, invite(Role.MANAGER))
    [home] = published(slack.open_home(MANAGER).calls, MANAGER)
    text = home.view_text
    assert "🏠 孙丽 · “华东大区销售部”团队" in text
    assert "合计：8 个，¥809万，加权 ¥325.05万" in text
    assert "下月预测（2026-12）：¥100.25万，4 个商机" in text
    assert "· 王伟：5 个｜¥273.25万｜¥92.75万｜1 个逾期｜未完成" in text
    assert "· 李娜：3 个｜¥51.8万｜¥7.5万｜1 个逾期｜未完成" in text
    assert "· 赵敏：0 个｜¥0｜¥0｜0 个逾期｜未完成" in text
    assert "会议系统：提交方案，2026年11月15日（周日）（李娜）" in text  # overdue steps name their owner
    assert next(b["text"]["text"] for b in home.view_buttons()) == "👥 团队漏斗"
    team = slack.press_in_home(MANAGER, "团队漏斗")
    assert "“华东大区销售部”团队漏斗" in texts(team.calls)


def test_home_is_in_the_readers_language(slack, invite):
    slack.fake.add_person(ENGLISH_REP)
    join(slack, ENGLISH_REP, invite())
    [home] = published(slack.open_home(ENGLISH_REP).calls, ENGLISH_REP)
    assert "📊 My pipeline" in home.view_text and "This week's self-check (2026-W47): not done yet" in home.view_text
    assert "Start the self-check" in [b["text"]["text"] for b in home.view_buttons()]


def test_a_stranger_opening_home_is_told_how_to_join_and_nothing_is_stored(slack, demo):
    [home] = published(slack.open_home(STRANGER).calls, STRANGER)
    assert "You haven't joined a team yet" in home.view_text and not home.view_buttons()
    assert identity(demo, STRANGER) is None


def test_the_messages_tab_publishes_nothing_and_a_refused_home_leaves_the_chat(slack, invite, fake_slack):
    response = slack.event({"type": "app_home_opened", "user": REP.id, "channel": REP.dm, "tab": "messages",
                            "event_ts": "1780000000.000001"})
    assert response.status == 200 and not published(response.calls, REP)
    join(slack, REP, invite())
    fake_slack.fail_next("views.publish", "not_enabled")
    created = slack.command(REP, "new 华为技术有限公司 机房搬迁 30万 月底")
    assert "商机已创建" in texts(created.calls) and not published(created.calls, REP)
    assert published(slack.open_home(REP).calls, REP)  # not remembered as shown: published when opened
