"""Targets per rep: set with /target, shown per rep in /team, /rep and the digest (zh and en);
a manager's /forecast is the team's."""
from decimal import Decimal


def test_a_rep_target_is_set_and_shown_in_team_rep_and_digest(demo, chat):
    manager = chat("张强")
    assert "已设定 2026-12 的王伟个人目标：¥100万" in manager.say("/target 王伟 2026-12 100万")
    assert "已设定 2027-Q1 的王伟个人目标：¥200万" in manager.say("/target 王 2027-Q1 200万")
    assert "没有叫“王二”的销售" in manager.say("/target 王二 2027-Q1 200万")
    manager.say("/cancel")
    with demo() as uow:
        wang = uow.users.by_name("王伟")
        assert uow.targets.get(wang.team_id, wang.id, "2026-12") == Decimal("1000000")
        assert uow.targets.get(wang.team_id, None, "2026-12") is None   # the team's own target untouched
    # 王伟: next month ¥92.75万 (the README's ¥104.75万 before its new deal #9), next quarter ¥140万
    line = ("下月（2026-12）预测 ¥92.75万，目标 ¥100万，覆盖 92.8%；"
            "下季度（2027-Q1）预测 ¥140万，目标 ¥200万，覆盖 70%；本季（2026-Q4）已赢单 ¥0")
    assert line in manager.say("/team")
    assert line in manager.say("/rep 王伟")
    digest = manager.say("/digest")
    section = digest.split("【按销售】")[1].split("【阶段转化】")[0]
    assert f"  └ {line}" in section and "李娜" in section and "未设目标" in section
    manager.say("/lang en")
    english = ("Next month (2026-12) forecast CN¥927,500, target CN¥1,000,000, coverage 92.8%; "
               "next quarter (2027-Q1) forecast CN¥1,400,000, target CN¥2,000,000, coverage 70%; "
               "won this quarter (2026-Q4) CN¥0")
    assert english in manager.say("/digest")
    assert english in manager.say("/rep 王伟")


def test_a_managers_forecast_is_the_teams(demo, chat):
    manager = chat("张强")
    reply = manager.say("/forecast")
    assert reply.startswith("华东大区销售部的销售预测")
    assert "¥0，0 个商机" not in reply
    assert reply in manager.say("/team"), "the same figures as the team view's forecast"
    rep = chat("王伟").say("/forecast")
    assert rep.startswith("王伟的销售预测") and "下季度（2027-Q1）：¥140万，1 个商机" in rep
