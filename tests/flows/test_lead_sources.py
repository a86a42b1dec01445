"""A deal's lead source: asked in the guided /new (skippable), shown on the card, editable, and
counted per source in the manager's digest (zh and en)."""


def test_a_lead_source_is_on_the_card_editable_and_in_the_digest(demo, chat):
    rep = chat("王伟")
    for answer in ("/new", "顺丰速运有限公司", "冷链监控", "80万", "2026-12-20"):
        reply = rep.say(answer)
    assert "客户来源" in rep.press("目标客户")
    rep.press("市场活动")
    rep.press("确认")
    reply = rep.press("跳过")
    assert "商机已创建" in reply and "来源 市场活动" in reply
    rep.say("/edit 顺丰")
    rep.press("客户来源")
    assert "来源 老客户介绍" in rep.press("老客户介绍")
    manager = chat("张强")
    digest = manager.say("/digest")
    assert "· 老客户介绍：1 个，¥80万；赢单 0 个，¥0；赢单率 —；平均周期 —" in digest
    assert "· 未填写来源：8 个" in digest
    manager.say("/lang en")
    assert "· Customer referral: 1 deal, CN¥800,000; won 0, CN¥0; win rate —; average cycle —" in manager.say(
        "/digest")
