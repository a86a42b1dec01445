"""The manager's weekly digest, section by section, from hand-built domain objects (no database).

Today is Monday 2026-11-30 in Shanghai: the Monday push reports Mon 23 to Sun 29 November.
Team 华东大区销售部 uses the `project` preset (目标客户 10%, 有效客户 25%, 入围客户 50%,
意向客户 75%, 接近赢单客户 90%); reps 王伟 (1), 李娜 (2) and the new rep 赵敏 (4); manager 张强 (3).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from jinja2 import Environment, meta

from assistant.i18n import catalog, render
from assistant.method import weekly_digest as digest_rules
from assistant.method.conversion import WON, conversions, days_in_stage, is_jump, is_off_funnel, reached
from assistant.method.funnel_config import preset
from assistant.method.model import Deal, DealStatus, Role, StageChange, Team, User
from assistant.method.weekly_digest import DIGEST_KEY, TeamData, weekly_digest

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 30)
PROJECT = preset("project")
SIX_STEP = preset("six_step")
WANG, LI, ZHANG, ZHAO = (User(1, 10, "王伟", Role.REP, "zh"), User(2, 10, "李娜", Role.REP, "zh"),
                         User(3, 10, "张强", Role.MANAGER, "zh"), User(4, 10, "赵敏", Role.REP, "zh"))
MEMBERS = [WANG, LI, ZHANG, ZHAO]
WAN = Decimal(10000)


def at(text: str) -> datetime:
    """An instant written in Shanghai time: "2026-11-24" (10:00) or "2026-11-24 23:30"."""
    moment = datetime.fromisoformat(text if " " in text else f"{text} 10:00")
    return moment.replace(tzinfo=SHANGHAI)


def team(funnel=PROJECT) -> Team:
    return Team(10, "华东大区销售部", "zh", "Asia/Shanghai", "CNY", funnel)


def a_deal(deal_id: int, owner: User, stage: str, wan: int, close: str, *, status: str = DealStatus.OPEN,
           next_step: str | None = "跟进", next_due: str | None = None, last: str | None = None,
           **fields) -> Deal:
    return Deal(deal_id, 10, owner.id, deal_id, f"客户{deal_id}", f"项目{deal_id}", Decimal(wan) * WAN,
                fields.pop("currency", "CNY"), date.fromisoformat(close), stage, status, next_step=next_step,
                next_due=date.fromisoformat(next_due) if next_due else None,
                last_activity_at=at(last) if last else None, **fields)


def move(deal_id: int, kind: str, to: str, when: str, frm: str | None = None, by: User = WANG,
         unticked: tuple[str, ...] = ()) -> StageChange:
    return StageChange(deal_id, frm, to, kind, at(when), by.id, not unticked, unticked=unticked)


def ladder(deal_id: int, by: User, *steps: tuple[str, str]) -> list[StageChange]:
    """created at the first (stage, day), then one advance per following step."""
    (first, day), rest = steps[0], steps[1:]
    history, previous = [move(deal_id, "created", first, day, by=by)], first
    for stage, day in rest:
        history.append(move(deal_id, "advance", stage, day, previous, by))
        previous = stage
    return history


DEALS = [
    a_deal(1, WANG, "target", 100, "2026-12-15", next_due="2026-12-01", last="2026-11-25"),
    a_deal(2, WANG, "qualified", 200, "2027-01-20", next_step=None, last="2026-10-20"),
    a_deal(3, LI, "shortlisted", 400, "2026-12-20", next_step="技术交流", next_due="2026-11-25", last="2026-11-20"),
    a_deal(4, LI, "intent", 300, "2027-02-10", next_due="2026-12-03", last="2026-11-26"),
    a_deal(5, LI, "near_win", 100, "2026-12-28", next_due="2026-12-02", last="2026-11-27"),
    a_deal(6, WANG, "target", 5, "2026-12-31", currency="USD", last="2026-11-20"),
    a_deal(7, WANG, "near_win", 150, "2026-11-30", status=DealStatus.WON, closed_at=at("2026-11-24")),
    a_deal(8, LI, "qualified", 80, "2026-12-31", status=DealStatus.LOST, lost_category="price",
           lost_reason_ours="价格偏高",
           lost_reason_customer="预算削减"),
    a_deal(9, WANG, "near_win", 50, "2026-11-30", status=DealStatus.WON, closed_at=at("2026-11-26")),
    a_deal(10, WANG, "target", 30, "2026-12-31", status=DealStatus.LOST),
    a_deal(11, LI, "shortlisted", 100, "2027-03-10", next_due="2026-12-05", last="2026-11-28"),
]
CHANGES = {
    1: ladder(1, WANG, ("target", "2026-11-02")),
    2: ladder(2, WANG, ("target", "2026-09-01"), ("qualified", "2026-10-20")),
    3: ladder(3, LI, ("target", "2026-10-01"), ("qualified", "2026-10-15"), ("shortlisted", "2026-11-20")),
    4: ladder(4, LI, ("target", "2026-09-01"), ("qualified", "2026-10-01"), ("intent", "2026-11-24")),
    5: ladder(5, LI, ("target", "2026-08-01"), ("qualified", "2026-09-01"), ("shortlisted", "2026-10-01"),
              ("intent", "2026-11-01")) + [move(5, "advance", "near_win", "2026-11-25", "intent", LI, ("a", "b"))],
    6: ladder(6, WANG, ("target", "2026-11-20")),
    7: ladder(7, WANG, ("target", "2026-06-01"), ("qualified", "2026-07-01"), ("shortlisted", "2026-08-01"),
              ("intent", "2026-09-01"), ("near_win", "2026-10-01")) + [move(7, "won", "won", "2026-11-24", "near_win")],
    8: ladder(8, LI, ("target", "2026-10-01"), ("qualified", "2026-10-20"))
    + [move(8, "lost", "lost", "2026-11-26", "qualified", LI)],
    9: [move(9, "created", "near_win", "2026-11-25"), move(9, "won", "won", "2026-11-26 09:00", "near_win")],
    10: [move(10, "created", "target", "2026-09-01"), move(10, "lost", "lost", "2026-10-10", "target")],
    11: ladder(11, LI, ("shortlisted", "2026-11-28")),
}
TARGETS = {"2026-12": Decimal(200) * WAN, "2027-Q1": Decimal(800) * WAN}
WEEK = digest_rules.report_window(TODAY, pushed=True)


def data(**overrides) -> TeamData:
    fields = {"team": team(), "members": MEMBERS, "deals": DEALS, "changes": CHANGES, "targets": TARGETS,
              "skipped_self_check": [4]} | overrides
    return TeamData(**fields)


def ids(refs: list[dict]) -> list[int]:
    return [ref["id"] for ref in refs]


# ---- 1. team funnel and reps ----------------------------------------------------------------

@pytest.mark.parametrize(("today", "pushed", "window"), [
    (date(2026, 11, 30), True, (date(2026, 11, 23), date(2026, 11, 29), False)),   # Monday push: last week
    (date(2026, 11, 30), False, (date(2026, 11, 30), date(2026, 11, 30), True)),   # on demand: today so far
    (date(2026, 12, 2), False, (date(2026, 11, 30), date(2026, 12, 2), True)),     # Wednesday: Mon to today
    (date(2026, 12, 6), False, (date(2026, 11, 30), date(2026, 12, 6), True)),     # Sunday: the whole week
    (date(2026, 12, 4), True, (date(2026, 11, 30), date(2026, 12, 4), True)),      # a push scheduled on Friday
])
def test_the_report_window(today, pushed, window):
    found = digest_rules.report_window(today, pushed)
    assert (found.start, found.end, found.so_far) == window


def test_team_funnel_per_stage_in_the_team_currency():
    funnel = digest_rules.team_funnel(data(), "zh")
    assert [(line["stage"], line["count"], line["amount"], line["weighted"]) for line in funnel["lines"]] == [
        ("目标客户", 1, 100 * WAN, 10 * WAN), ("有效客户", 1, 200 * WAN, 50 * WAN),
        ("入围客户", 2, 500 * WAN, 250 * WAN), ("意向客户", 1, 300 * WAN, 225 * WAN),
        ("接近赢单客户", 1, 100 * WAN, 90 * WAN)]
    assert (funnel["count"], funnel["amount"], funnel["weighted"], funnel["other_currency"]) == (
        6, 1200 * WAN, 625 * WAN, 1)


def test_rep_funnels_list_active_reps_and_owners_of_open_deals():
    assert digest_rules.rep_funnels(data()) == [
        {"name": "王伟", "count": 2, "amount": 300 * WAN, "weighted": 60 * WAN},
        {"name": "李娜", "count": 4, "amount": 900 * WAN, "weighted": 565 * WAN},
        {"name": "赵敏", "count": 0, "amount": 0, "weighted": 0}]


# ---- 2. forecast against targets ------------------------------------------------------------

def test_forecasts_next_month_and_quarter_with_coverage():
    month, quarter = digest_rules.forecasts(data(), TODAY)
    assert (month["label"], month["count"], month["weighted"], month["target"], month["coverage"]) == (
        "2026-12", 3, 300 * WAN, 200 * WAN, Decimal("1.5"))
    assert (quarter["label"], quarter["count"], quarter["weighted"], quarter["coverage"]) == (
        "2027-Q1", 3, 325 * WAN, Decimal("0.40625"))


def test_no_target_no_coverage():
    month, quarter = digest_rules.forecasts(data(targets={}), TODAY)
    assert month["target"] is None and month["coverage"] is None and quarter["coverage"] is None


# ---- 3. funnel health -----------------------------------------------------------------------

def test_not_full_top_short_below_target_and_reps_with_an_empty_top():
    quarter = digest_rules.forecasts(data(), TODAY)[1]
    full = digest_rules.not_full(data(), 625 * WAN, quarter)
    assert (full["top"], full["rest"], full["top_short"], full["below_target"]) == (3, 4, True, True)
    assert full["empty_top_reps"] == ["李娜", "赵敏"]
    # all open deals, any close date, against next quarter's target; that quarter's own coverage beside it
    assert (full["weighted"], full["target"], full["quarter"], full["quarter_weighted"], full["quarter_coverage"]) == (
        625 * WAN, 800 * WAN, "2027-Q1", 325 * WAN, Decimal("0.40625"))
    assert not digest_rules.not_full(data(), 625 * WAN, quarter | {"target": None})["below_target"]
    assert not digest_rules.not_full(data(), 800 * WAN, quarter)["below_target"]


@pytest.mark.parametrize(("lines", "expected"), [
    # the project funnel of `data()`: average weighted 125万; 入围客户 at exactly 200% is fine
    (None, {"heavy": [], "thin": ["目标客户", "有效客户"], "empty": []}),
    # one deal: one line, not five
    ([("A", 0), ("B", 0), ("C", 0), ("D", 0), ("E", 90)], {"heavy": [("E", Decimal(5))], "thin": [],
                                                          "empty": ["A", "B", "C", "D"]}),
    ([("A", 1), ("B", 1), ("C", 10)], {"heavy": [("C", Decimal("2.5"))], "thin": ["A", "B"], "empty": []}),
    ([("A", 10), ("B", 10)], None),
    ([("A", 0)], None),
])
def test_imbalance_is_one_finding(lines, expected):
    rows = (digest_rules.team_funnel(data(), "zh")["lines"] if lines is None
            else [{"stage": stage, "weighted": Decimal(w)} for stage, w in lines])
    found = digest_rules.imbalance(rows)
    if expected is None:
        assert found is None
        return
    assert [(h["stage"], h["ratio"]) for h in found["heavy"]] == expected["heavy"]
    assert (found["thin"], found["empty"]) == (expected["thin"], expected["empty"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_imbalance_reads_as_one_line_in_words(lang):
    deals = [a_deal(1, WANG, "near_win", 100, "2026-12-20"), a_deal(2, WANG, "target", 1, "2026-12-20"),
             a_deal(3, WANG, "shortlisted", 3329, "2027-06-30", currency="USD")]
    changes = {1: ladder(1, WANG, ("near_win", "2026-11-02")), 2: ladder(2, WANG, ("target", "2026-11-02"))}
    text = render(lang, DIGEST_KEY, **weekly_digest(data(deals=deals, changes=changes), TODAY, lang, pushed=True))
    # weighted 90万 + 0.1万 over five stages: average 18.02万; 90 ÷ 18.02 = 4.99, about 5 times
    expected = {"zh": "· 漏斗不平衡：接近赢单客户的加权金额约为各阶段平均的 5 倍；目标客户不到平均的一半；"
                      "有效客户、入围客户、意向客户没有商机",
                "en": "· Unbalanced pipeline: Near win weighs about 5 times the stage average; Target less than half "
                      "of it; no deals in Qualified, Shortlisted, Intent"}
    lines = text.splitlines()
    assert expected[lang] in lines
    assert [line for line in lines if "平衡" in line or "Unbalanced" in line] == [expected[lang]]
    assert "%" not in expected[lang]


def test_weak_inspection_names_deals_and_owners():
    check = digest_rules.weak_inspection(data(), TODAY, WEEK, "zh")
    assert ids(check["no_next_step"]) == [2] and check["no_next_step"][0]["owner"] == "王伟"
    assert [(d["id"], d["days"]) for d in check["overdue"]] == [(3, 5)]
    assert [(d["id"], d["days"]) for d in check["idle"]] == [(2, 41)]
    assert [(d["id"], d["from"], d["to"], d["owner"]) for d in check["jumps"]] == [(4, "有效客户", "意向客户", "李娜")]


# ---- 4. conversion and days in stage (domain §4's weekly-report example) ---------------------

def funnel_of_100() -> dict[int, list[StageChange]]:
    """100 prospects → 80 first contact → 40 need confirmed → 20 proposal → 10 quotation → 5 won.

    Stays (days): 潜在客户 80×2 and 20×10 (lost) = 3.6; 初步接触 40×4, 20×7 (lost), 20 still open
    = 5.0; 需求确认 20×7 and 20×7 (lost) = 7.0; 方案提出 10×10, 10 still open = 10.0;
    报价洽谈 5×3 (won) and 5×9 (lost) = 6.0.
    """
    start = datetime(2026, 9, 1, 9, tzinfo=SHANGHAI)
    day = lambda n: start + timedelta(days=n)  # noqa: E731
    keys = [s.key for s in SIX_STEP.stages]
    histories: dict[int, list[StageChange]] = {}
    for n in range(100):
        history = [StageChange(n, None, keys[0], "created", day(0), 1, True)]
        plan = [(80, 2, 10), (40, 6, 9), (20, 13, 13), (10, 23, None), (5, 26, 32)]
        for stage, (moved, moved_on, lost_on) in enumerate(plan):
            if n < moved:
                target = keys[stage + 1] if stage + 1 < len(keys) else "won"
                kind = "advance" if stage + 1 < len(keys) else "won"
                history.append(StageChange(n, keys[stage], target, kind, day(moved_on), 1, True))
                continue
            lost_by = {0: 100, 1: 60, 2: 40, 3: 10, 4: 10}[stage]
            if lost_on is not None and n < lost_by:
                history.append(StageChange(n, keys[stage], "lost", "lost", day(lost_on), 1, True))
            break
        histories[n] = history
    return histories


def test_conversion_of_the_seed_example():
    result = conversions(SIX_STEP, funnel_of_100().values())
    assert [(c.from_key, c.to_key, c.base, c.converted, c.rate) for c in result] == [
        ("prospect", "first_contact", 100, 80, Decimal("0.8")),
        ("first_contact", "need_confirmed", 80, 40, Decimal("0.5")),
        ("need_confirmed", "proposal", 40, 20, Decimal("0.5")),
        ("proposal", "negotiation", 20, 10, Decimal("0.5")),
        ("negotiation", WON, 10, 5, Decimal("0.5"))]


def test_days_in_stage_of_the_seed_example():
    result = days_in_stage(SIX_STEP, funnel_of_100().values())
    assert [(t.stage_key, t.stays, t.days) for t in result] == [
        ("prospect", 100, Decimal("3.6")), ("first_contact", 60, Decimal(5)), ("need_confirmed", 40, Decimal(7)),
        ("proposal", 10, Decimal(10)), ("negotiation", 10, Decimal(6))]


def test_reached_counts_a_stage_once_and_never_before_creation():
    backed_off = [move(1, "created", "prospect", "2026-11-01"),
                  move(1, "advance", "first_contact", "2026-11-02", "prospect"),
                  move(1, "back_off", "prospect", "2026-11-05", "first_contact"),
                  move(1, "advance", "first_contact", "2026-11-06", "prospect")]
    late = [move(2, "created", "proposal", "2026-11-01"), move(2, "won", "won", "2026-11-03", "proposal")]
    assert reached(SIX_STEP, backed_off) == {"prospect", "first_contact"}
    assert reached(SIX_STEP, late) == {"proposal", WON}   # a win from 方案提出 never sat in 报价洽谈
    rates = conversions(SIX_STEP, [backed_off, late])
    # the late deal skipped 报价洽谈: shown apart, and no step nobody sat in reads 100%
    assert [(c.base, c.converted, c.skipped) for c in rates] == [
        (1, 1, 0), (1, 0, 0), (0, 0, 0), (0, 0, 1), (0, 0, 0)]
    assert [c.rate for c in rates][3:] == [None, None]
    stays = {t.stage_key: (t.stays, t.days) for t in days_in_stage(SIX_STEP, [backed_off, late])}
    assert stays["prospect"] == (2, Decimal(1)) and stays["first_contact"] == (1, Decimal(3))
    assert stays["proposal"] == (1, Decimal(2)) and stays["negotiation"] == (0, None)


def test_a_jump_is_an_advance_over_a_stage():
    assert is_jump(PROJECT, move(1, "advance", "intent", "2026-11-24", "qualified"))
    assert not is_jump(PROJECT, move(1, "advance", "shortlisted", "2026-11-24", "qualified"))
    assert not is_jump(PROJECT, move(1, "won", "won", "2026-11-24", "target"))


# ---- 5.–9. the week's events ----------------------------------------------------------------

def test_won_and_lost_this_week_with_reasons():
    closed = digest_rules.closed_this_week(data(), WEEK, "zh")
    assert ids(closed["won"]) == [7, 9] and closed["won_amount"] == 200 * WAN
    assert ids(closed["lost"]) == [8] and closed["lost_amount"] == 80 * WAN      # deal 10: lost in October
    assert (closed["lost"][0]["reason_ours"], closed["lost"][0]["reason_customer"]) == ("价格偏高", "预算削减")


def test_the_week_is_read_in_the_team_timezone():
    utc = UTC
    won = [a_deal(n, WANG, "target", 10, "2026-12-31", status=DealStatus.WON) for n in (1, 2, 3)]
    changes = {1: [StageChange(1, "target", "won", "won", datetime(2026, 11, 22, 17, tzinfo=utc), 1, True)],
               2: [StageChange(2, "target", "won", "won", datetime(2026, 11, 29, 16, 30, tzinfo=utc), 1, True)],
               3: [StageChange(3, "target", "won", "won", datetime(2026, 11, 22, 15, 59, tzinfo=utc), 1, True)]}
    assert ids(digest_rules.closed_this_week(data(deals=won, changes=changes), WEEK, "zh")["won"]) == [1]


def test_overdue_and_stalled_per_rep():
    rows = digest_rules.follow_up_by_rep(data(), TODAY, "zh")
    assert [(r["name"], ids(r["overdue"]), [(d["id"], d["days"]) for d in r["stalled"]]) for r in rows] == [
        ("王伟", [], [(2, 41)]), ("李娜", [3], [])]     # 3 idle 10 days: 入围客户 allows 14


def test_advances_made_anyway_this_week():
    assert [(d["id"], d["to"], d["by"], d["missing"]) for d in digest_rules.advanced_anyway(data(), WEEK, "zh")] == [
        (5, "接近赢单客户", "李娜", 2)]


@pytest.mark.parametrize(("history", "expected"), [
    ([], True),                                                                   # no history before the win
    ([move(1, "created", "target", "2026-11-23")], True),                         # created this week
    ([move(1, "created", "target", "2026-11-22 23:00")], False),                  # open at the last review
    ([move(1, "created", "near_win", "2026-11-22 12:00")], True),                 # last stage, won within a day
    ([move(1, "created", "near_win", "2026-11-21 12:00")], False),                # last stage, two days before
    ([move(1, "created", "target", "2026-11-23"),
      move(1, "advance", "qualified", "2026-11-23 10:30", "target")], False),     # it moved in the funnel
])
def test_won_without_ever_being_in_the_funnel(history, expected):
    win = move(1, "won", "won", "2026-11-23 11:00", "near_win")
    assert is_off_funnel(history + [win], win, "near_win", date(2026, 11, 23), SHANGHAI) is expected


def test_off_funnel_wins_of_the_week():
    assert ids(digest_rules.off_funnel_wins(data(), WEEK, "zh")) == [9]


def test_skipped_self_check_names_in_team_order():
    assert digest_rules.skipped_self_check(data(skipped_self_check=[4, 1, 99])) == ["王伟", "赵敏"]


# ---- 10. forecast accuracy ------------------------------------------------------------------

def test_accuracy_only_in_the_first_week_of_a_month():
    assert digest_rules.accuracy_period(date(2026, 12, 7)).label == "2026-11"
    assert digest_rules.accuracy_period(date(2027, 1, 4)).label == "2026-12"
    assert digest_rules.accuracy_period(date(2026, 12, 8)) is None
    assert digest_rules.forecast_accuracy(data(), TODAY) == {"period": None, "reps": []}


def test_accuracy_lists_who_is_outside_the_allowed_error_of_their_role():
    reps = [User(n, 10, name, Role.REP, "zh") for n, name in ((1, "甲"), (2, "乙"), (3, "丙"), (4, "丁"))]
    boss = User(5, 10, "戊", Role.MANAGER, "zh")
    won = lambda n, owner, closed: a_deal(n, owner, "near_win", 100, "2026-11-30", status=DealStatus.WON,  # noqa: E731
                                          closed_at=closed)
    deals = [won(1, reps[0], at("2026-11-10")), won(2, reps[1], at("2026-11-20")), won(3, boss, at("2026-11-30")),
             won(4, reps[0], at("2026-10-31")), won(5, reps[2], datetime(2026, 11, 30, 17, tzinfo=UTC))]
    snapshots = {(1, "2026-11"): 130 * WAN, (2, "2026-11"): 140 * WAN, (3, "2026-11"): 50 * WAN,
                 (5, "2026-11"): 130 * WAN, (1, "2026-10"): 999 * WAN}
    result = digest_rules.forecast_accuracy(data(members=reps + [boss], deals=deals, snapshots=snapshots),
                                            date(2026, 12, 7))
    assert result["period"] == "2026-11"
    assert [(r["name"], r["forecast"], r["won"], r["error"], r["allowed"]) for r in result["reps"]] == [
        ("乙", 140 * WAN, 100 * WAN, Decimal("0.4"), Decimal("0.35")),      # 甲 at 30%: within 35%
        ("丙", 50 * WAN, 0, None, Decimal("0.35")),                          # won on 1 Dec, Shanghai time
        ("戊", 130 * WAN, 100 * WAN, Decimal("0.3"), Decimal("0.25"))]


# ---- the whole digest and its rendering -----------------------------------------------------

def test_weekly_digest_counts_the_problems():
    params = weekly_digest(data(), TODAY, "zh", pushed=True)
    # not full, empty top, unbalanced (one finding), 4 inspection items, 1 anyway, 1 off funnel, 1 skipped
    assert params["problems"] == 10
    assert (params["week_start"], params["week_end"], params["currency"]) == (
        date(2026, 11, 23), date(2026, 11, 29), "CNY")


def test_zh_digest_reads_headline_first_then_problems_then_details():
    text = render("zh", DIGEST_KEY, **weekly_digest(data(), TODAY, "zh", pushed=True))
    lines = text.splitlines()
    assert lines[0] == "📊 华东大区销售部 销售漏斗周报"
    assert "在手商机 6 个，金额 ¥1200万，加权 ¥625万" in lines
    assert "下月预测（2026-12）：¥300万，目标 ¥200万，覆盖率 150%" in lines
    assert "下季度预测（2027-Q1）：¥325万，目标 ¥800万，覆盖率 40.6%" in lines
    assert "上周：2026年11月23日（周一） 至 2026年11月29日（周日）" in lines
    assert "上周赢单 2 个，¥200万；丢单 1 个，¥80万" in lines
    assert "· 前两个阶段只有 3 个商机，少于后面各阶段的 4 个" in lines
    assert ("· 全部在手商机（不限预计成交日期）加权 ¥625万，低于下季度（2027-Q1）目标 ¥800万；"
            "其中预计下季度成交的加权 ¥325万，覆盖率 40.6%") in lines
    assert "· 前端断档：李娜、赵敏的前两个阶段没有商机，需要尽快开发新客户" in lines
    assert "· 没有下一步：#2 客户2·项目2（王伟）" in lines
    assert "· 下一步已逾期：#3 客户3·项目3（李娜）逾期 5 天" in lines
    assert "· 跳级推进：#4 客户4·项目4（李娜）有效客户 → 意向客户" in lines
    assert "· 检查点未确认仍推进：#5 客户5·项目5 进入接近赢单客户，2 项未确认（李娜）" in lines
    assert "· 未进漏斗直接赢单（业绩照常计算，请核实流程）：#9 客户9·项目9（王伟）¥50万" in lines
    assert "· 上周漏斗自查未完成：赵敏" in lines
    assert "· 丢单 #8 客户8·项目8（李娜）¥80万（价格）：我方原因“价格偏高”，客户原因“预算削减”" in lines
    assert "· 丢单原因分类：价格 1 个" in lines
    assert "  · 停滞 #2 客户2·项目2，在有效客户阶段 41 天没有动静" in lines
    assert "（另有 1 个 USD 商机还没有汇率，未计入；经理用 /currency USD 汇率 设置后即计入）" in lines
    assert lines.index("【问题】") < lines.index("【漏斗明细】") < lines.index("【阶段转化】")
    assert "有效客户 → 入围客户 60%（3/5），另有 1 个跳过入围客户，不计入" in lines     # deal 4 jumped over it
    assert "（另有 1 个未进漏斗直接赢单，不计入转化）" in lines                         # deal 9


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_three_big_problems_are_named_each_with_its_symptoms(lang):
    lines = render(lang, DIGEST_KEY, **weekly_digest(data(), TODAY, lang, pushed=True)).splitlines()
    headings = {"zh": ["一、漏斗不满", "二、转化率低", "三、检查不力", "其他"],
                "en": ["1. Pipeline not full", "2. Low conversion", "3. Weak inspection", "Other"]}[lang]
    where = [lines.index(heading) for heading in headings]
    assert where == sorted(where)
    inspection = lines[where[2] + 1:where[3]]
    symptoms = {"zh": ["· 没有下一步：", "· 下一步已逾期：", "· 30 天以上没有动静：", "· 跳级推进：",
                       "· 检查点未确认仍推进：", "· 未进漏斗直接赢单", "· 上周漏斗自查未完成："],
                "en": ["· No next step:", "· Next step overdue:", "· No activity for 30+ days:", "· Skipped a stage:",
                       "· Check points left unconfirmed:", "· Won without ever being in the pipeline",
                       "· Last week's pipeline self-check not done:"]}[lang]
    assert [next(i for i, line in enumerate(inspection) if line.startswith(s)) for s in symptoms] == list(range(7))
    assert all(line.startswith("· ") for line in lines[where[0] + 1:where[1]] + lines[where[1] + 1:where[2]])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_empty_funnel_still_names_the_three_problems(lang):
    text = render(lang, DIGEST_KEY, **weekly_digest(TeamData(team(), [], [], {}, {}), TODAY, lang))
    none = {"zh": "· 未发现", "en": "· None found"}[lang]
    assert text.count(none) == 3


def six_step_data() -> TeamData:
    histories = funnel_of_100()
    status = {n: (DealStatus.WON if h[-1].kind == "won" else DealStatus.LOST if h[-1].kind == "lost"
                  else DealStatus.OPEN) for n, h in histories.items()}
    stage = {n: next(c.to_stage for c in reversed(h) if c.kind in ("created", "advance")) for n, h in histories.items()}
    deals = [a_deal(n, WANG, stage[n], 10, "2027-06-30", status=status[n], last="2026-11-27") for n in histories]
    return data(team=team(SIX_STEP), deals=deals, changes=histories, targets={}, skipped_self_check=())


def test_zh_conversion_lines_of_the_seed_example():
    text = render("zh", DIGEST_KEY, **weekly_digest(six_step_data(), TODAY, "zh", pushed=True))
    for line in ("潜在客户 → 初步接触 80%（80/100）", "初步接触 → 需求确认 50%（40/80）",
                 "需求确认 → 方案提出 50%（20/40）", "方案提出 → 报价洽谈 50%（10/20）", "报价洽谈 → 成交 50%（5/10）",
                 "平均阶段耗时：潜在客户 3.6 天，初步接触 5.0 天，需求确认 7.0 天，方案提出 10.0 天，报价洽谈 6.0 天"):
        assert line in text.splitlines()


def test_en_digest_reads_naturally():
    text = render("en", DIGEST_KEY, **weekly_digest(six_step_data(), TODAY, "en", pushed=True))
    lines = text.splitlines()
    assert lines[0] == "📊 华东大区销售部: weekly pipeline report"
    assert "Last week: Mon 23 Nov 2026 to Sun 29 Nov 2026" in lines
    assert "Need confirmed → Proposal 50% (20/40)" in lines
    assert "Negotiation → Closed 50% (5/10)" in lines
    assert "Next month forecast (2026-12): CN¥0, no target set" in lines
    full = render("en", DIGEST_KEY, **weekly_digest(data(), TODAY, "en", pushed=True))
    assert "· Next step overdue: #3 客户3 · 项目3 (李娜), 5 days late" in full.splitlines()
    assert "· Last week's pipeline self-check not done: 赵敏" in full.splitlines()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_empty_team_renders_with_no_problems(lang):
    empty = TeamData(team(), [], [], {}, {})
    text = render(lang, DIGEST_KEY, **weekly_digest(empty, TODAY, lang))
    lines = text.splitlines()
    assert ("本周未发现问题。" if lang == "zh" else "No problems found this week.") in lines
    assert ("漏斗是空的：没有进行中的商机。" if lang == "zh" else "The pipeline is empty: no open deals.") in lines


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_accuracy_renders_in_the_first_week_of_a_month(lang):
    snapshots = {(1, "2026-11"): 400 * WAN, (2, "2026-11"): 50 * WAN}
    text = render(lang, DIGEST_KEY, **weekly_digest(data(snapshots=snapshots), date(2026, 12, 7), lang))
    expected = {"zh": "· 预测偏差超标（2026-11）：王伟 预测 ¥400万，实际赢单 ¥200万，偏差 100%（允许 35%）；"
                      "李娜 预测 ¥50万，实际赢单 ¥0（允许 35%）",
                "en": "· Forecast outside the allowed error for 2026-11: 王伟 forecast CN¥4,000,000, won CN¥2,000,000, "
                      "off by 100% (allowed 35%); 李娜 forecast CN¥500,000, won CN¥0 (allowed 35%)"}
    assert expected[lang] in text.splitlines()


def test_zh_and_en_digest_keys_and_placeholders_match():
    env = Environment(trim_blocks=True, lstrip_blocks=True)
    env.filters.update({name: str for name in ("money", "date", "datetime", "percent")})
    zh = {k: v for k, v in catalog("zh").items() if k.startswith("digest.")}
    en = {k: v for k, v in catalog("en").items() if k.startswith("digest.")}
    assert DIGEST_KEY in zh and set(zh) == set(en)
    for key, text in zh.items():
        assert meta.find_undeclared_variables(env.parse(text)) == meta.find_undeclared_variables(env.parse(en[key]))


# ---- low conversion: the weakest step, the thinnest stage, a step below its own rate -----------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_000s_weekly_report_names_the_prospect_rate_the_weakest_step(lang):
    """100 → 80 → 40 → 20 → 10 → 5: every step at 50% or more, so no fixed threshold fires;
    000 still concludes '潜在客户转化率较低'."""
    lines = render(lang, DIGEST_KEY, **weekly_digest(six_step_data(), TODAY, lang, pushed=True)).splitlines()
    expected = {"zh": ["· 整体转化：潜在客户 → 成交 5%（100 个中 5 个）",
                       "· 最弱一环：初步接触 → 需求确认 50%（80 个中 40 个）"],
                "en": ["· Overall: Prospect → Closed 5% (5 of 100)",
                       "· Weakest step: First contact → Need confirmed 50% (40 of 80)"]}[lang]
    for line in expected:
        assert line in lines


def test_000s_funnel_as_it_stands_names_quotation_as_the_thinnest_stage():
    """The report's figures read as the funnel now: 100, 80, 40, 20 and 10 open, 5 won."""
    keys = [s.key for s in SIX_STEP.stages]
    deals, changes, n = [], {}, 0
    for key, count in zip(keys, (100, 80, 40, 20, 10), strict=True):
        for _ in range(count):
            n += 1
            deals.append(a_deal(n, WANG, key, 1, "2027-06-30", last="2026-11-27"))
            changes[n] = ladder(n, WANG, *[(k, "2026-10-01") for k in keys[:keys.index(key) + 1]])
    params = weekly_digest(data(team=team(SIX_STEP), deals=deals, changes=changes), TODAY, "zh", pushed=True)
    assert params["health"]["low_conversion"]["thinnest"] == {"stage": "报价洽谈", "count": 10}
    assert "· 商机最少的阶段：报价洽谈，10 个" in render("zh", DIGEST_KEY, **params).splitlines()


def outcomes(first_id: int, converted: int, failed: int, day: str) -> dict[int, list[StageChange]]:
    """Deals created at 潜在客户 on 1 Oct; `converted` advance on `day`, `failed` are lost then."""
    histories = {}
    for n in range(first_id, first_id + converted + failed):
        created = move(n, "created", "prospect", "2026-10-01")
        end = (move(n, "advance", "first_contact", day, "prospect") if n < first_id + converted
               else move(n, "lost", "lost", day, "prospect"))
        histories[n] = [created, end]
    return histories


@pytest.mark.parametrize(("before", "now", "flagged"), [
    ((3, 1), (1, 1), True),     # 75% over the four weeks before, 50% in the week
    ((3, 1), (2, 0), False),    # the week did better
    ((0, 3), (0, 2), False),    # too few before (3 < 4)
    ((4, 0), (0, 1), False),    # too few in the week (1 < 2)
    ((2, 2), (1, 1), False),    # the same rate is no drop
])
def test_a_step_below_its_own_rate_of_the_previous_weeks_is_flagged(before, now, flagged):
    changes = outcomes(1, *before, "2026-11-10") | outcomes(100, *now, "2026-11-25")
    deals = [a_deal(n, WANG, "prospect", 1, "2027-06-30", last="2026-11-27") for n in changes]
    params = weekly_digest(data(team=team(SIX_STEP), deals=deals, changes=changes), TODAY, "zh", pushed=True)
    dropped = params["health"]["low_conversion"]["dropped"]
    assert [(d["from"], d["to"]) for d in dropped] == ([("潜在客户", "初步接触")] if flagged else [])
    if flagged:
        line = "· 转化率下降：潜在客户 → 初步接触 上周 50%（2 个中 1 个），此前四周 75%（4 个）"
        assert line in render("zh", DIGEST_KEY, **params).splitlines()
